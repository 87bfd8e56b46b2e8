import Foundation
import Testing
import TestHarness
import QSentryCore
@testable import QSentryStore

/// P5: `control/qsentry/store`'s forms, and a store that outlives losing its Redis: Sentinel on
/// loopback (a master, a replica, three sentinels), a master that hangs, one round trip.
@Suite struct RedisFailoverTests {
    let ip = IPAddress("192.0.2.7")!
    var now: Int { Int(Date().timeIntervalSince1970) }

    @Test func storeURLsParse() throws {
        let tcp = try RedisAddress("redis://10.0.0.5:6380/4?timeout=250")
        #expect(tcp.kind == .tcp(.init(host: "10.0.0.5", port: 6380)) && tcp.database == 4 && tcp.timeoutMilliseconds == 250)
        #expect(try RedisAddress("redis://[::1]:7000").kind == .tcp(.init(host: "::1", port: 7000)))
        #expect(try RedisAddress("redis://redis.example").kind == .tcp(.init(host: "redis.example", port: 6379)))
        #expect(try RedisAddress("redis://127.0.0.1:1/").database == 0)
        let unix = try RedisAddress("unix:///run/redis.sock?db=2&timeout=100")
        #expect(unix.kind == .unix(path: "/run/redis.sock") && unix.database == 2 && unix.timeoutMilliseconds == 100)
        let s = try RedisAddress("sentinel://10.0.0.1:26379,10.0.0.2,[fd00::3]:26380/mail-master/1")
        #expect(s.kind == .sentinel([.init(host: "10.0.0.1", port: 26379), .init(host: "10.0.0.2", port: 26379),
                                     .init(host: "fd00::3", port: 26380)], master: "mail-master"))
        #expect(s.database == 1 && s.timeoutMilliseconds == RedisAddress.defaultTimeout)
        for bad in ["redis://", "redis://host:99999", "unix://relative.sock", "sentinel://10.0.0.1:26379", "sentinel:///m",
                    "sentinel://h:1/bad name", "redis://h?timeout=5", "redis://h?retries=2", "memcached://h", "redis://h/x"] {
            #expect(throws: StoreError.self, "\(bad)") { try RedisAddress(bad) }
        }
    }

    @Test func theBanStatusAndTheDeadSlotsRideInTheConnectionCountsRoundTrip() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        let store = try RedisStore(url: redis.url, policy: StorePolicy())
        try store.ban(ip, until: now + 600, source: "admin")
        // A slot left by a process that is gone, as every qsentry-conn leaves its own (it execs away).
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let t = now
        func slot(_ pid: Int32) -> ConnectionSlot { ConnectionSlot(ip: ip.description, network: "192.0.2.0/24", host: "mx1", pid: pid) }
        try redis.cli("ZADD", "qsentry:conn:192.0.2.7", String(t), "mx1 \(gone.processIdentifier)")
        _ = try redis.cli("CONFIG", "RESETSTAT")
        let trips = store.roundTrips
        let counts = try store.openConnection(slot(getpid()), now: t, lifetime: 60)
        #expect(counts.concurrent == 1)
        #expect(try store.status(of: ip, now: t)?.reason == .ban)
        #expect(store.roundTrips == trips + 1, "openConnection and status: \(store.roundTrips - trips) round trips")
        // One GET in all (the status came from openConnection's pipeline), and the dead slot removed.
        try Run.wait(for: "the dead slot's removal") { ((try? redis.cli("ZCARD", "qsentry:conn:192.0.2.7").stdout) ?? "").hasPrefix("1") }
        let stats = try redis.cli("INFO", "commandstats").stdout
        #expect(stats.contains("cmdstat_get:calls=1,") && stats.contains("cmdstat_zrem:calls=1,"), "\(stats)")
        // Asked again, the status is read anew; the unread ZREM reply is skipped, not taken for it.
        #expect(try store.status(of: ip, now: t)?.reason == .ban)
        #expect(try redis.cli("INFO", "commandstats").stdout.contains("cmdstat_get:calls=2,"))
        #expect(try store.status(of: IPAddress("192.0.2.99")!, now: t) == nil)
    }

    @Test func aMasterThatHangsFailsWithinTheDeadline() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        let store = try RedisStore(url: redis.url + "?timeout=200", policy: StorePolicy())
        try store.ban(ip, until: now + 600, source: "admin")
        let pid = try redis.pid()
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let start = Date()
        #expect(throws: StoreError.self) { try store.status(of: ip, now: now) }
        let failed = Date().timeIntervalSince(start)
        // Opening a new connection: the kernel accepts it, nobody answers.
        #expect(throws: StoreError.self) {
            let fresh = try RedisStore(url: redis.url + "?timeout=200", policy: StorePolicy())
            _ = try fresh.status(of: ip, now: now)
        }
        #expect(failed < 3, "an operation waited \(failed) s on a stopped Redis with a 200 ms deadline")
        kill(pid, SIGCONT)
        // The same store answers again once Redis does: the dropped connection is made anew.
        #expect(try store.status(of: ip, now: now)?.reason == .ban)
    }

    @Test func aLongLivedStoreFollowsTheFailoverAndKeepsItsBans() throws {
        let root = try TempQmailRoot()
        let cluster = try RedisSentinels(root: root)
        let cache = root.path + "/redis-master"
        let store = try RedisStore(url: cluster.url(timeout: 300), policy: StorePolicy(), masterCache: cache)
        #expect(store.server == "127.0.0.1:\(cluster.master.port)")
        #expect(try String(contentsOfFile: cache, encoding: .utf8) == "qsmaster 127.0.0.1 \(cluster.master.port)\n")
        try store.ban(ip, until: now + 600, source: "admin")
        try Run.wait(for: "the ban on the replica") { (try? cluster.replica.cli("EXISTS", "qsentry:ban:192.0.2.7").stdout.hasPrefix("1")) ?? false }

        // A second process starts from the cache: the sentinels are not asked.
        let asked = try sentinelConnections(cluster)
        let second = try RedisStore(url: cluster.url(timeout: 300), policy: StorePolicy(), masterCache: cache)
        #expect(try second.status(of: ip, now: now)?.reason == .ban)
        #expect(try sentinelConnections(cluster) == asked)

        try cluster.killMaster()
        // While the sentinels decide, every operation fails within its deadline: never a hang.
        var worst = 0.0
        while (try? cluster.currentMasterPort()) != cluster.replica.port {
            let start = Date()
            _ = try? store.status(of: ip, now: now)
            worst = max(worst, Date().timeIntervalSince(start))
            Thread.sleep(forTimeInterval: 0.1)
        }
        try cluster.waitForFailover()
        #expect(worst < 3, "an operation took \(worst) s during the failover with a 300 ms deadline")
        // The ban made before is enforced by the promoted replica, through the same store object.
        #expect(try store.status(of: ip, now: now)?.reason == .ban)
        #expect(store.server == "127.0.0.1:\(cluster.replica.port)")
        try store.ban(IPAddress("192.0.2.8")!, until: now + 600, source: "admin")
        #expect(try cluster.replica.cli("EXISTS", "qsentry:ban:192.0.2.8").stdout.hasPrefix("1"))
        #expect(try String(contentsOfFile: cache, encoding: .utf8) == "qsmaster 127.0.0.1 \(cluster.replica.port)\n")
    }

    @Test func aCachedAddressThatIsNoLongerTheMasterIsNotWrittenTo() throws {
        let root = try TempQmailRoot()
        let cluster = try RedisSentinels(root: root)
        let cache = root.path + "/redis-master"
        // The cache names the replica, as after an old master came back demoted.
        try "qsmaster 127.0.0.1 \(cluster.replica.port)\n".write(toFile: cache, atomically: true, encoding: .utf8)
        let store = try RedisStore(url: cluster.url(), policy: StorePolicy(), masterCache: cache)
        try store.ban(ip, until: now + 600, source: "admin")
        #expect(try cluster.master.cli("EXISTS", "qsentry:ban:192.0.2.7").stdout.hasPrefix("1"))
        #expect(store.server == "127.0.0.1:\(cluster.master.port)")
        #expect(try String(contentsOfFile: cache, encoding: .utf8) == "qsmaster 127.0.0.1 \(cluster.master.port)\n")
    }

    /// store-auth's two passwords: the servers' requirepass, and the sentinels' own.
    @Test func sentinelsAndServersWithPasswords() throws {
        let root = try TempQmailRoot()
        let cluster = try RedisSentinels(root: root, password: "data secret", sentinelPassword: "sentinel secret")
        // Without the sentinels' password no sentinel names the master.
        #expect(throws: StoreError.self) {
            try RedisStore(url: cluster.url(timeout: 300), policy: StorePolicy(), credentials: RedisCredentials(password: "data secret"))
        }
        let store = try RedisStore(url: cluster.url(timeout: 300), policy: StorePolicy(),
                                   credentials: RedisCredentials(password: "data secret", sentinelPassword: "sentinel secret"))
        try store.ban(ip, until: now + 600, source: "admin")
        #expect(try cluster.master.cli("EXISTS", "qsentry:ban:192.0.2.7").stdout.hasPrefix("1"))
        #expect(store.server == "127.0.0.1:\(cluster.master.port)")
    }

    @Test func noSentinelAnsweringIsAStoreError() throws {
        let start = Date()
        #expect(throws: StoreError.self) { try RedisStore(url: "sentinel://127.0.0.1:1,127.0.0.1:2/qsmaster?timeout=200", policy: StorePolicy()) }
        #expect(Date().timeIntervalSince(start) < 3)
    }

    /// How often each sentinel was asked for the master (its command statistics, not its connections:
    /// sentinels connect to one another by themselves).
    func sentinelConnections(_ cluster: RedisSentinels) throws -> [String] {
        try cluster.sentinelPorts.map { port in
            let stats = try Run.command("redis-cli", ["-p", "\(port)", "INFO", "commandstats"], timeout: 10).stdout
            return stats.split(whereSeparator: \.isNewline).first { $0.contains("get-master-addr-by-name") }.map(String.init) ?? "none"
        }
    }
}
