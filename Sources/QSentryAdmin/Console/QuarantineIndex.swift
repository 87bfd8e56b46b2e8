#if canImport(Glibc)
import Glibc
#endif
import CSystemSupport
import QSentryCore
import QSentryMessage
import QSentryMIME

/// A3: the quarantine as the web console lists it: every entry's header block plus the
/// message's Subject and From, kept in memory and read again only for files it has not seen
/// (a quarantined file never changes but by a partial release, which renames a new file over
/// it: the change time tells). The directory's own change time says whether a refresh has
/// anything to find.
///
/// A list request over 100,000 entries reads no file and sorts nothing: each sort key's order is
/// kept (built once, then new entries inserted, gone ones dropped), a page walks that order
/// and keeps the matches, and every search is a byte search (memmem) over lower-cased UTF-8
/// keys made once when the entry was read.
public final class QuarantineIndex {
    public struct Summary: Sendable, Equatable {
        public let id: String
        public let time: Int
        public let ip: String
        public let rule: String
        public let text: String
        public let sender: String
        public let recipients: [String]
        public let size: Int
        public let subject: String
        public let from: String
    }

    public enum SortKey: String, CaseIterable, Sendable {
        case time, sender, recipient, rule, subject, size
    }

    public struct Query: Sendable {
        public var text = ""
        public var sender = ""
        public var recipient = ""
        public var rule = ""
        public var subject = ""
        public var from: Int?
        public var until: Int?
        public var sort = SortKey.time
        public var descending = true
        public var page = 1
        public var pageSize = 50
        public init() {}
    }

    public struct Page: Sendable {
        public let entries: [Summary]
        public let total: Int
        public let page: Int
        public let pages: Int
    }

    /// One entry with the keys searches compare, lower-cased once (a class: the kept orders
    /// hold references, not copies).
    final class Indexed {
        let summary: Summary
        let changed: Int
        /// Lower-cased recipients, for the per-user filter.
        let recipientKeys: [String]
        let rule: String
        /// NUL-separated lower-cased UTF-8: the subject; sender and From; the recipients; and
        /// everything a free-text search looks in.
        let subject: [UInt8], senders: [UInt8], recipients: [UInt8], all: [UInt8]

        init(_ s: Summary, changed: Int) {
            summary = s
            self.changed = changed
            recipientKeys = s.recipients.map { $0.lowercased() }
            rule = s.rule.lowercased()
            subject = Array(s.subject.lowercased().utf8)
            senders = Array((s.sender + "\0" + s.from).lowercased().utf8)
            recipients = Array(recipientKeys.joined(separator: "\0").utf8)
            all = subject + [0] + senders + [0] + recipients + [0] + Array((s.text + "\0" + s.ip).lowercased().utf8)
        }
    }

    public let quarantine: Quarantine
    private var entries: [String: Indexed] = [:]
    private var directoryChanged: (Int, Int) = (-1, -1)
    /// Each sort key's ascending order, made when first asked for and kept up to date.
    private var orders: [SortKey: [Indexed]] = [:]

    public init(_ quarantine: Quarantine) { self.quarantine = quarantine }

    public var count: Int { entries.count }

    /// Brings the index up to date with the directory: new files read, gone ones dropped.
    public func refresh() {
        var st = stat()
        guard stat(quarantine.directory, &st) == 0 else { replaceAll([:]); return }
        let stamp = (Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec))
        if stamp == directoryChanged { return }
        directoryChanged = stamp
        guard let dir = opendir(quarantine.directory) else { return }
        defer { closedir(dir) }
        let dfd = dirfd(dir)
        var seen: [String: Indexed] = [:]
        seen.reserveCapacity(entries.count)
        var added: [Indexed] = []
        var replaced = 0
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard Quarantine.isValidID(name) else { continue }
            var file = stat()
            guard fstatat(dfd, name, &file, 0) == 0, file.st_mode & S_IFMT == S_IFREG else { continue }
            let changed = Int(file.st_ctim.tv_sec) * 1_000_000_000 + Int(file.st_ctim.tv_nsec)
            if let known = entries[name], known.changed == changed { seen[name] = known; continue }
            if let entry = read(name, changed: changed) {
                if entries[name] != nil { replaced += 1 }
                seen[name] = entry
                added.append(entry)
            }
        }
        let gone = entries.count - (seen.count - added.count) - replaced
        if gone > 0 || !added.isEmpty { update(seen, added: added, dropping: gone + replaced > 0) }
    }

    /// Forgets one entry at once (after a delete or release from this process); the next refresh
    /// reads it again if the file is still there.
    public func forget(_ id: String) {
        if entries.removeValue(forKey: id) != nil {
            for key in orders.keys { orders[key]?.removeAll { $0.summary.id == id } }
        }
        directoryChanged = (-1, -1)
    }

    public func summary(_ id: String) -> Summary? {
        if let s = entries[id] { return s.summary }
        var file = stat()
        guard Quarantine.isValidID(id), stat(quarantine.directory + "/" + id, &file) == 0 else { return nil }
        return read(id, changed: Int(file.st_ctim.tv_sec) * 1_000_000_000 + Int(file.st_ctim.tv_nsec))?.summary
    }

    /// The entries matching `query`, for a mailbox user only those addressed to `onlyFor`.
    public func search(_ query: Query, onlyFor addresses: [String]? = nil) -> Page {
        let owned = addresses?.map { $0.lowercased() }
        let text = Self.needle(query.text), sender = Self.needle(query.sender), recipient = Self.needle(query.recipient)
        let subject = Self.needle(query.subject), rule = query.rule.lowercased()
        let from = query.from ?? Int.min, until = query.until ?? Int.max
        func matches(_ e: Indexed) -> Bool {
            if let owned, !e.recipientKeys.contains(where: { owned.contains($0) }) { return false }
            let t = e.summary.time
            if t < from || t >= until { return false }
            if !rule.isEmpty && e.rule != rule { return false }
            return Self.contains(e.subject, subject) && Self.contains(e.senders, sender)
                && Self.contains(e.recipients, recipient) && Self.contains(e.all, text)
        }
        let order = ordered(query.sort)
        var found: [Indexed] = []
        if query.descending {
            for e in order.reversed() where matches(e) { found.append(e) }
        } else {
            for e in order where matches(e) { found.append(e) }
        }
        let size = max(1, min(query.pageSize, 500))
        let pages = max(1, (found.count + size - 1) / size)
        let page = min(max(1, query.page), pages)
        let start = min((page - 1) * size, found.count)
        return Page(entries: found[start..<min(start + size, found.count)].map(\.summary), total: found.count, page: page, pages: pages)
    }

    /// The addresses with entries newer than `since`, each with its entries (for the digest).
    public func recipients(since: Int) -> [String: [Summary]] {
        var out: [String: [Summary]] = [:]
        for e in ordered(.time) where e.summary.time > since {
            for r in Set(e.recipientKeys) { out[r, default: []].append(e.summary) }
        }
        return out
    }

    // MARK: the kept orders

    private func replaceAll(_ all: [String: Indexed]) {
        entries = all
        orders = [:]
    }

    /// New entries go into each kept order by binary search; gone ones are dropped in one pass.
    /// Many new at once (the first read, a large import): the orders are made again when asked.
    private func update(_ seen: [String: Indexed], added: [Indexed], dropping: Bool) {
        entries = seen
        if added.count > max(64, seen.count / 8) { orders = [:]; return }
        for key in Array(orders.keys) {
            guard var order = orders[key] else { continue }
            // What is no longer current goes: a file gone, or one read again (a partial release).
            if dropping { order.removeAll { seen[$0.summary.id] !== $0 } }
            let less = Self.ascending(key)
            for entry in added {
                var low = 0, high = order.count
                while low < high {
                    let mid = (low + high) / 2
                    if less(order[mid], entry) { low = mid + 1 } else { high = mid }
                }
                order.insert(entry, at: low)
            }
            orders[key] = order
        }
    }

    private func ordered(_ key: SortKey) -> [Indexed] {
        if let order = orders[key] { return order }
        let order = entries.values.sorted(by: Self.ascending(key))
        orders[key] = order
        return order
    }

    /// Each key's ascending order; ties by date, then ID, so every order is total and a page
    /// never shows an entry twice.
    static func ascending(_ key: SortKey) -> (Indexed, Indexed) -> Bool {
        func tie(_ a: Indexed, _ b: Indexed) -> Bool { (a.summary.time, a.summary.id) < (b.summary.time, b.summary.id) }
        switch key {
        case .time: return tie
        case .sender: return { $0.summary.sender != $1.summary.sender ? $0.summary.sender < $1.summary.sender : tie($0, $1) }
        case .recipient:
            return { a, b in
                let x = a.recipientKeys.first ?? "", y = b.recipientKeys.first ?? ""
                return x != y ? x < y : tie(a, b)
            }
        case .rule: return { $0.rule != $1.rule ? $0.rule < $1.rule : tie($0, $1) }
        case .subject: return { $0.summary.subject != $1.summary.subject ? $0.summary.subject < $1.summary.subject : tie($0, $1) }
        case .size: return { $0.summary.size != $1.summary.size ? $0.summary.size < $1.summary.size : tie($0, $1) }
        }
    }

    // MARK: byte search

    /// A search term as the keys are kept: lower-cased UTF-8, with no NUL (the keys' separator).
    static func needle(_ term: String) -> [UInt8] {
        Array(term.lowercased().utf8.filter { $0 != 0 })
    }

    /// Whether `needle` occurs in `haystack` (an empty needle always does).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in qsentry_contains(h.baseAddress, UInt(h.count), n.baseAddress, UInt(n.count)) != 0 }
        }
    }

    func read(_ id: String, changed: Int) -> Indexed? {
        guard let (e, head) = try? quarantine.entryAndHeader(id) else { return nil }
        let header = MessageHeader(parsing: head)
        let subject = header.first("subject").map { EncodedWords.decode($0.value) } ?? ""
        let from = header.first("from").map { EncodedWords.decode($0.value) } ?? ""
        return Indexed(Summary(id: e.id, time: e.time, ip: e.ip, rule: e.rule, text: e.text, sender: e.envelope.sender,
                               recipients: e.envelope.recipients, size: e.size,
                               subject: String(subject.prefix(300)), from: String(from.prefix(300))),
                       changed: changed)
    }
}
