import QSentryCore

/// Refusal texts: the defaults below, or the admin's from `control/qsentry/messages` (`RULE=TEXT`),
/// with `%IP%`, `%Domain%`, `%EMailTo%`, `%EMailFrom%` filled in (E16).
public struct Messages: Sendable {
    public static let defaults: [String: String] = [
        "ipblock": "Connections from %IP% are refused here",
        "dnsbl": "%IP% is listed in a DNS blocklist",
        "dnsbl-temporary": "Blocklist lookup for %IP% failed; try again later",
        "rdns": "No reverse DNS (PTR) for %IP%; see RFC 1912 2.1",
        "rdns-forward": "Reverse DNS of %IP% does not resolve back to it",
        "rdns-generic": "%IP% has a generic or dynamic reverse DNS name; send through your provider's server",
        "rdns-temporary": "Reverse DNS lookup for %IP% failed; try again later",
        "country": "Mail from your country is not accepted here",
        "p0f": "Mail from %IP% is not accepted: direct-to-MX from a desktop system",
        "ban": "%IP% is temporarily banned for sending spam",
        "reputation": "%IP% is reported for spam by several mail servers",
        "early-talker": "Protocol error: you talked before the greeting",
    ]

    private var texts: [String: String]

    public init(overrides: [String: String] = [:]) {
        texts = Messages.defaults
        for (k, v) in overrides { texts[k] = v }
    }

    /// Reads `control/qsentry/messages`; malformed lines are reported, defaults stand for them.
    public static func load(_ root: QmailRoot) throws -> (Messages, [ControlError]) {
        let path = root.qsentry("messages")
        guard let lines = try ControlFile.lines(path) else { return (Messages(), []) }
        var overrides: [String: String] = [:]
        var problems: [ControlError] = []
        for line in lines {
            guard let eq = line.text.firstIndex(of: "=") else {
                problems.append(ControlError(path: path, line: line.number, "expected RULE=TEXT"))
                continue
            }
            overrides[line.text[..<eq].trimmed.asciiLowercased] = line.text[line.text.index(after: eq)...].trimmed
        }
        return (Messages(overrides: overrides), problems)
    }

    /// The text for a rule with the client's values filled in.
    public func text(_ rule: String, _ values: ReplyTemplate.Values, fallback: String? = nil) -> String {
        ReplyTemplate(texts[rule] ?? fallback ?? "Refused by rule \(rule)").render(values)
    }
}
