/// What the store knows about one message's fuzzy band keys (M12): the learnt-spam signatures
/// that share one of them, and how widely copies of it were sent within the window.
public struct FuzzyObservation: Sendable, Equatable {
    /// Learnt-spam signatures sharing a band key with the message, at most `FuzzyRecord.candidates`.
    public var learnt: [[UInt64]] = []
    /// Distinct recipients seen with the message's most-seen band key within the window, this message's included.
    public var recipients = 0
    /// Distinct MX hosts (`control/me`) that saw that band key within the window.
    public var hosts = 0

    public init(learnt: [[UInt64]] = [], recipients: Int = 0, hosts: Int = 0) {
        self.learnt = learnt
        self.recipients = recipients
        self.hosts = hosts
    }
}

/// M12's part of the store, in the embedded store and in Redis (several MX hosts see each
/// other's counts). Both expire by age: learnt signatures after their lifetime, sightings after
/// the window.
public protocol FuzzyStore: AnyObject {
    /// The learnt signatures sharing a band key, and the sightings of the band keys; with `record`,
    /// this message's recipients and host are counted first. One round trip.
    func fuzzyObserve(bands: [UInt64], recipients: [String], host: String, window: Int, now: Int, record: Bool) throws -> FuzzyObservation
    /// Keeps `signature` as known spam under each of its band keys until `now + lifetime`.
    func fuzzyLearn(bands: [UInt64], signature: [UInt64], lifetime: Int, now: Int) throws
}

/// How both back-ends write what FuzzyStore keeps.
public enum FuzzyRecord {
    /// Candidates read per band key at most: a lookup costs the same with 100,000 signatures learnt.
    public static let candidates = 16
    /// A signature as text (16 hex digits a value).
    public static func text(_ signature: [UInt64]) -> String {
        var out = ""
        out.reserveCapacity(signature.count * 16)
        for v in signature { out += hex(v) }
        return out
    }
    public static func signature(_ text: String) -> [UInt64]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 16 == 0, !bytes.isEmpty else { return nil }
        var out: [UInt64] = []
        for i in stride(from: 0, to: bytes.count, by: 16) {
            guard let v = UInt64(String(decoding: bytes[i..<(i + 16)], as: UTF8.self), radix: 16) else { return nil }
            out.append(v)
        }
        return out
    }
    public static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
    /// A recipient as a key (lower-cased address, hashed: the store never holds the addresses).
    public static func recipientKey(_ address: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in address.lowercased().utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return hex(h)
    }
}
