import QSentryCore

/// A structured MIME header value: `type/subtype; name=value; …` (RFC 2045), with RFC 2231
/// parameter continuations (`name*0=`, `name*1=`) and charset-tagged values (`name*=utf-8''%E2%82%AC`).
public struct HeaderParameters: Sendable, Equatable {
    /// The value before the first `;`, lower case (`multipart/mixed`, `attachment`).
    public let value: String
    /// Parameters by lower-case name, continuations joined and decoded.
    public let parameters: [String: String]

    public subscript(_ name: String) -> String? { parameters[name] }

    public init(_ text: String) {
        let bytes = Array(text.utf8)
        var i = 0
        func skipSpace() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 } }
        skipSpace()
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: ";") { i += 1 }
        value = String(decoding: bytes[start..<i], as: UTF8.self).trimmed.lowercased()
        // name → [(index, extended, raw value)]
        var segments: [String: [(index: Int, extended: Bool, raw: [UInt8])]] = [:]
        while i < bytes.count {
            i += 1  // the ';'
            skipSpace()
            let nameStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ";") { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { continue }
            let fullName = String(decoding: bytes[nameStart..<i], as: UTF8.self).trimmed.lowercased()
            i += 1
            skipSpace()
            var raw: [UInt8] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                    raw.append(bytes[i])
                    i += 1
                }
                while i < bytes.count, bytes[i] != UInt8(ascii: ";") { i += 1 }
            } else {
                while i < bytes.count, bytes[i] != UInt8(ascii: ";") { raw.append(bytes[i]); i += 1 }
                while let last = raw.last, last == 0x20 || last == 0x09 { raw.removeLast() }
            }
            var name = fullName
            var extended = false
            if name.hasSuffix("*") { extended = true; name.removeLast() }
            var index = 0
            if let star = name.lastIndex(of: "*"), let n = Int(name[name.index(after: star)...]) {
                index = n
                name = String(name[..<star])
            }
            if segments[name, default: []].count < 100 { segments[name, default: []].append((index, extended, raw)) }
        }
        var parameters: [String: String] = [:]
        for (name, parts) in segments {
            let ordered = parts.sorted { $0.index < $1.index }
            var charset = ""
            var joined: [UInt8] = []
            for (n, part) in ordered.enumerated() {
                if part.extended {
                    var raw = part.raw[...]
                    // The first extended segment starts with charset'language'.
                    if n == 0, let q1 = raw.firstIndex(of: UInt8(ascii: "'")),
                       let q2 = raw[(q1 + 1)...].firstIndex(of: UInt8(ascii: "'")) {
                        charset = String(decoding: raw[..<q1], as: UTF8.self)
                        raw = raw[(q2 + 1)...]
                    }
                    joined += PercentDecoding.decode(raw)
                } else {
                    joined += part.raw
                }
            }
            let text = charset.isEmpty ? String(decoding: joined, as: UTF8.self) : Charset.decode(joined, charset: charset)
            // Senders also put RFC 2047 words in parameters (against the RFC, but common).
            parameters[name] = EncodedWords.decode(text)
        }
        self.parameters = parameters
    }
}

enum PercentDecoding {
    static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.endIndex,
               let h = Hex.value(bytes[i + 1]), let l = Hex.value(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}

enum Hex {
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
