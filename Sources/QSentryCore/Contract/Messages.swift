/// Refusal texts: each layer's defaults, or the admin's from `control/qsentry/messages`
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

    /// The envelope layer's built-in texts (qsentry-smtpd).
    public static func envelopeText(_ rule: String) -> String? {
        switch rule {
        case "relay": return "sorry, that domain isn't in my list of allowed rcpthosts"
        case "routing": return "sorry, source routes, % and ! in addresses are not accepted here"
        case "unknown-recipient": return "sorry, no mailbox here by that name: %EMailTo%"
        case "recipient-temporary": return "temporary failure looking up %EMailTo%; try again later"
        case "badmailfrom": return "sorry, your envelope sender %EMailFrom% is refused here"
        case "empty-sender": return "the empty envelope sender is refused here"
        case "from-equals-to": return "sender and recipient may not be the same address"
        case "same-domain": return "mail from %Domain% to %Domain% must come from your own server"
        case "rcptblock": return "mail to %EMailTo% is refused"
        case "rcptallow": return "%EMailTo% does not accept mail from outside"
        case "honeypot": return "sorry, no mailbox here by that name: %EMailTo%"
        case "too-many-recipients": return "too many recipients"
        case "bad-recipients": return "too many unknown recipients; closing the connection"
        case "sender-mx": return "sender domain %Domain% has no mail server (no MX or A record)"
        case "sender-mx-temporary": return "cannot look up the mail server of %Domain%; try again later"
        case "spf-fail": return "SPF: %IP% is not allowed to send mail from %Domain%"
        case "spf-softfail": return "SPF: %Domain% does not designate %IP% as a permitted sender"
        case "spf-neutral": return "SPF: %Domain% makes no statement about %IP%"
        case "spf-none": return "SPF: %Domain% publishes no SPF record"
        case "spf-permerror": return "SPF: the SPF record of %Domain% is broken"
        case "spf-temperror": return "SPF: temporary error evaluating %Domain%; try again later"
        case "spf-pass": return "SPF: %IP% is a permitted sender for %Domain%"
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
    public func text(_ rule: String, _ values: ReplyTemplate.Values, fallback: String? = nil) -> String {
        let template = overrides.last(where: { $0.rule == rule })?.text ?? defaults(rule) ?? fallback
            ?? "Refused by rule \(rule)"
        return ReplyTemplate(template).render(values)
    }
}
