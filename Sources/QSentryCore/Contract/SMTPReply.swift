/// One SMTP reply with its RFC 3463 enhanced status code.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let enhanced: String
    public let text: String

    public init(_ code: Int, _ enhanced: String, _ text: String) {
        self.code = code
        self.enhanced = enhanced
        self.text = SMTPReply.sanitize(text)
    }

    public var isPermanent: Bool { code >= 500 }
    public var isTemporary: Bool { code >= 400 && code < 500 }

    /// The wire form, CRLF-terminated: `553 5.7.1 text\r\n`.
    public var wire: String { "\(code) \(enhanced) \(text)\r\n" }
    public var description: String { "\(code) \(enhanced) \(text)" }

    /// Replies are single lines of printable text: CR, LF and other controls from
    /// a DNS TXT record or a template must not split or forge a reply.
    public static func sanitize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars.prefix(400) {
            if scalar.value < 0x20 || scalar.value == 0x7f { out.append(" ") } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// The reply for a verdict at a given stage: refusals are permanent, deferrals temporary.
    public static func forVerdict(_ verdict: Verdict, permanentCode: Int = 553, permanentEnhanced: String = "5.7.1") -> SMTPReply? {
        switch verdict.action {
        case .accept, .tag: return nil
        case .refuse: return SMTPReply(permanentCode, permanentEnhanced, verdict.text)
        case .deferred: return SMTPReply(451, "4.7.1", verdict.text)
        }
    }
}
