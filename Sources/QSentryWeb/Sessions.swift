#if canImport(Glibc)
import Glibc
#endif
import QSentryAdmin

/// A3: the console's sessions, in memory (a restart logs everyone out). A session is a random
/// 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure under TLS), with its own CSRF
/// token that every state-changing form carries; it ends after `idle` seconds without a request
/// or `absolute` seconds after the login, whichever comes first.
public actor SessionStore {
    public struct Session: Sendable {
        public let token: String
        public let csrf: String
        public let identity: Identity
        public let created: Int
        public var seen: Int
    }

    public let idle: Int
    public let absolute: Int
    private var sessions: [String: Session] = [:]

    public init(idle: Int = 1800, absolute: Int = 12 * 3600) {
        self.idle = idle
        self.absolute = absolute
    }

    public func create(_ identity: Identity, now: Int) -> Session {
        expire(now: now)
        let s = Session(token: Self.randomToken(), csrf: Self.randomToken(), identity: identity, created: now, seen: now)
        sessions[s.token] = s
        return s
    }

    /// The live session of `token`, its idle clock restarted; nil when unknown or expired.
    public func session(_ token: String, now: Int) -> Session? {
        guard var s = sessions[token] else { return nil }
        if now - s.seen > idle || now - s.created > absolute {
            sessions[token] = nil
            return nil
        }
        s.seen = now
        sessions[token] = s
        return s
    }

    public func end(_ token: String) { sessions[token] = nil }

    func expire(now: Int) {
        sessions = sessions.filter { now - $0.value.seen <= idle && now - $0.value.created <= absolute }
    }

    /// 32 bytes from the system's generator (getrandom on Linux: a CSPRNG), as 64 hex digits.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// Equal tokens, compared in the same time wherever they differ.
    public static func same(_ a: String, _ b: String) -> Bool { ConstantTime.equal(Array(a.utf8), Array(b.utf8)) }
}
