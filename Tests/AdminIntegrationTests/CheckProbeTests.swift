import Foundation
import Testing
import TestHarness

/// A2: `qsentry check` probes what the control files name, against the real servers: each
/// healthy setting passes, each kind of broken one is one line naming the file and the fix.
@Suite struct CheckProbeTests {
    func check(_ root: TempQmailRoot, _ extra: [String] = []) throws -> RunResult {
        try Run.command(Run.program("qsentry"), ["check"] + extra, environment: root.environment(), timeout: 60)
    }

    @Test func healthyServersPass() throws {
        let root = try TempQmailRoot()
        let dns = try RBLDNSD(root: root, zones: ["bl.test": "127.0.0.2\n"])
        let clamd = try Clamd(root: root)
        let p0f = try P0f(root: root)
        let redis = try Redis(root: root)
        let tls = try TLSCertificate(root: root, days: 365)
        try MMDBWriter.write(root.path + "/country.mmdb", networks: ["192.0.2.0/24": "XX"])
        try root.write("control/qsentry/dnsservers", dns.address + "\n")
        try root.write("control/qsentry/dnsbl", "bl.test\n")
        try root.write("control/qsentry/clamd", clamd.socketPath + "\n")
        try root.write("control/qsentry/p0f", p0f.socketPath + "\n")
        try root.write("control/qsentry/store", redis.url + "\n")
        try root.write("control/qsentry/tls-cert", tls.certificatePath + "\n")
        try root.write("control/qsentry/tls-key", tls.keyPath + "\n")
        try root.write("control/qsentry/geoip", root.path + "/country.mmdb\n")
        let r = try check(root)
        #expect(r.status == 0 && r.stdout.contains("no problems"), "\(r.output)")
    }

    @Test func eachBrokenSettingIsOneLineWithTheFix() throws {
        let root = try TempQmailRoot()
        let dns = try RBLDNSD(root: root, zones: ["bl.test": "127.0.0.2\n", "empty.test": "127.0.0.9\n"])
        let silent = try SilentServer()
        let a = try TLSCertificate(root: root, name: "a", days: 365)
        let b = try TLSCertificate(root: root, name: "b", days: 365)
        // A socket file nobody listens on: there (the lint is content), but dead.
        let dead = root.path + "/nobody-listens.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { for (i, b) in dead.utf8.enumerated() { $0[i] = b } }
        #expect(withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } } == 0)
        close(fd)
        try root.write("control/qsentry/dnsservers", "\(dns.address)\n\(silent.address)\n")
        try root.write("control/qsentry/dnsbl", "bl.test\nempty.test\n")
        try root.write("control/qsentry/clamd", dead + "\n")
        try root.write("control/qsentry/spamd", "127.0.0.1:\(try Ports.free())\n")
        try root.write("control/qsentry/p0f", dead + "\n")
        try root.write("control/qsentry/store", "redis://127.0.0.1:\(try Ports.free())/0\n")
        try root.write("control/qsentry/tls-cert", a.certificatePath + "\n")
        try root.write("control/qsentry/tls-key", b.keyPath + "\n")
        try root.write("country.mmdb", "not a database")
        try root.write("control/qsentry/geoip", root.path + "/country.mmdb\n")
        try root.write("control/qsentry/spam-action", "file-it-somewhere\n")
        let r = try check(root)
        #expect(r.status == 1, "\(r.output)")
        let out = r.stdout
        #expect(out.contains("dnsservers: DNS server \(silent.address) did not answer"), "\(out)")
        #expect(!out.contains("DNS server \(dns.address) did not answer"), "\(out)")
        #expect(out.contains("dnsbl:2: empty.test does not list its test point 127.0.0.2"), "\(out)")
        #expect(!out.contains("dnsbl:1:"), "\(out)")
        #expect(out.contains("clamd:1: clamd: ") && out.contains("start clamd"), "\(out)")
        #expect(out.contains("spamd:1: spamd: ") && out.contains("Connection refused"), "\(out)")
        #expect(out.contains("p0f:1: p0f: "), "\(out)")
        #expect(out.contains("store: store does not open") && out.contains("check that Redis runs"), "\(out)")
        #expect(out.contains("tls-cert:") && out.contains("mismatch") && out.contains("STARTTLS would answer 454"), "\(out)")
        #expect(out.contains("geoip:1:"), "\(out)")
        #expect(out.contains("spam-action:1: \"file-it-somewhere\" is not tag"), "\(out)")
        #expect(out.contains("9 problems"), "\(out)")
        // --no-probes: the lint alone.
        let lint = try check(root, ["--no-probes"])
        #expect(lint.stdout.contains("spam-action:1:") && !lint.stdout.contains("clamd"), "\(lint.output)")
    }

    @Test func aCertificateAboutToExpireIsReported() throws {
        let root = try TempQmailRoot()
        let tls = try TLSCertificate(root: root, days: 2)
        try root.write("control/qsentry/tls-cert", tls.certificatePath + "\n")
        try root.write("control/qsentry/tls-key", tls.keyPath + "\n")
        let r = try check(root)
        #expect(r.status == 1 && r.stdout.contains("expires in ") && r.stdout.contains("renew it"), "\(r.output)")
    }

    @Test func realSpamdAnswersPing() throws {
        let root = try TempQmailRoot()
        let spamd = try Spamd(root: root)
        try root.write("control/qsentry/spamd", spamd.address + "\n")
        let r = try check(root)
        #expect(r.status == 0, "\(r.output)")
    }
}
