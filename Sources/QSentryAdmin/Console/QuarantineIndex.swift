#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryMessage
import QSentryMIME

/// A3: the quarantine as the web console lists it: every entry's header block plus the
/// message's Subject and From, kept in memory and read again only for files it has not seen
/// (a quarantined file never changes but by a partial release, which rewrites it under the same
/// name: the file's change time tells). The directory's own change time says whether a refresh
/// has anything to find, so a page over 100,000 entries costs a filter and a sort, no file reads.
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
        /// Lower-cased recipients, for the per-user filter and search.
        let recipientKeys: [String]
        /// The searched fields lower-cased once, when the entry is read (not on every search).
        let senderKey: String, fromKey: String, subjectKey: String, textKey: String, ruleKey: String
        let changed: Int
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

    public let quarantine: Quarantine
    private var entries: [String: Summary] = [:]
    private var directoryChanged: (Int, Int) = (-1, -1)

    public init(_ quarantine: Quarantine) { self.quarantine = quarantine }

    public var count: Int { entries.count }

    /// Brings the index up to date with the directory: new files read, gone ones dropped.
    public func refresh() {
        var st = stat()
        guard stat(quarantine.directory, &st) == 0 else { entries = [:]; return }
        let stamp = (Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec))
        if stamp == directoryChanged { return }
        directoryChanged = stamp
        guard let dir = opendir(quarantine.directory) else { return }
        defer { closedir(dir) }
        var seen: [String: Summary] = [:]
        seen.reserveCapacity(entries.count)
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard Quarantine.isValidID(name) else { continue }
            var file = stat()
            guard stat(quarantine.directory + "/" + name, &file) == 0, file.st_mode & S_IFMT == S_IFREG else { continue }
            let changed = Int(file.st_ctim.tv_sec) * 1_000_000_000 + Int(file.st_ctim.tv_nsec)
            if let known = entries[name], known.changed == changed { seen[name] = known; continue }
            if let summary = read(name, changed: changed) { seen[name] = summary }
        }
        entries = seen
    }

    /// Forgets one entry at once (after a delete or release from this process).
    public func forget(_ id: String) {
        entries[id] = nil
        directoryChanged = (-1, -1)
    }

    public func summary(_ id: String) -> Summary? {
        if let s = entries[id] { return s }
        var file = stat()
        guard Quarantine.isValidID(id), stat(quarantine.directory + "/" + id, &file) == 0 else { return nil }
        return read(id, changed: Int(file.st_ctim.tv_sec) * 1_000_000_000 + Int(file.st_ctim.tv_nsec))
    }

    /// The entries matching `query`, for a mailbox user only those addressed to `onlyFor`.
    public func search(_ query: Query, onlyFor addresses: [String]? = nil) -> Page {
        let owned = addresses?.map { $0.lowercased() }
        let text = query.text.lowercased(), sender = query.sender.lowercased(), recipient = query.recipient.lowercased()
        let rule = query.rule.lowercased(), subject = query.subject.lowercased()
        var matches: [Summary] = []
        for s in entries.values {
            if let owned, !s.recipientKeys.contains(where: { owned.contains($0) }) { continue }
            if let from = query.from, s.time < from { continue }
            if let until = query.until, s.time >= until { continue }
            if !sender.isEmpty && !s.senderKey.contains(sender) && !s.fromKey.contains(sender) { continue }
            if !recipient.isEmpty && !s.recipientKeys.contains(where: { $0.contains(recipient) }) { continue }
            if !rule.isEmpty && s.ruleKey != rule { continue }
            if !subject.isEmpty && !s.subjectKey.contains(subject) { continue }
            if !text.isEmpty && !(s.subjectKey.contains(text) || s.senderKey.contains(text) || s.fromKey.contains(text)
                || s.recipientKeys.contains(where: { $0.contains(text) }) || s.textKey.contains(text) || s.ip.contains(text)) { continue }
            matches.append(s)
        }
        let ascending: (Summary, Summary) -> Bool
        switch query.sort {
        case .time: ascending = { ($0.time, $0.id) < ($1.time, $1.id) }
        case .sender: ascending = { ($0.sender, $0.id) < ($1.sender, $1.id) }
        case .recipient: ascending = { ($0.recipientKeys.first ?? "", $0.id) < ($1.recipientKeys.first ?? "", $1.id) }
        case .rule: ascending = { ($0.rule, $0.time) < ($1.rule, $1.time) }
        case .subject: ascending = { ($0.subject, $0.id) < ($1.subject, $1.id) }
        case .size: ascending = { ($0.size, $0.id) < ($1.size, $1.id) }
        }
        let size = max(1, min(query.pageSize, 500))
        let pages = max(1, (matches.count + size - 1) / size)
        let page = min(max(1, query.page), pages)
        let wanted = page * size
        // Only the pages up to the one shown are ordered: a partial sort when the list is long.
        let ordered: [Summary]
        if wanted < matches.count / 4 {
            ordered = Self.smallest(matches, count: wanted, by: query.descending ? { ascending($1, $0) } : ascending)
        } else {
            ordered = matches.sorted(by: query.descending ? { ascending($1, $0) } : ascending)
        }
        let start = (page - 1) * size
        return Page(entries: Array(ordered[min(start, ordered.count)..<min(start + size, ordered.count)]),
                    total: matches.count, page: page, pages: pages)
    }

    /// The addresses with entries newer than `since`, each with its entries (for the digest).
    public func recipients(since: Int) -> [String: [Summary]] {
        var out: [String: [Summary]] = [:]
        for s in entries.values where s.time > since {
            for r in Set(s.recipientKeys) { out[r, default: []].append(s) }
        }
        return out.mapValues { $0.sorted { ($0.time, $0.id) < ($1.time, $1.id) } }
    }

    /// The `count` first of `items` in `order`, in order: a bounded insertion, O(n log count).
    static func smallest(_ items: [Summary], count: Int, by order: (Summary, Summary) -> Bool) -> [Summary] {
        var kept: [Summary] = []
        kept.reserveCapacity(count + 1)
        for item in items {
            if kept.count == count, let last = kept.last, !order(item, last) { continue }
            var low = 0, high = kept.count
            while low < high {
                let mid = (low + high) / 2
                if order(kept[mid], item) { low = mid + 1 } else { high = mid }
            }
            kept.insert(item, at: low)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }

    func read(_ id: String, changed: Int) -> Summary? {
        guard let e = try? quarantine.entry(id) else { return nil }
        let header = MessageHeader(parsing: (try? quarantine.messageHeader(id)) ?? [])
        let subject = header.first("subject").map { EncodedWords.decode($0.value) } ?? ""
        let from = header.first("from").map { EncodedWords.decode($0.value) } ?? ""
        let shortSubject = String(subject.prefix(300)), shortFrom = String(from.prefix(300))
        return Summary(id: e.id, time: e.time, ip: e.ip, rule: e.rule, text: e.text, sender: e.envelope.sender,
                       recipients: e.envelope.recipients, size: e.size, subject: shortSubject, from: shortFrom,
                       recipientKeys: e.envelope.recipients.map { $0.lowercased() }, senderKey: e.envelope.sender.lowercased(),
                       fromKey: shortFrom.lowercased(), subjectKey: shortSubject.lowercased(), textKey: e.text.lowercased(),
                       ruleKey: e.rule.lowercased(), changed: changed)
    }
}
