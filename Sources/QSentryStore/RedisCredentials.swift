#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// What the store proves itself with to Redis (P2, P5), from `control/qsentry/store-auth`, a file
/// of its own so that `store` stays readable by all and the secret does not:
///
///     password=SECRET            AUTH SECRET (requirepass), or with user= AUTH NAME SECRET (an ACL user)
///     user=NAME
///     sentinel-password=SECRET   the sentinels' own requirepass, for sentinel:// URLs
///
/// The file belongs to group qsentry, mode 0640 (`qsentry check` says so when others may read it).
/// Each value is the rest of its line after `=`, inner spaces included (trailing spaces and tabs are
/// dropped, as in every control file); a line starting with `#` is a comment.
public struct RedisCredentials: Sendable, Equatable {
    public var user: String?
    public var password: String?
    public var sentinelPassword: String?

    public init(user: String? = nil, password: String? = nil, sentinelPassword: String? = nil) {
        self.user = user
        self.password = password
        self.sentinelPassword = sentinelPassword
    }

    public static let fileName = "store-auth"

    /// The control file, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init(fileName, .qsentry, .checkedBy({ lines, path in problems(lines, path) }),
              "Redis AUTH for the shared store: password=, user= (an ACL user), sentinel-password= (P2, P5); group qsentry, mode 0640"),
    ]

    /// `control/qsentry/store-auth`, or nil without the file (no AUTH is sent).
    public static func load(_ root: QmailRoot) throws -> RedisCredentials? {
        let path = root.qsentry(fileName)
        guard let lines = try ControlFile.lines(path), !lines.isEmpty else { return nil }
        return try parse(lines, path)
    }

    static func parse(_ lines: [ControlLine], _ path: String) throws -> RedisCredentials {
        var c = RedisCredentials()
        for line in lines {
            // Not ControlFile.keyValues: it trims a value's leading spaces, and they may be part of a password.
            guard let eq = line.text.firstIndex(of: "=") else {
                throw ControlError(path: path, line: line.number, "expected password=, user= or sentinel-password=")
            }
            let key = String(line.text[..<eq]).trimmed, value = String(line.text[line.text.index(after: eq)...])
            guard !value.isEmpty else { throw ControlError(path: path, line: line.number, "\(key)= is empty") }
            switch key {
            case "password": c.password = value
            case "user": c.user = value
            case "sentinel-password": c.sentinelPassword = value
            default: throw ControlError(path: path, line: line.number, "unknown setting \"\(SMTPReply.sanitize(key))\" (password, user, sentinel-password)")
            }
        }
        if c.user != nil && c.password == nil { throw ControlError(path: path, "user= needs a password=") }
        return c
    }

    /// For `qsentry check`: the first malformed line, and a file others may read.
    static func problems(_ lines: [ControlLine], _ path: String) -> [ControlError] {
        var out: [ControlError] = []
        do { _ = try parse(lines, path) } catch let e as ControlError { out.append(e) } catch { out.append(ControlError(path: path, "\(error)")) }
        if let exposed = SecretFile.exposure(path, holds: "the Redis password") { out.append(exposed) }
        return out
    }

    /// AUTH for the data server, nil without a password: `AUTH PASSWORD`, or `AUTH USER PASSWORD`.
    var serverCommand: [String]? {
        guard let password else { return nil }
        if let user { return ["AUTH", user, password] }
        return ["AUTH", password]
    }

    /// AUTH for a sentinel, nil without `sentinel-password`.
    var sentinelCommand: [String]? { sentinelPassword.map { ["AUTH", $0] } }
}
