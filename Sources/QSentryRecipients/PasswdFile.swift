#if canImport(Glibc)
import Glibc
#endif
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
        var name = name
        return name.withUTF8 { key in
            guard !key.isEmpty, !key.contains(UInt8(ascii: ":")), !key.contains(0x0A) else { return nil }
            return bytes.withUnsafeBufferPointer { file in Self.find(key, in: file) }
        }
    }

    /// The first good line for `key` in `file`: memchr from line to line and memcmp on the name, on
    /// the bytes (ArraySlice's index searches cost some 10 instructions a byte of the file).
    static func find(_ key: UnsafeBufferPointer<UInt8>, in file: UnsafeBufferPointer<UInt8>) -> Entry? {
        guard let base = file.baseAddress, let keyBase = key.baseAddress else { return nil }
        var start = 0
        while start < file.count {
            let end = memchr(base + start, 0x0A, file.count - start).map { UnsafeRawPointer(base).distance(to: $0) } ?? file.count
            if end - start > key.count, file[start + key.count] == UInt8(ascii: ":"), memcmp(base + start, keyBase, key.count) == 0,
               let entry = entry(UnsafeBufferPointer(rebasing: file[start..<end])) {
                return entry
            }
            start = end + 1
        }
        return nil
    }

    /// One line's name, uid and home; nil for a line without the seven fields or a numeric uid.
    static func entry(_ line: UnsafeBufferPointer<UInt8>) -> Entry? {
        // The six colons that part the seven fields (name:passwd:uid:gid:gecos:home:shell).
        var colons: [Int] = []
        for (i, b) in line.enumerated() where b == UInt8(ascii: ":") {
            colons.append(i)
            if colons.count == 6 { break }
        }
        guard colons.count == 6, let uid = decimal(UnsafeBufferPointer(rebasing: line[(colons[1] + 1)..<colons[2]])) else { return nil }
        func text(_ from: Int, _ to: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: line[from..<to]), as: UTF8.self) }
        return Entry(name: text(0, colons[0]), uid: uid, home: text(colons[4] + 1, colons[5]))
    }

    /// A uid: decimal digits, at most 18 of them (no sign, no overflow).
    static func decimal(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var n = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(d - UInt8(ascii: "0"))
        }
        return n
    }
}
