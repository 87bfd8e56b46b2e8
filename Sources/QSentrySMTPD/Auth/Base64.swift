import COpenSSL

/// RFC 4648 base64 for SASL, through OpenSSL's codec (strict: bad characters or length fail).
public enum Base64 {
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        if input.isEmpty { return [] }
        guard input.count % 4 == 0, input.allSatisfy({ isAlphabet($0) || $0 == UInt8(ascii: "=") }) else { return nil }
        let padding = input.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        guard padding <= 2, !input.dropLast(padding).contains(UInt8(ascii: "=")) else { return nil }
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let n = out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { i in EVP_DecodeBlock(o.baseAddress, i.baseAddress, Int32(i.count)) }
        }
        guard n >= 0 else { return nil }
        // EVP_DecodeBlock counts the padding as zero bytes.
        return Array(out[0..<(Int(n) - padding)])
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let n = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in EVP_EncodeBlock(o.baseAddress, i.baseAddress, Int32(i.count)) }
        }
        return String(decoding: out[0..<Int(n)], as: UTF8.self)
    }

    static func isAlphabet(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == UInt8(ascii: "+") || c == UInt8(ascii: "/")
    }
}
