import QSentryCore

/// Where queries go: `control/qsentry/dnsservers` (IP, IP:PORT, [IPv6]:PORT a line), else /etc/resolv.conf.
public enum DNSServers {
    /// The servers in c-ares' CSV form, or nil to let c-ares read /etc/resolv.conf.
    public static func csv(root: QmailRoot) throws -> String? {
        guard let lines = try ControlFile.lines(root.qsentry("dnsservers")), !lines.isEmpty else { return nil }
        var entries: [String] = []
        for line in lines {
            let text = line.text.trimmed
            switch SettingSyntax.dnsServer(text) {
            case .success(let entry): entries.append(entry)
            case .failure(let e): throw ControlError(path: root.qsentry("dnsservers"), line: line.number, e.message)
            }
        }
        return entries.joined(with: ",")
    }
}
