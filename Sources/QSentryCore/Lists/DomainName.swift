/// Domain-name normalisation shared by every list and check.
public enum DomainName {
    /// Lowercases ASCII, leaves IDNA U-labels as they are, and drops one trailing dot (`Example.COM.` → `example.com`).
    public static func normalize(_ name: String) -> String { normalize(name[...]) }

    /// The same for a Substring (concrete, not generic: see asciiLowercased).
    public static func normalize(_ name: Substring) -> String {
        var n = name.asciiLowercased
        if n.utf8.count > 1 && n.utf8.last == UInt8(ascii: ".") { n.removeLast() }
        return n
    }

    /// Whether `name` is plausible as a host name: labels of letters, digits, hyphens (or non-ASCII), 1–63 bytes,
    /// no empty label, at most 253 bytes in all.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        var labelLength = 0
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if labelLength == 0 { return false }
                labelLength = 0
                continue
            }
            let ok = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b >= 0x80
            if !ok { return false }
            labelLength += 1
            if labelLength > 63 { return false }
        }
        return labelLength > 0
    }
}
