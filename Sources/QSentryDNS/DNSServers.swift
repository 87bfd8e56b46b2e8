import QSentryCore

/// Where queries go: `control/qsentry/dnsservers` (IP, IP:PORT, [IPv6]:PORT a line), else /etc/resolv.conf.
public enum DNSServers {
    /// The servers in c-ares' CSV form, or nil to let c-ares read /etc/resolv.conf.
    public static func csv(root: QmailRoot) throws -> String? {
        guard let lines = try ControlFile.lines(root.qsentry("dnsservers")), !lines.isEmpty else { return nil }
        var entries: [String] = []
        for line in lines {
            let text = line.text.trimmed
            if let entry = normalize(text) {
                entries.append(entry)
            } else {
                throw ControlError(path: root.qsentry("dnsservers"), line: line.number,
                                   "\"\(text)\" is not IP, IP:PORT or [IPv6]:PORT")
            }
        }
        return entries.joined(separator: ",")
    }

    /// One server in the form c-ares takes, or nil when malformed.
    static func normalize(_ s: String) -> String? {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"),
                  IPAddress(String(s[s.index(after: s.startIndex)..<close])) != nil else { return nil }
            let rest = s[s.index(after: close)...]
            if rest.isEmpty { return s }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return s
        }
        if let ip = IPAddress(s) { return ip.isIPv4 ? s : "[\(s)]" }
        if let colon = s.lastIndex(of: ":"), IPAddress(String(s[..<colon]))?.isIPv4 == true,
           let port = Int(s[s.index(after: colon)...]), (1...65535).contains(port) {
            return s
        }
        return nil
    }
}
