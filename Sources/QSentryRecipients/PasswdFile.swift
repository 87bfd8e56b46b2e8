import QSentryCore

/// System users from /etc/passwd, read as qmail-getpw needs them (name, uid, home).
///
/// Read directly rather than through getpwnam: the per-connection programs are static
/// executables, where NSS modules cannot be loaded. Users only an NSS service knows
/// (LDAP, NIS) are therefore not seen; list them in users/assign (qmail-newu) instead.
///
/// The file is kept as bytes and searched for the one name asked (the first line with it wins,
/// as getpwnam's does): a recipient check asks for one or two names, and building a table of
/// every user cost more than the rest of the check (bench/chain.sh's RCPT step).
public struct PasswdFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let uid: Int
        public let home: String
    }

    let bytes: [UInt8]

    public init(text: String) { bytes = Array(text.utf8) }
    init(bytes: [UInt8]) { self.bytes = bytes }

    public static func load(_ path: String = "/etc/passwd") throws -> PasswdFile {
        PasswdFile(bytes: try FileBytes.read(path, limit: 64 << 20))
    }

    public func user(_ name: String) -> Entry? {
        let key = Array(name.utf8)
        guard !key.isEmpty, !key.contains(UInt8(ascii: ":")), !key.contains(0x0A) else { return nil }
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            if end - start > key.count, bytes[start + key.count] == UInt8(ascii: ":"), bytes[start..<(start + key.count)].elementsEqual(key),
               let entry = Self.entry(bytes[start..<end]) {
                return entry
            }
            start = end + 1
        }
        return nil
    }

    /// One line's name, uid and home; nil for a line without the seven fields or a numeric uid.
    static func entry(_ line: ArraySlice<UInt8>) -> Entry? {
        let f = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard f.count >= 7, let uid = Int(String(decoding: f[2], as: UTF8.self)) else { return nil }
        return Entry(name: String(decoding: f[0], as: UTF8.self), uid: uid, home: String(decoding: f[5], as: UTF8.self))
    }
}
