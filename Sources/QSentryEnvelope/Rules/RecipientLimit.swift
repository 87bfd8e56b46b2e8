import QSentryCore

/// E5: `maxrcpt` (`message=N`, `connection=N`): past either, 452 4.5.3 (the client sends the rest later).
public struct RecipientLimit: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        for pair in try ControlFile.keyValues(root.qsentry("maxrcpt")).pairs {
            guard let n = Int(pair.value) else { continue }
            if pair.key == "message" { c.maxRecipientsPerMessage = n } else if pair.key == "connection" { c.maxRecipientsPerSession = n }
        }
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("maxrcpt", .qsentry, .keyValue(["message": nil, "connection": nil]), "recipient limits (E5)"),
    ]
    public let name: RuleName = "too-many-recipients"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "too-many-recipients": "too many recipients",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        let perMessage = c.config.maxRecipientsPerMessage, perSession = c.config.maxRecipientsPerSession
        guard perMessage > 0 && c.recipientsInMessage >= perMessage || perSession > 0 && c.session.sessionRecipients >= perSession
        else { return nil }
        return c.policy.refuse(452, "4.5.3", name, c.values)
    }
}
