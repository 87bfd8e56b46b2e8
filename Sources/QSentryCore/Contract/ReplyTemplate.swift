/// Admin-written refusal texts with NITF's placeholders (E16):
/// `%IP%` the client address, `%Domain%` the MAIL FROM domain, `%EMailTo%` the recipient,
/// `%EMailFrom%` the sender. Unknown `%…%` words are left as written.
public struct ReplyTemplate: Sendable, Equatable {
    public let text: String
    public init(_ text: String) { self.text = text }

    public struct Values: Sendable {
        public var ip: String
        public var domain: String
        public var emailTo: String
        public var emailFrom: String
        public init(ip: String = "", domain: String = "", emailTo: String = "", emailFrom: String = "") {
            self.ip = ip
            self.domain = domain
            self.emailTo = emailTo
            self.emailFrom = emailFrom
        }
    }

    /// Fills the placeholders. Values come from the client, so the result is sanitised for a reply line.
    public func render(_ v: Values) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.firstIndex(of: "%") {
            out += rest[..<start]
            let after = rest[rest.index(after: start)...]
            guard let end = after.firstIndex(of: "%") else { out += rest[start...]; rest = ""; break }
            let word = after[..<end]
            switch word {
            case "IP": out += v.ip
            case "Domain": out += v.domain
            case "EMailTo": out += v.emailTo
            case "EMailFrom": out += v.emailFrom
            default:
                out += "%" + word
                rest = after[end...]
                continue
            }
            rest = after[after.index(after: end)...]
        }
        out += rest
        return SMTPReply.sanitize(out)
    }
}
