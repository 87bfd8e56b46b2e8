import QSentryCore

/// M4: a subject padded with long runs of spaces (to push the spam past the preview) is
/// refused above `control/qsentry/subject-spaces` consecutive spaces.
public struct SubjectSpacesCheck: MessageCheck {
    public static func configured(_ setup: inout ContentSetup) throws -> SubjectSpacesCheck? {
        // 0 (the default): no limit.
        let spaces = try ControlFile.integer(setup.root.qsentry("subject-spaces"), default: 0, range: 0...1000)
        return spaces > 0 ? SubjectSpacesCheck(maximum: spaces) : nil
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("subject-spaces", .qsentry, .integer(0...1000), "most consecutive spaces allowed in a subject (M4)"),
    ]
    public let name: RuleName = "subject-spaces"
    let maximum: Int

    public init(maximum: Int) { self.maximum = maximum }

    public func check(_ m: ScannedMessage) -> Verdict {
        var run = 0
        var longest = 0
        for c in m.facts.subject.unicodeScalars {
            if c == " " || c == "\t" || c == "\u{A0}" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        if longest > maximum {
            return .refuse(rule: name, text: "subject has \(longest) spaces in a row", event: .spam)
        }
        return .accept
    }
}
