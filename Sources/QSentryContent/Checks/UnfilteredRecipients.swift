import QSentryCore

/// E13 at DATA: a message whose recipients are all `unfiltered` (abuse@, postmaster@ …) skips every
/// content rule, the virus scan included (one message, one decision). A list that cannot be read
/// defers.
public struct UnfilteredRecipients: ContentCheck {
    public let name: RuleName = "unfiltered"
    let list: AddressList

    public init(list: AddressList) { self.list = list }

    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        do {
            guard try c.message.envelope.recipients.allSatisfy({ try list.match($0) != nil }) else { return nil }
        } catch {
            return .deferred(rule: "list-temporary", text: "temporary failure reading a control file")
        }
        c.trail.append("unfiltered")
        return .accept
    }
}
