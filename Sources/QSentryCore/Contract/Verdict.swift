/// What a rule or a stage decided.
public enum VerdictAction: String, Sendable, Comparable, CaseIterable {
    case accept, tag, deferred = "defer", refuse

    /// Strength, for combining: a refusal beats a deferral beats a tag beats acceptance.
    private var rank: Int {
        switch self {
        case .accept: return 0
        case .tag: return 1
        case .deferred: return 2
        case .refuse: return 3
        }
    }
    public static func < (a: VerdictAction, b: VerdictAction) -> Bool { a.rank < b.rank }
}

/// A decision with the rule that made it and the text the client or the log sees.
public struct Verdict: Sendable, Equatable, CustomStringConvertible {
    public var action: VerdictAction
    /// The rule's name as logged (`dnsbl`, `rdns`, `badmailfrom` …); "" for a plain acceptance.
    public var rule: String
    /// Human text for the SMTP reply or the tag.
    public var text: String

    public init(_ action: VerdictAction, rule: String = "", text: String = "") {
        self.action = action
        self.rule = rule
        self.text = text
    }

    public static let accept = Verdict(.accept)

    /// The stronger of two verdicts; on a tie the first one stands (rules run in the admin's order).
    public func combined(with other: Verdict) -> Verdict {
        other.action > action ? other : self
    }

    public var description: String { rule.isEmpty ? action.rawValue : "\(action.rawValue) (\(rule))" }
}
