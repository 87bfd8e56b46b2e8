/// An address list with qmail `badmailfrom` semantics.
///
/// A line is a full address (`user@example.com`) or `@domain` for every address
/// in that domain. Like qmail's constmap look-up the comparison ignores case in
/// the whole address, and a trailing dot on the domain is ignored. The empty
/// sender can be listed as `<>`.
public struct AddressList: Sendable {
    /// `aADDRESS` for an address ("a" alone for `<>`), `dDOMAIN` for a domain: the compiled list's keys.
    private var index = ListIndex()
    private var compiled: CompiledList?
    public private(set) var problems: [ControlError] = []

    public init() {}

    public init(lines: [ControlLine], path: String) {
        for line in lines {
            let text = line.text.trimmed
            let m = ListMatch(line: line.number, entry: text)
            if text == "<>" {
                index.add("a", m)
                continue
            }
            if text.contains(" ") || text.contains("\t") {
                problems.append(ControlError(path: path, line: line.number, "white space inside \"\(text)\""))
                continue
            }
            guard let at = text.lastIndex(of: "@") else {
                problems.append(ControlError(path: path, line: line.number,
                    "\"\(text)\" has no @: write user@domain, or @domain for a whole domain"))
                continue
            }
            let domain = DomainName.normalize(text[text.index(after: at)...])
            guard DomainName.isValid(domain) || domain.hasPrefix("[") else {
                problems.append(ControlError(path: path, line: line.number, "bad domain in \"\(text)\""))
                continue
            }
            if at == text.startIndex {
                index.add("d" + domain, m)
            } else {
                index.add("a" + AddressList.key(local: text[..<at], domain: domain), m)
            }
        }
    }

    /// Loads `path`, or `path.cdb` when that is at least as new; a missing file is an empty list.
    public static func load(_ path: String) throws -> AddressList {
        if let compiled = try CompiledList.open(for: path) {
            var list = AddressList()
            list.compiled = compiled
            return list
        }
        guard let lines = try ControlFile.lines(path) else { return AddressList() }
        return AddressList(lines: lines, path: path)
    }

    public var isEmpty: Bool { compiled.map { $0.count == 0 } ?? index.isEmpty }

    /// The records `qsentry cdb` compiles this list to.
    public var compiledEntries: [(key: String, match: ListMatch)] { index.entries }

    /// Matches `address` (a bare `local@domain`, "" for the null sender): full address first, then `@domain`.
    /// Throws only for a compiled list whose file is damaged.
    public func match(_ address: String) throws -> ListMatch? {
        // Most sites list nothing in most of these files: no keys made for an empty list.
        if compiled == nil && index.isEmpty { return nil }
        let (full, domain) = Self.keys(address)
        if let c = compiled {
            if let m = try c.find("a" + full) { return m }
            return try domain.map { try c.find("d" + $0) } ?? nil
        }
        if let m = index.match("a" + full) { return m }
        return domain.flatMap { index.match("d" + $0) }
    }

    /// The full-address key and the domain of `address`.
    private static func keys(_ address: String) -> (full: String, domain: String?) {
        if address.isEmpty { return ("", nil) }
        // The @ found in the UTF-8 view: String.lastIndex(of:) walks Characters (grapheme breaking).
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else { return (address.asciiLowercased, nil) }
        let domain = DomainName.normalize(address[address.utf8.index(after: at)...])
        return (key(local: address[..<at], domain: domain), domain)
    }

    private static func key(local: Substring, domain: String) -> String {
        local.asciiLowercased + "@" + domain
    }
}
