import QSentryCore

/// M12 at delivery: qsentry-queue's `X-QSentry-Fuzzy:` field. `spam` (a copy of learnt spam, with
/// the fuzzy file's `action=tag`) makes the message spam; `bulk` (copies sent to many recipients)
/// is reported as FUZZY_BULK and weighs nothing by itself (newsletters are bulk too). The field is
/// qsentry-queue's: qsentry-smtpd drops every X-QSentry-* field a client sends.
public struct FuzzyMark: DeliveryRule {
    public let name: RuleName = "fuzzy"
    public init() {}

    public func evaluate(_ c: inout DeliveryContext) -> Verdict? {
        guard !c.settled, let field = c.facts.fields["x-qsentry-fuzzy"] else { return nil }
        let kind = field.split(separator: ";").first.map { String($0).trimmed } ?? ""
        switch kind {
        case "spam":
            c.tag.tests.append("FUZZY_SPAM")
            c.tag.isSpam = true
        case "bulk":
            c.tag.tests.append("FUZZY_BULK")
        default: break
        }
        return nil
    }
}
