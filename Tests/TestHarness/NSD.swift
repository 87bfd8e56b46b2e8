import Foundation

/// NSD, a real authoritative server, serving ordinary zones (A, AAAA, MX, TXT, PTR) on a loopback port.
///
/// Zones are given as zone-file bodies without SOA/NS; the harness adds those.
public final class NSD: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public let server: ServerProcess
    public let port: UInt16

    public init(root: TempQmailRoot, zones: [String: String]) throws {
        owner = root
        let dir = root.runDirectory + "/nsd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        port = try Ports.free(udp: true)
        var conf = """
        server:
            ip-address: 127.0.0.1@\(port)
            port: \(port)
            username: ""
            chroot: ""
            zonesdir: "\(dir)"
            database: ""
            zonelistfile: "\(dir)/zone.list"
            xfrdfile: "\(dir)/xfrd.state"
            xfrdir: "\(dir)"
            pidfile: "\(dir)/nsd.pid"
            logfile: "\(dir)/nsd.log"
            server-count: 1
            verbosity: 1
        remote-control:
            control-enable: no

        """
        for (zone, body) in zones.sorted(by: { $0.key < $1.key }) {
            let file = zone.replacingOccurrences(of: ".", with: "_") + ".zone"
            let text = """
            $ORIGIN \(zone).
            $TTL 60
            @ IN SOA ns.\(zone). hostmaster.\(zone). 1 600 300 86400 60
            @ IN NS ns.\(zone).

            """ + body + "\n"
            try HarnessFile.write(dir + "/" + file, Data(text.utf8))
            conf += "zone:\n    name: \(zone)\n    zonefile: \(file)\n"
        }
        try HarnessFile.write(dir + "/nsd.conf", Data(conf.utf8))
        let check = try Run.command("nsd-checkconf", [dir + "/nsd.conf"])
        guard check.status == 0 else { throw HarnessError.startFailed("nsd.conf: \(check.output)") }
        let server = try ServerProcess(name: "nsd", executable: "nsd", arguments: ["-d", "-c", dir + "/nsd.conf"],
                                   logDirectory: root.logDirectory)
        let first = zones.keys.sorted().first!
        self.server = server
        try server.waitUntil("nsd to answer") {
            (try? DNSProbe.query(port: port, name: first, type: "SOA").isEmpty == false) ?? false
        }
    }

    public var address: String { "127.0.0.1:\(port)" }
}
