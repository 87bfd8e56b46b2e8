import QSentryCore

/// Seed 000 layer 5 at RCPT: the site's own clients (RELAYCLIENT, AUTH), past the relay rule,
/// skip every filter and need no local mailbox: the stage ends accepted.
public struct TrustedClient: EnvelopeRule {
    public let name: RuleName = "trusted"
    public init() {}

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        c.session.isTrusted ? .accept : nil
    }
}
