import QSentryCore

/// Per recipient domain content rules, like simscan's simcontrol: `control/qsentry/content-domains`
/// lines `DOMAIN:RULE=yes|no,…`, a line starting with `:` sets the defaults. Rules: `virus`,
/// `attachment`, `keyword`, `subject-spaces`, `uribl`, `bayes`. A message goes to several domains: a
/// rule runs when it is on for any of them (the strictest wins, as one message is one decision).
public struct DomainRules: Sendable, Equatable {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("content-domains", .qsentry, .text, "per recipient domain content rules, DOMAIN:RULE=yes|no,… (M1–M5)"),
    ]
    public static let ruleNames: Set<String> = ["virus", "attachment", "keyword", "subject-spaces", "uribl", "bayes"]
    var defaults: [String: Bool] = [:]
    var domains: [String: [String: Bool]] = [:]

    public init() {}

    public static func load(_ root: QmailRoot) throws -> (DomainRules, [ControlError]) {
        let path = root.qsentry("content-domains")
        var rules = DomainRules()
        var problems: [ControlError] = []
        for line in try ControlFile.lines(path) ?? [] {
            guard let colon = line.text.firstIndex(of: ":") else {
                problems.append(ControlError(path: path, line: line.number, "expected DOMAIN:RULE=yes|no,…"))
                continue
            }
            let domain = line.text[..<colon].trimmed.lowercased()
            var settings: [String: Bool] = [:]
            for item in line.text[line.text.index(after: colon)...].split(separator: ",") {
                let kv = item.split(separator: "=", maxSplits: 1).map { $0.trimmed.lowercased() }
                guard kv.count == 2, ruleNames.contains(kv[0]), kv[1] == "yes" || kv[1] == "no" else {
                    problems.append(ControlError(path: path, line: line.number, "unknown setting \(item.trimmed); rules: \(ruleNames.sorted().joined(with: ", ")), values yes or no"))
                    continue
                }
                settings[kv[0]] = kv[1] == "yes"
            }
            if domain.isEmpty { rules.defaults = settings } else { rules.domains[domain] = settings }
        }
        return (rules, problems)
    }

    /// Whether `rule` runs for a message to these recipient domains (on unless switched off).
    public func enabled(_ rule: String, for recipientDomains: [String]) -> Bool {
        if recipientDomains.isEmpty { return defaults[rule] ?? true }
        return recipientDomains.contains { (domains[$0]?[rule] ?? defaults[rule]) ?? true }
    }
}
