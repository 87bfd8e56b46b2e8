import QSentryCore

/// One rule of the content stage (M1–M5): a small type per file under Checks/.
public protocol ContentCheck {
    var name: RuleName { get }
    func check(_ message: ScannedMessage) -> Verdict
}
