import QSentryCore

/// D2: the user's own `block` list (always spam, nothing else asked) and `allow` list (always ham:
/// delivered at once), `.qsentry/block` and `.qsentry/allow` beside the Maildir.
public struct SenderLists: DeliveryRule {
    public let name: RuleName = "sender-lists"
    public init() {}

    public func evaluate(_ c: inout DeliveryContext) -> Verdict? {
        let p = c.stage.preferences
        do {
            if try p.block.match(c.sender) != nil {
                c.tag.isSpam = true
                c.tag.tests = ["BLOCK"]
                c.settled = true
                return nil
            }
            if try p.allow.match(c.sender) != nil {
                c.tag.tests = ["ALLOW"]
                return Verdict(.accept, rule: "allow")
            }
        } catch {
            return .deferred(rule: name, text: "sender lists: \(error)")
        }
        return nil
    }
}
