import QSentryCore

/// M3: phrases from `control/qsentry/keywords` in the subject or the decoded text (HTML as
/// text), case-insensitive, any run of white space matching any other.
public struct KeywordCheck: MessageCheck {
    public static func configured(_ setup: inout ContentSetup) throws -> KeywordCheck? {
        guard let lines = try ControlFile.lines(setup.root.qsentry("keywords")), !lines.isEmpty else { return nil }
        return KeywordCheck(phrases: lines.map(\.text))
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("keywords", .qsentry, .text, "refused phrases in subject and body (M3)"),
        .init("keywords-allow", .qsentry, .text, "phrases that bypass content rules (M3)"),
    ]
    public let name: RuleName = "keyword"
    let phrases: [String]

    public init(phrases: [String]) { self.phrases = phrases.map(KeywordText.normalize).filter { !$0.isEmpty } }

    public func check(_ m: ScannedMessage) -> Verdict {
        let hay = KeywordText.of(m)
        if let p = phrases.first(where: { hay.contains($0) }) {
            return .refuse(rule: name, text: "message refused for its content (\(SMTPReply.sanitize(p)))", event: .spam)
        }
        return .accept
    }
}

/// The text keyword rules search: subject and body, lower case, white space collapsed.
public enum KeywordText {
    public static func of(_ m: ScannedMessage) -> String {
        normalize(m.facts.subject + "\n" + String(decoding: m.facts.text, as: UTF8.self) + "\n" + String(decoding: m.facts.imageText, as: UTF8.self))
    }

    public static func normalize(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var space = false
        for c in s.lowercased() {
            if c.isWhitespace { space = true; continue }
            if space && !out.isEmpty { out.append(" ") }
            space = false
            out.append(c)
        }
        return out
    }
}
