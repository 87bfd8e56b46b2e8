/// Refusal texts: the defaults the rules carry (each rule type's `texts`, assembled per stage by
/// ConnectionConfiguration.defaultText and EnvelopePolicy.defaultText), or the admin's from
/// `control/qsentry/messages`
/// (`RULE=TEXT`), with `%IP%`, `%Domain%`, `%EMailTo%`, `%EMailFrom%` filled in (E16).
public struct Messages: Sendable {
    /// The admin's texts, in file order (few lines: a linear look-up is the cheapest).
    private let overrides: [(rule: String, text: String)]
    private let defaults: @Sendable (String) -> String?

    public init(overrides: [String: String] = [:], defaults: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.overrides = overrides.map { (rule: $0.key, text: $0.value) }
        self.defaults = defaults
    }

    private init(pairs: [(rule: String, text: String)], defaults: @escaping @Sendable (String) -> String?) {
        overrides = pairs
        self.defaults = defaults
    }

    /// Reads `control/qsentry/messages`; malformed lines are reported, defaults stand for them.
    public static func load(_ root: QmailRoot, defaults: @escaping @Sendable (String) -> String?)
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
