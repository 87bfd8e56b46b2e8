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

/// One hiredis connection with a deadline on connect and on every reply. Commands are
/// pipelined: `pipeline` sends them all, then reads every reply: one round trip.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    let address: String

    /// `redis://HOST[:PORT][/DB]` or `unix:///PATH[?db=N]`.
    init(url: String, timeoutMilliseconds: Int) throws {
        address = url
        let tv = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        var db = 0
        var ctx: UnsafeMutablePointer<redisContext>?
        if url.hasPrefix("unix://") {
            var path = String(url.dropFirst(7))
            if let q = path.firstIndex(of: "?") {
                let query = path[path.index(after: q)...]
                if query.hasPrefix("db=") { db = Int(query.dropFirst(3)) ?? 0 }
                path = String(path[..<q])
            }
            ctx = redisConnectUnixWithTimeout(path, tv)
        } else if url.hasPrefix("redis://") {
            var rest = Substring(url.dropFirst(8))
            if let slash = rest.firstIndex(of: "/") {
                db = Int(rest[rest.index(after: slash)...]) ?? 0
                rest = rest[..<slash]
            }
            var host = String(rest)
            var port: Int32 = 6379
            if let colon = rest.lastIndex(of: ":"), let p = Int32(rest[rest.index(after: colon)...]) {
                host = String(rest[..<colon])
                port = p
            }
            ctx = redisConnectWithTimeout(host, port, tv)
        } else {
            throw StoreError("\(url): not a redis:// or unix:// URL")
        }
        guard let c = ctx else { throw StoreError("\(url): cannot allocate a connection") }
        if c.pointee.err != 0 {
            let message = RedisConnection.errorText(c)
            redisFree(c)
            throw StoreError("\(url): \(message)")
        }
        redisSetTimeout(c, tv)
        context = c
        // SELECT rides in the first pipeline: a check stays one round trip.
        if db != 0 { pendingSelect = ["SELECT", String(db)] }
    }

    private var pendingSelect: [String]?

    deinit { redisFree(context) }

    static func errorText(_ c: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: c.pointee.errstr) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
    }

    /// Sends every command, then reads every reply in order.
    func pipeline(_ requested: [[String]]) throws -> [RedisValue] {
        var commands = requested
        let selecting = pendingSelect != nil
        if let select = pendingSelect {
            commands.insert(select, at: 0)
            pendingSelect = nil
        }
        for command in commands {
            let cstrings = command.map { strdup($0) }
            defer { cstrings.forEach { free($0) } }
            var argv: [UnsafePointer<CChar>?] = cstrings.map { UnsafePointer($0) }
            var lengths: [Int] = command.map { $0.utf8.count }
            if redisAppendCommandArgv(context, Int32(command.count), &argv, &lengths) != REDIS_OK {
                throw StoreError("\(address): \(RedisConnection.errorText(context))")
            }
        }
        var values: [RedisValue] = []
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let r = raw else {
                throw StoreError("\(address): \(RedisConnection.errorText(context))")
            }
            let reply = r.assumingMemoryBound(to: redisReply.self)
            values.append(RedisConnection.convert(reply))
            freeReplyObject(r)
        }
        if selecting {
            if case .error(let e) = values[0] { throw StoreError("\(address): SELECT: \(e)") }
            values.removeFirst()
        }
        return values
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
