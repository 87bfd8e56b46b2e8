import Foundation
import Testing
import QSentryCore
import QSentryDNS
@testable import QSentryConnection

/// The rules' decisions from given answers (the DNS itself is tested against real servers elsewhere).
@Suite struct ConnectionRuleTests {
    let ip = IPAddress("192.0.2.7")!
    let client = ClientInfo(ipText: "192.0.2.7")

    func zone(_ s: String) -> DNSBLZone { try! DNSBLZone.parse(s).get() }

    func dnsbl(_ zones: [String], threshold: Int) -> DNSBLCheck {
        DNSBLCheck(zones: zones.map(zone), threshold: threshold, messages: Messages())
    }

    func a(_ check: DNSBLCheck, _ zone: String) -> DNSQuery { DNSQuery("7.2.0.192." + zone, .a) }

    @Test func dnsblThresholdAndUnansweredZones() {
        let c = dnsbl(["a.test*2", "b.test", "c.test"], threshold: 3)
        // 2 listed + 1 unanswered could reach 3: defer, never refuse on a guess.
        var answers: [DNSQuery: DNSAnswer] = [a(c, "a.test"): .records(["127.0.0.2"]), a(c, "b.test"): .temporary("timeout"),
                                              a(c, "c.test"): .nameError]
        #expect(c.evaluate(client, ip, answers: answers).verdict.action == .deferred)
        // 2 listed + 1 miss + 1 miss cannot reach 3: accept.
        answers[a(c, "b.test")] = .nameError
        #expect(c.evaluate(client, ip, answers: answers).verdict.action == .accept)
        // 3 reached: refuse, with the TXT text.
        answers[a(c, "c.test")] = .records(["127.0.0.2"])
        answers[DNSQuery("7.2.0.192.a.test", .txt)] = .records(["listed\r\nby a"])
        let r = c.evaluate(client, ip, answers: answers)
        #expect(r.verdict.action == .refuse)
        #expect(r.verdict.text == "listed  by a")
        #expect(r.detail == "3/3[a.test:listed,b.test:miss,c.test:listed]")
    }

    @Test func unansweredAllowZoneMakesAListingUncertain() {
        let c = dnsbl(["bl.test", "wl.test*-1"], threshold: 1)
        var answers: [DNSQuery: DNSAnswer] = [a(c, "bl.test"): .records(["127.0.0.2"]), a(c, "wl.test"): .temporary("timeout")]
        #expect(c.evaluate(client, ip, answers: answers).verdict.action == .deferred)
        answers[a(c, "wl.test")] = .records(["127.0.0.2"])
        #expect(c.evaluate(client, ip, answers: answers).verdict.action == .accept)
        answers[a(c, "wl.test")] = .nameError
        #expect(c.evaluate(client, ip, answers: answers).verdict.action == .refuse)
    }

    @Test func dnsblAnswersOutside127AreIgnored() {
        let c = dnsbl(["a.test"], threshold: 1)
        // A wildcard-answering or hijacked zone returns public addresses: not a listing.
        #expect(c.evaluate(client, ip, answers: [a(c, "a.test"): .records(["192.0.2.1"])]).verdict == .accept)
    }

    @Test func dnsblQuestionsAreOnePairPerZone() {
        let c = dnsbl(["a.test", "b.test"], threshold: 1)
        #expect(c.questions(for: ip) == [a(c, "a.test"), DNSQuery("7.2.0.192.a.test", .txt), a(c, "b.test"),
                                         DNSQuery("7.2.0.192.b.test", .txt)])
    }

    @Test func genericPTRPatterns() {
        let p = GenericPTRPatterns(lines: [ControlLine(number: 1, text: "*.dsl.*"), ControlLine(number: 2, text: "*%IP%*"),
                                           ControlLine(number: 3, text: "host??.pool.example")])
        #expect(p.match("adsl-1.dsl.example.net", ip: ip) == "*.dsl.*")
        #expect(p.match("192-0-2-7.static.example", ip: ip) == "*%ip%*")
        #expect(p.match("7.2.0.192.rev.example", ip: ip) == "*%ip%*")
        #expect(p.match("c192000002007.example", ip: ip) == "*%ip%*")
        #expect(p.match("host42.pool.example", ip: ip) == "host??.pool.example")
        #expect(p.match("mail.example.com", ip: ip) == nil)
        #expect(p.match("192-0-2-8.static.example", ip: ip) == nil)
        // Iterative glob: no blow-up on many stars.
        #expect(GenericPTRPatterns.glob(Array("********************x".utf8)[...], Array(String(repeating: "a", count: 200).utf8)[...]) == false)
    }

    @Test func p0fReplyParsing() throws {
        var b = [UInt8](repeating: 0, count: P0fReply.size)
        b[0...3] = [0x02, 0x46, 0x30, 0x50]
        b[4] = 0x10
        b[36] = 3
        for (i, c) in "Windows".utf8.enumerated() { b[40 + i] = c }
        for (i, c) in "7 or 8".utf8.enumerated() { b[72 + i] = c }
        let r = try P0fReply.parse(b)
        #expect(r == P0fReply(status: .ok, osName: "Windows", osFlavor: "7 or 8", distance: 3))
        #expect(throws: P0fError.self) { try P0fReply.parse(Array(b[0..<100])) }
        var bad = b
        bad[0] = 0
        #expect(throws: P0fError.self) { try P0fReply.parse(bad) }
        var status = b
        status[4] = 0x77
        #expect(throws: P0fError.self) { try P0fReply.parse(status) }
        #expect(P0fClient.query(for: ip) == [0x01, 0x46, 0x30, 0x50, 4, 192, 0, 2, 7] + [UInt8](repeating: 0, count: 12))
    }

    final class MemoryStore: ReputationStore {
        var banned: [IPAddress: BanStatus] = [:]
        var failing = false
        func status(of ip: IPAddress, now: Int) throws -> BanStatus? {
            if failing { throw P0fError("store down") }
            return banned[ip]
        }
        func record(_ event: StoreEvent) throws {}
    }

    @Test func bansDeferAndAFailingStoreIsSkipped() {
        let store = MemoryStore()
        let check = BanCheck(store: store, messages: Messages())
        #expect(check.evaluate(client, ip, answers: [:]).verdict == .accept)
        store.banned[ip] = BanStatus(reason: .reputation, until: 0)
        let r = check.evaluate(client, ip, answers: [:])
        #expect(r.verdict.action == .deferred && r.verdict.rule == "reputation")
        store.failing = true
        #expect(check.evaluate(client, ip, answers: [:]) == RuleResult("ban", .accept, "store-error"))
    }

    @Test func stageOrderAllowFirstStopAtRefusal() throws {
        struct Counting: ConnectionCheck {
            let name: RuleName = "counting"
            let box: Box
            static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? { nil }  // built by the test
            func questions(for ip: IPAddress) -> [DNSQuery] { [DNSQuery("x.test", .a)] }
            func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
                box.n += 1
                return .pass(name)
            }
        }
        final class Box { var n = 0 }
        let box = Box()
        let block = IPList(lines: [ControlLine(number: 1, text: "192.0.2.0/24")], path: "ipblock")
        let allow = IPList(lines: [ControlLine(number: 1, text: "192.0.2.9")], path: "ipallow")
        var resolverMade = 0
        let stage = ConnectionStage(allow: allow, checks: [IPBlockCheck(list: block, messages: Messages()), Counting(box: box)],
                                    makeResolver: { resolverMade += 1; return try Resolver(servers: "127.0.0.1:9") })
        let refused = stage.run(client)
        #expect(refused.verdict.action == .refuse && refused.verdict.rule == "ipblock")
        #expect(box.n == 0 && resolverMade == 0)
        let allowed = stage.run(ClientInfo(ipText: "192.0.2.9"))
        #expect(allowed.verdict.rule == "ipallow")
        #expect(stage.run(ClientInfo(ipText: "not-an-ip")).results.first?.detail == "no-TCPREMOTEIP")
    }

    @Test func messagesOverridesAndPlaceholders() {
        let m = Messages(overrides: ["dnsbl": "Go away %IP%"], defaults: { ConnectionConfiguration.defaultText($0) })
        #expect(m.text("dnsbl", .init(ip: "192.0.2.7")) == "Go away 192.0.2.7")
        #expect(m.text("ipblock", .init(ip: "192.0.2.7")) == "Connections from 192.0.2.7 are refused here")
    }

    @Test func rblsmtpdCleaning() {
        #expect(RefusalDialogue.clean("a\u{1}b\u{e9}") == "a?b??")
        #expect(RefusalDialogue.clean(String(repeating: "x", count: 300)).count == 200)
    }
}

/// C12's control file: off without a line, every key, bad lines refused (and, loaded by the
/// stage, the defaults with a problem).
@Suite struct ConnectionLimitSettingsTests {
    @Test func readsEveryKeyAndRefusesNonsense() throws {
        let dir = NSTemporaryDirectory() + "qsentry-connlimit-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/connection-limits"
        func write(_ text: String) { try? text.write(toFile: path, atomically: true, encoding: .utf8) }
        #expect(try ConnectionLimitCheck.Settings.load(path) == nil)
        write("#concurrent=10\n")
        #expect(try ConnectionLimitCheck.Settings.load(path) == nil, "comments only: off")
        write("concurrent=3\nper-minute=20\nnetwork-per-minute=200\nipv4-prefix=16\nipv6-prefix=48\nlifetime=1h\n")
        let s = try #require(try ConnectionLimitCheck.Settings.load(path))
        #expect(s.concurrent == 3 && s.perMinute == 20 && s.networkPerMinute == 200 && s.ipv4Prefix == 16 && s.ipv6Prefix == 48 && s.lifetime == 3600)
        for bad in ["concurrent=many\n", "ipv4-prefix=33\n", "lifetime=0\n", "speed=1\n"] {
            write(bad)
            #expect(throws: ControlError.self, "\(bad)") { try ConnectionLimitCheck.Settings.load(path) }
        }
    }
}
