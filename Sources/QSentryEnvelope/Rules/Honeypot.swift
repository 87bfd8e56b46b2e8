import QSentryCore

/// E12: a honeypot recipient: refused 550, and the client reported (a honeypot event counts
/// towards a ban, C7, and shared reputation, C8).
public struct Honeypot: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.honeypots = try c.loadAddresses(root.qsentry("honeypots"))
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("honeypots", .qsentry, .addressList, "trap addresses; mail to them bans the sender's IP (E12)"),
    ]
    public let name: RuleName = "honeypot"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "honeypot": "sorry, no mailbox here by that name: %EMailTo%",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, try c.recipientIsFiltered(), try c.config.honeypots.match(to.mailbox) != nil else { return nil }
        return .replyAndReport(SMTPReply(550, "5.1.1", c.config.messages.text(name, c.values)), rule: name,
                               event: .honeypot, disconnect: false)
    }
}
