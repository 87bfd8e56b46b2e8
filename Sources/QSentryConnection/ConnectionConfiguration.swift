import QSentryCore
import QSentryDNS
import QSentryStore

/// Builds the stage from the control files, opening only what they name: no country database
/// without `countries`, no p0f socket without a policy, no resolver without a DNS rule.
public struct ConnectionConfiguration {
    /// The rules in the admin's order (the allow list is the stage's, before them).
    public static let rules: [any ConnectionCheck.Type] = [IPBlockCheck.self, ConnectionLimitCheck.self, BanCheck.self, CountryCheck.self,
                                                           P0fCheck.self, ReverseDNSCheck.self, DNSBLCheck.self]

    /// The built-in text for `rule`'s refusal, from the rule that gives it (E16).
    public static func defaultText(_ rule: String) -> String? {
        for texts in rules.map({ $0.texts }) + [EarlyTalker.texts] {
            for (name, text) in texts where name == rule { return text }
        }
        return nil
    }

    /// The connection stage's control files: each rule's and greetdelay's (the shared ones are
    /// ControlCatalog's).
    public static let controlFiles: [ControlFileSpec] = rules.flatMap { $0.controlFiles } + EarlyTalker.controlFiles

    public let stage: ConnectionStage
    public let messages: Messages
    /// Greeting delay for early-talker detection, milliseconds (0 = off).
    public let greetDelay: Int
    /// Lines that were skipped as malformed (logged; `qsentry check` names them too).
    public let problems: [ControlError]

    /// - Parameter store: the shared ban/reputation store, when one is configured.
    public static func load(_ root: QmailRoot, store: ReputationStore? = nil, openStore: (() throws -> Store)? = nil,
                            resolver: (() throws -> Resolver)? = nil) throws -> ConnectionConfiguration {
        var problems: [ControlError] = []
        let (messages, messageProblems) = try Messages.load(root, defaults: { ConnectionConfiguration.defaultText($0) })
        problems += messageProblems

        let allow = try IPList.load(root.qsentry("ipallow"))
        problems += allow.problems
        var setup = ConnectionSetup(root: root, messages: messages, store: store)
        setup.openStore = openStore
        var checks: [ConnectionCheck] = []
        for rule in rules {
            if let check = try rule.configured(&setup) { checks.append(check) }
        }
        problems += setup.problems

        let greetDelay = try ControlFile.integer(root.qsentry("greetdelay"), default: 0, range: 0...60000)
        let stage = ConnectionStage(allow: allow, checks: checks, makeResolver: resolver ?? { try Resolver.configured(root: root) })
        return ConnectionConfiguration(stage: stage, messages: messages, greetDelay: greetDelay, problems: problems)
    }
}
