import QSentryCore
import QSentryRecipients

/// E1, E2: the mailbox exists the way qmail would deliver it (RecipientCheck, chkuser-style):
/// unknown is 550 5.1.1, and past `badrcptlimit` unknown recipients 421 and a bad-recipient event
/// (a dictionary attack); anything that cannot be read is 451 4.3.0. Always last.
public struct RecipientExists: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.badRecipientLimit = try ControlFile.integer(root.qsentry("badrcptlimit"), default: 10, range: 0...10000)
        c.recipients = try RecipientCheck.load(root)
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("validrcptto.cdb", .qsentry, .path, "valid recipient addresses, compiled (E1)"),
        .init("badrcptlimit", .qsentry, .integer(0...10000), "unknown recipients per session before disconnect (E2)"),
    ]
    public let name = RecipientExists.unknown
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "unknown-recipient": "sorry, no mailbox here by that name: %EMailTo%",
            "recipient-temporary": "temporary failure looking up %EMailTo%; try again later",
            "bad-recipients": "too many unknown recipients; closing the connection",
        ]
    }

    /// Whether `d` refused an unknown recipient (E2 counts them towards `badrcptlimit`).
    public static func refusedUnknown(_ d: Verdict) -> Bool {
        d.rule == unknown || d.rule == tooMany
    }
    static let unknown: RuleName = "unknown-recipient", tooMany: RuleName = "bad-recipients"

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, let recipients = c.config.recipients else { return nil }
        switch recipients.check(local: to.localPart, domain: to.domain) {
        case .exists, .notLocal:
            return nil
        case .temporary:
            return c.reply(451, "4.3.0", "recipient-temporary")
        case .unknown:
            let limit = c.config.badRecipientLimit
            if limit > 0 && c.session.badRecipients + 1 > limit {
                return .replyAndReport(SMTPReply(421, "4.7.0", c.config.messages.text(Self.tooMany, c.values)),
                                       rule: Self.tooMany, event: .badRecipient, disconnect: true)
            }
            return c.reply(550, "5.1.1", Self.unknown)
        }
    }
}
