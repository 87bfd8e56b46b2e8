import QSentryCore

/// `control/virtualdomains`: `user@domain:prefix`, `domain:prefix`, `.domain:prefix`, `:prefix`,
/// matched as qmail-send does (address, then domain, then each parent `.suffix`, then the
/// catch-all). An empty prefix means "not virtual".
public struct VirtualDomains: Sendable {
    let map: [String: String]

    public init(lines: [ControlLine]) {
        var m: [String: String] = [:]
        for line in lines {
            guard let colon = line.text.firstIndex(of: ":") else { continue }
            let key = line.text[..<colon].trimmed.asciiLowercased
            if m[key] == nil { m[key] = line.text[line.text.index(after: colon)...].trimmed }
        }
        map = m
    }

    public static func load(_ root: QmailRoot) throws -> VirtualDomains {
        VirtualDomains(lines: try ControlFile.lines(root.control("virtualdomains")) ?? [])
    }

    /// The prefix for `local@domain`, or nil when the domain is not virtual.
    public func prefix(local: String, domain: String) -> String? {
        let d = DomainName.normalize(domain)
        if let p = map[local.asciiLowercased + "@" + d] { return p.isEmpty ? nil : p }
        if let p = map[d] { return p.isEmpty ? nil : p }
        var rest = Substring(d)
        while let dot = rest.firstIndex(of: ".") {
            if let p = map[String(rest[dot...])] { return p.isEmpty ? nil : p }
            rest = rest[rest.index(after: dot)...]
        }
        if let p = map[""] { return p.isEmpty ? nil : p }
        return nil
    }
}
