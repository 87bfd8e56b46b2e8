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
/// - The Received hops (the first `receivedHops`): each host name and address literal's domain as
///   `rcvd:` and each IPv4 address's /24 and /16 as `rcvd-ip:`. Where mail came from tells spam
///   from ham better than any other header (on ../shared/corpus with the body pairs below, 1-ROCA%
///   0.0610 → 0.0558).
/// - Hosts of links and bare host names, and each of their parent domains: `url:`.
/// - Attachment file-name extensions: `att:`.
/// - Pairs of neighbouring words among the first `pairedWords` of the body (`bi:` first, a space,
///   second). The opening of a message carries its pitch ("dear friend",
///   "click here"); pairs of the whole body cost twice the lookups for less (bench/RESULTS.md).
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
    /// The header fields read with every value (MIMELimits.repeatedFields).
    public static let repeatedFields = ["received"]
    public static let receivedHops = 10
    public static let pairedWords = 50
    static let headerPrefixes = headerFields.map { TokenPrefix($0 + ":") }
    static let subject = TokenPrefix("subject:")
    static let url = TokenPrefix("url:")
    static let attachment = TokenPrefix("att:")
    /// Words OCR read in images (M7).
    static let image = TokenPrefix("image:")
    static let skip = TokenPrefix("skip:")
    static let received = TokenPrefix("rcvd:")
    static let receivedIP = TokenPrefix("rcvd-ip:")
    static let pair = TokenPrefix("bi:")
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
    public func texts(of message: ArraySlice<UInt8>) -> Set<String> { texts(of: Self.facts(of: message)) }

    public func texts(of facts: MessageFacts) -> Set<String> {
        var sink = TextSink(limit: maxTokens)
        tokenize(facts, into: &sink)
        return sink.tokens
    }

    /// The message read by MIMEParser with the fields the tokenizer reads (and, for M12's
    /// learning, the hashes of its attachments).
    public static func facts(of message: ArraySlice<UInt8>, hashAttachments: Bool = false) -> MessageFacts {
        var limits = MIMELimits()
        limits.includeTokenizerFields()
        limits.hashAttachments = hashAttachments
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
        for hop in (facts.repeated["received"] ?? []).prefix(Self.receivedHops) { receivedTokens(hop, &sink) }
        // One pass over the body: each word, and the pairs among the first `pairedWords`.
        var body = PairSink(inner: sink, words: Self.pairedWords)
        words(in: facts.text[...], Self.none, &body)
        sink = body.inner
        if !facts.imageText.isEmpty { words(in: facts.imageText[...], Self.image, &sink) }
    }

    /// A Received hop's host names (`rcvd:`) and its IPv4 addresses' /24 and /16 (`rcvd-ip:`):
    /// runs of letters, digits, dots and hyphens; a run of four numbers is an address, a run whose
    /// last label starts with a letter is a host (and what follows `@` is one too).
    func receivedTokens<Sink: TokenSink>(_ hop: String, _ sink: inout Sink) {
        var hop = hop
        hop.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { run in
                var length = 0
                func flush(_ sink: inout Sink) {
                    defer { length = 0 }
                    var start = 0
                    while length > 0, run[length - 1] == UInt8(ascii: ".") || run[length - 1] == UInt8(ascii: "-") { length -= 1 }
                    while start < length, run[start] == UInt8(ascii: ".") || run[start] == UInt8(ascii: "-") { start += 1 }
                    // Labels: count them, check none is empty, note whether all are short numbers and where the last starts.
                    var labels = 1, numeric = true, labelLength = 0, lastStart = start
                    var dots = (0, 0)  // where the last two dots are
                    for i in start..<max(start, length) {
                        let b = run[i]
                        if b == UInt8(ascii: ".") {
                            if labelLength == 0 { return }
                            labels += 1
                            labelLength = 0
                            lastStart = i + 1
                            dots = (dots.1, i)
                        } else {
                            labelLength += 1
                            if b < 0x30 || b > 0x39 || labelLength > 3 { numeric = false }
                        }
                    }
                    guard labels >= 2, labelLength > 0 else { return }
                    if labels == 4 && numeric {
                        sink.add(Self.receivedIP, UnsafeBufferPointer(rebasing: run[start..<dots.1]))
                        sink.add(Self.receivedIP, UnsafeBufferPointer(rebasing: run[start..<dots.0]))
                        return
                    }
                    let top = run[lastStart]
                    guard top >= UInt8(ascii: "a") && top <= UInt8(ascii: "z") else { return }
                    sink.add(Self.received, UnsafeBufferPointer(rebasing: run[start..<length]))
                }
                for b in bytes {
                    switch b {
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                         UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                        // Longer than a host name may be: not one, and what is kept of it is dropped.
                        if length == run.count { length = 0; continue }
                        run[length] = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
                        length += 1
                    default:
                        flush(&sink)
                    }
                }
                flush(&sink)
            }
        }
    }

    /// The domains after each `@` in a header field (whole: "promo.example", not "promo" and "example").
    static func addressDomains(in value: String) -> [String] {
        var found: [String] = []
        let bytes = value.utf8
        var i = bytes.startIndex
        while let at = bytes[i...].firstIndex(of: UInt8(ascii: "@")), found.count < 10 {
            let start = bytes.index(after: at)
            let end = bytes[start...].firstIndex { b in
                !((b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-"))
            } ?? bytes.endIndex
            let domain = bytes[start..<end]
            if domain.contains(UInt8(ascii: ".")) { found.append(DomainName.normalize(String(decoding: domain, as: UTF8.self))) }
            i = start
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

extension MIMELimits {
    /// Asks the parser for the header fields the tokenizer reads (`Tokenizer.headerFields`, `repeatedFields`).
    public mutating func includeTokenizerFields() {
        fields += Tokenizer.headerFields
        repeatedFields += Tokenizer.repeatedFields
    }
}

/// Passes every body word on to the real sink inside and, among the first `words` words, the
/// pairs of neighbours too (`bi:FIRST SECOND`). The word before is kept in a fixed buffer: no
/// allocation per word.
struct PairSink<Inner: TokenSink>: TokenSink {
    var inner: Inner
    private var previous = [UInt8](repeating: 0, count: Tokenizer.maxWord + 16)
    private var previousLength = 0
    private var joined = [UInt8](repeating: 0, count: 2 * (Tokenizer.maxWord + 16) + 1)
    private var wordsLeft: Int

    /// Pairs among the first `words` words.
    init(inner: Inner, words: Int) {
        self.inner = inner
        wordsLeft = words
    }

    mutating func add(_ prefix: TokenPrefix, _ word: UnsafeBufferPointer<UInt8>) {
        inner.add(prefix, word)
        guard wordsLeft > 0 else { return }
        wordsLeft -= 1
        let n = min(word.count, previous.count)
        if previousLength > 0 {
            for i in 0..<previousLength { joined[i] = previous[i] }
            joined[previousLength] = UInt8(ascii: " ")
            for i in 0..<n { joined[previousLength + 1 + i] = word[i] }
            let total = previousLength + 1 + n
            joined.withUnsafeBufferPointer { inner.add(Tokenizer.pair, UnsafeBufferPointer(rebasing: $0[0..<total])) }
        }
        for i in 0..<n { previous[i] = word[i] }
        previousLength = n
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
