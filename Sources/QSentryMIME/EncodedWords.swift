/// RFC 2047 encoded words in header text: `=?charset?B?…?=` and `=?charset?Q?…?=`.
/// Whitespace between two adjacent encoded words is dropped, as the RFC says.
public enum EncodedWords {
    public static func decode(_ text: String) -> String {
        // Byte search: String.contains(String) goes through Character comparison, and most header
        // values have no encoded word at all.
        let bytes = Array(text.utf8)
        guard zip(bytes, bytes.dropFirst()).contains(where: { $0 == UInt8(ascii: "=") && $1 == UInt8(ascii: "?") }) else { return text }
        var out = ""
        var i = 0
        var pendingSpace = ""
        var lastWasEncoded = false
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "="), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "?"),
               let (decoded, end) = word(bytes, at: i) {
                if !lastWasEncoded { out += pendingSpace }
                pendingSpace = ""
                out += decoded
                i = end
                lastWasEncoded = true
                continue
            }
            if bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A {
                pendingSpace.append(Character(Unicode.Scalar(bytes[i] == 0x09 ? 0x20 : bytes[i])))
                i += 1
                continue
            }
            out += pendingSpace
            pendingSpace = ""
            lastWasEncoded = false
            let start = i
            while i < bytes.count, bytes[i] != 0x20, bytes[i] != 0x09, bytes[i] != 0x0D, bytes[i] != 0x0A,
                  !(bytes[i] == UInt8(ascii: "=") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "?") && i > start) {
                i += 1
            }
            out += String(decoding: bytes[start..<i], as: UTF8.self)
        }
        return (out + pendingSpace).filter { $0 != "\r" && $0 != "\n" }
    }

    /// One encoded word starting at `at`: its text and the index after it, or nil if it is not one.
    static func word(_ b: [UInt8], at: Int) -> (String, Int)? {
        var i = at + 2
        let charsetStart = i
        while i < b.count, b[i] != UInt8(ascii: "?") { if b[i] <= 0x20 { return nil }; i += 1 }
        guard i + 2 < b.count, b[i + 2] == UInt8(ascii: "?") else { return nil }
        var charset = String(decoding: b[charsetStart..<i], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }  // RFC 2231 language
        let encoding = b[i + 1] | 0x20
        i += 3
        let textStart = i
        while i + 1 < b.count, !(b[i] == UInt8(ascii: "?") && b[i + 1] == UInt8(ascii: "=")) {
            if b[i] <= 0x20 { return nil }
            i += 1
        }
        guard i + 1 < b.count else { return nil }
        let payload = Array(b[textStart..<i])
        let raw: [UInt8]
        switch encoding {
        case UInt8(ascii: "b"):
            var d = Base64Decoder()
            raw = d.feed(payload[...]) + d.finish()
        case UInt8(ascii: "q"):
            raw = QuotedPrintable.decodeWord(payload)
        default: return nil
        }
        return (Charset.decode(raw, charset: charset), i + 2)
    }
}
