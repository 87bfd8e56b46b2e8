import QSentryCore

/// E3: mail only for the domains of `rcpthosts` / `morercpthosts.cdb`, as qmail-smtpd decides,
/// unless the client relays (RELAYCLIENT, AUTH). A cdb that cannot be read is 451.
public struct Relay: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.rcpthosts = try DomainList.load(root.control("rcpthosts"))
        c.problems += c.rcpthosts.problems
        c.moreRcptHosts = try CDB.ifPresent(root.control("morercpthosts.cdb"))
    }

    public let name: RuleName = "relay"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "relay": "sorry, that domain isn't in my list of allowed rcpthosts",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to else { return nil }
        let local: Bool
        do { local = try c.config.acceptsMail(for: to.domain) } catch {
            return .reply(SMTPReply(451, "4.3.0", "temporary failure reading morercpthosts.cdb"), rule: "relay-temporary")
        }
        return !local && !c.session.isTrusted ? c.policy.refuse(553, "5.7.1", name, c.values) : nil
    }
}
