import QSentryCore
import QSentryMIME

/// A delivery rule (D1, D3, D4, the user's lists): one type in one file under Rules/, listed in
/// DeliveryStage's `rules` in the order they run. `evaluate` adds its findings to the tag, or ends
/// the delivery with a Verdict, the stages' one decision type: accept (an allow-listed sender,
/// delivered now), refuse with the `virus` event (quarantined, never delivered), or defer (a
/// scanner or store that failed); nil lets the next rule run. The user's threshold and action
/// (D2) then decide what the tag means.
public protocol DeliveryRule {
    var name: RuleName { get }
    /// Sets the stage up for this rule from the site's control files (the scanner, spamd, the
    /// token databases); a file it cannot use is a SetupError, and the delivery defers.
    static func load(_ root: QmailRoot, user: String, into stage: inout DeliveryStage) throws
    /// The control files it reads, for `qsentry check`'s catalogue.
    static var controlFiles: [ControlFileSpec] { get }
    func evaluate(_ c: inout DeliveryContext) -> Verdict?
}

extension DeliveryRule {
    public static func load(_ root: QmailRoot, user: String, into stage: inout DeliveryStage) throws {}
    public static var controlFiles: [ControlFileSpec] { [] }
}

/// One message at delivery, and what the rules found so far.
public struct DeliveryContext {
    public let stage: DeliveryStage
    /// The message, open and readable from offset 0, `size` bytes; `facts` from the MIME parser.
    public let fd: Int32
    public let size: Int
    public let facts: MessageFacts
    public let sender: String
    public var tag: SpamTag
    /// The user's block list settled it (spam): the scores are not asked.
    public var settled = false
    /// The delivery's one log line.
    public var log: LogLine
}
