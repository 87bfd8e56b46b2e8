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

/// A rule's name, as logged (`rule=dnsbl`), as `control/qsentry/messages` and `sender-rules` name
/// it, and as tests and `qsentry explain` compare it: a type of its own, so a rule name cannot be
/// mixed up with a reply text or an address, written as a string literal where one is needed.
public struct RuleName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public var isEmpty: Bool { rawValue.isEmpty }
    public static func < (a: RuleName, b: RuleName) -> Bool { a.rawValue < b.rawValue }
    /// A derived name: `spf` + `-fail`.
    public static func + (a: RuleName, suffix: String) -> RuleName { RuleName(a.rawValue + suffix) }
}

/// The one decision type of every stage (C, E, M, D): accept, tag, refuse or defer, with the rule
/// that made it and the text the client or the log sees. A stage that answers in SMTP carries the
/// exact reply (qsentry-smtpd's codes differ by rule); a refusal names the event it reports to the
/// store (bans, reputation); a few refusals end the session.
public struct Verdict: Sendable, Equatable, CustomStringConvertible {
    public var action: VerdictAction
    /// The rule's name as logged (`dnsbl`, `rdns`, `badmailfrom` …); "" for a plain acceptance.
    public var rule: RuleName
    /// Human text for the SMTP reply or the tag.
    public var text: String
    /// The reply qsentry-smtpd gives instead of passing the command on; nil where the stage maps
    /// the action itself (qsentry-conn's 553 or 451, qmail-queue's exit codes).
    public var reply: SMTPReply?
    /// What the refusal reports to the store (C7, C8, M9).
    public var event: StoreEventKind?
    /// Whether the session ends with the reply (E2's dictionary attacks).
    public var disconnect = false

    public init(_ action: VerdictAction, rule: RuleName = "", text: String = "", event: StoreEventKind? = nil) {
        self.action = action
        self.rule = rule
        self.text = text
        self.event = event
    }

    public static let accept = Verdict(.accept)

    /// Accept, and mark the message with this rule for the layers after DATA (action `tag`).
    public static func tag(rule: RuleName) -> Verdict { Verdict(.tag, rule: rule) }

    /// Refused for content (quarantined, reported) or by a rule that reports an event.
    public static func refuse(rule: RuleName, text: String, event: StoreEventKind) -> Verdict {
        Verdict(.refuse, rule: rule, text: text, event: event)
    }

    /// Cannot decide now (scanner down, DNS trouble): the sender retries.
    public static func deferred(rule: RuleName, text: String) -> Verdict { Verdict(.deferred, rule: rule, text: text) }

    /// Answer the client with `r` (its code says refuse or defer) and do not pass the command on.
    public static func reply(_ r: SMTPReply, rule: RuleName) -> Verdict {
        var v = Verdict(r.isTemporary ? .deferred : .refuse, rule: rule, text: r.text)
        v.reply = r
        return v
    }

    /// Answer, record a store event, and close the session when `disconnect`.
    public static func replyAndReport(_ r: SMTPReply, rule: RuleName, event: StoreEventKind, disconnect: Bool) -> Verdict {
        var v = reply(r, rule: rule)
        v.event = event
        v.disconnect = disconnect
        return v
    }

    /// Whether the command or message goes on (accepted, possibly tagged).
    public var passes: Bool { action == .accept || action == .tag }

    /// The stronger of two verdicts; on a tie the first one stands (rules run in the admin's order).
    public func combined(with other: Verdict) -> Verdict {
        other.action > action ? other : self
    }

    /// This decision followed by a later rule's: a refusal or deferral replaces it, a tag
    /// replaces plain acceptance only (the first tag stands).
    public func then(_ next: Verdict) -> Verdict {
        !next.passes || self == .accept ? next : self
    }

    public var description: String { rule.isEmpty ? action.rawValue : "\(action.rawValue) (\(rule))" }
}
