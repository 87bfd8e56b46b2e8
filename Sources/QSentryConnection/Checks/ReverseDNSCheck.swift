import QSentryCore
import QSentryDNS

/// C1: the client must have reverse DNS (RFC 1912 2.1). Modes: `require` (a PTR exists),
/// `forward-confirmed` (a PTR name resolves back to the address). Names matching the
/// generic-PTR patterns (dynamic pools, addresses spelt in the name) earn their own verdict.
/// No PTR refuses; a DNS failure defers.
public struct ReverseDNSCheck: ConnectionCheck {
    public static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? {
        try load(setup.root, messages: setup.messages)
    }

    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    public static let texts: KeyValuePairs<String, String> = [
        "rdns": "No reverse DNS (PTR) for %IP%; see RFC 1912 2.1",
        "rdns-forward": "Reverse DNS of %IP% does not resolve back to it",
        "rdns-generic": "%IP% has a generic or dynamic reverse DNS name; send through your provider's server",
        "rdns-temporary": "Reverse DNS lookup for %IP% failed; try again later",
    ]
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("rdns", .qsentry, .keyValue(["mode": ["off", "require", "forward-confirmed"], "generic": ControlCatalog.verdicts]),
              "reverse DNS policy (C1)"),
        .init("rdns-generic", .qsentry, .text, "patterns of generic/dynamic PTR names (C1)"),
    ]
    public enum Mode: String, Sendable { case off, require, forwardConfirmed = "forward-confirmed" }

    public let name: RuleName = "rdns"
    let mode: Mode
    let generic: GenericPTRPatterns
    let genericAction: VerdictAction
    let messages: Messages
    /// Forward look-ups made for at most this many PTR names.
    static let maxNames = 3

    public init(mode: Mode, generic: GenericPTRPatterns, genericAction: VerdictAction, messages: Messages) {
        self.mode = mode
        self.generic = generic
        self.genericAction = genericAction
        self.messages = messages
    }

    public func questions(for ip: IPAddress) -> [DNSQuery] { [DNSQuery.reverse(ip)] }

    public func followUp(for ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> [DNSQuery] {
        guard mode == .forwardConfirmed, let names = answers[DNSQuery.reverse(ip)]?.records else { return [] }
        return names.prefix(Self.maxNames).map { DNSQuery($0, ip.isIPv4 ? .a : .aaaa) }
    }

    public func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        let values = ReplyTemplate.Values(ip: ip.description)
        let ptr = answers[DNSQuery.reverse(ip)] ?? .temporary("not asked")
        let names: [String]
        switch ptr {
        case .records(let r): names = r
        case .nameError, .noData:
            return RuleResult(name, Verdict(.refuse, rule: name, text: messages.text("rdns", values)), "none")
        case .temporary:
            return RuleResult(name, Verdict(.deferred, rule: name, text: messages.text("rdns-temporary", values)), "temporary")
        }
        if mode == .forwardConfirmed {
            var confirmed = false
            var temporary = false
            for n in names.prefix(Self.maxNames) {
                let a = answers[DNSQuery(n, ip.isIPv4 ? .a : .aaaa)] ?? .temporary("not asked")
                if a.records.contains(where: { IPAddress($0) == ip }) { confirmed = true }
                if a.isTemporary { temporary = true }
            }
            if !confirmed {
                if temporary {
                    return RuleResult(name, Verdict(.deferred, rule: name, text: messages.text("rdns-temporary", values)), "temporary")
                }
                return RuleResult(name, Verdict(.refuse, rule: "rdns-forward", text: messages.text("rdns-forward", values)), "unconfirmed")
            }
        }
        if let first = names.first, let pattern = generic.match(first, ip: ip), genericAction != .accept {
            return RuleResult(name, Verdict(genericAction, rule: "rdns-generic", text: messages.text("rdns-generic", values)),
                              "generic:\(pattern)")
        }
        return .pass(name, names.first ?? "pass")
    }

    /// Reads `control/qsentry/rdns` (`mode=…`, `generic=…`) and `rdns-generic`; nil when the rule is off.
    public static func load(_ root: QmailRoot, messages: Messages) throws -> ReverseDNSCheck? {
        var mode = Mode.off
        var genericAction = VerdictAction.refuse
        for pair in try ControlFile.keyValues(root.qsentry("rdns")).pairs {
            let value = pair.value.asciiLowercased
            if pair.key == "mode", let m = Mode(rawValue: value) { mode = m }
            if pair.key == "generic", let a = VerdictAction(rawValue: value) { genericAction = a }
        }
        let patterns = GenericPTRPatterns(lines: try ControlFile.lines(root.qsentry("rdns-generic")) ?? [])
        if mode == .off && patterns.isEmpty { return nil }
        // Generic patterns alone still need the PTR: they imply `require`.
        return ReverseDNSCheck(mode: mode == .off ? .require : mode, generic: patterns, genericAction: genericAction, messages: messages)
    }
}
