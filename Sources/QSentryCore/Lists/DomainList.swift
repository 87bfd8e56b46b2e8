/// A list of domains (`rcpthosts`, `locals`, `mailfromblock-domains` …).
///
/// `example.com` matches that domain only; `.example.com` matches every name
/// below it (qmail's rcpthosts convention). Case-insensitive, trailing dot ignored.
public struct DomainList: Sendable {
    private var exact: [String: ListMatch] = [:]
    private var below: [String: ListMatch] = [:]
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
            } else if exact[name] == nil {
                exact[name] = m
            }
        }
    }

    public static func load(_ path: String) throws -> DomainList {
        guard let lines = try ControlFile.lines(path) else { return DomainList() }
        return DomainList(lines: lines, path: path)
    }

    public var isEmpty: Bool { exact.isEmpty && below.isEmpty }

    public func match(_ domain: String) -> ListMatch? {
        let d = DomainName.normalize(domain)
        if let m = exact[d] { return m }
        var rest = Substring(d)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if let m = below[String(rest)] { return m }
        }
        return nil
    }
}
