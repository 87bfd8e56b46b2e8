#if canImport(Glibc)
import Glibc
#endif
import CHiredis

/// A Redis reply, copied out of hiredis' structure.
indirect enum RedisValue: Equatable {
    case string(String), integer(Int), array([RedisValue]), null, status(String), error(String)

    var string: String? {
        switch self {
        case .string(let s), .status(let s): return s
        case .integer(let n): return String(n)
        default: return nil
        }
    }
    var integer: Int? {
        switch self {
        case .integer(let n): return n
        case .string(let s): return Int(s)
        default: return nil
        }
    }
    var array: [RedisValue] { if case .array(let a) = self { return a } else { return [] } }
}

/// The end of one store operation: every connect and read of it gets what is left.
struct RedisDeadline {
    let end: Int

    init(milliseconds: Int) { end = Self.now() + milliseconds }

    static func now() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
    }

    var remainingMilliseconds: Int { max(0, end - Self.now()) }
    var expired: Bool { remainingMilliseconds == 0 }
    var timeval: timeval {
        let ms = max(1, remainingMilliseconds)
        return Glibc.timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
    }
}

/// hiredis calls, one connection at a time. A `Failure` is the connection's (refused, reset,
/// timed out, not the master): the caller may reconnect; an error reply is a value.
enum RedisLink {
    struct Failure: Error { let text: String }

    static func open(_ endpoint: RedisAddress.Endpoint, _ deadline: RedisDeadline) throws -> UnsafeMutablePointer<redisContext> {
        try checked(redisConnectWithTimeout(endpoint.host, endpoint.port, deadline.timeval), endpoint.description)
    }

    static func open(unix path: String, _ deadline: RedisDeadline) throws -> UnsafeMutablePointer<redisContext> {
        try checked(redisConnectUnixWithTimeout(path, deadline.timeval), "unix://" + path)
    }

    static func checked(_ context: UnsafeMutablePointer<redisContext>?, _ server: String) throws -> UnsafeMutablePointer<redisContext> {
        guard let c = context else { throw Failure(text: "\(server): cannot allocate a connection") }
        if c.pointee.err != 0 {
            let message = errorText(c)
            redisFree(c)
            throw Failure(text: "\(server): \(message)")
        }
        return c
    }

    static func errorText(_ c: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: c.pointee.errstr) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
        // hiredis says "Resource temporarily unavailable" for a read past SO_RCVTIMEO.
        return text == "Resource temporarily unavailable" ? "no answer within the deadline" : text
    }

    /// Sends every command, then reads every reply in order: one round trip. `skipping`: replies
    /// of commands sent earlier without waiting, read first and dropped.
    static func exchange(_ c: UnsafeMutablePointer<redisContext>, _ commands: [[String]], _ deadline: RedisDeadline,
                         server: String, skipping: Int = 0) throws -> [RedisValue] {
        if deadline.expired { throw Failure(text: "\(server): no answer within the deadline") }
        redisSetTimeout(c, deadline.timeval)
        try append(c, commands, server: server)
        var values: [RedisValue] = []
        values.reserveCapacity(commands.count)
        for i in 0..<(skipping + commands.count) {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(c, &raw) == REDIS_OK, let r = raw else { throw Failure(text: "\(server): \(errorText(c))") }
            if i >= skipping { values.append(convert(r.assumingMemoryBound(to: redisReply.self))) }
            freeReplyObject(r)
        }
        return values
    }

    static func append(_ c: UnsafeMutablePointer<redisContext>, _ commands: [[String]], server: String) throws {
        for command in commands {
            let cstrings = command.map { strdup($0) }
            defer { cstrings.forEach { free($0) } }
            var argv: [UnsafePointer<CChar>?] = cstrings.map { UnsafePointer($0) }
            var lengths: [Int] = command.map { $0.utf8.count }
            if redisAppendCommandArgv(c, Int32(command.count), &argv, &lengths) != REDIS_OK {
                throw Failure(text: "\(server): \(errorText(c))")
            }
        }
    }

    static func convert(_ r: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let text = { () -> String in
            guard let s = r.pointee.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: s, count: Int(r.pointee.len)), as: UTF8.self)
        }
        switch r.pointee.type {
        case REDIS_REPLY_STRING: return .string(text())
        case REDIS_REPLY_STATUS: return .status(text())
        case REDIS_REPLY_ERROR: return .error(text())
        case REDIS_REPLY_INTEGER: return .integer(Int(r.pointee.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            for i in 0..<Int(r.pointee.elements) {
                if let e = r.pointee.element[i] { items.append(convert(e)) }
            }
            return .array(items)
        default: return .null
        }
    }
}

/// The store's connection to Redis: one server, or the master Sentinel names (P5). Every
/// `pipeline` is one operation with the address's deadline, connecting included; a connection
/// that fails (reset, refused, demoted master) is dropped and made again once within the same
/// deadline, so a long-lived process outlives a Redis restart or failover. A retried pipeline
/// may run twice on the server when the first reply was lost: counters may then count one
/// extra, which a limit errs on the safe side with.
final class RedisConnection {
    let address: RedisAddress
    private var context: UnsafeMutablePointer<redisContext>?
    /// Where `context` goes, for messages.
    private(set) var server: String
    /// AUTH, ROLE (Sentinel) and SELECT, sent ahead of the first commands after a connect: no extra trip.
    private var preamble: [[String]] = []
    private let credentials: RedisCredentials?
    private let cache: RedisSentinel.Cache?
    /// Replies to `send`'s commands not read yet: the next exchange reads them first.
    private var unread = 0
    /// Exchanges waited for, connecting to a sentinel included (tests hold the per-connection budget to it).
    private(set) var roundTrips = 0

    /// `masterCache`: where the master Sentinel named is remembered (nil: ask every time);
    /// `credentials`: AUTH for the server and the sentinels (control/qsentry/store-auth).
    init(address: RedisAddress, masterCache: String? = nil, credentials: RedisCredentials? = nil) throws {
        self.address = address
        self.credentials = credentials
        server = address.text
        cache = masterCache.map(RedisSentinel.Cache.init)
        do { try connect(RedisDeadline(milliseconds: address.timeoutMilliseconds), trustCache: true) } catch let f as RedisLink.Failure {
            throw StoreError(f.text)
        }
    }

    deinit { disconnect() }

    private func disconnect() {
        if let c = context { redisFree(c) }
        context = nil
    }

    private func connect(_ deadline: RedisDeadline, trustCache: Bool) throws {
        disconnect()
        preamble = []
        unread = 0
        switch address.kind {
        case .tcp(let endpoint):
            context = try RedisLink.open(endpoint, deadline)
            server = endpoint.description
        case .unix(let path):
            context = try RedisLink.open(unix: path, deadline)
            server = "unix://" + path
        case .sentinel(let sentinels, let master):
            if trustCache, let known = cache?.read(master), let c = try? RedisLink.open(known, deadline) {
                context = c
                server = known.description
            } else {
                let found = try RedisSentinel.discover(sentinels, master: master, auth: credentials?.sentinelCommand, deadline: deadline)
                roundTrips += 1
                context = try RedisLink.open(found, deadline)
                server = found.description
                cache?.write(master, found)
            }
            preamble.append(["ROLE"])
        }
        // First: before AUTH, a server with a password answers every other command NOAUTH.
        if let auth = credentials?.serverCommand { preamble.insert(auth, at: 0) }
        if address.database != 0 { preamble.append(["SELECT", String(address.database)]) }
    }

    /// Sends every command, then reads every reply in order: one round trip (a second only after
    /// a failed connection, within the deadline).
    func pipeline(_ commands: [[String]]) throws -> [RedisValue] {
        let deadline = RedisDeadline(milliseconds: address.timeoutMilliseconds)
        var failure = RedisLink.Failure(text: "")
        for attempt in 0..<2 {
            do {
                if context == nil { try connect(deadline, trustCache: attempt == 0) }
                return try exchange(commands, deadline)
            } catch let f as RedisLink.Failure {
                disconnect()
                failure = f
                if deadline.expired { break }
            }
        }
        throw StoreError(failure.text)
    }

    /// Sends `commands` without waiting for their replies (housekeeping whose answer changes
    /// nothing: no round trip). A failure is silent: the next exchange reconnects.
    func send(_ commands: [[String]]) {
        guard let c = context, preamble.isEmpty else { return }
        do {
            try RedisLink.append(c, commands, server: server)
            var done: Int32 = 0
            while done == 0 { if redisBufferWrite(c, &done) != REDIS_OK { disconnect(); return } }
            unread += commands.count
        } catch { disconnect() }
    }

    private func exchange(_ commands: [[String]], _ deadline: RedisDeadline) throws -> [RedisValue] {
        guard let c = context else { throw RedisLink.Failure(text: "\(server): not connected") }
        let sent = preamble
        roundTrips += 1
        var values = try RedisLink.exchange(c, sent + commands, deadline, server: server, skipping: unread)
        unread = 0
        for command in sent {
            let reply = values.removeFirst()
            if command[0] == "ROLE", reply.array.first?.string != "master" {
                throw RedisLink.Failure(text: "\(server): not the master (\(reply.array.first?.string ?? "no role")): failover under way")
            }
            if command[0] == "SELECT", case .error(let e) = reply { throw StoreError("\(server): SELECT: \(e)") }
            // A wrong password is the configuration's fault, not the link's: no second try. (The
            // server's text names no password.)
            if command[0] == "AUTH", case .error(let e) = reply { throw StoreError("\(server): AUTH: \(e)") }
        }
        preamble = []
        return values
    }
}
