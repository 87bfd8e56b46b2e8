import QSentryConnection
import QSentryCore

/// `geoip` opens as a MaxMind database.
struct GeoIPProbe: LiveProbe {
    let name = "geoip"

    func run(_ root: QmailRoot) -> [ControlError] {
        let file = root.qsentry("geoip")
        guard let (path, line) = LiveProbes.value(file) else { return [] }
        do {
            _ = try CountryDatabase(path: path)
        } catch {
            return [ControlError(path: file, line: line, "\(error): give a MaxMind-format country .mmdb (GeoLite2-Country, DB-IP)")]
        }
        return []
    }
}
