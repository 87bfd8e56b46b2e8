import QSentryCore

/// Patterns of generic or dynamic PTR names (`control/qsentry/rdns-generic`), one a line:
/// `*` matches any run of characters, `?` one, and `%IP%` the client's address spelt in the
/// name (octets forwards or backwards, joined by `.`, `-`, `_` or nothing, plain or zero-padded).
public struct GenericPTRPatterns: Sendable {
    let patterns: [String]

    public init(lines: [ControlLine]) {
        patterns = lines.map { $0.text.trimmed.asciiLowercased }.filter { !$0.isEmpty }
    }

    public var isEmpty: Bool { patterns.isEmpty }

    /// The first pattern the name matches, if any.
    public func match(_ name: String, ip: IPAddress) -> String? {
        let n = Array(DomainName.normalize(name).utf8)
        for p in patterns {
            if p.contains("%ip%") {
                for spelling in Self.spellings(ip) {
                    let expanded = p.replacingIP(with: spelling)
                    if Self.glob(Array(expanded.utf8)[...], n[...]) { return p }
                }
            } else if Self.glob(Array(p.utf8)[...], n[...]) {
                return p
            }
        }
        return nil
    }

    /// How an IPv4 address is commonly written inside a host name.
    static func spellings(_ ip: IPAddress) -> [String] {
        guard ip.isIPv4 else { return [] }
        let plain = ip.bytes.map { String($0) }
        let padded = ip.bytes.map { b -> String in
            let s = String(b)
            return String(repeating: "0", count: 3 - s.count) + s
        }
        var out: [String] = []
        for octets in [plain, padded] {
            for order in [octets, octets.reversed()] {
                for sep in [".", "-", "_", ""] where !(sep.isEmpty && octets == plain) {
                    out.append(order.joined(with: sep))
                }
            }
        }
        return out
    }

    /// Iterative glob with `*` and `?` (no recursion: a hostile pattern cannot blow the stack).
    static func glob(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        var pi = p.startIndex, si = s.startIndex
        var star: Int? = nil, mark = s.startIndex
        while si < s.endIndex {
            if pi < p.endIndex && (p[pi] == UInt8(ascii: "?") || p[pi] == s[si]) {
                pi += 1; si += 1
            } else if pi < p.endIndex && p[pi] == UInt8(ascii: "*") {
                star = pi; mark = si; pi += 1
            } else if let st = star {
                pi = st + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.endIndex && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.endIndex
    }
}

extension String {
    func replacingIP(with spelling: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: "%ip%") {
            out += rest[..<r.lowerBound] + spelling
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
