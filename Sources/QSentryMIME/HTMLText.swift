/// HTML reduced to its text for keyword rules, and its link targets (href, src) for URL rules.
/// Not a browser: tags are dropped, `<script>` and `<style>` contents skipped, the common
/// entities decoded. Enough for what spam hides behind markup.
public enum HTMLText {
    public static func convert(_ html: [UInt8]) -> (text: [UInt8], links: [[UInt8]]) {
        var text: [UInt8] = []
        text.reserveCapacity(html.count / 2)
        var links: [[UInt8]] = []
        var i = 0
        var skipUntil: [UInt8]? = nil  // "</script" or "</style"
        while i < html.count {
            let c = html[i]
            if c == UInt8(ascii: "<") {
                var j = i + 1
                var quote: UInt8 = 0
                while j < html.count {
                    let d = html[j]
                    if quote != 0 { if d == quote { quote = 0 } } else if d == 0x22 || d == 0x27 { quote = d } else if d == UInt8(ascii: ">") { break }
                    j += 1
                }
                let tag = Array(html[(i + 1)..<min(j, html.count)])
                let lower = tag.map(lowercase)
                if let end = skipUntil {
                    if lower.starts(with: end.dropFirst()) { skipUntil = nil }
                } else {
                    if lower.starts(with: Array("script".utf8)) { skipUntil = Array("</script".utf8) }
                    if lower.starts(with: Array("style".utf8)) { skipUntil = Array("</style".utf8) }
                    links += attributeValues(tag, lower, names: ["href", "src", "action"])
                    // Block tags separate words; inline ones must not ("v<b></b>iagra" is one word to a reader).
                    let name = lower.drop(while: { $0 == UInt8(ascii: "/") }).prefix(while: { $0 > 0x20 && $0 != UInt8(ascii: "/") })
                    if !inlineTags.contains(String(decoding: name, as: UTF8.self)) { text.append(0x20) }
                }
                i = j + 1
                continue
            }
            if skipUntil != nil { i += 1; continue }
            if c == UInt8(ascii: "&"), let (decoded, length) = entity(html, at: i) {
                text += decoded
                i += length
                continue
            }
            text.append(c)
            i += 1
        }
        return (text, links)
    }

    static let inlineTags: Set<String> = ["a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big",
                                          "sub", "sup", "strike", "abbr", "code", "mark", "q", "wbr"]

    static func lowercase(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    /// Values of the named attributes in one tag's text.
    static func attributeValues(_ tag: [UInt8], _ lower: [UInt8], names: [String]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        for name in names {
            let key = Array(name.utf8)
            var from = 0
            while let at = find(key, in: lower, from: from) {
                from = at + key.count
                var k = from
                while k < tag.count, tag[k] == 0x20 { k += 1 }
                guard k < tag.count, tag[k] == UInt8(ascii: "=") else { continue }
                k += 1
                while k < tag.count, tag[k] == 0x20 { k += 1 }
                guard k < tag.count else { break }
                var value: [UInt8] = []
                if tag[k] == 0x22 || tag[k] == 0x27 {
                    let q = tag[k]
                    k += 1
                    while k < tag.count, tag[k] != q { value.append(tag[k]); k += 1 }
                } else {
                    while k < tag.count, tag[k] > 0x20, tag[k] != UInt8(ascii: ">") { value.append(tag[k]); k += 1 }
                }
                found.append(value)
            }
        }
        return found
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard needle.count <= hay.count, from <= hay.count - needle.count else { return nil }
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) {
                // An attribute name starts after a space (not "data-href").
                if i == 0 || hay[i - 1] == 0x20 || hay[i - 1] == 0x09 || hay[i - 1] == 0x0A || hay[i - 1] == 0x0D { return i }
            }
            i += 1
        }
        return nil
    }

    static let named: [String: UInt32] = ["amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "nbsp": 0x20]

    /// `&name;`, `&#NN;`, `&#xHH;` at `at`: its UTF-8 bytes and the entity's length.
    static func entity(_ b: [UInt8], at: Int) -> ([UInt8], Int)? {
        var j = at + 1
        while j < b.count, j - at <= 10, b[j] != UInt8(ascii: ";") { j += 1 }
        guard j < b.count, b[j] == UInt8(ascii: ";"), j > at + 1 else { return nil }
        let body = String(decoding: b[(at + 1)..<j], as: UTF8.self)
        var scalar: UInt32?
        if body.hasPrefix("#x") || body.hasPrefix("#X") { scalar = UInt32(body.dropFirst(2), radix: 16) }
        else if body.hasPrefix("#") { scalar = UInt32(body.dropFirst()) }
        else { scalar = named[body.lowercased()] }
        guard let s = scalar, let u = Unicode.Scalar(s) else { return nil }
        return (Array(String(Character(u)).utf8), j - at + 1)
    }
}
