import QSentryCore
import QSentryMIME
import QSentryStore

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
///
/// The programs take the tokens as keys (`tokens(of:)`, hashed straight from the bytes: no string
/// per word); `texts(of:)` gives the same tokens as text, for tests and for people.
public struct Tokenizer: Sendable {
    public static let minWord = 3
    public static let maxWord = 40
    public var maxTokens = 3000

    /// The header fields the tokenizer reads: a MIMEParser feeding `tokens(of: MessageFacts)` must keep them.
    public static let headerFields = ["from", "reply-to", "return-path", "to", "x-mailer", "user-agent",
                               "content-type", "message-id", "list-id"]
    static let headerPrefixes = headerFields.map { TokenPrefix($0 + ":") }
    static let subject = TokenPrefix("subject:")
    static let url = TokenPrefix("url:")
    static let attachment = TokenPrefix("att:")
    static let skip = TokenPrefix("skip:")
    static let none = TokenPrefix("")

    public init() {}

    /// The tokens of a whole message (headers and body, as bytes), as keys.
    public func tokens(of message: ArraySlice<UInt8>) -> TokenKeys {
        tokens(of: Self.facts(of: message))
    }

    /// The tokens of a message already read by MIMEParser (with `headerFields` among its `fields`).
    public func tokens(of facts: MessageFacts) -> TokenKeys {
        var sink = KeySink(limit: maxTokens)
        tokenize(facts, into: &sink)
        return sink.finish()
    }

    /// The same tokens as text.
    public func texts(of message: ArraySlice<UInt8>) -> Set<String> {
        var sink = TextSink(limit: maxTokens)
        tokenize(Self.facts(of: message), into: &sink)
        return sink.tokens
    }

    static func facts(of message: ArraySlice<UInt8>) -> MessageFacts {
        var limits = MIMELimits()
        limits.fields = headerFields
        var parser = MIMEParser(limits: limits)
        parser.feed(message)
        return parser.finish()
    }

    func tokenize<Sink: TokenSink>(_ facts: MessageFacts, into sink: inout Sink) {
        words(in: Array(facts.subject.utf8)[...], Self.subject, &sink)
        for (name, prefix) in zip(Self.headerFields, Self.headerPrefixes) {
            guard let value = facts.fields[name] else { continue }
            if name == "message-id" {
                if let at = value.lastIndex(of: "@") {
                    sink.add(prefix, DomainName.normalize(String(value[value.index(after: at)...].filter { $0 != ">" })))
                }
                continue
            }
            words(in: Array(EncodedWords.decode(value).utf8)[...], prefix, &sink)
            for domain in Self.addressDomains(in: value) { sink.add(prefix, domain) }
        }
        for host in facts.hosts {
            var rest = Substring(host)
            sink.add(Self.url, host)
            // Parent domains too: links to a.spam.example and b.spam.example share "url:spam.example".
            while let dot = rest.firstIndex(of: "."), rest[rest.index(after: dot)...].contains(".") {
                rest = rest[rest.index(after: dot)...]
                sink.add(Self.url, String(rest))
            }
        }
        for name in facts.attachmentNames {
            if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 8 {
                sink.add(Self.attachment, String(name[name.index(after: dot)...]).asciiLowercased)
            }
        }
        words(in: facts.text[...], Self.none, &sink)
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

    /// Adds each word of `text` behind `prefix` (lower-cased, length rules applied).
    func words<Sink: TokenSink>(in text: ArraySlice<UInt8>, _ prefix: TokenPrefix, _ sink: inout Sink) {
        // A word is at most 4096 bytes before it is cut: one buffer, reused for every word.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { word in
            var length = 0
            var digitsOnly = true
            func flush(_ sink: inout Sink) {
                defer { length = 0; digitsOnly = true }
                // Trailing punctuation that is not part of the word ("free!" and "free" stay apart, "end-" does not).
                while length > 0, word[length - 1] == UInt8(ascii: "-") || word[length - 1] == UInt8(ascii: "'") { length -= 1 }
                guard length >= Self.minWord, !digitsOnly else { return }
                if length > Self.maxWord {
                    let first = word[0] < 0x80 ? Character(Unicode.Scalar(word[0])) : "?"
                    sink.add(Self.skip, "\(first):\(length / 10 * 10)")
                    return
                }
                sink.add(prefix, UnsafeBufferPointer(rebasing: word[0..<length]))
            }
            for b in text {
                switch b {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    word[length] = b | 0x20
                    length += 1
                    digitsOnly = false
                case UInt8(ascii: "a")...UInt8(ascii: "z"), 0x80...0xFF, UInt8(ascii: "$"), UInt8(ascii: "!"):
                    word[length] = b
                    length += 1
                    digitsOnly = false
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    word[length] = b
                    length += 1
                case UInt8(ascii: "'"), UInt8(ascii: "-"):
                    if length > 0 {
                        word[length] = b
                        length += 1
                    }
                default:
                    flush(&sink)
                }
                if length == word.count { flush(&sink) }
            }
            flush(&sink)
        }
    }
}

/// A token prefix ("subject:", "url:", …) with its hash state, computed once.
struct TokenPrefix: Sendable {
    let text: String
    let hash: TokenHash
    init(_ text: String) {
        self.text = text
        hash = TokenHash(text)
    }
}

/// Where the tokenizer puts tokens.
protocol TokenSink {
    mutating func add(_ prefix: TokenPrefix, _ word: UnsafeBufferPointer<UInt8>)
}

extension TokenSink {
    mutating func add(_ prefix: TokenPrefix, _ word: String) {
        var w = word
        w.withUTF8 { add(prefix, $0) }
    }
}

/// Keys, as the store wants them: distinct, the first `limit` of the message in the order they
/// come (as TextSink keeps them). Repeats are dropped as they arrive through a small open-addressing
/// table (keys are never 0, so 0 marks a free slot), so only distinct keys are sorted at the end: a
/// message says most of its words several times.
struct KeySink: TokenSink {
    let limit: Int
    private var slots = [UInt64](repeating: 0, count: 1024)
    private var distinct: [UInt64] = []

    init(limit: Int) {
        self.limit = limit
        distinct.reserveCapacity(min(limit, 512))
    }

    mutating func add(_ prefix: TokenPrefix, _ word: UnsafeBufferPointer<UInt8>) {
        guard distinct.count < limit else { return }
        var h = prefix.hash
        for b in word { h.add(b) }
        let key = h.key
        if place(key) {
            distinct.append(key)
            if distinct.count * 2 > slots.count { grow() }
        }
    }

    /// Puts `key` in the table; false when it was there already.
    private mutating func place(_ key: UInt64) -> Bool {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: key) & mask
        while slots[i] != 0 {
            if slots[i] == key { return false }
            i = (i + 1) & mask
        }
        slots[i] = key
        return true
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        for key in distinct { _ = place(key) }
    }

    func finish() -> TokenKeys { TokenKeys(distinct) }
}

/// Text, for tests and people.
struct TextSink: TokenSink {
    let limit: Int
    var tokens = Set<String>()

    mutating func add(_ prefix: TokenPrefix, _ word: UnsafeBufferPointer<UInt8>) {
        if tokens.count < limit { tokens.insert(prefix.text + String(decoding: word, as: UTF8.self)) }
    }
}
