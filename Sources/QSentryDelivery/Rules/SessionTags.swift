import QSentryCore
import QSentryMessage

/// The tags earlier layers put on the message (`tag` actions of qsentry-conn's and the envelope's
/// rules, carried in `X-QSentry-Session: …; tags=`), reported in `X-Spam-Status` as
/// `QSENTRY_RULE` tests so the user's mail client can sort on them. Reported, not weighed: the
/// field is trusted only as far as qsentry-smtpd wrote it, and a forged one can only add labels.
public struct SessionTags: DeliveryRule {
    public let name: RuleName = "session-tags"
    public init() {}

    public func evaluate(_ c: inout DeliveryContext) -> Verdict? {
        guard !c.settled, let field = c.facts.fields["x-qsentry-session"] else { return nil }
        var session = SessionFacts()
        session.read(sessionField: field)
        for tag in session.tags.prefix(10) {
            c.tag.tests.append("QSENTRY_" + String(tag.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40)))
        }
        return nil
    }
}
