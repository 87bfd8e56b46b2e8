import QSentryCore

/// E6: qmail's `badmailfrom` (addresses and `@domain`), `mailfromblock` and `mailfromblock-domains`.
public struct SenderBlock: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.badmailfrom = try c.loadAddresses(root.control("badmailfrom"))
        c.mailfromBlock = try c.loadAddresses(root.qsentry("mailfromblock"))
        c.mailfromBlockDomains = try DomainList.load(root.qsentry("mailfromblock-domains"))
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("mailfromblock", .qsentry, .addressList, "refused senders (E6)"),
        .init("mailfromblock-domains", .qsentry, .domainList, "refused sender domains (E6)"),
    ]
    public let name: RuleName = "badmailfrom"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "badmailfrom": "sorry, your envelope sender %EMailFrom% is refused here",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard !c.from.isNull else { return nil }
        let config = c.config
        if try config.badmailfrom.match(c.from.mailbox) != nil || config.mailfromBlock.match(c.from.mailbox) != nil
            || config.mailfromBlockDomains.match(c.from.domain) != nil {
            return c.policy.refuse(553, "5.7.1", name, c.values)
        }
        return nil
    }
}
