/// Where the shared store is, as `control/qsentry/store` names it (P2, P5):
///
/// - `redis://HOST[:PORT][/DB]`: one Redis server (`[::1]` for an IPv6 address);
/// - `unix:///PATH[?db=N]`: one Redis server on a local socket;
/// - `sentinel://HOST:PORT[,HOST:PORT…]/MASTER[/DB]`: the master that Redis Sentinel names
///   `MASTER`, asked of the sentinels in turn, followed to the promoted replica after a failover.
///
/// Each form takes `?timeout=MS` (also `&timeout=MS` after `?db=N`): the deadline for one store
/// operation, connecting and failover included (default 500 ms). Past it the operation fails, and
/// every rule has its documented answer for a store that does not answer.
public struct RedisAddress: Sendable, Equatable {
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public let host: String
        public let port: Int32
        public init(host: String, port: Int32) {
            self.host = host
            self.port = port
        }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public enum Kind: Sendable, Equatable {
        case tcp(Endpoint)
        case unix(path: String)
        case sentinel([Endpoint], master: String)
    }

    public let kind: Kind
    public let database: Int
    public let timeoutMilliseconds: Int
    /// The line as written, for messages.
    public let text: String

    public static let defaultTimeout = 500

    public init(_ url: String) throws {
        text = url
        func fail(_ why: String) -> StoreError { StoreError("\(url): \(why)") }
        var rest = Substring(url)
        var query: [(String, String)] = []
        if let q = rest.firstIndex(of: "?") {
            for item in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { throw fail("\"\(item)\" is not key=value") }
                query.append((String(kv[0]), String(kv[1])))
            }
            rest = rest[..<q]
        }
        var database = 0
        var timeout = Self.defaultTimeout
        for (key, value) in query {
            guard let n = Int(value), n >= 0 else { throw fail("\(key)=\(value): expected a whole number") }
            switch key {
            case "db": database = n
            case "timeout":
                guard (10...60_000).contains(n) else { throw fail("timeout=\(n): between 10 and 60000 milliseconds") }
                timeout = n
            default: throw fail("unknown option \"\(key)\" (db, timeout)")
            }
        }
        if rest.hasPrefix("unix://") {
            let path = String(rest.dropFirst(7))
            guard path.hasPrefix("/") else { throw fail("a unix:// URL needs an absolute path") }
            kind = .unix(path: path)
        } else if rest.hasPrefix("redis://") {
            var hostPort = rest.dropFirst(8)
            if let slash = hostPort.firstIndex(of: "/") {
                database = try Self.database(hostPort[hostPort.index(after: slash)...], fail)
                hostPort = hostPort[..<slash]
            }
            kind = .tcp(try Self.endpoint(hostPort, defaultPort: 6379, fail))
        } else if rest.hasPrefix("sentinel://") {
            let parts = rest.dropFirst(11).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3, !parts[1].isEmpty else {
                throw fail("expected sentinel://HOST:PORT[,HOST:PORT…]/MASTER[/DB]")
            }
            let sentinels = try parts[0].split(separator: ",").map { try Self.endpoint($0, defaultPort: 26379, fail) }
            guard !sentinels.isEmpty else { throw fail("no sentinel named") }
            guard parts[1].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw fail("\"\(parts[1])\" is not a master name (letters, digits, - _ .)")
            }
            if parts.count == 3 { database = try Self.database(parts[2], fail) }
            kind = .sentinel(sentinels, master: String(parts[1]))
        } else {
            throw fail("not a redis://, unix:// or sentinel:// URL")
        }
        self.database = database
        timeoutMilliseconds = timeout
    }

    static func database(_ s: Substring, _ fail: (String) -> StoreError) throws -> Int {
        if s.isEmpty { return 0 }
        guard let n = Int(s), (0...1000).contains(n) else { throw fail("\"\(s)\" is not a database number") }
        return n
    }

    /// `HOST[:PORT]` or `[V6]:PORT`.
    static func endpoint(_ s: Substring, defaultPort: Int32, _ fail: (String) -> StoreError) throws -> Endpoint {
        var host = s
        var port = defaultPort
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw fail("\"\(s)\": unclosed [") }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int32(after.dropFirst()) else { throw fail("\"\(s)\": bad port") }
                port = p
            }
        } else if let colon = s.lastIndex(of: ":") {
            guard let p = Int32(s[s.index(after: colon)...]) else { throw fail("\"\(s)\": bad port") }
            host = s[..<colon]
            port = p
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw fail("\"\(s)\": expected HOST:PORT") }
        return Endpoint(host: String(host), port: port)
    }
}
