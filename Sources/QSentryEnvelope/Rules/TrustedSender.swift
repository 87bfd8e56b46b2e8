import QSentryCore

/// Seed 000 layer 5 and E13 at MAIL FROM: the site's own clients (RELAYCLIENT, AUTH) and allow-listed
/// senders or client addresses skip every sender rule, the DNS ones included.
public struct TrustedSender: EnvelopeRule {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("mailfromallow", .qsentry, .addressList, "senders that bypass every rule (E13)"),
    ]
    public let name: RuleName = "trusted"
    public init() {}

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        try c.session.isTrusted || c.senderIsAllowListed() ? .accept : nil
    }
}
