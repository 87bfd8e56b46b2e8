import QSentryCore

/// M3's allow side: `keywords-allow` phrases in the subject or text let the message skip the spam
/// rules after it (not the virus scan).
public struct KeywordsAllow: ContentCheck {
    public let name: RuleName = "keywords-allow"
    let phrases: [String]

    public init(phrases: [String]) { self.phrases = phrases }

    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        guard !phrases.isEmpty else { return nil }
        let text = KeywordText.of(c.message)
        guard phrases.contains(where: { text.contains($0) }) else { return nil }
        c.trail.append("keywords-allow")
        return .accept
    }
}
