#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// Copies a message into its Maildir file: qmail's Return-Path and Delivered-To lines, the spam
/// headers, then the message with every `X-Spam-*` field it came with removed (a sender must not
/// be able to forge `X-Spam-Flag: NO` or a status past the user's filters) and, for spam, the
/// subject prefixed. Header lines are handled one at a time; the body is copied in blocks.
public struct TaggedCopy {
    let head: [UInt8]
    let tag: SpamTag
    /// A header line longer than this ends header processing (the rest is copied as it is).
    static let maxHeaderLine = 64 * 1024

    public init(returnPath: String, deliveredTo: String, tag: SpamTag) {
        head = Array((returnPath + deliveredTo + tag.headerLines).utf8)
        self.tag = tag
    }

    /// Copies from `input` (read from its start) to `out`; false on any read or write error.
    public func copy(from input: Int32, to out: Int32) -> Bool {
        guard lseek(input, 0, SEEK_SET) == 0 else { return false }
        var writer = BufferedWriter(fd: out)
        writer.append(head)
        var inHeader = true
        var dropping = false
        var subjectDone = !tag.isSpam || tag.subjectPrefix == nil
        var line: [UInt8] = []
        var buffer = FileBytes.buffer(64 * 1024)

        func headerLine(_ l: [UInt8]) {
            let isContinuation = l.first == UInt8(ascii: " ") || l.first == UInt8(ascii: "\t")
            if isContinuation {
                if !dropping { writer.append(l) }
                return
            }
            let blank = l == [10] || l == [13, 10]
            if blank || !Self.isField(l) {
                // The end of the header: a spam message without a subject gets one.
                if !subjectDone { writer.append(Array("Subject: \(tag.subjectPrefix!)\n".utf8)); subjectDone = true }
                inHeader = false
                writer.append(l)
                return
            }
            dropping = Self.hasName(l, "x-spam-")
            if dropping { return }
            if !subjectDone && Self.hasName(l, "subject:") {
                subjectDone = true
                writer.append(prefixed(l))
                return
            }
            writer.append(l)
        }

        while true {
            guard let n = try? FileBytes.readSome(input, into: &buffer, path: "message") else { return false }
            if n == 0 { break }
            var start = 0
            while inHeader && start < n {
                if let nl = buffer[start..<n].firstIndex(of: 10) {
                    line += buffer[start...nl]
                    start = nl + 1
                    headerLine(line)
                    line.removeAll(keepingCapacity: true)
                } else {
                    line += buffer[start..<n]
                    start = n
                    if line.count > Self.maxHeaderLine { inHeader = false; writer.append(line); line = [] }
                }
            }
            if !inHeader && start < n { writer.append(buffer[start..<n]) }
            guard writer.ok else { return false }
        }
        if inHeader {
            // A message that is all header (no blank line, maybe no final newline).
            // The last line may lack its newline: give it one before a Subject is added after it.
            if !line.isEmpty { headerLine(subjectDone ? line : line + [10]) }
            if inHeader && !subjectDone { writer.append(Array("Subject: \(tag.subjectPrefix!)\n".utf8)) }
        }
        return writer.flush()
    }

    /// `Subject: [SPAM] original`, unless the prefix is already there (a reply to spam, a second delivery).
    func prefixed(_ l: [UInt8]) -> [UInt8] {
        let colon = l.firstIndex(of: UInt8(ascii: ":"))!
        var rest = l[(colon + 1)...]
        while let f = rest.first, f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") { rest = rest.dropFirst() }
        let prefix = Array(tag.subjectPrefix!.utf8)
        if rest.starts(with: prefix) { return l }
        let sep: [UInt8] = rest.first == 10 || rest.first == 13 ? [] : [UInt8(ascii: " ")]
        return Array(l[...colon]) + [UInt8(ascii: " ")] + prefix + sep + Array(rest)
    }

    /// `Name:` at the start of a line, the name printable ASCII without spaces (RFC 5322 field-name).
    static func isField(_ l: [UInt8]) -> Bool {
        guard let colon = l.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return false }
        return l[..<colon].allSatisfy { $0 > 32 && $0 < 127 }
    }

    static func hasName(_ l: [UInt8], _ lowercasePrefix: String) -> Bool {
        let p = Array(lowercasePrefix.utf8)
        guard l.count >= p.count else { return false }
        for i in 0..<p.count where (l[i] | (l[i] >= 65 && l[i] <= 90 ? 0x20 : 0)) != p[i] { return false }
        return true
    }
}

/// Collects small writes into 64 KB blocks; remembers the first error.
struct BufferedWriter {
    let fd: Int32
    var pending: [UInt8] = []
    private(set) var ok = true

    init(fd: Int32) {
        self.fd = fd
        pending.reserveCapacity(64 * 1024)
    }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        if pending.count >= 64 * 1024 { _ = flush() }
    }

    mutating func flush() -> Bool {
        guard ok else { return false }
        if !pending.isEmpty {
            do { try FileBytes.writeAll(fd, pending, path: "maildir") } catch { ok = false }
            pending.removeAll(keepingCapacity: true)
        }
        return ok
    }
}
