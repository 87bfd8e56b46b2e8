import QSentryCore
import QSentryDelivery

/// Files whose value only the program that reads it can judge: checked with that program's own parser,
/// so `qsentry check` and the program never disagree.
enum ValueRules {
    static func check(_ name: String, lines: [ControlLine], path: String) -> [ControlError] {
        switch name {
        case "spam-action":
            guard let first = lines.first, SpamAction.parse(first.text.trimmed) == nil else { return [] }
            return [ControlError(path: path, line: first.number,
                                 "\"\(first.text.trimmed)\" is not tag, folder .NAME, discard or bounce (qsentry-local would defer delivery)")]
        default:
            return []
        }
    }
}
