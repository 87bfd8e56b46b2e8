/// Base64 as mail really carries it: line breaks anywhere, stray characters skipped, missing
/// padding tolerated. OpenSSL's streaming decoder stops at the first bad byte, and broken
/// MIME must still be read to the end, so this small decoder keeps going.
public struct Base64Decoder {
    private var quad: UInt32 = 0
    private var count = 0
    private var ended = false

    public init() {}

    public mutating func feed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3 / 4 + 3)
        for c in bytes {
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = UInt32(c - 0x41)
            case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="):
                out += finish()
                ended = true
                continue
            default: continue
            }
            if ended { ended = false }  // data after padding: a new run (concatenated base64)
            quad = quad << 6 | v
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: quad >> 16))
                out.append(UInt8(truncatingIfNeeded: quad >> 8))
                out.append(UInt8(truncatingIfNeeded: quad))
                quad = 0
                count = 0
            }
        }
        return out
    }

    /// The bytes of an incomplete final group.
    public mutating func finish() -> [UInt8] {
        defer { quad = 0; count = 0 }
        switch count {
        case 2: return [UInt8(truncatingIfNeeded: quad >> 4)]
        case 3: return [UInt8(truncatingIfNeeded: quad >> 10), UInt8(truncatingIfNeeded: quad >> 2)]
        default: return []
        }
    }
}

/// Quoted-printable (RFC 2045 6.7) for bodies, line by line, and the Q encoding of RFC 2047.
public enum QuotedPrintable {
    /// One body line (without its line break): the decoded bytes, and whether a line break
    /// follows (false after a soft break `=` at the end).
    public static func decodeLine(_ line: ArraySlice<UInt8>) -> (bytes: [UInt8], newline: Bool) {
        var end = line.endIndex
        while end > line.startIndex, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        var soft = false
        if end > line.startIndex, line[end - 1] == UInt8(ascii: "=") { soft = true; end -= 1 }
        return (decode(line[line.startIndex..<end], underscoreIsSpace: false), !soft)
    }

    static func decodeWord(_ bytes: [UInt8]) -> [UInt8] { decode(bytes[...], underscoreIsSpace: true) }

    static func decode(_ bytes: ArraySlice<UInt8>, underscoreIsSpace: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "="), i + 2 < bytes.endIndex, let h = Hex.value(bytes[i + 1]), let l = Hex.value(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
                continue
            }
            out.append(underscoreIsSpace && c == UInt8(ascii: "_") ? 0x20 : c)
            i += 1
        }
        return out
    }
}
