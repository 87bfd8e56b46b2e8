import Foundation
import Testing
import TestHarness
import QSentryCore
@testable import QSentryStore

/// The same behaviour from both back-ends: the embedded SQLite file and a real redis-server.
@Suite struct StoreContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case embedded, redis
        var testDescription: String { rawValue }
    }

    /// A store of the given kind, with what keeps it alive (the temp root, the redis server).
    final class Fixture {
        let root: TempQmailRoot
        var redis: Redis?
        let store: Store

        init(_ backend: Backend, policy: StorePolicy = StorePolicy(), host: String = "mx1.example") throws {
            root = try TempQmailRoot()
            switch backend {
            case .embedded:
                store = try EmbeddedStore(path: root.path + "/store.sqlite", policy: policy)
            case .redis:
                let r = try Redis(root: root)
                redis = r
                store = try RedisStore(url: r.url, policy: policy)
            }
        }

        func another(host: String) throws -> Store {
            if let redis { return try RedisStore(url: redis.url, policy: store.policy) }
            return try EmbeddedStore(path: root.path + "/store.sqlite", policy: store.policy)
        }
    }

    let ip = IPAddress("192.0.2.7")!
    var now: Int { Int(Date().timeIntervalSince1970) }

    func event(_ kind: StoreEventKind, host: String = "mx1.example", at time: Int) -> StoreEvent {
        StoreEvent(ip: ip, kind: kind, host: host, time: time)
    }

    @Test(arguments: Backend.allCases)
    func banAfterWeightedEventsInTheWindow(_ backend: Backend) throws {
        var p = StorePolicy()
        p.banEvents = 3
        p.banWindow = 600
        p.banDuration = 3600
        p.reputationReporters = 0
        let f = try Fixture(backend, policy: p)
        let t = now
        // An old event, outside the window, does not count.
        try f.store.record(event(.spam, at: t - 700))
        try f.store.record(event(.spam, at: t - 10))
        try f.store.record(event(.badRecipient, at: t - 5))
        #expect(try f.store.status(of: ip, now: t) == nil)
        try f.store.record(event(.virus, at: t))
        let s = try f.store.status(of: ip, now: t)
        #expect(s?.reason == .ban)
        #expect(try f.store.bans(now: t).map(\.ip) == ["192.0.2.7"])
        #expect(try f.store.status(of: IPAddress("192.0.2.8")!, now: t) == nil)
    }

    @Test(arguments: Backend.allCases)
    func honeypotBansAtOnce(_ backend: Backend) throws {
        var p = StorePolicy()
        p.reputationReporters = 0
        let f = try Fixture(backend, policy: p)
        try f.store.record(event(.honeypot, at: now))
        #expect(try f.store.status(of: ip, now: now)?.reason == .ban)
    }

    @Test(arguments: Backend.allCases)
    func bansExpire(_ backend: Backend) throws {
        var p = StorePolicy()
        p.banEvents = 1
        p.banDuration = 1
        p.reputationReporters = 0
        let f = try Fixture(backend, policy: p)
        try f.store.record(event(.spam, at: now))
        #expect(try f.store.status(of: ip, now: now) != nil)
        Thread.sleep(forTimeInterval: 2.2)
        #expect(try f.store.status(of: ip, now: now) == nil)
        #expect(try f.store.bans(now: now).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func reputationCountsDistinctReportersAndAgesOut(_ backend: Backend) throws {
        var p = StorePolicy()
        p.banEvents = 0
        p.reputationReporters = 2
        p.reputationWindow = 600
        let f = try Fixture(backend, policy: p)
        let t = now
        try f.store.record(event(.spam, host: "mx1.example", at: t))
        try f.store.record(event(.spam, host: "mx1.example", at: t))
        #expect(try f.store.status(of: ip, now: t) == nil)
        // A report older than the window does not count.
        try f.store.record(event(.spam, host: "mx2.example", at: t - 900))
        #expect(try f.store.status(of: ip, now: t) == nil)
        try f.store.record(event(.virus, host: "mx2.example", at: t))
        #expect(try f.store.status(of: ip, now: t)?.reason == .reputation)
        #expect(try f.store.reputation(of: ip, now: t).reporters == ["mx1.example", "mx2.example"])
        // Once the window has passed, the address is accepted again.
        #expect(try f.store.status(of: ip, now: t + 601) == nil)
    }

    @Test(arguments: Backend.allCases)
    func manualBanListAndRemove(_ backend: Backend) throws {
        let f = try Fixture(backend)
        try f.store.ban(ip, until: now + 3600, source: "admin")
        let list = try f.store.bans(now: now)
        #expect(list.count == 1)
        #expect(list.first?.source == "admin")
        #expect(abs((list.first?.until ?? 0) - (now + 3600)) <= 1)
        try f.store.unban(ip)
        #expect(try f.store.status(of: ip, now: now) == nil)
        #expect(try f.store.bans(now: now).isEmpty)
    }

    /// Token counts by name: the store's answer for the names' keys, back under the names.
    func lookup(_ store: Store, _ namespace: String, _ names: [String]) throws -> [String: TokenCounts] {
        let keys = TokenKeys(names.map(TokenHash.key))
        let counts = try store.tokens(namespace, keys)
        #expect(counts.count == keys.count, "one answer a key, in order")
        var out: [String: TokenCounts] = [:]
        for name in names { if let i = keys.index(of: TokenHash.key(name)), let c = counts[i] { out[name] = c } }
        return out
    }

    func deltas(_ byName: [String: TokenCounts]) -> [UInt64: TokenCounts] {
        Dictionary(uniqueKeysWithValues: byName.map { (TokenHash.key($0.key), $0.value) })
    }

    @Test(arguments: Backend.allCases)
    func tokensAddReadAndNeverGoNegative(_ backend: Backend) throws {
        let f = try Fixture(backend)
        try f.store.addTokens("global", deltas(["viagra": TokenCounts(spam: 3, ham: 0), "meeting": TokenCounts(spam: 0, ham: 2)]))
        try f.store.addTokens("global", deltas(["viagra": TokenCounts(spam: 1, ham: 1)]))
        try f.store.addTokens("user:alice", deltas(["viagra": TokenCounts(spam: 0, ham: 5)]))
        let t = try lookup(f.store, "global", ["viagra", "meeting", "unknown"])
        #expect(t["viagra"] == TokenCounts(spam: 4, ham: 1))
        #expect(t["meeting"] == TokenCounts(spam: 0, ham: 2))
        #expect(t["unknown"] == nil)
        #expect(try lookup(f.store, "user:alice", ["viagra"])["viagra"] == TokenCounts(spam: 0, ham: 5))
        try f.store.addTokens("global", deltas(["meeting": TokenCounts(spam: -5, ham: -1)]))
        #expect(try lookup(f.store, "global", ["meeting"])["meeting"] == TokenCounts(spam: 0, ham: 1))
        // Brought to zero: gone.
        try f.store.addTokens("global", deltas(["meeting": TokenCounts(spam: 0, ham: -1)]))
        #expect(try lookup(f.store, "global", ["meeting"]).isEmpty)
        // Counts past 32 bits (the embedded store then keeps 64-bit ones, the layout it always read).
        try f.store.addTokens("global", deltas(["huge": TokenCounts(spam: 5_000_000_000, ham: 1)]))
        #expect(try lookup(f.store, "global", ["huge"])["huge"] == TokenCounts(spam: 5_000_000_000, ham: 1))
        try f.store.addTokens("global", deltas(["huge": TokenCounts(spam: -4_999_999_999, ham: 0)]))
        #expect(try lookup(f.store, "global", ["huge"])["huge"] == TokenCounts(spam: 1, ham: 1))
        // The message counter's key is a key like any other.
        try f.store.addTokens("global", [TokenKey.messages: TokenCounts(spam: 2, ham: 7)])
        #expect(try f.store.tokens("global", TokenKeys([TokenKey.messages])) == [TokenCounts(spam: 2, ham: 7)])
    }

    /// Clearing one namespace forgets all of it and nothing of its neighbours (keys sorting just
    /// before and after it included).
    @Test(arguments: Backend.allCases)
    func clearingANamespaceLeavesTheOthers(_ backend: Backend) throws {
        let f = try Fixture(backend)
        var many: [String: TokenCounts] = [:]
        for i in 0..<500 { many["t\(i)"] = TokenCounts(spam: 1, ham: i) }
        for ns in ["bayes", "bayes:alice", "bayes:bob"] { try f.store.addTokens(ns, deltas(many)) }
        try f.store.addTokens("bayes:alice", [TokenKey.messages: TokenCounts(spam: 5, ham: 5)])
        try f.store.clearTokens("bayes:alice")
        #expect(try lookup(f.store, "bayes:alice", Array(many.keys)).isEmpty)
        #expect(try f.store.tokens("bayes:alice", TokenKeys([TokenKey.messages])) == [nil])
        #expect(try lookup(f.store, "bayes", Array(many.keys)) == many)
        #expect(try lookup(f.store, "bayes:bob", Array(many.keys)) == many)
        try f.store.clearTokens("bayes:nobody")  // nothing there: not an error
    }

    /// E18: every state of a triplet and of its network, at times given (no clock), the same in both back-ends.
    @Test(arguments: Backend.allCases)
    func greylistingStates(_ backend: Backend) throws {
        let f = try Fixture(backend)
        var timing = GreylistTiming()
        timing.delay = 300
        timing.window = 3600
        timing.lifetime = 86_400
        timing.autoAllow = 2
        let t0 = 1_800_000_000
        let a = GreylistTriplet(network: "192.0.2.0/24", sender: "A@Example.org", recipient: "sales@example.com")
        #expect(try f.store.greylistState(a, timing: timing, now: t0) == .new)
        #expect(try f.store.greylist(a, timing: timing, now: t0) == .new)
        #expect(try f.store.greylist(a, timing: timing, now: t0 + 100) == .early(wait: 200))
        #expect(try f.store.greylistState(a, timing: timing, now: t0 + 300) == .passed, "state: nothing recorded")
        #expect(try f.store.greylist(a, timing: timing, now: t0 + 300) == .passed)
        #expect(try f.store.greylist(a, timing: timing, now: t0 + 400) == .known)
        // Known until a lifetime after its last use, then forgotten.
        #expect(try f.store.greylist(a, timing: timing, now: t0 + 400 + 86_000) == .known)
        #expect(try f.store.greylistState(a, timing: timing, now: t0 + 400 + 86_000 + 86_401) == .new)
        // Refreshed by use to within a tenth of the lifetime: a use soon after passing writes nothing
        // (the everyday RCPT costs no write), a later one starts the lifetime again.
        let e = GreylistTriplet(network: "198.18.0.0/24", sender: "e@example.org", recipient: "sales@example.com")
        #expect(try f.store.greylist(e, timing: timing, now: t0) == .new)
        #expect(try f.store.greylist(e, timing: timing, now: t0 + 300) == .passed)  // known until t0 + 86,700
        #expect(try f.store.greylist(e, timing: timing, now: t0 + 1000) == .known)  // fresh: left as it was
        #expect(try f.store.greylistState(e, timing: timing, now: t0 + 86_701) == .new)
        #expect(try f.store.greylist(e, timing: timing, now: t0 + 77_961) == .known)  // stale enough: refreshed
        #expect(try f.store.greylistState(e, timing: timing, now: t0 + 86_701) == .known)
        // A retry after the window starts over.
        let b = GreylistTriplet(network: "198.51.100.0/24", sender: "b@example.org", recipient: "sales@example.com")
        #expect(try f.store.greylist(b, timing: timing, now: t0) == .new)
        #expect(try f.store.greylist(b, timing: timing, now: t0 + 3601) == .new)
        #expect(try f.store.greylist(b, timing: timing, now: t0 + 3700) == .early(wait: 201))
        // The sender is case-blind; another recipient is another triplet.
        let a2 = GreylistTriplet(network: "192.0.2.0/24", sender: "a@example.org", recipient: "info@example.com")
        #expect(try f.store.greylist(GreylistTriplet(network: "192.0.2.0/24", sender: "a@EXAMPLE.org", recipient: "sales@example.com"),
                                     timing: timing, now: t0 + 500) == .known)
        #expect(try f.store.greylist(a2, timing: timing, now: t0 + 500) == .new)
        #expect(try f.store.greylist(a2, timing: timing, now: t0 + 900) == .passed)
        // Two passes from 192.0.2.0/24: every triplet of that network passes now.
        let c = GreylistTriplet(network: "192.0.2.0/24", sender: "c@example.org", recipient: "sales@example.com")
        #expect(try f.store.greylist(c, timing: timing, now: t0 + 1000) == .networkAllowed)
        let d = GreylistTriplet(network: "203.0.113.0/24", sender: "c@example.org", recipient: "sales@example.com")
        #expect(try f.store.greylist(d, timing: timing, now: t0 + 1000) == .new)
        // Networks as the rule cuts them.
        #expect(IPNetwork.around(IPAddress("192.0.2.77")!, ipv4Prefix: 24, ipv6Prefix: 64).description == "192.0.2.0/24")
        #expect(IPNetwork.around(IPAddress("192.0.2.77")!, ipv4Prefix: 20, ipv6Prefix: 64).description == "192.0.0.0/20")
        #expect(IPNetwork.around(IPAddress("2001:db8:1:2:3::4")!, ipv4Prefix: 24, ipv6Prefix: 64).description == "2001:db8:1:2::/64")
    }

    /// E19: counts per clock hour and day, listed and reset, the same in both back-ends.
    @Test(arguments: Backend.allCases)
    func sendingCountsByHourAndDay(_ backend: Backend) throws {
        let f = try Fixture(backend)
        // 01:01 tomorrow: Redis expires the counters at the end of their hour and day (EXPIREAT), so
        // every bucket the test writes must end after the real present (today's 01:01 failed after 02:00).
        let now = (Int(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400 + 3600 + 60
        #expect(try f.store.sendingCounts("alice", now: now) == SendingCounts())
        try f.store.recordSending("alice", recipients: 3, now: now)
        try f.store.recordSending("alice", recipients: 2, now: now + 60)
        try f.store.recordSending("relay:192.0.2.7", recipients: 1, now: now)
        #expect(try f.store.sendingCounts("alice", now: now + 120)
                == SendingCounts(messagesThisHour: 2, messagesToday: 2, recipientsThisHour: 5, recipientsToday: 5))
        // The next hour starts again; the day goes on.
        try f.store.recordSending("alice", recipients: 1, now: now + 3600)
        #expect(try f.store.sendingCounts("alice", now: now + 3600)
                == SendingCounts(messagesThisHour: 1, messagesToday: 3, recipientsThisHour: 1, recipientsToday: 6))
        let listed = try f.store.sendingCounters(now: now + 3600)
        #expect(listed.map(\.who) == ["alice", "relay:192.0.2.7"])
        try f.store.resetSending("alice", now: now + 3600)
        #expect(try f.store.sendingCounts("alice", now: now + 3600) == SendingCounts())
        #expect(try f.store.sendingCounters(now: now + 3600).map(\.who) == ["relay:192.0.2.7"])
    }

    /// C12: open connections counted by live process (this host's) or age (another host's), and
    /// connections a minute by address and by network, the same in both back-ends.
    @Test(arguments: Backend.allCases)
    func connectionSlotsAndRates(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let now = Int(Date().timeIntervalSince1970)
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let me = getpid()
        func slot(_ ip: String, host: String = "mx1.example", pid: Int32) -> ConnectionSlot {
            ConnectionSlot(ip: ip, network: "192.0.2.0/24", host: host, pid: pid)
        }
        let parent = getppid()
        var c = try f.store.openConnection(slot("192.0.2.1", pid: me), now: now, lifetime: 1800)
        #expect(c == ConnectionCounts(concurrent: 1, lastMinute: 1, networkLastMinute: 1), "the opener counts itself")
        // A slot of this host whose process is gone is over at once.
        c = try f.store.openConnection(slot("192.0.2.1", pid: dead.processIdentifier), now: now + 1, lifetime: 1800)
        #expect(c.concurrent == 1 && c.lastMinute == 2, "\(c)")
        // Another host's slot counts (by age only: its processes are not ours to look at).
        c = try f.store.openConnection(slot("192.0.2.1", host: "mx2.example", pid: me), now: now + 2, lifetime: 1800)
        #expect(c.concurrent == 2 && c.lastMinute == 3, "\(c)")
        c = try f.store.openConnection(slot("192.0.2.9", pid: parent), now: now + 3, lifetime: 1800)
        #expect(c.concurrent == 1 && c.lastMinute == 1 && c.networkLastMinute == 4, "another address of the network: \(c)")
        // A minute later the rates start again; past the lifetime every slot is over.
        c = try f.store.openConnection(slot("192.0.2.1", host: "mx3.example", pid: parent), now: now + 63, lifetime: 1800)
        #expect(c.concurrent == 3 && c.lastMinute == 1 && c.networkLastMinute == 1, "\(c)")
        c = try f.store.openConnection(slot("192.0.2.1", host: "mx3.example", pid: me), now: now + 1803, lifetime: 1800)
        #expect(c.concurrent == 2, "mx3's two; those opened at +0 and +2 aged out: \(c)")
    }

    /// Many keys in one lookup, keys that are not there, and an empty lookup all come back right.
    @Test(arguments: Backend.allCases)
    func manyTokensInOneLookup(_ backend: Backend) throws {
        let f = try Fixture(backend)
        var byName: [String: TokenCounts] = [:]
        for i in stride(from: 0, to: 1000, by: 3) { byName["t\(i)"] = TokenCounts(spam: i, ham: 1) }
        try f.store.addTokens("global", deltas(byName))
        let got = try lookup(f.store, "global", (0..<1000).map { "t\($0)" } + ["t3", "t3"])
        #expect(got == byName)
        #expect(try f.store.tokens("global", TokenKeys()).isEmpty)
        #expect(try lookup(f.store, "global", ["t1"]).isEmpty)
    }

    @Test func redisKilledMidRunFailsFastNotForever() throws {
        let f = try Fixture(.redis)
        try f.store.record(event(.spam, at: now))
        f.redis!.server.stop()
        let start = Date()
        #expect(throws: StoreError.self) { try f.store.status(of: ip, now: now) }
        #expect(throws: StoreError.self) { try f.store.record(event(.spam, at: now)) }
        #expect(Date().timeIntervalSince(start) < 5)
        // A new connection to a dead server fails within its deadline too.
        #expect(throws: StoreError.self) { try RedisStore(url: "redis://127.0.0.1:\(f.redis!.port)", policy: StorePolicy()) }
    }

    @Test func redisDatabaseNumberIsSelected() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        let store = try RedisStore(url: redis.url + "/3", policy: StorePolicy())
        try store.ban(ip, until: now + 60, source: "admin")
        #expect(try redis.cli("-n", "3", "EXISTS", "qsentry:ban:192.0.2.7").stdout.hasPrefix("1"))
        #expect(try redis.cli("-n", "0", "EXISTS", "qsentry:ban:192.0.2.7").stdout.hasPrefix("0"))
        #expect(throws: StoreError.self) {
            let bad = try RedisStore(url: redis.url + "/99", policy: StorePolicy())
            _ = try bad.status(of: ip, now: now)
        }
    }

    /// control/qsentry/store-auth against a real redis-server with requirepass and an ACL user: the
    /// store works through StoreConfiguration as every program opens it; a wrong password is a
    /// StoreError with the server's words and never the password.
    @Test func redisWithAPasswordOrAnACLUser() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root, password: "s3cret pass")
        let qmail = QmailRoot(path: root.path)
        try root.write("control/qsentry/store", redis.url + "/2\n")
        #expect(throws: StoreError.self) { try StoreConfiguration.open(qmail).ban(ip, until: now + 60, source: "admin") }
        try root.write("control/qsentry/store-auth", "# the server's requirepass\npassword=s3cret pass\n")
        let store = try StoreConfiguration.open(qmail)
        try store.ban(ip, until: now + 60, source: "admin")
        #expect(try store.status(of: ip, now: now)?.reason == .ban)
        #expect(try redis.cli("-n", "2", "EXISTS", "qsentry:ban:192.0.2.7").stdout.hasPrefix("1"))
        // Redis 6 ACL: a user of its own, its password with the user name.
        try redis.cli("ACL", "SETUSER", "qsentry", "on", ">other pass", "~qsentry:*", "+@all")
        try root.write("control/qsentry/store-auth", "user=qsentry\npassword=other pass\n")
        #expect(try StoreConfiguration.open(qmail).status(of: ip, now: now)?.reason == .ban)
        try root.write("control/qsentry/store-auth", "password=guess\n")
        do {
            _ = try StoreConfiguration.open(qmail).status(of: ip, now: now)
            Issue.record("a wrong password was accepted")
        } catch let e as StoreError {
            #expect("\(e)".contains("AUTH") && "\(e)".contains("WRONGPASS") && !"\(e)".contains("guess"), "\(e)")
        }
        // A malformed file is a store error too (the rules' answer for a store that does not answer).
        try root.write("control/qsentry/store-auth", "passwd=s3cret pass\n")
        #expect(throws: StoreError.self) { try StoreConfiguration.open(qmail) }
    }

    @Test func storeAuthLinesAndMode() throws {
        let root = try TempQmailRoot()
        let path = try root.write("control/qsentry/store-auth", "password= two words \nuser=mx\nsentinel-password=x=y\n")
        chmod(path, 0o600)  // 0640 too when the group is root's or qsentry's (a test run as root)
        let lines = try ControlFile.lines(path)!
        #expect(try RedisCredentials.parse(lines, path) == RedisCredentials(user: "mx", password: " two words", sentinelPassword: "x=y"))
        #expect(RedisCredentials.problems(lines, path).isEmpty)
        #expect(RedisCredentials(user: "mx", password: "p").serverCommand == ["AUTH", "mx", "p"])
        #expect(RedisCredentials(password: "p").serverCommand == ["AUTH", "p"] && RedisCredentials().serverCommand == nil)
        chmod(path, 0o644)
        #expect(RedisCredentials.problems(lines, path).map(\.message).contains { $0.contains("open to every user") })
        chmod(path, 0o660)
        #expect(RedisCredentials.problems(lines, path).map(\.message).contains { $0.contains("writable by its group") })
        // A group other than qsentry's (or root's) may not read it: as root, hand it to nogroup.
        if getuid() == 0, let other = getgrnam("nogroup")?.pointee.gr_gid {
            chmod(path, 0o640)
            chown(path, 0, other)
            #expect(RedisCredentials.problems(lines, path).map(\.message).contains { $0.contains("open to the group nogroup") })
            chmod(path, 0o600)
            #expect(RedisCredentials.problems(lines, path).isEmpty, "a group that cannot read it is no exposure")
        }
        for bad in ["user=mx\n", "password=\n", "pass=x\n", "just a password\n"] {
            let l = try ControlFile.parse(Array(bad.utf8), path: path)
            #expect(throws: ControlError.self, "\(bad)") { try RedisCredentials.parse(l, path) }
        }
    }

    @Test func redisOverAUnixSocket() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        let store = try RedisStore(url: "unix://" + redis.socketPath + "?db=2", policy: StorePolicy())
        try store.ban(ip, until: now + 60, source: "admin")
        #expect(try store.status(of: ip, now: now)?.reason == .ban)
        #expect(try redis.cli("-n", "2", "EXISTS", "qsentry:ban:192.0.2.7").stdout.hasPrefix("1"))
    }

    /// The connection counters are a file of their own, never synced: one a power cut corrupted
    /// is made anew (counting from zero), while the store's own file stays an error to report.
    @Test func corruptConnectionCountersAreMadeAnew() throws {
        let root = try TempQmailRoot()
        try root.write("connections.sqlite", String(repeating: "not a database ", count: 200))
        let store = try EmbeddedStore(path: root.path + "/store.sqlite", policy: StorePolicy())
        let c = try store.openConnection(ConnectionSlot(ip: "192.0.2.1", network: "192.0.2.0/24", host: "mx1", pid: getpid()),
                                         now: now, lifetime: 60)
        #expect(c.concurrent == 1 && c.lastMinute == 1)
        #expect(try EmbeddedStore(path: root.path + "/store.sqlite", policy: StorePolicy())
            .openConnection(ConnectionSlot(ip: "192.0.2.1", network: "192.0.2.0/24", host: "mx1", pid: getpid()), now: now, lifetime: 60)
            .lastMinute == 2)
    }

    @Test func corruptEmbeddedFileIsAnError() throws {
        let root = try TempQmailRoot()
        let path = try root.write("store.sqlite", String(repeating: "not a database ", count: 200))
        #expect(throws: StoreError.self) {
            let s = try EmbeddedStore(path: path, policy: StorePolicy())
            _ = try s.status(of: IPAddress("192.0.2.1")!, now: 0)
        }
    }

    @Test func policyFromControlFiles() throws {
        let root = try TempQmailRoot()
        try root.write("control/qsentry/bans", "events=5\nwindow=90s\nduration=2h\nspam=2\n")
        try root.write("control/qsentry/reputation", "reporters=3\nwindow=1d\n")
        let p = try StorePolicy.load(QmailRoot(path: root.path))
        #expect(p.banEvents == 5 && p.banWindow == 90 && p.banDuration == 7200 && p.weight(.spam) == 2 && p.weight(.virus) == 1)
        #expect(p.weight(.honeypot) == 10)
        #expect(p.reputationReporters == 3 && p.reputationWindow == 86400)
        try root.write("control/qsentry/bans", "evnts=5\n")
        #expect(throws: ControlError.self) { try StorePolicy.load(QmailRoot(path: root.path)) }
        #expect(StorePolicy().banEvents == 10 && StorePolicy().banWindow == 600 && StorePolicy().banDuration == 3600)
    }
}
