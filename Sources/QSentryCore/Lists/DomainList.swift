/// A list of domains (`rcpthosts`, `locals`, `mailfromblock-domains` …).
///
/// `example.com` matches that domain only; `.example.com` matches every name
/// below it (qmail's rcpthosts convention). Case-insensitive, trailing dot ignored.
public struct DomainList: Sendable {
    /// `=NAME` for a domain, `.NAME` for the names below one: the compiled list's keys.
    private var index = ListIndex()
    private var compiled: CompiledList?
    public private(set) var problems: [ControlError] = []

    public init() {}

    public init(lines: [ControlLine], path: String) {
        for line in lines {
            let text = line.text.trimmed
            let isSuffix = text.hasPrefix(".")
            let name = DomainName.normalize(isSuffix ? String(text.dropFirst()) : text)
            if text.contains("@") {
                problems.append(ControlError(path: path, line: line.number, "\"\(text)\" is an address, not a domain"))
                continue
            }
            guard DomainName.isValid(name) || name.hasPrefix("[") else {
                problems.append(ControlError(path: path, line: line.number, "not a domain name: \"\(text)\""))
                continue
            }
            let m = ListMatch(line: line.number, entry: text)
            index.add((isSuffix ? "." : "=") + name, m)
        }
    }

    /// Loads `path`, or `path.cdb` when that is at least as new; a missing file is an empty list.
    public static func load(_ path: String) throws -> DomainList {
        if let compiled = try CompiledList.open(for: path) {
            var list = DomainList()
            list.compiled = compiled
            return list
        }
        guard let lines = try ControlFile.lines(path) else { return DomainList() }
        return DomainList(lines: lines, path: path)
    }

    public var isEmpty: Bool { compiled.map { $0.count == 0 } ?? index.isEmpty }

    /// The records `qsentry cdb` compiles this list to.
    public var compiledEntries: [(key: String, match: ListMatch)] { index.entries }

    /// Throws only for a compiled list whose file is damaged.
    public func match(_ domain: String) throws -> ListMatch? {
        // Most sites list nothing in most of these files: no keys made for an empty list.
        if compiled == nil && index.isEmpty { return nil }
        let d = DomainName.normalize(domain)
        if let m = try find("=" + d) { return m }
        var rest = Substring(d)
        while let dot = rest.utf8.firstIndex(of: UInt8(ascii: ".")) {
            rest = rest[rest.utf8.index(after: dot)...]
            if let m = try find("." + rest) { return m }
        }
        return nil
    }

    private func find(_ key: String) throws -> ListMatch? {
        if let c = compiled { return try c.find(key) }
        return index.match(key)
    }
}
