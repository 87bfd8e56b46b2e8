/// `LIST.cdb`, as `qsentry cdb LIST` writes it: a list looked up in a constant database instead of
/// parsed line by line, for lists of many thousands of lines (tcprules' and rbldnsd's answer to
/// the same problem). The programs read it instead of LIST when it is at least as new as LIST, or
/// when LIST is gone; an edit to LIST not compiled yet is therefore what counts, never a stale cdb.
///
/// Each record's key is a one-letter kind and the normalized entry (the list type says which);
/// its value `LINE<TAB>ENTRY`, the source line, so a match names the line as the text list does.
/// Key `#` holds the number of entries (an empty compiled list is an empty list).
public final class CompiledList: @unchecked Sendable {  // one process, one thread: tinycdb's finder state
    public let cdb: CDB
    public let count: Int

    init(cdb: CDB) throws {
        self.cdb = cdb
        count = try cdb.find(Self.countKey).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
    }

    static let countKey = "#"

    /// The compiled form of the list at `path`, when there is one to prefer.
    public static func open(for path: String) throws -> CompiledList? {
        guard isPreferred(for: path) else { return nil }
        // Nil when it was removed between the stat and the open.
        return try CDB.ifPresent(path + ".cdb").map { try CompiledList(cdb: $0) }
    }

    /// Whether a program reading `path` would read `path.cdb` instead.
    public static func isPreferred(for path: String) -> Bool {
        guard let cdbTime = FileBytes.modificationNanoseconds(path + ".cdb") else { return false }
        guard let textTime = FileBytes.modificationNanoseconds(path) else { return true }
        return cdbTime >= textTime
    }

    func find(_ key: String) throws -> ListMatch? {
        guard let value = try cdb.find(key) else { return nil }
        let text = String(decoding: value, as: UTF8.self)
        guard let tab = text.firstIndex(of: "\t"), let line = Int(text[..<tab]) else {
            throw CDBError(.corrupt, path: cdb.path, "a record is not LINE<TAB>ENTRY; rebuild it with qsentry cdb")
        }
        return ListMatch(line: line, entry: String(text[text.index(after: tab)...]))
    }

    /// Writes `entries` (key, the line it came from) and `meta` records to `path`, atomically; the
    /// first record of a key is the one found, as the first line of an entry is the one a text list reports.
    public static func write(_ entries: [(key: String, match: ListMatch)], meta: [(key: String, value: String)] = [],
                             to path: String) throws {
        let writer = try CDBWriter(path: path)
        for e in entries { try writer.add(e.key, "\(e.match.line)\t\(e.match.entry)") }
        for m in meta { try writer.add(m.key, m.value) }
        try writer.add(countKey, String(entries.count))
        try writer.finish()
    }

    func meta(_ key: String) throws -> String? {
        try cdb.find(key).map { String(decoding: $0, as: UTF8.self) }
    }
}
