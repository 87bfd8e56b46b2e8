import QSentryCore
import QSentryDNS

/// C3: `control/qsentry/ipblock`, read on every connection (edits take effect at once).
public struct IPBlockCheck: ConnectionCheck {
    public let name = "ipblock"
    let list: IPList
    let messages: Messages

    public init(list: IPList, messages: Messages) {
        self.list = list
        self.messages = messages
    }

    public func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        guard let m = list.match(ip) else { return .pass(name, "miss") }
        return RuleResult(name, Verdict(.refuse, rule: name, text: messages.text(name, .init(ip: ip.description))), "line\(m.line)")
    }
}
