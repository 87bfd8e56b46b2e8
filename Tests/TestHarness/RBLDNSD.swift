import Foundation

/// `rbldnsd` serving DNS blocklist zones on a loopback UDP port.
///
/// Each zone is `ip4set` data in rbldnsd's own format, e.g.
/// `":127.0.0.2:Listed, see http://bl.example/?%s\n192.0.2.7\n"`.
public final class RBLDNSD: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public let server: ServerProcess
    public let port: UInt16

    public let host: String

    /// - Parameters:
    ///   - host: the loopback address to listen on; `port` nil picks a free one (pass 53 for djbdns clients).
    public init(root: TempQmailRoot, zones: [String: String], type: String = "ip4set",
                host: String = "127.0.0.1", port fixedPort: UInt16? = nil) throws {
        owner = root
        self.host = host
        let dir = root.runDirectory + "/rbldnsd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var specs: [String] = []
        for (zone, data) in zones.sorted(by: { $0.key < $1.key }) {
            let file = zone.replacingOccurrences(of: ".", with: "_") + ".data"
            let soa = "$SOA 60 ns.\(zone). hostmaster.\(zone). 1 600 300 86400 60\n$NS 60 ns.\(zone).\n"
            try HarnessFile.write(dir + "/" + file, Data((soa + data).utf8))
            specs.append("\(zone):\(type):\(file)")
        }
        let port = try fixedPort ?? Ports.free(udp: true)
        self.port = port
        let server = try ServerProcess(name: "rbldnsd", executable: "rbldnsd",
                                   arguments: ["-n", "-q", "-b", "\(host)/\(port)", "-r", dir, "-w", "."] + specs,
                                   logDirectory: root.logDirectory)
        self.server = server
        try server.waitUntil("rbldnsd to answer") { DNSProbe.answers(host: host, port: port, name: "ns.\(zones.keys.sorted().first!)") }
    }

    /// `127.0.0.1:PORT`, as `control/qsentry/dnsservers` takes it.
    public var address: String { "\(host):\(port)" }
}

/// Asks a loopback DNS server with `dig`, the real client.
public enum DNSProbe {
    /// The answer lines of `dig +short`.
    public static func query(port: UInt16, name: String, type: String = "A") throws -> [String] {
        let r = try Run.command("dig", ["+short", "+time=1", "+tries=1", "-p", "\(port)", "@127.0.0.1", name, type], timeout: 10)
        return r.stdout.split(separator: "\n").map(String.init)
    }

    /// Whether the server answers at all (any rcode, even NXDOMAIN).
    public static func answers(host: String = "127.0.0.1", port: UInt16, name: String) -> Bool {
        guard let r = try? Run.command("dig", ["+time=1", "+tries=1", "-p", "\(port)", "@\(host)", name, "A"], timeout: 10) else {
            return false
        }
        return r.stdout.contains("status:")
    }
}
