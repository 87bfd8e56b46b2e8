/// The 64-bit key a Bayes token is stored under: FNV-1a over the token's bytes, then MurmurHash3's
/// 64-bit finalizer so that every bit depends on every byte. Keys instead of token text (as rspamd
/// does) make a lookup an integer comparison and every row the same small size; with 64 bits, two
/// tokens of a ten-million-token database share a key with odds of about 1 in 300,000, and
/// sharing one only blends two tokens' counts.
///
/// The function is part of the database format: changing it forgets every database learnt.
/// Key 0 is never a token's (it holds the message counts), see `TokenKey.messages`.
public struct TokenHash: Sendable {
    public private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The state after `text`'s bytes: a prefix hashed once and reused for every token it starts.
    public init(_ text: String) {
        for b in text.utf8 { add(b) }
    }

    @inline(__always)
    public mutating func add(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    public mutating func add<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        for b in bytes { add(b) }
    }

    /// The key: never 0.
    public var key: UInt64 {
        var h = state
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h == TokenKey.messages ? 1 : h
    }

    /// The key of a whole token given as text.
    public static func key(_ text: String) -> UInt64 {
        TokenHash(text).key
    }
}

public enum TokenKey {
    /// The reserved key under which a database counts the spam and ham messages it learnt.
    public static let messages: UInt64 = 0
    /// The reserved key under which a database keeps the format of the tokens it learnt (in the
    /// spam count; BayesDatabase.format). A NUL starts its text: no token the tokenizer makes does.
    public static let format: UInt64 = TokenHash.key("\u{0}format")
}

/// A message's tokens as keys: sorted and distinct, so a store can look them up in key order and
/// hand back counts in the same order.
public struct TokenKeys: Sendable, Equatable {
    public private(set) var sorted: [UInt64]

    public init() { sorted = [] }

    /// Keys in any order, repeats allowed.
    public init<S: Sequence>(_ keys: S) where S.Element == UInt64 {
        sorted = Array(keys)
        Self.sortUnique(&sorted)
    }

    /// Sorts `keys` and drops repeats, in place.
    private static func sortUnique(_ keys: inout [UInt64]) {
        keys.sort()
        var kept = 0
        for i in keys.indices where kept == 0 || keys[kept - 1] != keys[i] {
            keys[kept] = keys[i]
            kept += 1
        }
        keys.removeLast(keys.count - kept)
    }

    public var count: Int { sorted.count }
    public var isEmpty: Bool { sorted.isEmpty }

    /// The same keys and the message counter's in front (key 0 sorts first).
    public var withMessages: TokenKeys {
        var k = TokenKeys()
        k.sorted = sorted.first == TokenKey.messages ? sorted : [TokenKey.messages] + sorted
        return k
    }

    /// Where `key` is in `sorted`, if it is there.
    public func index(of key: UInt64) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == key ? low : nil
    }
}
