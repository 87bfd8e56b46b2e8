#if canImport(Glibc)
import Glibc
#endif

/// Text in a declared charset, as UTF-8. UTF-8, US-ASCII, ISO-8859-1 and windows-1252 (most
/// mail) are decoded here; others go through iconv when the C library can (a static program
/// may lack glibc's conversion modules), else non-ASCII bytes become U+FFFD. Keyword and URL
/// rules only need the ASCII-compatible part to be right.
public enum Charset {
    public static func decode(_ bytes: [UInt8], charset: String) -> String {
        switch charset.lowercased().trimmingQuotes {
        case "", "utf-8", "utf8", "us-ascii", "ascii":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "iso8859-1", "latin1", "l1":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case "windows-1252", "cp1252":
            return String(String.UnicodeScalarView(bytes.map { b -> Unicode.Scalar in
                if b >= 0x80 && b < 0xA0, let s = Unicode.Scalar(cp1252High[Int(b - 0x80)]) { return s }
                return Unicode.Scalar(b)
            }))
        default:
            return iconvDecode(bytes, charset: charset)
                ?? String(String.UnicodeScalarView(bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" }))
        }
    }

    /// windows-1252's 0x80–0x9F (the rest is ISO-8859-1).
    static let cp1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    static func iconvDecode(_ bytes: [UInt8], charset: String) -> String? {
        let cd = iconv_open("UTF-8//IGNORE", charset)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 4 + 16)
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
                var outLeft = outBuf.count
                _ = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return outBuf.count - outLeft
            }
        }
        return String(decoding: output[0..<produced].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    var trimmingQuotes: String {
        var s = Substring(self)
        while s.first == "\"" || s.first == " " { s.removeFirst() }
        while s.last == "\"" || s.last == " " { s.removeLast() }
        return String(s)
    }
}
