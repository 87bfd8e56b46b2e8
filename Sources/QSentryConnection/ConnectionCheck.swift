import QSentryCore
import QSentryDNS
import QSentryStore

/// One rule's outcome: the verdict, and a short word for the log line (`listed(2)`, `pass`, `miss`).
public struct RuleResult: Sendable, Equatable {
    public let rule: RuleName
    public let verdict: Verdict
    public let detail: String

    public init(_ rule: RuleName, _ verdict: Verdict, _ detail: String) {
        self.rule = rule
        self.verdict = verdict
        self.detail = detail
    }

    public static func pass(_ rule: RuleName, _ detail: String = "pass") -> RuleResult {
        RuleResult(rule, .accept, detail)
    }
}

/// A connection rule (C1–C8): it names the DNS questions it needs, and decides from the answers.
///
/// The stage asks every check's questions in one batch, so five blocklists and a PTR
/// cost one round trip, not six.
public protocol ConnectionCheck {
    var name: RuleName { get }
    /// The rule as the control files configure it, or nil when they leave it off (nothing of it
    /// is opened then). Problems with its files go into `setup.problems`. An existential, not
    /// `Self?`: the loop over `rules` would otherwise make Optional's metadata for each rule type
    /// as a connection starts (some 40,000 instructions for the first).
    static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)?
    /// The control files it reads, for `qsentry check`'s catalogue.
    static var controlFiles: [ControlFileSpec] { get }
    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    static var texts: KeyValuePairs<String, String> { get }
    /// Questions to ask before `evaluate` (none for rules that need no DNS).
    func questions(for ip: IPAddress) -> [DNSQuery]
    /// Questions that depend on the first answers (forward-confirmed rDNS), asked in a second batch.
    func followUp(for ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> [DNSQuery]
    func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult
}

/// What a connection rule is configured from.
public struct ConnectionSetup {
    public let root: QmailRoot
    public let messages: Messages
    /// The shared ban/reputation store, when one is configured.
    public let store: ReputationStore?
    /// Opens (creating it if need be) the store, for rules that write to it whatever it held (C12).
    public var openStore: (() throws -> Store)? = nil
    /// Lines that were skipped as malformed, or settings that do not fit together.
    public var problems: [ControlError] = []
}

extension ConnectionCheck {
    public static var controlFiles: [ControlFileSpec] { [] }
    public static var texts: KeyValuePairs<String, String> { [:] }
    public func questions(for ip: IPAddress) -> [DNSQuery] { [] }
    public func followUp(for ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> [DNSQuery] { [] }
}
