import QSentryCore

/// The record types qsentry asks for.
public enum DNSType: Int32, Sendable, CustomStringConvertible {
    case a = 1, ptr = 12, mx = 15, txt = 16, aaaa = 28

    public var description: String {
        switch self {
        case .a: return "A"
        case .ptr: return "PTR"
        case .mx: return "MX"
        case .txt: return "TXT"
        case .aaaa: return "AAAA"
        }
    }
}

/// One question: a name and a type.
public struct DNSQuery: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let type: DNSType
    public init(_ name: String, _ type: DNSType) {
        self.name = name
        self.type = type
    }
    public var description: String { "\(name)/\(type)" }

    /// The PTR question for an address (`7.2.0.192.in-addr.arpa`, nibbles under `ip6.arpa`).
    public static func reverse(_ ip: IPAddress) -> DNSQuery {
        DNSQuery(ip.reverseLabels + (ip.isIPv4 ? ".in-addr.arpa" : ".ip6.arpa"), .ptr)
    }
}

/// What the DNS said. A timeout, SERVFAIL, refusal or malformed answer is `.temporary`:
/// never a reason for a permanent refusal.
public enum DNSAnswer: Equatable, Sendable, CustomStringConvertible {
    /// Records of the asked type: addresses as text for A/AAAA, joined strings for TXT,
    /// names for PTR, "PREF HOST" for MX.
    case records([String])
    /// NXDOMAIN: the name does not exist.
    case nameError
    /// The name exists but has no record of this type.
    case noData
    case temporary(String)

    public var records: [String] {
        if case .records(let r) = self { return r }
        return []
    }

    /// The host of an MX record as kept here ("PREF HOST"); "" for RFC 7505's null MX ("0 .").
    public static func mxHost(_ record: String) -> String {
        guard let space = record.firstIndex(of: " ") else { return "" }
        return String(record[record.index(after: space)...])
    }

    /// A definite "nothing there" (NXDOMAIN or no data).
    public var isNegative: Bool { self == .nameError || self == .noData }

    public var isTemporary: Bool {
        if case .temporary = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .records(let r): return r.joined(with: ",")
        case .nameError: return "NXDOMAIN"
        case .noData: return "NODATA"
        case .temporary(let why): return "temporary(\(why))"
        }
    }
}
