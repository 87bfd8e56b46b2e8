import Foundation
import Testing
import TestHarness
import QSentryCore
@testable import QSentryDNS

/// The resolver against real DNS servers on loopback (NSD, rbldnsd) and one that never answers.
@Suite struct ResolverTests {
    static let zone = """
    ns IN A 127.0.0.1
    @ IN MX 10 mx.example.test.
    @ IN MX 20 backup.example.test.
    mx IN A 192.0.2.25
    mx IN AAAA 2001:db8::25
    @ IN TXT "v=spf1 ip4:192.0.2.0/24" " -all"
    multi IN TXT "first"
    multi IN TXT "second"
    """

    func nsd(_ root: TempQmailRoot) throws -> NSD {
        try NSD(root: root, zones: ["example.test": Self.zone, "2.0.192.in-addr.arpa": "25 IN PTR mx.example.test."])
    }

    @Test func everyRecordTypeInOneBatch() throws {
        let root = try TempQmailRoot()
        let dns = try nsd(root)
        let r = try Resolver(servers: dns.address)
        let ip = IPAddress("192.0.2.25")!
        let answers = r.resolve([
            DNSQuery("mx.example.test", .a), DNSQuery("mx.example.test", .aaaa), DNSQuery("example.test", .mx),
            DNSQuery("example.test", .txt), DNSQuery("multi.example.test", .txt), DNSQuery.reverse(ip),
            DNSQuery("nonexistent.example.test", .a), DNSQuery("mx.example.test", .txt),
        ])
        #expect(answers[DNSQuery("mx.example.test", .a)] == .records(["192.0.2.25"]))
        #expect(answers[DNSQuery("mx.example.test", .aaaa)] == .records(["2001:db8::25"]))
        #expect(Set(answers[DNSQuery("example.test", .mx)]!.records) == ["10 mx.example.test", "20 backup.example.test"])
        #expect(answers[DNSQuery("example.test", .txt)] == .records(["v=spf1 ip4:192.0.2.0/24 -all"]))
        #expect(Set(answers[DNSQuery("multi.example.test", .txt)]!.records) == ["first", "second"])
        #expect(answers[DNSQuery.reverse(ip)] == .records(["mx.example.test"]))
        #expect(answers[DNSQuery("nonexistent.example.test", .a)] == .nameError)
        #expect(answers[DNSQuery("mx.example.test", .txt)] == .noData)
    }

    @Test func blocklistThroughRbldnsd() throws {
        let root = try TempQmailRoot()
        let bl = try RBLDNSD(root: root, zones: ["bl.test": ":127.0.0.2:Listed $\n192.0.2.7\n"])
        let r = try Resolver(servers: bl.address)
        let listed = IPAddress("192.0.2.7")!.reverseLabels + ".bl.test"
        let a = r.resolve([DNSQuery(listed, .a), DNSQuery(listed, .txt), DNSQuery("8.2.0.192.bl.test", .a)])
        #expect(a[DNSQuery(listed, .a)] == .records(["127.0.0.2"]))
        #expect(a[DNSQuery(listed, .txt)] == .records(["Listed 192.0.2.7"]))
        #expect(a[DNSQuery("8.2.0.192.bl.test", .a)] == .nameError)
    }

    @Test func silentServerIsTemporaryWithinTheDeadline() throws {
        let silent = try SilentServer()
        let r = try Resolver(servers: silent.address, deadlineMilliseconds: 600)
        let start = Date()
        let a = r.resolve([DNSQuery("anything.example.test", .a), DNSQuery("other.example.test", .txt)])
        let elapsed = Date().timeIntervalSince(start)
        #expect(a.values.allSatisfy { $0.isTemporary }, "\(a)")
        // Bounded by the deadline (generous margin: this is a correctness bound, not a timing test).
        #expect(elapsed < 5)
    }

    @Test func deadServerFirstThenAGoodOne() throws {
        let root = try TempQmailRoot()
        let dns = try nsd(root)
        let silent = try SilentServer()
        let r = try Resolver(servers: "\(silent.address),\(dns.address)", deadlineMilliseconds: 4000)
        #expect(r.resolve([DNSQuery("mx.example.test", .a)])[DNSQuery("mx.example.test", .a)] == .records(["192.0.2.25"]))
    }

    @Test func refusedZoneIsTemporaryNotNegative() throws {
        let root = try TempQmailRoot()
        let dns = try nsd(root)
        let r = try Resolver(servers: dns.address, deadlineMilliseconds: 2000)
        let a = r.resolve([DNSQuery("www.not-served.test", .a)])[DNSQuery("www.not-served.test", .a)]!
        #expect(a.isTemporary, "\(a)")
    }

    @Test func truncatedAnswerFallsBackToTCP() throws {
        let root = try TempQmailRoot()
        // 20 TXT records of 100 characters: far over 512 bytes, so the UDP answer comes back truncated.
        let records = (0..<20).map { i in "big IN TXT \"\(String(format: "%02d", i))\(String(repeating: "x", count: 98))\"" }
        let dns = try NSD(root: root, zones: ["example.test": records.joined(separator: "\n")])
        let r = try Resolver(servers: dns.address)
        let answer = r.resolve([DNSQuery("big.example.test", .txt)])[DNSQuery("big.example.test", .txt)]!
        #expect(answer.records.count == 20, "\(answer)")
        #expect(answer.records.allSatisfy { $0.count == 100 })
    }

    @Test func serverListFromControlFile() throws {
        let root = try TempQmailRoot()
        try root.write("control/qsentry/dnsservers", "127.0.0.1:5353\n::1\n[2001:db8::53]:53\n192.0.2.53\n")
        #expect(try DNSServers.csv(root: QmailRoot(path: root.path)) == "127.0.0.1:5353,[::1],[2001:db8::53]:53,192.0.2.53")
        try root.write("control/qsentry/dnsservers", "127.0.0.1:99999\n")
        #expect(throws: ControlError.self) { try DNSServers.csv(root: QmailRoot(path: root.path)) }
        try root.write("control/qsentry/dnsservers", "")
        #expect(try DNSServers.csv(root: QmailRoot(path: root.path)) == nil)
    }

    @Test func reverseQueryNames() {
        #expect(DNSQuery.reverse(IPAddress("192.0.2.7")!).name == "7.2.0.192.in-addr.arpa")
        #expect(DNSQuery.reverse(IPAddress("2001:db8::1")!).name.hasSuffix(".8.b.d.0.1.0.0.2.ip6.arpa"))
    }
}
