import QSentryCore

/// System users from /etc/passwd, read as qmail-getpw needs them (name, uid, home).
///
/// Read directly rather than through getpwnam: the per-connection programs are static
/// executables, where NSS modules cannot be loaded. Users only an NSS service knows
/// (LDAP, NIS) are therefore not seen; list them in users/assign (qmail-newu) instead.
public struct PasswdFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let uid: Int
        public let home: String
    }

    let entries: [String: Entry]

    public init(text: String) {
        var e: [String: Entry] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 7, let uid = Int(f[2]) else { continue }
            let name = String(f[0])
            if e[name] == nil { e[name] = Entry(name: name, uid: uid, home: String(f[5])) }
        }
        entries = e
    }

    public static func load(_ path: String = "/etc/passwd") throws -> PasswdFile {
        PasswdFile(text: String(decoding: try FileBytes.read(path, limit: 64 << 20), as: UTF8.self))
    }

    public func user(_ name: String) -> Entry? { entries[name] }
}
