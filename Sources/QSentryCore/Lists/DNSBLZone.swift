/// One line of `control/qsentry/dnsbl` or `uribl`, in postscreen's syntax:
/// `ZONE[=FILTER][*WEIGHT] [TEXT]`, e.g. `zen.spamhaus.org=127.0.0.[2..11]*3 Listed: see %IP%`.
///
/// FILTER is a dotted quad whose each octet is a number or a bracketed list of
/// numbers and ranges (`[2;4..7]`); without it any 127.0.0.0/8 answer counts.
/// WEIGHT (default 1, may be negative for allow-listing zones) is summed over
/// zones and compared with the threshold.
public struct DNSBLZone: Sendable, Equatable {
    public let zone: String
    public let filter: [[ClosedRange<Int>]]?
    public let weight: Int
    public let text: String?

    /// Whether an A record answered by the zone counts as a listing.
    public func accepts(_ answer: IPAddress) -> Bool {
        guard answer.isIPv4 else { return false }
        guard let filter else { return answer.bytes[0] == 127 }
        for (i, ranges) in filter.enumerated() where !ranges.contains(where: { $0.contains(Int(answer.bytes[i])) }) {
            return false
        }
        return true
    }

    public static func parse(_ line: String) -> Result<DNSBLZone, ListError> {
        let trimmed = line.trimmed
        var spec = Substring(trimmed)
        var text: String? = nil
        if let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) {
            spec = trimmed[..<space]
            let t = trimmed[space...].trimmed
            text = t.isEmpty ? nil : t
        }
        var weight = 1
        if let star = spec.lastIndex(of: "*") {
            let w = spec[spec.index(after: star)...]
            guard let n = Int(w), (-100...100).contains(n) else {
                return .failure(ListError("bad weight \"*\(w)\" (a whole number from -100 to 100)"))
            }
            weight = n
            spec = spec[..<star]
        }
        var filter: [[ClosedRange<Int>]]? = nil
        if let eq = spec.firstIndex(of: "=") {
            let f = spec[spec.index(after: eq)...]
            guard let parsed = parseFilter(f) else {
                return .failure(ListError("bad filter \"=\(f)\" (e.g. 127.0.0.2 or 127.0.0.[2..11])"))
            }
            filter = parsed
            spec = spec[..<eq]
        }
        let zone = DomainName.normalize(spec)
        guard DomainName.isValid(zone), zone.contains(".") else {
            return .failure(ListError("bad zone name \"\(spec)\""))
        }
        return .success(DNSBLZone(zone: zone, filter: filter, weight: weight, text: text))
    }

    private static func parseFilter(_ f: Substring) -> [[ClosedRange<Int>]]? {
        var octets: [[ClosedRange<Int>]] = []
        var rest = f
        while !rest.isEmpty {
            let part: Substring
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                part = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                guard let ranges = parseRanges(part) else { return nil }
                octets.append(ranges)
            } else {
                let end = rest.firstIndex(of: ".") ?? rest.endIndex
                guard let n = Int(rest[..<end]), (0...255).contains(n) else { return nil }
                octets.append([n...n])
                rest = rest[end...]
            }
            if rest.first == "." {
                rest = rest.dropFirst()
                if rest.isEmpty { return nil }
            } else if !rest.isEmpty {
                return nil
            }
        }
        return octets.count == 4 ? octets : nil
    }

    private static func parseRanges(_ s: Substring) -> [ClosedRange<Int>]? {
        var ranges: [ClosedRange<Int>] = []
        for item in s.split(separator: ";", omittingEmptySubsequences: false) {
            if let dots = item.firstRange(of: "..") {
                guard let lo = Int(item[..<dots.lowerBound]), let hi = Int(item[dots.upperBound...]),
                      (0...255).contains(lo), (0...255).contains(hi), lo <= hi else { return nil }
                ranges.append(lo...hi)
            } else {
                guard let n = Int(item), (0...255).contains(n) else { return nil }
                ranges.append(n...n)
            }
        }
        return ranges.isEmpty ? nil : ranges
    }
}
