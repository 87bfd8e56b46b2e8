/// An address list with qmail `badmailfrom` semantics.
///
/// A line is a full address (`user@example.com`) or `@domain` for every address
/// in that domain. Like qmail's constmap look-up the comparison ignores case in
/// the whole address, and a trailing dot on the domain is ignored. The empty
/// sender can be listed as `<>`.
public struct AddressList: Sendable {
    private var addresses: [String: ListMatch] = [:]
    private var domains: [String: ListMatch] = [:]
    public private(set) var problems: [ControlError] = []

    public init() {}

    public init(lines: [ControlLine], path: String) {
        for line in lines {
            let text = line.text.trimmed
            let m = ListMatch(line: line.number, entry: text)
            if text == "<>" {
                if addresses[""] == nil { addresses[""] = m }
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
                if domains[domain] == nil { domains[domain] = m }
            } else {
                let key = AddressList.key(local: text[..<at], domain: domain)
                if addresses[key] == nil { addresses[key] = m }
            }
        }
    }

    public static func load(_ path: String) throws -> AddressList {
        guard let lines = try ControlFile.lines(path) else { return AddressList() }
        return AddressList(lines: lines, path: path)
    }

    public var isEmpty: Bool { addresses.isEmpty && domains.isEmpty }

    /// Matches `address` (a bare `local@domain`, "" for the null sender): full address first, then `@domain`.
    public func match(_ address: String) -> ListMatch? {
        if address.isEmpty { return addresses[""] }
        guard let at = address.lastIndex(of: "@") else { return addresses[address.asciiLowercased] }
        let domain = DomainName.normalize(address[address.index(after: at)...])
        if let m = addresses[AddressList.key(local: address[..<at], domain: domain)] { return m }
        return domains[domain]
    }

    private static func key(local: Substring, domain: String) -> String {
        local.asciiLowercased + "@" + domain
    }
}
