/// Value syntaxes shared by the programs that read a setting and `qsentry check` that lints it,
/// so the two can never disagree about what a line means.
public enum SettingSyntax {
    /// `90s`, `10m`, `12h`, `1d`, or a bare number of minutes; nil when malformed or negative.
    public static func seconds(_ v: String) -> Int? {
        let unit: Int? = switch v.last {
        case "s": 1
        case "m": 60
        case "h": 3600
        case "d": 86400
        default: nil
        }
        // Too many to count in seconds is malformed too (found by fuzzing: it trapped).
        if let unit, let n = Int(v.dropLast()), n >= 0 { return times(n, unit) }
        if let n = Int(v), n >= 0 { return times(n, 60) }
        return nil
    }

    static func times(_ n: Int, _ unit: Int) -> Int? {
        let (product, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }

    /// One DNS server line (`IP`, `IP:PORT`, `[IPv6]:PORT`) in the form c-ares takes
    /// (bare IPv6 gets its brackets), or why it is malformed.
    public static func dnsServer(_ s: String) -> Result<String, ListError> {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), IPAddress(String(s[s.index(after: s.startIndex)..<close])) != nil else {
                return .failure(ListError("bad IPv6 server \"\(s)\" (write [2001:db8::53]:53)"))
            }
            let rest = s[s.index(after: close)...]
            if rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) { return .success(s) }
            return .failure(ListError("bad port in \"\(s)\""))
        }
        if let ip = IPAddress(s) { return .success(ip.isIPv4 ? s : "[\(s)]") }
        if let colon = s.lastIndex(of: ":"), IPAddress(String(s[..<colon]))?.isIPv4 == true {
            return isPort(s[s.index(after: colon)...]) ? .success(s) : .failure(ListError("bad port in \"\(s)\""))
        }
        return .failure(ListError("\"\(s)\" is not IP, IP:PORT or [IPv6]:PORT"))
    }

    public static func isPort<S: StringProtocol>(_ s: S) -> Bool {
        guard let n = Int(s) else { return false }
        return (1...65535).contains(n)
    }
}
