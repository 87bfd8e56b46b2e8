/// M12's core: a message's text reduced to a fixed number of min-hashes of its word shingles, so
/// that two messages that differ in a few words (a salutation, a random token, a changed link)
/// still share most of them, and the fraction they share estimates how alike they are (the
/// Jaccard similarity of their shingle sets). Pure arithmetic: no store, no C library.
///
/// Not yet wired into qsentry-queue or the store (issue 21): this is the part whose accuracy
/// can be measured on `../shared/corpus` first (Tests/QSentryFuzzyTests).
public struct FuzzySignature: Equatable, Sendable {
    /// Min-hashes, one per hash function (`count`).
    public let values: [UInt64]

    /// 32 min-hashes: the similarity estimate's standard error is about 0.09 at 0.5.
    public static let count = 32
    /// Words a shingle: three, so word order matters but one changed word touches only three shingles.
    public static let shingleWords = 3
    /// Fewer shingles than this: too little text to tell a campaign from a coincidence.
    public static let minimumShingles = 8
    /// Words read at most (a long message is judged on its beginning).
    public static let maximumWords = 4000

    public init(values: [UInt64]) { self.values = values }

    /// The signature of decoded message text, or nil when there is too little of it.
    public init?(text: [UInt8]) {
        let words = Self.words(text)
        guard words.count >= Self.shingleWords + Self.minimumShingles - 1 else { return nil }
        var mins = [UInt64](repeating: .max, count: Self.count)
        for i in 0...(words.count - Self.shingleWords) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for w in words[i..<(i + Self.shingleWords)] { h = Self.fnv(w, h) ^ 0x9E37_79B9_7F4A_7C15 }
            for k in 0..<Self.count {
                let v = Self.mix(h ^ Self.seeds[k])
                if v < mins[k] { mins[k] = v }
            }
        }
        values = mins
    }

    /// The fraction of min-hashes two signatures share: 0 … 1.
    public func similarity(_ other: FuzzySignature) -> Double {
        guard values.count == other.values.count, !values.isEmpty else { return 0 }
        var same = 0
        for i in values.indices where values[i] == other.values[i] { same += 1 }
        return Double(same) / Double(values.count)
    }

    /// Locality-sensitive keys: the signature in `bands` bands of `count / bands` values, each
    /// hashed to one key. Two signatures with similarity s share at least one band key with
    /// probability 1 - (1 - s^r)^b (r = 4, b = 8: 0.98 at s = 0.7, 0.4 at s = 0.5, 0.03 at s = 0.3),
    /// so a store looks candidates up by key and compares whole signatures only for those.
    public static let bands = 8
    public var bandKeys: [UInt64] {
        let r = values.count / Self.bands
        return (0..<Self.bands).map { b in
            var h: UInt64 = 0x84222325cbf29ce4 ^ UInt64(b)
            for v in values[(b * r)..<((b + 1) * r)] { h = Self.mix(h ^ v) }
            return h
        }
    }

    /// The words of `text`: runs of letters and digits, lower-cased, 2 to 24 bytes; words with
    /// digits in them are dropped (order numbers, random tokens, dates differ between copies of
    /// one campaign and say nothing about it).
    static func words(_ text: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var lower = text
        for i in lower.indices where lower[i] >= 0x41 && lower[i] <= 0x5A { lower[i] += 0x20 }
        var i = 0
        let n = lower.count
        while i < n && out.count < Self.maximumWords {
            while i < n && !isWordByte(lower[i]) { i += 1 }
            let start = i
            var digits = false
            while i < n && isWordByte(lower[i]) {
                if lower[i] >= 0x30 && lower[i] <= 0x39 { digits = true }
                i += 1
            }
            let length = i - start
            if length >= 2 && length <= 24 && !digits { out.append(lower[start..<i]) }
        }
        return out
    }

    /// Letters, digits, and UTF-8's non-ASCII bytes (words of other scripts stay words).
    static func isWordByte(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b >= 0x80 }

    static func fnv(_ bytes: ArraySlice<UInt8>, _ seed: UInt64) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// splitmix64's finaliser: every input bit reaches every output bit.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fixed seeds, one per hash function: signatures made on two MX hosts must agree.
    static let seeds: [UInt64] = (0..<UInt64(count)).map { mix(0x5153_454E_5452_5900 &+ $0) }
}
