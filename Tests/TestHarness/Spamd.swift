import Foundation

/// SpamAssassin's `spamd` on a loopback port: Debian's rules, no network tests (`-L`), no user
/// preferences, running its children as nobody.
public final class Spamd: @unchecked Sendable {
    private let owner: TempQmailRoot
    public let server: ServerProcess
    public let port: UInt16

    /// SpamAssassin's test string: 1000 points on its own.
    public static let gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

    public init(root: TempQmailRoot) throws {
        owner = root
        port = try Ports.free()
        server = try ServerProcess(name: "spamd-\(port)", executable: "spamd",
            arguments: ["--listen=127.0.0.1:\(port)", "--allowed-ips=127.0.0.1", "--max-children=1", "--min-children=1",
                        "--nouser-config", "--syslog=stderr", "-u", "nobody", "-L",
                        "--pidfile=\(root.runDirectory)/spamd-\(port).pid"],
            logDirectory: root.logDirectory)
        let port = self.port
        try server.waitUntil("spamd to answer PING", timeout: 60) {
            (try? Run.command("spamc", ["-d", "127.0.0.1", "-p", "\(port)", "-K"], timeout: 10).status == 0) ?? false
        }
    }

    public var address: String { "127.0.0.1:\(port)" }
}
