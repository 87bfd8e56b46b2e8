import QSentryCore
import QSentryDNS

/// C3: `control/qsentry/ipblock`, read on every connection (edits take effect at once).
public struct IPBlockCheck: ConnectionCheck {
    public static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? {
        let block = try IPList.load(setup.root.qsentry("ipblock"))
        setup.problems += block.problems
        return block.isEmpty ? nil : IPBlockCheck(list: block, messages: setup.messages)
    }

    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    public static let texts: KeyValuePairs<String, String> = [
        "ipblock": "Connections from %IP% are refused here",
    ]
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("ipblock", .qsentry, .ipList, "refused client addresses (C3)"),
    ]
    public let name: RuleName = "ipblock"
    let list: IPList
    let messages: Messages

    public init(list: IPList, messages: Messages) {
        self.list = list
        self.messages = messages
    }

    public func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        let found: ListMatch?
        do { found = try list.match(ip) } catch {
            return RuleResult(name, Verdict(.deferred, rule: name, text: "temporary failure reading ipblock.cdb"), "unreadable")
        }
        guard let m = found else { return .pass(name, "miss") }
        return RuleResult(name, Verdict(.refuse, rule: name, text: messages.text(name, .init(ip: ip.description))), "line\(m.line)")
    }
}
