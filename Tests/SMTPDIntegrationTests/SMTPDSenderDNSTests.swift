import Foundation
import Testing
import TestHarness
import QSentryCore

/// E10 and E11 through tcpserver, swaks and a real NSD: the sender domain's MX/A and SPF,
/// each result's action, and the Received-SPF / X-QSentry-Session fields the message carries.
/// tcprules set TCPREMOTEIP to a documentation address: libspf2 passes loopback clients unasked.
@Suite struct SMTPDSenderDNSTests {
    static let zone = """
    ns IN A 127.0.0.1
    pass IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
    pass IN MX 10 mx.pass
    mx.pass IN A 192.0.2.25
    fail IN TXT "v=spf1 ip4:198.51.100.1 -all"
    fail IN A 198.51.100.1
    soft IN TXT "v=spf1 ip4:198.51.100.1 ~all"
    soft IN A 198.51.100.1
    tempfail IN TXT "v=spf1 include:elsewhere.invalid-zone -all"
    tempfail IN A 198.51.100.1
    nomx IN TXT "no mail here"
    nullmx IN MX 0 .
    viaa IN A 192.0.2.88
    """

    let dns: NSD
    let rig: SMTPDRig

    init() throws {
        dns = try NSD(root: try TempQmailRoot(), zones: ["spf.test": Self.zone])
        rig = try SMTPDRig([
            "control/qsentry/dnsservers": dns.address + "\n",
            "control/qsentry/dnstimeout": "1500\n",
            "control/qsentry/spf": "fail=refuse\nsoftfail=tag\ntemperror=defer\npermerror=refuse\n",
            "control/qsentry/sender-rules": "sender-mx=refuse\n",
        ], rules: "127.0.0.5:allow,RELAYCLIENT=\"\",TCPREMOTEIP=\"192.0.2.10\"\n:allow,TCPREMOTEIP=\"192.0.2.10\"\n")
    }

    func send(_ from: String) throws -> String {
        try rig.swaks(["--from", from, "--to", "sales@example.com", "--header", "Subject: spf"])
    }

    @Test func spfFailIsRefusedWith5723() throws {
        let t = try send("a@fail.spf.test")
        #expect(t.contains("550 5.7.23 SPF: 192.0.2.10 is not allowed to send mail from fail.spf.test"), "\(t)")
        #expect(rig.exim.messages.isEmpty)
        try Run.wait(for: "log line") { rig.log.contains("from=a@fail.spf.test spf=fail verdict=refuse rule=spf-fail code=550") }
    }

    @Test func spfTemperrorIsDeferred() throws {
        let t = try send("a@tempfail.spf.test")
        #expect(t.contains("451 4.7.24"), "\(t)")
        #expect(rig.exim.messages.isEmpty)
    }

    @Test func spfPassCarriesReceivedSPFAndTheSessionField() throws {
        let t = try send("a@pass.spf.test")
        #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        let h = rig.exim.messages.first?.header ?? ""
        #expect(h.contains("Received-SPF: pass (mx.example.com: domain of pass.spf.test designates 192.0.2.10"), "\(h)")
        #expect(h.contains("X-QSentry-Session: ip=192.0.2.10; spf=pass"), "\(h)")
        #expect(rig.exim.environments.last?["QSENTRY_SMTPD"] == "1")
    }

    @Test func spfSoftfailIsTaggedNotRefused() throws {
        let t = try send("a@soft.spf.test")
        #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        let h = rig.exim.messages.first?.header ?? ""
        #expect(h.contains("Received-SPF: softfail"), "\(h)")
        #expect(h.contains("X-QSentry-Session: ip=192.0.2.10; spf=softfail; tags=spf-softfail"), "\(h)")
    }

    @Test func senderDomainWithoutMailHostIsRefused() throws {
        for domain in ["nomx.spf.test", "nullmx.spf.test", "nothere.spf.test"] {
            let t = try send("a@" + domain)
            #expect(t.contains("553 5.1.8 sender domain \(domain) has no mail server"), "\(t)")
        }
        #expect(rig.exim.messages.isEmpty)
        // An A record is enough (RFC 5321 5.1); SPF "none" is accepted by default.
        let ok = try send("a@viaa.spf.test")
        #expect(Swaks.replyCodes(ok).suffix(4) == [250, 354, 250, 221], "\(ok)")
    }

    @Test func unanswerableSenderDomainIsTemporary() throws {
        let t = try send("a@example.invalid-zone")
        #expect(t.contains("451 4.4.3"), "\(t)")
    }

    /// Relay clients are customers: no sender DNS checks, so no SPF verdict on their mail.
    @Test func relayClientsSkipSenderChecks() throws {
        let t = try Swaks.run(server: rig.server.address, ["--local-interface", "127.0.0.5", "--from", "me@fail.spf.test",
                                                         "--to", "friend@elsewhere.example"]).stdout
        #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        let h = rig.exim.messages.first?.header ?? ""
        #expect(!h.contains("Received-SPF"), "\(h)")
    }
}
