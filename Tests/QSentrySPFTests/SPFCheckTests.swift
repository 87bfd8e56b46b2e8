import Testing
import TestHarness
import QSentryCore
import QSentryDNS
@testable import QSentrySPF

/// libspf2 through qsentry's resolver, against a real NSD on a loopback port.
@Suite struct SPFCheckTests {
    static let zone = """
    ns IN A 127.0.0.1
    pass IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
    fail IN TXT "v=spf1 ip4:198.51.100.1 -all"
    soft IN TXT "v=spf1 ip4:198.51.100.1 ~all"
    neutral IN TXT "v=spf1 ?all"
    nospf IN TXT "just some text"
    broken IN TXT "v=spf1 ip4:192.0.2.0/24 frobnicate -all"
    twice IN TXT "v=spf1 -all"
    twice IN TXT "v=spf1 +all"
    viamx IN TXT "v=spf1 mx -all"
    viamx IN MX 10 mail.viamx
    mail.viamx IN A 192.0.2.77
    viaa IN TXT "v=spf1 a -all"
    viaa IN A 192.0.2.88
    v6 IN TXT "v=spf1 ip6:2001:db8::/32 -all"
    inc IN TXT "v=spf1 include:pass.spf.test -all"
    unreachable IN TXT "v=spf1 include:elsewhere.invalid-zone -all"
    helo IN TXT "v=spf1 ip4:192.0.2.9 -all"
    """

    /// One NSD for the whole suite (tests run in parallel; one server is less load than five).
    static let server: Result<(TempQmailRoot, NSD), Error> = Result {
        let root = try TempQmailRoot()
        return (root, try NSD(root: root, zones: ["spf.test": zone]))
    }

    let check: SPFCheck

    init() throws {
        let dns = try Self.server.get().1
        check = SPFCheck(resolver: try Resolver(servers: dns.address, deadlineMilliseconds: 3000),
                         receiver: "mx.example.com", budgetMilliseconds: 6000)
    }

    func result(_ ip: String, _ sender: String, helo: String = "client.example") -> SPFOutcome {
        check.evaluate(ip: IPAddress(ip)!, helo: helo, sender: sender)
    }

    @Test func eachResult() {
        #expect(result("192.0.2.10", "a@pass.spf.test").result == .pass)
        #expect(result("192.0.2.10", "a@fail.spf.test").result == .fail)
        #expect(result("192.0.2.10", "a@soft.spf.test").result == .softfail)
        #expect(result("192.0.2.10", "a@neutral.spf.test").result == .neutral)
        #expect(result("192.0.2.10", "a@nospf.spf.test").result == .none)
        #expect(result("192.0.2.10", "a@nothere.spf.test").result == .none)
        #expect(result("192.0.2.10", "a@broken.spf.test").result == .permerror)
        #expect(result("192.0.2.10", "a@twice.spf.test").result == .permerror)
    }

    @Test func mechanismsThatLookThingsUp() {
        #expect(result("192.0.2.77", "a@viamx.spf.test").result == .pass)
        #expect(result("192.0.2.78", "a@viamx.spf.test").result == .fail)
        #expect(result("192.0.2.88", "a@viaa.spf.test").result == .pass)
        #expect(result("192.0.2.10", "a@inc.spf.test").result == .pass)
        #expect(result("2001:db8::1", "a@v6.spf.test").result == .pass)
        #expect(result("2001:db9::1", "a@v6.spf.test").result == .fail)
    }

    /// A server that refuses (NSD for a zone it does not serve) is temporary, never fail.
    @Test func unanswerableLookupsAreTemperror() {
        #expect(result("192.0.2.10", "a@unreachable.spf.test").result == .temperror)
        #expect(result("192.0.2.10", "a@example.invalid-zone").result == .temperror)
    }

    @Test func emptySenderChecksTheHeloName() {
        #expect(result("192.0.2.9", "", helo: "helo.spf.test").result == .pass)
        #expect(result("192.0.2.10", "", helo: "helo.spf.test").result == .fail)
    }

    @Test func receivedSPFHeaderIsOneLineAndNamesTheResult() {
        let o = result("192.0.2.10", "a@fail.spf.test")
        #expect(o.header.hasPrefix("Received-SPF: fail"), "\(o.header)")
        #expect(o.header.contains("192.0.2.10"), "\(o.header)")
        #expect(!o.header.contains("\n") && !o.header.contains("\r"))
        // libspf2 writes no header for a record it cannot compile; ours still says permerror.
        #expect(result("192.0.2.10", "a@broken.spf.test").header.hasPrefix("Received-SPF: permerror"))
    }
}
