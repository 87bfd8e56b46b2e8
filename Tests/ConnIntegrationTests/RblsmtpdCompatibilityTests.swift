import Foundation
import Testing
import TestHarness

/// The same zones and the same tcprules, through real rblsmtpd (ucspi-tcp) and through
/// qsentry-conn: the rblsmtpd-compatible cases must give the same SMTP reply codes.
@Suite struct RblsmtpdCompatibilityTests {
    @Test func sameCodesAsRblsmtpd() throws {
        let root = try TempQmailRoot()
        // djbdns' resolver (rblsmtpd's) asks DNSCACHEIP on port 53 only: a spare loopback address.
        let dnsHost = "127.0.53.\(Int.random(in: 2...250))"
        let dns = try RBLDNSD(root: root, zones: ["bl.test": ":127.0.0.2:Listed $\n127.0.0.2\n127.0.0.6\n"],
                              host: dnsHost, port: 53)
        try root.write("control/qsentry/dnsservers", dns.address + "\n")
        try root.write("control/qsentry/dnsbl", "bl.test\n")
        let rules = try TCPServer.compileRules("""
        127.0.0.3:allow,RBLSMTPD=""
        127.0.0.4:allow,RBLSMTPD="Try later"
        127.0.0.5:allow,RBLSMTPD="-Go away"
        127.0.0.6:allow,RBLSMTPD=""
        :allow

        """, in: root)
        let downstream = try Downstream.smtpd(in: root)
        var env = root.environment()
        env["DNSCACHEIP"] = dnsHost
        let rbl = try TCPServer(root: root, command: [try Run.tool("rblsmtpd"), "-b", "-r", "bl.test", downstream],
                                rules: rules, environment: env, name: "tcpserver-rblsmtpd")
        let ours = try TCPServer(root: root, command: [Run.program("qsentry-conn"), downstream], rules: rules,
                                 environment: env, name: "tcpserver-qsentry")

        func codes(_ server: TCPServer, _ ip: String) throws -> [Int] {
            let r = try Swaks.run(server: server.address, ["--local-interface", ip, "--quit-after", "RCPT",
                                                           "--to", "user@example.com", "--from", "a@example.org"])
            return Swaks.replyCodes(r.stdout)
        }
        // .2 listed; .9 not listed; .3 RBLSMTPD empty; .4 text; .5 -text; .6 listed but RBLSMTPD empty.
        for ip in ["127.0.0.2", "127.0.0.9", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"] {
            let theirs = try codes(rbl, ip)
            let mine = try codes(ours, ip)
            #expect(mine == theirs, "\(ip): rblsmtpd \(theirs), qsentry-conn \(mine)")
            #expect(!theirs.isEmpty)
        }
        #expect(try codes(ours, "127.0.0.2").contains(553))
        #expect(try codes(ours, "127.0.0.4").contains(451))
    }
}
