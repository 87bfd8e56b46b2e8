#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// The store shared by several MX hosts (`control/qsentry/store` = `redis://…`).
///
/// Keys (prefix `qsentry:`): `ban:IP` (string, expires with the ban), `bans` (sorted set of
/// banned IPs by end time, for listing), `ev:IP` (events by time, member `time:host:kind:nonce`),
/// `rep:IP` (reporting hosts by last report time: distinct reporters for free), `tok:NS:s` and
/// `tok:NS:h` (hashes of token counts), `gl:NETWORK SENDER RECIPIENT` (hash: first attempt,
/// passed-until), `gln:NETWORK` (passes), `lim:WHO:hHOUR` and `lim:WHO:dDAY` (hashes: messages,
/// recipients) with `limits` (who sent today, by last time), `conn:IP` (open connections: members
/// `HOST PID` by start time), `cmin:IP` and `cmin-net:NETWORK` (connections of the last minute).
/// Expiry is Redis TTLs.
/// The connection checks are one pipelined round trip: openConnection reads the ban status too.
public final class RedisStore: Store {
    public let policy: StorePolicy
    let redis: RedisConnection
    static let prefix = "qsentry:"

    /// `masterCache`: where a Sentinel-found master is remembered between processes
    /// (StoreConfiguration passes `$QMAIL/qsentry/redis-master`); `credentials`: AUTH
    /// (`control/qsentry/store-auth`).
    public init(url: String, policy: StorePolicy, masterCache: String? = nil, credentials: RedisCredentials? = nil) throws {
        self.policy = policy
        redis = try RedisConnection(address: RedisAddress(url), masterCache: masterCache, credentials: credentials)
    }

    /// Where the store is connected now (after a failover, the promoted replica).
    public var server: String { redis.server }

    /// The exchanges with Redis this store waited for so far.
    public var roundTrips: Int { redis.roundTrips }

    func key(_ parts: String...) -> String { Self.prefix + parts.joined(with: ":") }

    func check(_ values: [RedisValue]) throws -> [RedisValue] {
        for v in values { if case .error(let e) = v { throw StoreError("\(redis.server): \(e)") } }
        return values
    }

    /// The three reads behind a ban status, for `status` and for openConnection's pipeline.
    func statusCommands(_ a: String, now: Int) -> [[String]] {
        [["GET", key("ban", a)], ["ZCOUNT", key("rep", a), "(\(now - policy.reputationWindow)", "+inf"], ["ZSCORE", key("bans"), a]]
    }

    func banStatus(_ r: ArraySlice<RedisValue>) -> BanStatus? {
        let (ban, reporters, until) = (r[r.startIndex], r[r.startIndex + 1], r[r.startIndex + 2])
        if ban != .null { return BanStatus(reason: .ban, until: until.integer ?? Int(until.string.flatMap(Double.init) ?? 0)) }
        if policy.reputationReporters > 0, let n = reporters.integer, n >= policy.reputationReporters {
            return BanStatus(reason: .reputation, until: 0)
        }
        return nil
    }

    /// The status openConnection read in its own pipeline, for the BanCheck that follows it in
    /// the same process: ban and limits together cost one round trip.
    /// (A struct, not a tuple: the runtime builds tuple types from their mangled names, at a cost.)
    private struct Prefetched {
        let ip: String, now: Int, status: BanStatus?
    }
    private var prefetched: Prefetched?

    public func status(of ip: IPAddress, now: Int) throws -> BanStatus? {
        let a = ip.description
        if let p = prefetched, p.ip == a, abs(p.now - now) <= 1 {
            prefetched = nil
            return p.status
        }
        return banStatus(try check(redis.pipeline(statusCommands(a, now: now)))[...])
    }

    public func record(_ event: StoreEvent) throws {
        let a = event.ip.description
        let nonce = "\(event.time):\(event.host):\(event.kind.rawValue):\(getpid()):\(Int.random(in: 0..<1_000_000_000))"
        let r = try check(redis.pipeline([
            ["ZADD", key("ev", a), String(event.time), nonce],
            ["ZREMRANGEBYSCORE", key("ev", a), "-inf", String(event.time - policy.horizon)],
            ["EXPIRE", key("ev", a), String(max(1, policy.horizon))],
            ["ZRANGEBYSCORE", key("ev", a), "(\(event.time - policy.banWindow)", "+inf"],
            ["ZADD", key("rep", a), String(event.time), event.host],
            ["ZREMRANGEBYSCORE", key("rep", a), "-inf", String(event.time - policy.reputationWindow)],
            ["EXPIRE", key("rep", a), String(max(1, policy.reputationWindow))],
        ]))
        var score = 0
        for member in r[3].array {
            let kind = member.string.flatMap { m in m.split(separator: ":").dropFirst(2).first.map(String.init) }
            score += policy.weight(kind.flatMap(StoreEventKind.init(rawValue:)) ?? .spam)
        }
        if policy.banEvents > 0 && score >= policy.banEvents {
            try ban(event.ip, until: event.time + policy.banDuration, source: "auto")
        }
    }

    public func ban(_ ip: IPAddress, until: Int, source: String) throws {
        let a = ip.description
        let seconds = max(1, until - Int(time(nil)))
        _ = try check(redis.pipeline([
            ["SET", key("ban", a), source, "EX", String(seconds)],
            ["ZADD", key("bans"), String(until), a],
        ]))
    }

    public func unban(_ ip: IPAddress) throws {
        let a = ip.description
        _ = try check(redis.pipeline([["DEL", key("ban", a), key("ev", a), key("rep", a)], ["ZREM", key("bans"), a]]))
    }

    public func bans(now: Int) throws -> [BanEntry] {
        let r = try check(redis.pipeline([
            ["ZREMRANGEBYSCORE", key("bans"), "-inf", String(now)],
            ["ZRANGEBYSCORE", key("bans"), "(\(now)", "+inf", "WITHSCORES"],
        ]))
        let flat = r[1].array
        var pairs: [(String, Int)] = []
        var i = 0
        while i + 1 < flat.count {
            pairs.append((flat[i].string ?? "", Int(flat[i + 1].string.flatMap(Double.init) ?? 0)))
            i += 2
        }
        if pairs.isEmpty { return [] }
        let sources = try check(redis.pipeline(pairs.map { ["GET", key("ban", $0.0)] }))
        return zip(pairs, sources).compactMap { pair, source in
            source == .null ? nil : BanEntry(ip: pair.0, until: pair.1, source: source.string ?? "")
        }
    }

    public func reputation(of ip: IPAddress, now: Int) throws -> (reporters: [String], recentEvents: Int) {
        let a = ip.description
        let r = try check(redis.pipeline([
            ["ZRANGEBYSCORE", key("rep", a), "(\(now - policy.reputationWindow)", "+inf"],
            ["ZCOUNT", key("ev", a), "(\(now - policy.banWindow)", "+inf"],
        ]))
        return (r[0].array.compactMap(\.string).sorted(), r[1].integer ?? 0)
    }

    /// A token key as a hash field: 16 hex digits (readable in redis-cli, the same width for every key).
    static func field(_ key: UInt64) -> String {
        let hex = String(key, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func tokens(_ namespace: String, _ keys: TokenKeys) throws -> [TokenCounts?] {
        if keys.isEmpty { return [] }
        let fields = keys.sorted.map(Self.field)
        let r = try check(redis.pipeline([["HMGET", key("bayes", namespace, "s")] + fields, ["HMGET", key("bayes", namespace, "h")] + fields]))
        return fields.indices.map { i in
            let s = i < r[0].array.count ? max(0, r[0].array[i].integer ?? 0) : 0
            let h = i < r[1].array.count ? max(0, r[1].array[i].integer ?? 0) : 0
            return s > 0 || h > 0 ? TokenCounts(spam: s, ham: h) : nil
        }
    }

    public func addTokens(_ namespace: String, _ deltas: [UInt64: TokenCounts]) throws {
        var commands: [[String]] = []
        for (k, d) in deltas {
            if d.spam != 0 { commands.append(["HINCRBY", key("bayes", namespace, "s"), Self.field(k), String(d.spam)]) }
            if d.ham != 0 { commands.append(["HINCRBY", key("bayes", namespace, "h"), Self.field(k), String(d.ham)]) }
        }
        if !commands.isEmpty { _ = try check(redis.pipeline(commands)) }
    }

    /// One round trip, atomic: a script that reads the triplet and its network, decides as
    /// GreylistDecision does (the shared store tests hold both to it) and records the attempt.
    static let greylistScript = """
        local now, delay, window, life, auto = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local slack = tonumber(ARGV[7])
        local t = redis.call('HMGET', KEYS[1], 'first', 'passed')
        local first, passed = tonumber(t[1]) or 0, tonumber(t[2]) or 0
        local passes = tonumber(redis.call('GET', KEYS[2])) or 0
        local out
        if passed > now then out = 'known'
        elseif auto > 0 and passes >= auto then out = 'network-allowed'
        elseif first == 0 or now - first > window then out = 'new'
        elseif now - first < delay then out = 'early'
        else out = 'passed' end
        if ARGV[6] == '1' then
          if out == 'new' then
            redis.call('HSET', KEYS[1], 'first', now, 'passed', 0)
            redis.call('EXPIRE', KEYS[1], window)
          elseif out == 'passed' or (out == 'known' and passed - now < life - slack) then
            redis.call('HSET', KEYS[1], 'passed', now + life)
            redis.call('EXPIRE', KEYS[1], life)
            if out == 'passed' then redis.call('INCR', KEYS[2]) end
            if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], life) end
          elseif out == 'network-allowed' and redis.call('TTL', KEYS[2]) < life - slack then
            redis.call('EXPIRE', KEYS[2], life)
          end
        end
        return {out, first}
        """

    func greylist(_ t: GreylistTriplet, timing: GreylistTiming, now: Int, record: Bool) throws -> GreylistOutcome {
        let r = try check(redis.pipeline([["EVAL", Self.greylistScript, "2", key("gl", t.key), key("gln", t.network),
                                           String(now), String(timing.delay), String(timing.window), String(timing.lifetime),
                                           String(timing.autoAllow), record ? "1" : "0", String(timing.refreshSlack)]]))
        let reply = r[0].array
        guard reply.count == 2, let name = reply[0].string else { throw StoreError("\(redis.server): unexpected greylist reply") }
        switch name {
        case "known": return .known
        case "network-allowed": return .networkAllowed
        case "new": return .new
        case "passed": return .passed
        case "early": return .early(wait: timing.delay - (now - (reply[1].integer ?? now)))
        default: throw StoreError("\(redis.server): unexpected greylist reply \(name)")
        }
    }

    public func greylist(_ t: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome {
        try greylist(t, timing: timing, now: now, record: true)
    }

    public func greylistState(_ t: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome {
        try greylist(t, timing: timing, now: now, record: false)
    }

    public func sendingCounts(_ who: String, now: Int) throws -> SendingCounts {
        let (hour, day) = SendingCounts.buckets(now)
        let r = try check(redis.pipeline([["HMGET", key("lim", who, "h\(hour)"), "m", "r"], ["HMGET", key("lim", who, "d\(day)"), "m", "r"]]))
        func n(_ v: RedisValue, _ i: Int) -> Int { i < v.array.count ? v.array[i].integer ?? 0 : 0 }
        return SendingCounts(messagesThisHour: n(r[0], 0), messagesToday: n(r[1], 0), recipientsThisHour: n(r[0], 1), recipientsToday: n(r[1], 1))
    }

    public func recordSending(_ who: String, recipients: Int, now: Int) throws {
        let (hour, day) = SendingCounts.buckets(now)
        let h = key("lim", who, "h\(hour)"), d = key("lim", who, "d\(day)")
        _ = try check(redis.pipeline([
            ["HINCRBY", h, "m", "1"], ["HINCRBY", h, "r", String(recipients)], ["EXPIREAT", h, String((hour + 1) * 3600)],
            ["HINCRBY", d, "m", "1"], ["HINCRBY", d, "r", String(recipients)], ["EXPIREAT", d, String((day + 1) * 86_400)],
            ["ZADD", key("limits"), String(now), who], ["ZREMRANGEBYSCORE", key("limits"), "-inf", String(day * 86_400 - 1)],
        ]))
    }

    public func sendingCounters(now: Int) throws -> [(who: String, counts: SendingCounts)] {
        let day = SendingCounts.buckets(now).day
        let r = try check(redis.pipeline([["ZRANGEBYSCORE", key("limits"), String(day * 86_400), "+inf"]]))
        return try r[0].array.compactMap(\.string).sorted().map { ($0, try sendingCounts($0, now: now)) }
    }

    public func resetSending(_ who: String, now: Int) throws {
        let (hour, day) = SendingCounts.buckets(now)
        _ = try check(redis.pipeline([["DEL", key("lim", who, "h\(hour)"), key("lim", who, "d\(day)")], ["ZREM", key("limits"), who]]))
    }

    // M12: `fz:BAND` a sorted set of learnt signatures scored by their expiry; `fzs:BAND:r` and
    // `fzs:BAND:h` the recipients (hashed) and hosts that saw the band key, scored by time.
    public func fuzzyObserve(bands: [UInt64], recipients: [String], host: String, window: Int, now: Int, record: Bool) throws -> FuzzyObservation {
        let since = String(now - window)
        var commands: [[String]] = []
        for band in bands.map(FuzzyRecord.hex) {
            let r = key("fzs", band, "r"), h = key("fzs", band, "h")
            if record && !recipients.isEmpty {
                commands.append(["ZADD", r] + recipients.flatMap { [String(now), FuzzyRecord.recipientKey($0)] })
                commands.append(["ZADD", h, String(now), host])
                commands += [["ZREMRANGEBYSCORE", r, "-inf", since], ["ZREMRANGEBYSCORE", h, "-inf", since],
                             ["EXPIRE", r, String(window)], ["EXPIRE", h, String(window)]]
            }
            commands += [["ZRANGEBYSCORE", key("fz", band), String(now + 1), "+inf", "LIMIT", "0", String(FuzzyRecord.candidates)],
                         ["ZCOUNT", r, "(" + since, "+inf"], ["ZCOUNT", h, "(" + since, "+inf"]]
        }
        let replies = try check(redis.pipeline(commands))
        var out = FuzzyObservation()
        var seen = Set<String>()
        // The last three replies of each band's commands are its reads.
        let each = commands.count / max(1, bands.count)
        for b in 0..<bands.count {
            let base = b * each + each - 3
            for v in replies[base].array {
                if let t = v.string, seen.insert(t).inserted, let s = FuzzyRecord.signature(t) { out.learnt.append(s) }
            }
            out.recipients = max(out.recipients, replies[base + 1].integer ?? 0)
            out.hosts = max(out.hosts, replies[base + 2].integer ?? 0)
        }
        return out
    }

    public func fuzzyLearn(bands: [UInt64], signature: [UInt64], lifetime: Int, now: Int) throws {
        let text = FuzzyRecord.text(signature)
        var commands: [[String]] = []
        for band in bands.map(FuzzyRecord.hex) {
            let k = key("fz", band)
            commands += [["ZADD", k, String(now + lifetime), text], ["ZREMRANGEBYSCORE", k, "-inf", String(now)],
                         ["EXPIREAT", k, String(now + lifetime)]]
        }
        _ = try check(redis.pipeline(commands))
    }

    public func openConnection(_ slot: ConnectionSlot, now: Int, lifetime: Int) throws -> ConnectionCounts {
        let open = key("conn", slot.ip), minute = key("cmin", slot.ip), net = key("cmin-net", slot.network)
        let stamp = "\(now) \(slot.member) \(Int.random(in: 0..<1_000_000_000))"
        let r = try check(redis.pipeline([
            ["ZADD", open, String(now), slot.member],
            ["ZREMRANGEBYSCORE", open, "-inf", String(now - lifetime)],
            ["EXPIRE", open, String(max(1, lifetime))],
            ["ZRANGE", open, "0", "-1"],
            ["ZADD", minute, String(now), stamp], ["ZREMRANGEBYSCORE", minute, "-inf", String(now - 60)], ["EXPIRE", minute, "60"],
            ["ZCARD", minute],
            ["ZADD", net, String(now), stamp], ["ZREMRANGEBYSCORE", net, "-inf", String(now - 60)], ["EXPIRE", net, "60"],
            ["ZCARD", net],
        ] + statusCommands(slot.ip, now: now)))
        prefetched = Prefetched(ip: slot.ip, now: now, status: banStatus(r[12...]))
        // This host's slots whose process is gone: not counted, and removed without waiting for
        // the reply (a qsentry-conn process execs away, so its slot is always left for the next).
        let members = r[3].array.compactMap(\.string)
        let dead = members.filter { m in
            let parts = m.split(separator: " ")
            guard parts.count == 2, String(parts[0]) == slot.host, let pid = Int32(parts[1]) else { return false }
            return !ConnectionSlot.isAlive(pid)
        }
        if !dead.isEmpty { redis.send([["ZREM", open] + dead]) }
        return ConnectionCounts(concurrent: members.count - dead.count, lastMinute: r[7].integer ?? 0, networkLastMinute: r[11].integer ?? 0)
    }

    public func clearTokens(_ namespace: String) throws {
        _ = try check(redis.pipeline([["DEL", key("bayes", namespace, "s"), key("bayes", namespace, "h")]]))
    }
}
