import QSentryCore

/// E7: `rcptallow`, the authorized recipients: when the list has entries, anyone else is refused 550.
public struct RecipientAllow: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.rcptAllow = try c.loadAddresses(root.qsentry("rcptallow"))
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("rcptallow", .qsentry, .addressList, "when present, the only recipients accepted (E7)"),
    ]
    public let name: RuleName = "rcptallow"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "rcptallow": "%EMailTo% does not accept mail from outside",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, try c.recipientIsFiltered(), !c.config.rcptAllow.isEmpty,
              try c.config.rcptAllow.match(to.mailbox) == nil else { return nil }
        return c.policy.refuse(550, "5.7.1", name, c.values)
    }
}
