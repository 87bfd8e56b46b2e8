import QSentryCore

/// Seed 000 layer 5 at DATA: mail from the site's own users (RELAYCLIENT, or AUTH as qsentry-smtpd's
/// session header says) skips the spam rules, never the virus scan before it.
public struct SiteUsers: ContentCheck {
    public let name: RuleName = "trusted"
    public init() {}

    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        guard c.message.session.trusted else { return nil }
        c.trail.append("trusted")
        return .accept
    }
}
