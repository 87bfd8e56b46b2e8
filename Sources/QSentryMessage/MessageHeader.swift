#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// The header of a message as it was received, field by field, byte for byte (folding kept): what
/// DKIM and ARC hash (QSentryAuth), what Authentication-Results, DMARC and the signer read, and
/// what qsentry-local reads of qsentry-queue's Authentication-Results. qmail's queue
/// holds LF-ended lines; a CR before the LF is kept as it came.
public struct MessageHeader {
    public struct Field {
        /// The name, lower-cased (`dkim-signature`).
        public let name: String
        /// The whole field: name, colon, value with its folding, without the final line ending.
        public let raw: [UInt8]
        /// Where the field starts in the bytes it was read from, and where the next line starts.
        public var span: Range<Int> = 0..<0
        /// The value after the colon, unfolded and trimmed.
        public var value: String {
            guard let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { return "" }
            var out: [UInt8] = []
            for b in raw[(colon + 1)...] where b != 0x0D && b != 0x0A { out.append(b) }
            return String(decoding: out, as: UTF8.self).trimmed
        }
    }

    public var fields: [Field] = []
    /// Where the body starts (after the empty line), in the bytes the header was read from.
    public var bodyOffset = 0

    /// A header of more than this is not parsed further (DKIM signs what it can see of it).
    public static let maxBytes = 1 << 20
    public static let maxFields = 1000

    public init() {}

    /// The header of `bytes` (a whole message or its first part).
    public init(parsing bytes: [UInt8]) {
        var i = 0
        var start = 0
        let n = min(bytes.count, Self.maxBytes)
        while i < n {
            guard let eol = bytes[i..<n].firstIndex(of: 0x0A) else { break }
            let lineEnd = eol > i && bytes[eol - 1] == 0x0D ? eol - 1 : eol
            if lineEnd == i {  // the empty line
                if start < i { append(bytes[start..<lineStartEnding(bytes, i)], next: i) }
                bodyOffset = eol + 1
                return
            }
            let next = eol + 1
            // A line starting with space or tab continues the field before it.
            if i > start, bytes[i] != 0x20, bytes[i] != 0x09 {
                append(bytes[start..<lineStartEnding(bytes, i)], next: i)
                start = i
            }
            i = next
        }
        if start < i { append(bytes[start..<lineStartEnding(bytes, i)], next: i) }
        bodyOffset = i
    }

    /// The end of the field that ends just before the line starting at `i` (its LF, or CR LF, cut).
    private func lineStartEnding(_ bytes: [UInt8], _ i: Int) -> Int {
        var e = i
        if e > 0, bytes[e - 1] == 0x0A { e -= 1 }
        if e > 0, bytes[e - 1] == 0x0D { e -= 1 }
        return e
    }

    private mutating func append(_ raw: ArraySlice<UInt8>, next: Int) {
        guard fields.count < Self.maxFields, let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: raw[raw.startIndex..<colon], as: UTF8.self).trimmed.lowercased()
        guard !name.isEmpty else { return }
        fields.append(Field(name: name, raw: Array(raw), span: raw.startIndex..<next))
    }

    public func all(_ name: String) -> [Field] { fields.filter { $0.name == name } }
    public func first(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// Reads the header from the start of `fd` (the spool), at most `maxBytes`.
    public static func read(_ fd: Int32) throws -> (header: MessageHeader, bytes: [UInt8]) {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw SystemError("lseek", path: "spool", errno: errno) }
        var bytes: [UInt8] = []
        var buffer = FileBytes.buffer(64 * 1024)
        while bytes.count < maxBytes {
            let n = try FileBytes.readSome(fd, into: &buffer, path: "spool")
            if n == 0 { break }
            let before = bytes.count
            bytes += buffer[0..<n]
            // Stop at the empty line that ends the header.
            if endsHeader(bytes, from: max(0, before - 2)) { break }
        }
        return (MessageHeader(parsing: bytes), bytes)
    }

    /// Whether an empty line (LF LF or LF CR LF) starts at or after `from`.
    static func endsHeader(_ b: [UInt8], from: Int) -> Bool {
        var i = from
        while i + 1 < b.count {
            if b[i] == 0x0A && (b[i + 1] == 0x0A || (b[i + 1] == 0x0D && i + 2 < b.count && b[i + 2] == 0x0A)) { return true }
            i += 1
        }
        return false
    }
}

/// A DKIM tag list (RFC 6376 §3.2): `v=1; a=rsa-sha256; d=example.com; …`, names lower-cased,
/// values with their folding white space removed (b= and bh= are base64 with spaces allowed).
public struct TagList {
    public private(set) var tags: [(name: String, value: String)] = []
    public init(_ text: String) {
        for item in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let eq = item.firstIndex(of: "=") else { continue }
            let name = item[item.startIndex..<eq].trimmed.lowercased()
            let value = String(item[item.index(after: eq)...].filter { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" })
            if !name.isEmpty, !tags.contains(where: { $0.name == name }) { tags.append((name, value)) }
        }
    }
    public subscript(_ name: String) -> String? { tags.first { $0.name == name }?.value }
}
