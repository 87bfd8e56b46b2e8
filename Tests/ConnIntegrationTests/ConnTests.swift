import Foundation
import Testing
import TestHarness

/// qsentry-conn through a real tcpserver, with swaks as the client and rbldnsd / NSD as DNS.
/// Clients come from distinct loopback addresses (swaks --local-interface) so one zone serves many cases.
@Suite struct ConnTests {
    /// One qmail root, zones and a tcpserver running `qsentry-conn … downstream-smtpd`.
    final class Rig {
        let root: TempQmailRoot
        var dns: RBLDNSD?
        var server: TCPServer?

        init() throws { root = try TempQmailRoot() }

        func zones(_ zones: [String: String]) throws {
            dns = try RBLDNSD(root: root, zones: zones)
            try root.write("control/qsentry/dnsservers", dns!.address + "\n")
        }

        func control(_ name: String, _ text: String) throws { try root.write("control/qsentry/" + name, text) }

        func start(rules: String? = nil, connArgs: [String] = ["-t", "10"]) throws {
            let downstream = try Downstream.smtpd(in: root)
            let cdb = try rules.map { try TCPServer.compileRules($0, in: root) }
            server = try TCPServer(root: root, command: [Run.program("qsentry-conn")] + connArgs + [downstream], rules: cdb)
        }

        /// A swaks session from `from` up to RCPT; returns the transcript.
        func session(from ip: String = "127.0.0.1", quitAfter: String = "RCPT") throws -> String {
            let r = try Swaks.run(server: server!.address, ["--local-interface", ip, "--quit-after", quitAfter,
                                                             "--from", "sender@example.org", "--to", "user@example.com",
                                                             "--helo", "client.example.org"])
            return r.stdout
        }

        var log: String { server!.server.stderr }
    }

    static let blocklist = """
    :127.0.0.2:Listed by test blocklist: $
    127.0.0.2
    127.0.0.3
    127.0.0.4
    :127.0.0.4:
    127.0.0.5

    """

    @Test func listedIsRefusedWithTheTXTText() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        try rig.control("dnsbl", "bl.test\n")
        try rig.start()
        let t = try rig.session(from: "127.0.0.2")
        #expect(Swaks.replyCodes(t) == [220, 250, 250, 553, 221], "\(t)")
        #expect(t.contains("553 5.7.1 Listed by test blocklist: 127.0.0.2"), "\(t)")
        #expect(!t.contains("downstream"))
        try Run.wait(for: "log line") { rig.log.contains("verdict=refuse rule=dnsbl") }
        #expect(rig.log.contains("ip=127.0.0.2 dnsbl=1/1[bl.test:listed] ms="), "\(rig.log)")
    }

    @Test func notListedReachesTheNextProgram() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        try rig.control("dnsbl", "bl.test\n")
        try rig.start()
        let t = try rig.session(from: "127.0.0.9")
        #expect(t.contains("220 downstream ESMTP"), "\(t)")
        #expect(t.contains("250 downstream verdict=none"))
        #expect(Swaks.replyCodes(t) == [220, 250, 250, 250, 221])
    }

    @Test func weightsAndThreshold() throws {
        let rig = try Rig()
        try rig.zones(["one.test": ":127.0.0.2:one\n127.0.0.2\n127.0.0.3\n", "two.test": ":127.0.0.2:two\n127.0.0.2\n"])
        try rig.control("dnsbl", "one.test*1\ntwo.test*1\n")
        try rig.control("dnsbl-threshold", "2\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("553 5.7.1 one"))
        #expect(try rig.session(from: "127.0.0.3").contains("220 downstream"))
    }

    @Test func negativeWeightAllowZoneOffsetsAListing() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": ":127.0.0.2:bad\n127.0.0.2\n", "wl.test": ":127.0.0.3:good\n127.0.0.2\n"])
        try rig.control("dnsbl", "bl.test*1\nwl.test=127.0.0.3*-1\n")
        try rig.start()
        let t = try rig.session(from: "127.0.0.2")
        #expect(t.contains("220 downstream"), "\(t)\n\(rig.log)")
    }

    @Test func filterMismatchIsNotAListing() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        // 127.0.0.5 is answered with 127.0.0.4; the filter wants 127.0.0.2 only.
        try rig.control("dnsbl", "bl.test=127.0.0.2\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.5").contains("220 downstream"))
        #expect(try rig.session(from: "127.0.0.2").contains("553 5.7.1"))
    }

    @Test func zoneTextOverridesTXT() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        try rig.control("dnsbl", "bl.test Blocked: %IP% see https://bl.test/\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.3").contains("553 5.7.1 Blocked: 127.0.0.3 see https://bl.test/"))
    }

    @Test func dnsTimeoutDefersNeverRefuses() throws {
        let rig = try Rig()
        let silent = try SilentServer()
        try rig.control("dnsservers", silent.address + "\n")
        try rig.control("dnstimeout", "500\n")
        try rig.control("dnsbl", "bl.test\n")
        try rig.start()
        let t = try rig.session(from: "127.0.0.2")
        #expect(t.contains("451 4.7.1"), "\(t)")
        #expect(!t.contains("553"))
        #expect(!t.contains("downstream"))
    }

    /// Issue 10: the DNS server stops answering mid-service: 451, never 553 or a pass; once a
    /// server answers again, the same client is judged as before.
    @Test func dnsServerGoneThenBack() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        try rig.control("dnsbl", "bl.test\n")
        try rig.control("dnstimeout", "800\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("553"))
        rig.dns = nil  // rbldnsd stopped: its port answers nothing now
        let t = try rig.session(from: "127.0.0.2")
        #expect(t.contains("451 4.7.1") && !t.contains("553") && !t.contains("downstream"), "\(t)")
        #expect(try rig.session(from: "127.0.0.9").contains("451 4.7.1"))  // nobody passes unchecked either
        try rig.zones(["bl.test": Self.blocklist])
        #expect(try rig.session(from: "127.0.0.2").contains("553"))
        #expect(try rig.session(from: "127.0.0.9").contains("220 downstream"))
    }

    @Test func allowListWins() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        try rig.control("dnsbl", "bl.test\n")
        try rig.control("ipblock", "127.0.0.0/8\n")
        try rig.control("ipallow", "127.0.0.2\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("220 downstream"))
        #expect(try rig.session(from: "127.0.0.3").contains("553 5.7.1 Connections from 127.0.0.3 are refused here"))
    }

    @Test func ipBlockEditsTakeEffectOnTheNextConnection() throws {
        let rig = try Rig()
        try rig.start()
        #expect(try rig.session(from: "127.0.0.7").contains("220 downstream"))
        try rig.control("ipblock", "127.0.0.7\n")
        #expect(try rig.session(from: "127.0.0.7").contains("553"))
    }

    @Test func compiledIPBlockIsRead() throws {
        let rig = try Rig()
        try rig.control("ipblock", (0..<5000).map { "10.\($0 / 256).\($0 % 256).0/24" }.joined(separator: "\n") + "\n127.0.0.9\n")
        let cdb = try Run.command(Run.program("qsentry"), ["cdb", "ipblock"], environment: rig.root.environment())
        #expect(cdb.status == 0, "\(cdb.output)")
        try FileManager.default.removeItem(atPath: rig.root.path + "/control/qsentry/ipblock")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.9").contains("553 5.7.1 Connections from 127.0.0.9 are refused here"))
        #expect(try rig.session(from: "127.0.0.8").contains("220 downstream"))
        #expect(rig.log.contains("ipblock=line5001"), "\(rig.log)")
    }

    @Test func rblsmtpdVariableAndRelayClient() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        try rig.control("dnsbl", "bl.test\n")
        try rig.start(rules: """
        127.0.0.2:allow,RBLSMTPD=""
        127.0.0.3:allow,RBLSMTPD="Try again later"
        127.0.0.4:allow,RBLSMTPD="-Go away"
        127.0.0.5:allow,RELAYCLIENT=""
        :allow

        """)
        #expect(try rig.session(from: "127.0.0.2").contains("220 downstream"))
        #expect(try rig.session(from: "127.0.0.3").contains("451 4.7.1 Try again later"))
        #expect(try rig.session(from: "127.0.0.4").contains("553 5.7.1 Go away"))
        #expect(try rig.session(from: "127.0.0.5").contains("220 downstream"))
    }

    @Test func verdictHandedToSMTPDWhenAsked() throws {
        let rig = try Rig()
        try rig.zones(["bl.test": Self.blocklist])
        try rig.control("dnsbl", "bl.test\n")
        try rig.start(rules: ":allow,QSENTRY_DEFER_TO_SMTPD=\"1\"\n")
        let t = try rig.session(from: "127.0.0.2")
        #expect(t.contains("250 downstream verdict=refuse rule=dnsbl"), "\(t)")
    }

    @Test func reverseDNSRequiredAndGeneric() throws {
        let rig = try Rig()
        let nsd = try NSD(root: rig.root, zones: ["0.0.127.in-addr.arpa": """
            2 IN PTR mail.example.test.
            3 IN PTR 127-0-0-3.dynamic.example.test.
            """])
        try rig.control("dnsservers", nsd.address + "\n")
        try rig.control("rdns", "mode=require\ngeneric=refuse\n")
        try rig.control("rdns-generic", "*dynamic*\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("220 downstream"))
        #expect(try rig.session(from: "127.0.0.3").contains("553 5.7.1 127.0.0.3 has a generic"))
        #expect(try rig.session(from: "127.0.0.4").contains("553 5.7.1 No reverse DNS (PTR) for 127.0.0.4"))
    }

    @Test func forwardConfirmedReverseDNS() throws {
        let rig = try Rig()
        let nsd = try NSD(root: rig.root, zones: [
            "0.0.127.in-addr.arpa": "2 IN PTR good.example.test.\n3 IN PTR liar.example.test.",
            "example.test": "good IN A 127.0.0.2\nliar IN A 192.0.2.1",
        ])
        try rig.control("dnsservers", nsd.address + "\n")
        try rig.control("rdns", "mode=forward-confirmed\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("220 downstream"))
        #expect(try rig.session(from: "127.0.0.3").contains("553 5.7.1 Reverse DNS of 127.0.0.3 does not resolve back"))
    }

    @Test func earlyTalkerIsRefusedPatientClientIsNot() throws {
        let rig = try Rig()
        try rig.control("greetdelay", "1500\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("220 downstream"))
        let transcript = try RawClient.talkFirst(port: rig.server!.port, lines: ["EHLO bot.example", "MAIL FROM:<a@b.example>",
                                                                                "RCPT TO:<c@d.example>", "QUIT"])
        #expect(transcript.contains("553 5.7.1 Protocol error: you talked before the greeting"), "\(transcript)")
        #expect(!transcript.contains("downstream"))
    }

    @Test func countryFromAnMMDB() throws {
        let rig = try Rig()
        let mmdb = rig.root.path + "/country.mmdb"
        try MMDBWriter.write(mmdb, networks: ["127.0.0.0/24": "XA", "127.0.1.0/24": "XB"])
        try rig.control("geoip", mmdb + "\n")
        try rig.control("countries", "xb zz\n")
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("220 downstream"))
        #expect(try rig.session(from: "127.0.1.2").contains("553 5.7.1 Mail from your country is not accepted here (XB)"))
    }

    @Test func p0fAnsweringAndAbsent() throws {
        let rig = try Rig()
        let p0f = try P0f(root: rig.root)
        try rig.control("p0f", p0f.socketPath + "\n")
        try rig.control("p0f-policy", "linux=refuse\n")
        try rig.start()
        let t = try rig.session(from: "127.0.0.2")
        #expect(t.contains("553 5.7.1 Mail from 127.0.0.2 is not accepted"), "\(t)")
        try Run.wait(for: "p0f in the log") { rig.log.contains("p0f=linux") }
        // p0f gone: the rule gives no verdict and says so in the log.
        p0f.server.stop()
        try? FileManager.default.removeItem(atPath: p0f.socketPath)
        #expect(try rig.session(from: "127.0.0.3").contains("220 downstream"))
        try Run.wait(for: "p0f unavailable in the log") { rig.log.contains("p0f=unavailable") }
    }

    @Test func unreadableControlFileDefers() throws {
        let rig = try Rig()
        try FileManager.default.createDirectory(atPath: rig.root.path + "/control/qsentry/ipblock", withIntermediateDirectories: true)
        try rig.start()
        #expect(try rig.session(from: "127.0.0.2").contains("451 4.7.1 Temporary local problem"))
    }
}
