import QSentryCore

/// E7: `rcptblock`, qmail's badrcptto: recipients refused 553.
public struct RecipientBlock: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.rcptBlock = try c.loadAddresses(root.qsentry("rcptblock"))
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("rcptblock", .qsentry, .addressList, "refused recipients (E7)"),
    ]
    public let name: RuleName = "rcptblock"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "rcptblock": "mail to %EMailTo% is refused",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, try c.recipientIsFiltered(), try c.config.rcptBlock.match(to.mailbox) != nil else { return nil }
        return c.policy.refuse(553, "5.7.1", name, c.values)
    }
}
