/// Small string helpers the standard library lacks without Foundation.
extension StringProtocol {
    /// Drops leading and trailing spaces, tabs, CR and LF.
    public var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }

    /// ASCII-only lowercase: domain names are case-folded, non-ASCII (IDNA U-labels) left as-is.
    public var asciiLowercased: String {
        var bytes = Array(utf8)
        for i in bytes.indices where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] += 32 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
