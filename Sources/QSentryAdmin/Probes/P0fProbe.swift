import QSentryConnection
import QSentryCore

/// p0f's API socket answers a query.
struct P0fProbe: LiveProbe {
    let name = "p0f"

    func run(_ root: QmailRoot) -> [ControlError] {
        let file = root.qsentry("p0f")
        guard let (path, line) = LiveProbes.value(file) else { return [] }
        do {
            _ = try P0fClient(socketPath: path).query(IPAddress("127.0.0.1")!)
        } catch {
            return [ControlError(path: file, line: line, "p0f: \(error): start p0f with -s \(path), readable by qmaild")]
        }
        return []
    }
}
