#if canImport(Glibc)
import Glibc
#endif
import CSQLite
import QSentryCore

/// The default store for one host: a SQLite database in WAL mode under the qmail root
/// (`store.sqlite`: events and bans, what the connection check reads), and an LMDB file for the
/// Bayes tokens (`bayes.lmdb`, opened only when first used; TokenDatabase says why).
///
/// SQLite because hundreds of short processes can write at once (WAL: readers never wait,
/// writers queue on a lock), opening costs little, and it links statically. Old events and bans
/// are deleted as new events arrive, greylist entries as new attempts do: it expires itself.
public final class EmbeddedStore: Store {
    public let policy: StorePolicy
    let db: SQLiteDatabase
    let tokensPath: String
    private var tokenDB: TokenDatabase?
    static let schemaVersion = 6
    /// The connection counters (C12), in a file of their own: see `counters()`.
    let countersPath: String
    private var countersDB: SQLiteDatabase?
    private let busyTimeout: Int32
    static let countersVersion = 1
    static let countersSchema = """
        CREATE TABLE IF NOT EXISTS connections(host TEXT NOT NULL, pid INTEGER NOT NULL, ip TEXT NOT NULL, network TEXT NOT NULL,
                                               start INTEGER NOT NULL, PRIMARY KEY(host, pid)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS connections_ip ON connections(ip);
        CREATE TABLE IF NOT EXISTS connection_log(ip TEXT NOT NULL, network TEXT NOT NULL, time INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS connection_log_ip ON connection_log(ip, time);
        CREATE INDEX IF NOT EXISTS connection_log_network ON connection_log(network, time);
        CREATE INDEX IF NOT EXISTS connection_log_time ON connection_log(time);
        """

    /// Opens (creating when needed) the database at `path`; the tokens live beside it.
    public init(path: String, policy: StorePolicy, busyTimeoutMilliseconds: Int32 = 5000) throws {
        self.policy = policy
        let stem = path.hasSuffix("store.sqlite") ? String(path.dropLast("store.sqlite".count)) : path + "."
        tokensPath = stem + "bayes.lmdb"
        countersPath = stem + "connections.sqlite"
        busyTimeout = busyTimeoutMilliseconds
        db = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        if try db.int("PRAGMA user_version") != Self.schemaVersion {
            try Self.create(db, """
                CREATE TABLE IF NOT EXISTS events(ip TEXT NOT NULL, kind TEXT NOT NULL, host TEXT NOT NULL, time INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS events_ip_time ON events(ip, time);
                CREATE INDEX IF NOT EXISTS events_time ON events(time);
                CREATE TABLE IF NOT EXISTS bans(ip TEXT PRIMARY KEY, until INTEGER NOT NULL, source TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS greylist(triplet TEXT PRIMARY KEY, first INTEGER NOT NULL, passed_until INTEGER NOT NULL,
                                                    expires INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS greylist_expires ON greylist(expires);
                CREATE TABLE IF NOT EXISTS greylist_networks(network TEXT PRIMARY KEY, passes INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS sending(who TEXT NOT NULL, bucket TEXT NOT NULL, messages INTEGER NOT NULL, recipients INTEGER NOT NULL,
                                                   expires INTEGER NOT NULL, PRIMARY KEY(who, bucket)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS fuzzy_spam(band TEXT NOT NULL, signature TEXT NOT NULL, expires INTEGER NOT NULL,
                                                      PRIMARY KEY(band, signature)) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS fuzzy_spam_expires ON fuzzy_spam(expires);
                CREATE TABLE IF NOT EXISTS fuzzy_seen(band TEXT NOT NULL, who TEXT NOT NULL, time INTEGER NOT NULL,
                                                      PRIMARY KEY(band, who)) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS fuzzy_seen_time ON fuzzy_seen(time);
                """)
        }
    }

    /// Creates a schema once: WAL mode, the tables, the version, under the write lock.
    static func create(_ db: SQLiteDatabase, _ schema: String, version: Int = schemaVersion, journal: String = "WAL") throws {
        try db.executeRetryingBusy("PRAGMA journal_mode=\(journal)")
        try db.transaction {
            // Another process may have won the race: check again under the write lock.
            if try db.int("PRAGMA user_version") == version { return }
            try db.execute(schema + "PRAGMA user_version=\(version);")
        }
    }

    /// The connection counters' database, opened on first use. Every connection writes it, and a
    /// durable SQLite commit (the checkpoint as the process closes it) costs three fsyncs, 6-8 ms a
    /// connection on this VM's disk (bench/limits.sh), more than all of qsentry-conn. What it holds
    /// is worthless after 30 minutes, so it is never synced; a file a power cut corrupted is
    /// removed and made again (connections then count from zero).
    func counters() throws -> SQLiteDatabase {
        if let c = countersDB { return c }
        func open() throws -> SQLiteDatabase {
            let c = try SQLiteDatabase(path: countersPath, busyTimeoutMilliseconds: busyTimeout, durable: false)
            // A rollback journal, not WAL: each new process would read the whole WAL to rebuild its
            // index. TRUNCATE keeps the journal file (no create and unlink a commit); not persistent.
            try c.executeRetryingBusy("PRAGMA journal_mode=TRUNCATE")
            if try c.int("PRAGMA user_version") != Self.countersVersion {
                try Self.create(c, Self.countersSchema, version: Self.countersVersion, journal: "TRUNCATE")
            }
            return c
        }
        let c: SQLiteDatabase
        do { c = try open() } catch let e as StoreError where e.description.contains("malformed") || e.description.contains("not a database") {
            LogLine.warning("store: \(countersPath): \(e); made anew")
            for file in [countersPath, countersPath + "-wal", countersPath + "-shm"] { unlink(file) }
            c = try open()
        }
        countersDB = c
        return c
    }

    /// One statement for the connection check: the ban in force, and the distinct reporters.
    public func status(of ip: IPAddress, now: Int) throws -> BanStatus? {
        var until = 0
        var reporters = 0
        try db.run("""
            SELECT (SELECT until FROM bans WHERE ip=?1 AND until>?2),
                   (SELECT COUNT(DISTINCT host) FROM events WHERE ip=?1 AND time>?3)
            """, [.text(ip.description), .int(now), .int(now - policy.reputationWindow)]) {
            until = SQLiteDatabase.int($0, 0)
            reporters = SQLiteDatabase.int($0, 1)
        }
        if until > 0 { return BanStatus(reason: .ban, until: until) }
        if policy.reputationReporters > 0 && reporters >= policy.reputationReporters {
            return BanStatus(reason: .reputation, until: 0)
        }
        return nil
    }

    public func record(_ event: StoreEvent) throws {
        let ip = event.ip.description
        try db.transaction {
            try db.run("INSERT INTO events(ip, kind, host, time) VALUES(?1, ?2, ?3, ?4)",
                       [.text(ip), .text(event.kind.rawValue), .text(event.host), .int(event.time)])
            var score = 0
            try db.run("SELECT kind, COUNT(*) FROM events WHERE ip=?1 AND time>?2 GROUP BY kind",
                       [.text(ip), .int(event.time - policy.banWindow)]) { row in
                let kind = StoreEventKind(rawValue: SQLiteDatabase.text(row, 0)) ?? .spam
                score += self.policy.weight(kind) * SQLiteDatabase.int(row, 1)
            }
            if policy.banEvents > 0 && score >= policy.banEvents {
                try db.run("INSERT INTO bans(ip, until, source) VALUES(?1, ?2, 'auto') ON CONFLICT(ip) DO UPDATE SET until=max(until, ?2)",
                           [.text(ip), .int(event.time + policy.banDuration)])
            }
            // Self-expiry: what no decision can use any more.
            try db.run("DELETE FROM events WHERE time<=?1", [.int(event.time - policy.horizon)])
            try db.run("DELETE FROM bans WHERE until<=?1", [.int(event.time)])
        }
    }

    public func ban(_ ip: IPAddress, until: Int, source: String) throws {
        try db.run("INSERT INTO bans(ip, until, source) VALUES(?1, ?2, ?3) ON CONFLICT(ip) DO UPDATE SET until=?2, source=?3",
                   [.text(ip.description), .int(until), .text(source)])
    }

    public func unban(_ ip: IPAddress) throws {
        try db.transaction {
            try db.run("DELETE FROM bans WHERE ip=?1", [.text(ip.description)])
            try db.run("DELETE FROM events WHERE ip=?1", [.text(ip.description)])
        }
    }

    public func bans(now: Int) throws -> [BanEntry] {
        var out: [BanEntry] = []
        try db.run("SELECT ip, until, source FROM bans WHERE until>?1 ORDER BY until", [.int(now)]) {
            out.append(BanEntry(ip: SQLiteDatabase.text($0, 0), until: SQLiteDatabase.int($0, 1), source: SQLiteDatabase.text($0, 2)))
        }
        return out
    }

    public func reputation(of ip: IPAddress, now: Int) throws -> (reporters: [String], recentEvents: Int) {
        var hosts: [String] = []
        try db.run("SELECT DISTINCT host FROM events WHERE ip=?1 AND time>?2 ORDER BY host",
                   [.text(ip.description), .int(now - policy.reputationWindow)]) { hosts.append(SQLiteDatabase.text($0, 0)) }
        let recent = try db.int("SELECT COUNT(*) FROM events WHERE ip=?1 AND time>?2",
                                [.text(ip.description), .int(now - policy.banWindow)])
        return (hosts, recent)
    }

    public func greylist(_ t: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome {
        // Known and still fresh (most RCPTs): nothing to write, so no write lock and no checkpoint.
        let seen = try greylistRow(t, now: now)
        let early = seen.outcome(timing, now: now)
        if early == .known, !timing.needsRefresh(until: seen.passedUntil, now: now) { return .known }
        if early == .networkAllowed, !timing.needsRefresh(until: seen.networkExpires, now: now) { return .networkAllowed }
        return try db.transaction {
            // Read again under the write lock: another process may have decided in between.
            let outcome = try greylistRow(t, now: now).outcome(timing, now: now)
            switch outcome {
            case .new:
                try db.run("""
                    INSERT INTO greylist(triplet, first, passed_until, expires) VALUES(?1, ?2, 0, ?3)
                    ON CONFLICT(triplet) DO UPDATE SET first=?2, passed_until=0, expires=?3
                    """, [.text(t.key), .int(now), .int(now + timing.window)])
            case .early:
                break
            case .passed, .known:
                try db.run("UPDATE greylist SET passed_until=?2, expires=?2 WHERE triplet=?1", [.text(t.key), .int(now + timing.lifetime)])
                try db.run("""
                    INSERT INTO greylist_networks(network, passes, expires) VALUES(?1, ?2, ?3)
                    ON CONFLICT(network) DO UPDATE SET passes=passes+?2, expires=?3
                    """, [.text(t.network), .int(outcome == .passed ? 1 : 0), .int(now + timing.lifetime)])
            case .networkAllowed:
                try db.run("UPDATE greylist_networks SET expires=?2 WHERE network=?1", [.text(t.network), .int(now + timing.lifetime)])
            }
            // Self-expiry (by index): what no decision can use any more.
            try db.run("DELETE FROM greylist WHERE expires<=?1", [.int(now)])
            try db.run("DELETE FROM greylist_networks WHERE expires<=?1", [.int(now)])
            return outcome
        }
    }

    public func greylistState(_ t: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome {
        try greylistRow(t, now: now).outcome(timing, now: now)
    }

    /// What the tables hold for a triplet and its network, in one statement.
    struct GreylistRow {
        var first = 0, passedUntil = 0, passes = 0, networkExpires = 0
        func outcome(_ timing: GreylistTiming, now: Int) -> GreylistOutcome {
            GreylistDecision.outcome(first: first, passedUntil: passedUntil, networkPasses: passes, timing: timing, now: now)
        }
    }

    func greylistRow(_ t: GreylistTriplet, now: Int) throws -> GreylistRow {
        var row = GreylistRow()
        try db.run("""
            SELECT (SELECT first FROM greylist WHERE triplet=?1), (SELECT passed_until FROM greylist WHERE triplet=?1),
                   (SELECT passes FROM greylist_networks WHERE network=?2 AND expires>?3),
                   (SELECT expires FROM greylist_networks WHERE network=?2 AND expires>?3)
            """, [.text(t.key), .text(t.network), .int(now)]) {
            row.first = SQLiteDatabase.int($0, 0)
            row.passedUntil = SQLiteDatabase.int($0, 1)
            row.passes = SQLiteDatabase.int($0, 2)
            row.networkExpires = SQLiteDatabase.int($0, 3)
        }
        return row
    }

    public func sendingCounts(_ who: String, now: Int) throws -> SendingCounts {
        let (hour, day) = SendingCounts.buckets(now)
        var c = SendingCounts()
        try db.run("SELECT bucket, messages, recipients FROM sending WHERE who=?1 AND bucket IN (?2, ?3)",
                   [.text(who), .text("h\(hour)"), .text("d\(day)")]) {
            if SQLiteDatabase.text($0, 0).hasPrefix("h") {
                c.messagesThisHour = SQLiteDatabase.int($0, 1)
                c.recipientsThisHour = SQLiteDatabase.int($0, 2)
            } else {
                c.messagesToday = SQLiteDatabase.int($0, 1)
                c.recipientsToday = SQLiteDatabase.int($0, 2)
            }
        }
        return c
    }

    public func recordSending(_ who: String, recipients: Int, now: Int) throws {
        let (hour, day) = SendingCounts.buckets(now)
        try db.transaction {
            for (bucket, expires) in [("h\(hour)", (hour + 1) * 3600), ("d\(day)", (day + 1) * 86_400)] {
                try db.run("""
                    INSERT INTO sending(who, bucket, messages, recipients, expires) VALUES(?1, ?2, 1, ?3, ?4)
                    ON CONFLICT(who, bucket) DO UPDATE SET messages=messages+1, recipients=recipients+?3
                    """, [.text(who), .text(bucket), .int(recipients), .int(expires)])
            }
            try db.run("DELETE FROM sending WHERE expires<=?1", [.int(now)])
        }
    }

    public func sendingCounters(now: Int) throws -> [(who: String, counts: SendingCounts)] {
        var whos: [String] = []
        try db.run("SELECT DISTINCT who FROM sending WHERE expires>?1 ORDER BY who", [.int(now)]) { whos.append(SQLiteDatabase.text($0, 0)) }
        return try whos.map { ($0, try sendingCounts($0, now: now)) }
    }

    public func resetSending(_ who: String, now: Int) throws {
        try db.run("DELETE FROM sending WHERE who=?1", [.text(who)])
    }

    // M12. fuzzy_seen holds `r:RECIPIENT-HASH` and `h:HOST` rows a band key, each with its last time.
    public func fuzzyObserve(bands: [UInt64], recipients: [String], host: String, window: Int, now: Int, record: Bool) throws -> FuzzyObservation {
        let keys = bands.map(FuzzyRecord.hex)
        let db = self.db
        let body = { () throws -> FuzzyObservation in
            if record {
                for band in keys {
                    for who in recipients.map({ "r:" + FuzzyRecord.recipientKey($0) }) + ["h:" + host] {
                        try db.run("INSERT INTO fuzzy_seen(band, who, time) VALUES(?1, ?2, ?3) ON CONFLICT(band, who) DO UPDATE SET time=?3",
                                   [.text(band), .text(who), .int(now)])
                    }
                }
                try db.run("DELETE FROM fuzzy_seen WHERE time<=?1", [.int(now - window)])
                try db.run("DELETE FROM fuzzy_spam WHERE expires<=?1", [.int(now)])
            }
            var out = FuzzyObservation()
            var seen = Set<String>()
            for band in keys {
                try db.run("SELECT signature FROM fuzzy_spam WHERE band=?1 AND expires>?2 LIMIT ?3",
                           [.text(band), .int(now), .int(FuzzyRecord.candidates)]) {
                    let text = SQLiteDatabase.text($0, 0)
                    if seen.insert(text).inserted, let s = FuzzyRecord.signature(text) { out.learnt.append(s) }
                }
                try db.run("""
                    SELECT (SELECT count(*) FROM fuzzy_seen WHERE band=?1 AND who LIKE 'r:%' AND time>?2),
                           (SELECT count(*) FROM fuzzy_seen WHERE band=?1 AND who LIKE 'h:%' AND time>?2)
                    """, [.text(band), .int(now - window)]) {
                    out.recipients = max(out.recipients, SQLiteDatabase.int($0, 0))
                    out.hosts = max(out.hosts, SQLiteDatabase.int($0, 1))
                }
            }
            return out
        }
        return try record ? db.transaction(body) : db.readTransaction(body)
    }

    public func fuzzyLearn(bands: [UInt64], signature: [UInt64], lifetime: Int, now: Int) throws {
        let text = FuzzyRecord.text(signature)
        try db.transaction {
            for band in bands.map(FuzzyRecord.hex) {
                try db.run("INSERT INTO fuzzy_spam(band, signature, expires) VALUES(?1, ?2, ?3) ON CONFLICT(band, signature) DO UPDATE SET expires=?3",
                           [.text(band), .text(text), .int(now + lifetime)])
            }
            try db.run("DELETE FROM fuzzy_spam WHERE expires<=?1", [.int(now)])
        }
    }

    public func openConnection(_ slot: ConnectionSlot, now: Int, lifetime: Int) throws -> ConnectionCounts {
        let db = try counters()
        return try db.transaction {
            // A process id seen again is a new session of this host: its old slot is over.
            try db.run("INSERT OR REPLACE INTO connections(host, pid, ip, network, start) VALUES(?1, ?2, ?3, ?4, ?5)",
                       [.text(slot.host), .int(Int(slot.pid)), .text(slot.ip), .text(slot.network), .int(now)])
            try db.run("INSERT INTO connection_log(ip, network, time) VALUES(?1, ?2, ?3)", [.text(slot.ip), .text(slot.network), .int(now)])
            try db.run("DELETE FROM connections WHERE start<=?1", [.int(now - lifetime)])
            try db.run("DELETE FROM connection_log WHERE time<=?1", [.int(now - 60)])
            var open: [(String, Int)] = []
            try db.run("SELECT host, pid FROM connections WHERE ip=?1", [.text(slot.ip)]) {
                open.append((SQLiteDatabase.text($0, 0), SQLiteDatabase.int($0, 1)))
            }
            var concurrent = 0
            for (host, pid) in open {
                if host == slot.host && !ConnectionSlot.isAlive(Int32(pid)) {
                    try db.run("DELETE FROM connections WHERE host=?1 AND pid=?2", [.text(host), .int(pid)])
                } else {
                    concurrent += 1
                }
            }
            var minute = 0, networkMinute = 0
            try db.run("SELECT (SELECT COUNT(*) FROM connection_log WHERE ip=?1), (SELECT COUNT(*) FROM connection_log WHERE network=?2)",
                       [.text(slot.ip), .text(slot.network)]) {
                minute = SQLiteDatabase.int($0, 0)
                networkMinute = SQLiteDatabase.int($0, 1)
            }
            return ConnectionCounts(concurrent: concurrent, lastMinute: minute, networkLastMinute: networkMinute)
        }
    }

    /// The Bayes tokens, opened on first use.
    func tokens() throws -> TokenDatabase {
        if let t = tokenDB { return t }
        let t = try TokenDatabase(path: tokensPath)
        tokenDB = t
        return t
    }

    public func tokens(_ namespace: String, _ keys: TokenKeys) throws -> [TokenCounts?] {
        guard !keys.isEmpty else { return [] }
        return try tokens().counts(namespace: TokenHash.key(namespace), keys.sorted)
    }

    public func addTokens(_ namespace: String, _ deltas: [UInt64: TokenCounts]) throws {
        guard !deltas.isEmpty else { return }
        try tokens().add(namespace: TokenHash.key(namespace), deltas)
    }

    public func clearTokens(_ namespace: String) throws {
        try tokens().clear(namespace: TokenHash.key(namespace))
    }
}
