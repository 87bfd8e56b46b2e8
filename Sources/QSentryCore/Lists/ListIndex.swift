/// A text list's entries in file order, and the look-up from a key to the first entry with it:
/// DomainList's and AddressList's storage. Kept in types the standard library carries made
/// ([String], [Int], [String: Int]): a Dictionary or Array of a type of the list's own would have
/// the runtime make that type's metadata as every connection starts (some 10,000 instructions a
/// type; a session reads a dozen lists, most of them one line or none).
struct ListIndex: Sendable {
    /// Each entry's key (the record `qsentry cdb` writes, and what `match` finds it by), line and text.
    private var keys: [String] = [], lines: [Int] = [], texts: [String] = []
    /// A key → the first entry with it (the first line wins, as in the compiled list).
    private var first: [String: Int] = [:]

    var isEmpty: Bool { keys.isEmpty }

    mutating func add(_ key: String, _ m: ListMatch) {
        if first[key] == nil { first[key] = keys.count }
        keys.append(key)
        lines.append(m.line)
        texts.append(m.entry)
    }

    func match(_ key: String) -> ListMatch? {
        first[key].map { ListMatch(line: lines[$0], entry: texts[$0]) }
    }

    /// The records `qsentry cdb` compiles the list to, in file order.
    var entries: [(key: String, match: ListMatch)] {
        keys.indices.map { (keys[$0], ListMatch(line: lines[$0], entry: texts[$0])) }
    }
}
