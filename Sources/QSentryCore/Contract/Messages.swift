/// Refusal texts: each layer's defaults (the envelope rules carry their own, EnvelopeRule.texts),
/// or the admin's from `control/qsentry/messages`
/// (`RULE=TEXT`), with `%IP%`, `%Domain%`, `%EMailTo%`, `%EMailFrom%` filled in (E16).
public struct Messages: Sendable {
    /// The connection layer's built-in texts. A `switch`, not a dictionary: an accepted
    /// connection never needs a text, so it should not pay for building a table of them.
    public static func connectionText(_ rule: String) -> String? {
        switch rule {
        case "ipblock": return "Connections from %IP% are refused here"
        case "dnsbl": return "%IP% is listed in a DNS blocklist"
        case "dnsbl-temporary": return "Blocklist lookup for %IP% failed; try again later"
        case "rdns": return "No reverse DNS (PTR) for %IP%; see RFC 1912 2.1"
        case "rdns-forward": return "Reverse DNS of %IP% does not resolve back to it"
        case "rdns-generic": return "%IP% has a generic or dynamic reverse DNS name; send through your provider's server"
        case "rdns-temporary": return "Reverse DNS lookup for %IP% failed; try again later"
        case "country": return "Mail from your country is not accepted here"
        case "p0f": return "Mail from %IP% is not accepted: direct-to-MX from a desktop system"
        case "ban": return "%IP% is temporarily banned for sending spam"
        case "reputation": return "%IP% is reported for spam by several mail servers"
        case "early-talker": return "Protocol error: you talked before the greeting"
        default: return nil
        }
    }

    /// The admin's texts, in file order (few lines: a linear look-up is the cheapest).
    private let overrides: [(rule: String, text: String)]
    private let defaults: @Sendable (String) -> String?

    public init(overrides: [String: String] = [:], defaults: @escaping @Sendable (String) -> String? = { Messages.connectionText($0) }) {
        self.overrides = overrides.map { (rule: $0.key, text: $0.value) }
        self.defaults = defaults
    }

    private init(pairs: [(rule: String, text: String)], defaults: @escaping @Sendable (String) -> String?) {
        overrides = pairs
        self.defaults = defaults
    }

    /// Reads `control/qsentry/messages`; malformed lines are reported, defaults stand for them.
    public static func load(_ root: QmailRoot, defaults: @escaping @Sendable (String) -> String? = { Messages.connectionText($0) })
        throws -> (Messages, [ControlError]) {
        let (pairs, malformed) = try ControlFile.keyValues(root.qsentry("messages"))
        return (Messages(pairs: pairs.map { (rule: $0.key, text: $0.value) }, defaults: defaults), malformed)
    }

    /// The text for a rule with the client's values filled in; the admin's last line for a rule wins.
    public func text(_ rule: RuleName, _ values: ReplyTemplate.Values, fallback: String? = nil) -> String {
        let template = overrides.last(where: { $0.rule == rule.rawValue })?.text ?? defaults(rule.rawValue) ?? fallback
            ?? "Refused by rule \(rule)"
        return ReplyTemplate(template).render(values)
    }
}
