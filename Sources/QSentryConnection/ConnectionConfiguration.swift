import QSentryCore
import QSentryDNS

/// Builds the stage from the control files, opening only what they name: no country database
/// without `countries`, no p0f socket without a policy, no resolver without a DNS rule.
public struct ConnectionConfiguration {
    /// The built-in text for `rule`'s refusal, from the rule that gives it (E16).
    public static func defaultText(_ rule: String) -> String? {
        for texts in [IPBlockCheck.texts, BanCheck.texts, CountryCheck.texts, P0fCheck.texts, ReverseDNSCheck.texts,
                      DNSBLCheck.texts, EarlyTalker.texts] {
            for (name, text) in texts where name == rule { return text }
        }
        return nil
    }

    /// The connection stage's control files: each rule's (the shared ones are ControlCatalog's).
    public static let controlFiles: [ControlFileSpec] = ReverseDNSCheck.controlFiles + DNSBLCheck.controlFiles
        + IPBlockCheck.controlFiles + CountryCheck.controlFiles + P0fCheck.controlFiles + EarlyTalker.controlFiles

    public let stage: ConnectionStage
    public let messages: Messages
    /// Greeting delay for early-talker detection, milliseconds (0 = off).
    public let greetDelay: Int
    /// Lines that were skipped as malformed (logged; `qsentry check` names them too).
    public let problems: [ControlError]

    /// - Parameter store: the shared ban/reputation store, when one is configured.
    public static func load(_ root: QmailRoot, store: ReputationStore? = nil,
                            resolver: (() throws -> Resolver)? = nil) throws -> ConnectionConfiguration {
        var problems: [ControlError] = []
        let (messages, messageProblems) = try Messages.load(root, defaults: { ConnectionConfiguration.defaultText($0) })
        problems += messageProblems

        let allow = try IPList.load(root.qsentry("ipallow"))
        let block = try IPList.load(root.qsentry("ipblock"))
        problems += allow.problems + block.problems

        var checks: [ConnectionCheck] = []
        if !block.isEmpty { checks.append(IPBlockCheck(list: block, messages: messages)) }
        if let store { checks.append(BanCheck(store: store, messages: messages)) }

        let countries = try CountryCheck.loadCountries(root)
        if !countries.isEmpty {
            if let path = try ControlFile.value(root.qsentry("geoip"))?.text.trimmed {
                do {
                    checks.append(CountryCheck(database: try CountryDatabase(path: path), refused: countries, messages: messages))
                } catch let e as ControlError {
                    problems.append(e)
                }
            } else {
                problems.append(ControlError(path: root.qsentry("countries"), "countries are listed but control/qsentry/geoip names no database"))
            }
        }

        let policy = try P0fCheck.loadPolicy(root)
        if !policy.isEmpty, let socket = try ControlFile.value(root.qsentry("p0f"))?.text.trimmed {
            checks.append(P0fCheck(client: P0fClient(socketPath: socket), policy: policy, messages: messages))
        }

        if let rdns = try ReverseDNSCheck.load(root, messages: messages) { checks.append(rdns) }
        let (dnsbl, dnsblProblems) = try DNSBLCheck.load(root, messages: messages)
        problems += dnsblProblems
        if let dnsbl { checks.append(dnsbl) }

        let greetDelay = try ControlFile.integer(root.qsentry("greetdelay"), default: 0, range: 0...60000)
        let stage = ConnectionStage(allow: allow, checks: checks, makeResolver: resolver ?? { try Resolver.configured(root: root) })
        return ConnectionConfiguration(stage: stage, messages: messages, greetDelay: greetDelay, problems: problems)
    }
}
