#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// M8: messages refused for content, kept with their envelope, client and verdict so an admin
/// can look at them and release a false positive to its original recipients.
///
/// One file per message, `DIR/ID`: a small header block (`Key: value` lines), a blank line,
/// then the message exactly as received. Written under `DIR/tmp/`, fsynced, renamed into
/// place (a crash leaves no half file in `DIR`); shared with the state's group (StateFiles): mode
/// 0660, directories 2770.
public struct Quarantine {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("quarantine", .qsentry, .path, "quarantine directory (M8)"),
        .init("quarantine-days", .qsentry, .integer(1...3650), "days a message stays in quarantine: qsentry quarantine expire with no DAYS, from cron (M8, A3)"),
    ]
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `control/qsentry/quarantine`, else `$QMAIL/qsentry/quarantine`.
    public static func configuredDirectory(_ root: QmailRoot) throws -> String {
        try ControlFile.value(root.qsentry("quarantine"))?.text.trimmed ?? root.stateDirectory + "/quarantine"
    }

    public struct Entry: Equatable, Sendable {
        public let id: String
        public let time: Int
        public let ip: String
        public let rule: String
        public let text: String
        public let envelope: QmailEnvelope
        public let size: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Stores a refused message; returns its ID.
    public func store(message spool: MessageSpool, envelope: QmailEnvelope, ip: String, rule: String, text: String,
                      now: Int) throws(Failure) -> String {
        try makeDirectory(directory)
        try makeDirectory(directory + "/tmp")
        let random = UInt32.random(in: 0...UInt32.max)
        let id = "\(now).\(getpid()).\(String(random, radix: 16))"
        let tmp = directory + "/tmp/" + id
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        StateFiles.adopt(tmp)
        guard fd >= 0 else { throw Failure(description: "\(tmp): \(String(cString: strerror(errno)))") }
        let head = head(envelope: envelope, ip: ip, rule: rule, text: text, time: now)
        let ok = spool.copy(to: fd, prefix: Array(head.utf8)) && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, directory + "/" + id) == 0 else {
            unlink(tmp)
            throw Failure(description: "\(directory): cannot write the quarantined message (disk full?)")
        }
        return id
    }

    /// IDs are names this type made: no slashes, no dots first (`..`), nothing else to reach.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count < 100 && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy { ($0 >= "0" && $0 <= "9") || ($0 >= "a" && $0 <= "z") || $0 == "." }
    }

    public func list() -> [Entry] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if Self.isValidID(name), let entry = try? entry(name) { entries.append(entry) }
        }
        return entries.sorted { $0.time != $1.time ? $0.time < $1.time : $0.id < $1.id }
    }

    /// The header block of one quarantined message.
    public func entry(_ id: String) throws(Failure) -> Entry {
        let file = try opened(id)
        close(file.fd)
        return try parse(file)
    }

    /// The entry and up to `limit` bytes of the message's own header, from one read of the file
    /// (the web console's index reads every file this way once).
    public func entryAndHeader(_ id: String, limit: Int = 16384) throws(Failure) -> (Entry, [UInt8]) {
        let file = try opened(id)
        defer { close(file.fd) }
        return (try parse(file), Self.messageStart(of: file, limit: limit))
    }

    func parse(_ file: Opened) throws(Failure) -> Entry {
        var fields: [String: String] = [:]
        for line in file.head.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            if fields[key] == nil { fields[key] = String(line[line.index(after: colon)...].dropFirst()) }
        }
        guard fields["QSentry-Quarantine"] == "1", let hex = fields["Envelope"], let raw = Self.unhex(hex),
              let envelope = try? QmailEnvelope.parse(raw) else {
            throw Failure(description: "\(file.id): not a quarantined message")
        }
        return Entry(id: file.id, time: Int(fields["Date"] ?? "") ?? 0, ip: fields["IP"] ?? "", rule: fields["Rule"] ?? "",
                     text: fields["Text"] ?? "", envelope: envelope, size: file.size - file.bodyOffset)
    }

    /// Writes the message (without the quarantine header block) to `out`.
    public func writeMessage(_ id: String, to out: Int32) throws(Failure) {
        let file = try opened(id)
        defer { close(file.fd) }
        try copyMessage(file, to: out, path: id)
    }

    /// The quarantined message itself, when it is at most `limit` bytes (nil when larger).
    public func message(_ id: String, limit: Int) throws(Failure) -> ArraySlice<UInt8>? {
        let file = try opened(id)
        defer { close(file.fd) }
        guard file.size - file.bodyOffset <= limit else { return nil }
        return Self.messageStart(of: file, limit: limit)[...]
    }

    /// Re-queues the message through qmail-queue to its original recipients, or to `only` those of
    /// them (the web console's mailbox users release their own copy), then removes what was
    /// released: the file when no recipient is left, else the released recipients from its envelope.
    public func release(_ id: String, only: [String]? = nil, qmailQueue: String, now: Int) throws(Failure) {
        let e = try entry(id)
        let chosen = only.map { wanted in e.envelope.recipients.filter { r in wanted.contains { $0.lowercased() == r.lowercased() } } }
            ?? e.envelope.recipients
        guard !chosen.isEmpty else { throw Failure(description: "\(id): not addressed to \(only?.joined(with: ", ") ?? "anyone")") }
        let envelope = QmailEnvelope(sender: e.envelope.sender, recipients: chosen)
        let note = Array("X-QSentry-Released: \(now); was refused by rule \(oneLine(e.rule))\r\n".utf8)
        var failure: Failure?
        let code = QueueHandoff.run(qmailQueue, writeMessage: { fd in
            do {
                try FileBytes.writeAll(fd, note, path: "qmail-queue")
                try writeMessage(id, to: fd)
                return true
            } catch let f as Failure { failure = f; return false } catch { return false }
        }, envelope: envelope.bytes)
        if let failure { throw failure }
        guard code == 0 else { throw Failure(description: "\(qmailQueue) exited \(code); \(id) stays in quarantine") }
        let rest = e.envelope.recipients.filter { !chosen.contains($0) }
        if rest.isEmpty { try delete(id) } else { try rewrite(e, recipients: rest) }
    }

    /// Writes `e` again with fewer recipients (same ID, same message), atomically.
    func rewrite(_ e: Entry, recipients: [String]) throws(Failure) {
        let source = try opened(e.id)
        defer { close(source.fd) }
        let tmp = directory + "/tmp/" + e.id + ".rewrite"
        try makeDirectory(directory + "/tmp")
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        StateFiles.adopt(tmp)
        guard fd >= 0 else { throw Failure(description: "\(tmp): \(String(cString: strerror(errno)))") }
        let envelope = QmailEnvelope(sender: e.envelope.sender, recipients: recipients)
        var ok = (try? FileBytes.writeAll(fd, Array(head(envelope: envelope, ip: e.ip, rule: e.rule, text: e.text, time: e.time).utf8),
                                          path: tmp)) != nil
        ok = ok && (try? copyMessage(source, to: fd, path: tmp)) != nil && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, path(e.id)) == 0 else {
            unlink(tmp)
            throw Failure(description: "\(directory): cannot rewrite \(e.id) (disk full?)")
        }
    }

    /// The header block of a stored message.
    func head(envelope: QmailEnvelope, ip: String, rule: String, text: String, time: Int) -> String {
        var head = "QSentry-Quarantine: 1\nDate: \(time)\nIP: \(oneLine(ip))\nRule: \(oneLine(rule))\nText: \(oneLine(text))\n"
        head += "Sender: \(oneLine(envelope.sender))\n"
        for r in envelope.recipients { head += "Recipient: \(oneLine(r))\n" }
        return head + "Envelope: \(envelope.bytes.map { String(format2: $0) }.joined())\n\n"
    }

    /// Up to `limit` bytes of the message's own header (for the Subject and From a list shows).
    public func messageHeader(_ id: String, limit: Int = 16384) throws(Failure) -> [UInt8] {
        let file = try opened(id)
        defer { close(file.fd) }
        return Self.messageStart(of: file, limit: limit)
    }

    /// Takes `addresses` off the message's recipients (a mailbox user deleting their copy): the
    /// file goes when no recipient is left. Returns whether any was addressed.
    @discardableResult
    public func remove(_ id: String, recipients addresses: [String]) throws(Failure) -> Bool {
        let e = try entry(id)
        let keys = Set(addresses.map { $0.lowercased() })
        let rest = e.envelope.recipients.filter { !keys.contains($0.lowercased()) }
        if rest.count == e.envelope.recipients.count { return false }
        if rest.isEmpty { try delete(id) } else { try rewrite(e, recipients: rest) }
        return true
    }

    public func delete(_ id: String) throws(Failure) {
        guard Self.isValidID(id) else { throw Failure(description: "\(id): not a quarantine ID") }
        guard unlink(path(id)) == 0 else { throw Failure(description: "\(id): \(String(cString: strerror(errno)))") }
    }

    /// Deletes messages older than `days`; returns how many.
    public func expire(days: Int, now: Int) -> Int {
        var n = 0
        for e in list() where e.time <= now - days * 86400 {
            if (try? delete(e.id)) != nil { n += 1 }
        }
        return n
    }

    func path(_ id: String) -> String { directory + "/" + id }

    /// One stored file, open: its header block read, where the message starts, the file's size and
    /// the message's bytes that came with the header block's read. The caller closes `fd`.
    struct Opened {
        let id: String
        let fd: Int32
        let head: String
        let bodyOffset: Int
        let size: Int
        let start: [UInt8]
    }

    /// Opens `id` and reads its header block: one open, one fstat and, for a usual header block,
    /// one read, shared by every reader of a stored message.
    func opened(_ id: String) throws(Failure) -> Opened {
        guard Self.isValidID(id) else { throw Failure(description: "\(id): not a quarantine ID") }
        let fd = open(path(id), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "\(id): \(String(cString: strerror(errno)))") }
        var st = stat()
        fstat(fd, &st)
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while head.count < 4 << 20 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            head += buffer[0..<n]
            if let end = Self.blankLine(head) {
                return Opened(id: id, fd: fd, head: String(decoding: head[..<end], as: UTF8.self), bodyOffset: end + 2,
                              size: Int(st.st_size), start: Array(head[(end + 2)...]))
            }
        }
        close(fd)
        throw Failure(description: "\(id): not a quarantined message")
    }

    /// Up to `limit` bytes from the message's start: what the header block's read brought, more
    /// read only when that was not enough.
    static func messageStart(of file: Opened, limit: Int) -> [UInt8] {
        if file.start.count >= limit { return Array(file.start[0..<limit]) }
        var out = file.start
        let wanted = min(limit, file.size - file.bodyOffset)
        guard wanted > out.count else { return out }
        var more = [UInt8](repeating: 0, count: wanted - out.count)
        let n = more.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, $0.count, off_t(file.bodyOffset + out.count)) }
        if n > 0 { out += more[0..<n] }
        return out
    }

    /// Copies an opened file's message (what follows its header block) to `out`.
    func copyMessage(_ file: Opened, to out: Int32, path: String) throws(Failure) {
        lseek(file.fd, off_t(file.bodyOffset), SEEK_SET)
        do { try FileBytes.copy(from: file.fd, to: out, path: path) } catch { throw Failure(description: "\(error)") }
    }

    static func blankLine(_ b: [UInt8]) -> Int? {
        guard b.count >= 2 else { return nil }
        for i in 0..<(b.count - 1) where b[i] == 0x0A && b[i + 1] == 0x0A { return i }
        return nil
    }

    /// Creates `path` (and missing parents) as a directory of the state.
    func makeDirectory(_ path: String) throws(Failure) {
        do { try StateFiles.makeDirectory(path) } catch { throw Failure(description: "\(error)") }
    }

    func oneLine(_ s: String) -> String { String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }

    public static func unhex(_ s: String) -> [UInt8]? {
        let b = Array(s.utf8)
        guard b.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        var i = 0
        while i < b.count {
            guard let h = hexValue(b[i]), let l = hexValue(b[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}

extension String {
    /// Two lower-case hex digits.
    public init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef".utf8)
        self = String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }
}
