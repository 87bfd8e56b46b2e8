#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryDNS

/// C7 and C8: an address banned for recent spam, or reported by enough MX hosts, is refused
/// before any SMTP data. A store that fails is skipped with a log word: mail keeps flowing.
public struct BanCheck: ConnectionCheck {
    public static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? {
        setup.store.map { BanCheck(store: $0, messages: setup.messages) }
    }

    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    public static let texts: KeyValuePairs<String, String> = [
        "ban": "%IP% is temporarily banned for sending spam",
        "reputation": "%IP% is reported for spam by several mail servers",
    ]
    public let name: RuleName = "ban"
    let store: ReputationStore
    let messages: Messages

    public init(store: ReputationStore, messages: Messages) {
        self.store = store
        self.messages = messages
    }

    public func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        let status: BanStatus?
        do {
            status = try store.status(of: ip, now: Int(time(nil)))
        } catch {
            return RuleResult(name, .accept, "store-error")
        }
        guard let status else { return .pass(name, "none") }
        let rule: RuleName = status.reason == .ban ? "ban" : "reputation"
        // A ban ends by itself: the client may retry later, so the refusal is temporary.
        return RuleResult(name, Verdict(.deferred, rule: rule, text: messages.text(rule, .init(ip: ip.description))), rule.rawValue)
    }
}
