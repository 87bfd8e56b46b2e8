/// Host names in text: the host of every http(s) URL, and bare names such as
/// `www.example.com` or `cheap-meds.example` (spam often drops the scheme). Candidates only:
/// the URL rule keeps those under a real public suffix.
public enum HostExtractor {
    public static func hosts(in text: ArraySlice<UInt8>, into found: inout [String], seen: inout Set<String>, limit: Int) -> Bool {
        var i = text.startIndex
        let end = text.endIndex
        while i < end {
            if found.count >= limit { return false }
            if let after = schemeEnd(text, at: i) {
                var j = after
                while j < end, !isAuthorityEnd(text[j]) { j += 1 }
                add(authorityHost(text[after..<j]), &found, &seen)
                i = j
                continue
            }
            let c = text[i]
            if isHostChar(c), i == text.startIndex || (!isHostChar(text[i - 1]) && text[i - 1] != UInt8(ascii: "@") && text[i - 1] != UInt8(ascii: "/")) {
                var j = i
                var dotted = false
                while j < end, isHostChar(text[j]) {
                    if text[j] == UInt8(ascii: ".") { dotted = true }
                    j += 1
                }
                // A host has a dot (most words do not: no work for them), and is not an address's local part.
                if dotted && (j >= end || text[j] != UInt8(ascii: "@")) {
                    add(text[i..<j], &found, &seen)
                }
                i = j
                continue
            }
            i += 1
        }
        return true
    }

    /// The host in a link target (href value): scheme-less values count only when they look like a host.
    public static func host(ofLink link: [UInt8]) -> ArraySlice<UInt8>? {
        guard let after = schemeEnd(link[...], at: 0) else { return nil }
        var j = after
        while j < link.count, !isAuthorityEnd(link[j]) { j += 1 }
        return authorityHost(link[after..<j])
    }

    static func add(_ raw: ArraySlice<UInt8>?, _ found: inout [String], _ seen: inout Set<String>) {
        guard var h = raw else { return }
        while let f = h.first, f == UInt8(ascii: ".") || f == UInt8(ascii: "-") { h = h.dropFirst() }
        while let l = h.last, l == UInt8(ascii: ".") || l == UInt8(ascii: "-") { h = h.dropLast() }
        guard h.count >= 4, h.count <= 253, let lastDot = h.lastIndex(of: UInt8(ascii: ".")) else { return }
        // The last label must be letters (a TLD), at least two: "1.5" and "e.g" are not hosts.
        let tld = h[(lastDot + 1)...]
        guard tld.count >= 2, tld.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else { return }
        let name = String(decoding: h.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        if seen.insert(name).inserted { found.append(name) }
    }

    static let schemes = [Array("http://".utf8), Array("https://".utf8)]

    /// The index after `http://` or `https://` at `at`, if one starts there.
    static func schemeEnd(_ t: ArraySlice<UInt8>, at: Int) -> Int? {
        // An empty link (href="") has no first byte (found by fuzzing: it trapped).
        guard at < t.endIndex, t[at] | 0x20 == UInt8(ascii: "h") else { return nil }
        for scheme in schemes where at + scheme.count <= t.endIndex {
            if zip(t[at..<(at + scheme.count)], scheme).allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }) {
                return at + scheme.count
            }
        }
        return nil
    }

    static func isAuthorityEnd(_ c: UInt8) -> Bool {
        c <= 0x20 || c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") || c == 0x22 || c == 0x27
            || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "\\") || c >= 0x7F
    }

    /// `user:pw@host:port` → host.
    static func authorityHost(_ a: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var h = a
        if let at = h.lastIndex(of: UInt8(ascii: "@")) { h = h[(at + 1)...] }
        if h.first == UInt8(ascii: "[") { return nil }  // IP literal
        if let colon = h.firstIndex(of: UInt8(ascii: ":")) { h = h[..<colon] }
        return h.allSatisfy(isHostChar) ? h : nil
    }

    static func isHostChar(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }
}
