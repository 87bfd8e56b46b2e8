import QSentryCore
import QSentryMIME

/// Turns one message into the set of tokens the classifier weighs (each counts once per message,
/// as in Robinson's and SpamBayes' schemes).
///
/// - Body text: the decoded text of every text part, HTML reduced to text (QSentryMIME), split into
///   words of letters, digits and `$ ! ' -`; ASCII folded to lower case, other bytes kept (UTF-8 words
///   stay whole). Pure numbers are dropped (dates, prices, counters: noise). Words of 3–40 bytes are
///   tokens; a longer one becomes `skip:<first byte>:<length rounded to 10>` so base64 rubbish and
///   hashes cannot swell the database.
/// - Header fields that tell senders apart, each word (and each address's domain, whole) prefixed
///   with the field name: `subject:`,
///   `from:`, `reply-to:`, `return-path:`, `to:`, `x-mailer:`, `user-agent:`, `content-type:`,
///   `message-id:` (only its domain), `list-id:`.
/// - Hosts of links and bare host names, and each of their parent domains: `url:`.
/// - Attachment file-name extensions: `att:`.
/// At most `maxTokens` distinct tokens per message: work and database growth stay bounded.
public struct Tokenizer: Sendable {
    public static let minWord = 3
    public static let maxWord = 40
    public var maxTokens = 3000

    /// The header fields the tokenizer reads: a MIMEParser feeding `tokens(of: MessageFacts)` must keep them.
    public static let headerFields = ["from", "reply-to", "return-path", "to", "x-mailer", "user-agent",
                               "content-type", "message-id", "list-id"]

    public init() {}

    /// Tokens of a whole message (headers and body, as bytes).
    public func tokens(of message: ArraySlice<UInt8>) -> Set<String> {
        var limits = MIMELimits()
        limits.fields = Self.headerFields
        var parser = MIMEParser(limits: limits)
        parser.feed(message)
        return tokens(of: parser.finish())
    }

    /// Tokens of a message already read by MIMEParser (with `headerFields` among its `fields`).
    public func tokens(of facts: MessageFacts) -> Set<String> {
        var out = Set<String>()
        func add(_ t: String) { if out.count < maxTokens { out.insert(t) } }
        words(in: Array(facts.subject.utf8)[...]) { add("subject:" + $0) }
        for name in Self.headerFields {
            guard let value = facts.fields[name] else { continue }
            if name == "message-id" {
                if let at = value.lastIndex(of: "@") {
                    add("message-id:" + DomainName.normalize(String(value[value.index(after: at)...].filter { $0 != ">" })))
                }
                continue
            }
            words(in: Array(EncodedWords.decode(value).utf8)[...]) { add(name + ":" + $0) }
            for domain in Self.addressDomains(in: value) { add(name + ":" + domain) }
        }
        for host in facts.hosts {
            var rest = Substring(host)
            add("url:" + host)
            // Parent domains too: links to a.spam.example and b.spam.example share "url:spam.example".
            while let dot = rest.firstIndex(of: "."), rest[rest.index(after: dot)...].contains(".") {
                rest = rest[rest.index(after: dot)...]
                add("url:" + String(rest))
            }
        }
        for name in facts.attachmentNames {
            if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 8 {
                add("att:" + String(name[name.index(after: dot)...]).asciiLowercased)
            }
        }
        words(in: facts.text[...]) { add($0) }
        return out
    }

    /// The domains after each `@` in a header field (whole: "promo.example", not "promo" and "example").
    static func addressDomains(in value: String) -> [String] {
        var found: [String] = []
        var rest = Substring(value)
        while let at = rest.firstIndex(of: "@"), found.count < 10 {
            rest = rest[rest.index(after: at)...]
            let domain = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
            if domain.contains(".") { found.append(DomainName.normalize(domain)) }
        }
        return found
    }

    /// Calls `emit` with each word of `text` as a token (lower-cased, length rules applied).
    func words(in text: ArraySlice<UInt8>, _ emit: (String) -> Void) {
        var word: [UInt8] = []
        var digitsOnly = true
        func flush() {
            defer { word.removeAll(keepingCapacity: true); digitsOnly = true }
            // Trailing punctuation that is not part of the word ("free!" and "free" stay apart, "end-" does not).
            while let last = word.last, last == UInt8(ascii: "-") || last == UInt8(ascii: "'") { word.removeLast() }
            guard word.count >= Self.minWord, !digitsOnly else { return }
            if word.count > Self.maxWord {
                emit("skip:\(Character(Unicode.Scalar(word[0] < 0x80 ? word[0] : UInt8(ascii: "?")))):\(word.count / 10 * 10)")
                return
            }
            emit(String(decoding: word, as: UTF8.self))
        }
        for b in text {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                word.append(b | 0x20)
                digitsOnly = false
            case UInt8(ascii: "a")...UInt8(ascii: "z"), 0x80...0xFF:
                word.append(b)
                digitsOnly = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                word.append(b)
            case UInt8(ascii: "$"), UInt8(ascii: "!"):
                word.append(b)
                digitsOnly = false
            case UInt8(ascii: "'"), UInt8(ascii: "-"):
                if !word.isEmpty { word.append(b) }
            default:
                flush()
            }
            if word.count > 4096 { flush() }
        }
        flush()
    }
}
