/// A list of domains (`rcpthosts`, `locals`, `mailfromblock-domains` …).
///
/// `example.com` matches that domain only; `.example.com` matches every name
/// below it (qmail's rcpthosts convention). Case-insensitive, trailing dot ignored.
public struct DomainList: Sendable {
    private var exact: [String: ListMatch] = [:]
    private var below: [String: ListMatch] = [:]
    /// Entries in file order, for `qsentry cdb`.
    private var order: [(key: String, match: ListMatch)] = []
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
            if isSuffix {
                if below[name] == nil { below[name] = m }
                order.append(("." + name, m))
            } else {
                if exact[name] == nil { exact[name] = m }
                order.append(("=" + name, m))
            }
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

    public var isEmpty: Bool { compiled.map { $0.count == 0 } ?? (exact.isEmpty && below.isEmpty) }

    /// The records `qsentry cdb` compiles this list to.
    public var compiledEntries: [(key: String, match: ListMatch)] { order }

    /// Throws only for a compiled list whose file is damaged.
    public func match(_ domain: String) throws -> ListMatch? {
        let d = DomainName.normalize(domain)
        if let m = try find("=", d, in: exact) { return m }
        var rest = Substring(d)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if let m = try find(".", String(rest), in: below) { return m }
        }
        return nil
    }

    private func find(_ kind: String, _ name: String, in memory: [String: ListMatch]) throws -> ListMatch? {
        if let c = compiled { return try c.find(kind + name) }
        return memory[name]
    }
}
