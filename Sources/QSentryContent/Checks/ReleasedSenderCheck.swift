import QSentryCore
import QSentryMessage

/// A3 at DATA: a message whose every recipient allowed its sender in the web console ("release
/// and allow", ReleasedSenders) skips the spam rules after it, as `keywords-allow` does; the virus
/// scan still ran. No file, nothing read but one failed open. A file that cannot be read defers.
public struct ReleasedSenderCheck: ContentCheck {
    public let name: RuleName = "released-senders"
    let senders: ReleasedSenders

    public init(_ senders: ReleasedSenders) { self.senders = senders }

    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        let envelope = c.message.envelope
        do {
            guard try senders.allowAll(sender: envelope.sender, recipients: envelope.recipients) else { return nil }
        } catch {
            return .deferred(rule: "list-temporary", text: "temporary failure reading \(ReleasedSenders.fileName)")
        }
        c.trail.append("released-senders")
        return .accept
    }
}
