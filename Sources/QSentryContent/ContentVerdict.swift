import QSentryCore

/// What one content rule, or the whole stage, decides about a message.
public enum ContentVerdict: Equatable, Sendable {
    case pass
    /// Refused for content: quarantined, reported, 554.
    case refuse(rule: String, text: String, event: StoreEventKind)
    /// Cannot decide now (scanner down, DNS trouble): 451, the sender retries.
    case deferred(rule: String, text: String)

    public var rule: String? {
        switch self {
        case .pass: return nil
        case .refuse(let r, _, _), .deferred(let r, _): return r
        }
    }
}

/// One rule of the content stage (M1–M5): a small type per file under Checks/.
public protocol ContentCheck {
    var name: String { get }
    func check(_ message: ScannedMessage) -> ContentVerdict
}
