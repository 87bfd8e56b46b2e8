/// HTML reduced to its text for keyword rules, and its link targets (href, src) for URL rules.
/// Not a browser: tags are dropped, `<script>` and `<style>` contents skipped, the common
/// entities decoded. Enough for what spam hides behind markup.
public enum HTMLText {
    public static func convert(_ html: [UInt8]) -> (text: [UInt8], links: [[UInt8]]) {
        var text: [UInt8] = []
        text.reserveCapacity(html.count / 2)
        var links: [[UInt8]] = []
        var i = 0
        var skipping: [UInt8]? = nil  // inside <script> or <style>: the name whose end tag ends it
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
                // The tag's text, read in place (a message has thousands of tags: no copy of each).
                let tag = html[(i + 1)..<min(j, html.count)]
                if let name = skipping {
                    if tag.first == UInt8(ascii: "/"), startsLowercased(tag.dropFirst(), with: name) { skipping = nil }
                } else {
                    if startsLowercased(tag, with: script) { skipping = script }
                    if startsLowercased(tag, with: style) { skipping = style }
                    linkValues(tag, into: &links)
                    // Block tags separate words; inline ones must not ("v<b></b>iagra" is one word to a reader).
                    let name = tag.drop(while: { $0 == UInt8(ascii: "/") }).prefix(while: { $0 > 0x20 && $0 != UInt8(ascii: "/") })
                    // A comment is invisible to a reader too ("v<!-- x -->iagra" is one word).
                    if name.first != UInt8(ascii: "!"), !inlineTags.contains(where: { equalsLowercased(name, $0) }) { text.append(0x20) }
                }
                i = j + 1
                continue
            }
            if skipping != nil { i += 1; continue }
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

    static let script = Array("script".utf8)
    static let style = Array("style".utf8)
    static let linkAttributes = ["href", "src", "action"].map { Array($0.utf8) }
    static let inlineTags = ["a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big",
                             "sub", "sup", "strike", "abbr", "code", "mark", "q", "wbr"].map { Array($0.utf8) }

    static func lowercase(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    /// Whether `bytes` begins with `lower` (lower-case ASCII), ignoring case.
    static func startsLowercased(_ bytes: ArraySlice<UInt8>, with lower: [UInt8]) -> Bool {
        guard bytes.count >= lower.count else { return false }
        var i = bytes.startIndex
        for l in lower {
            if lowercase(bytes[i]) != l { return false }
            i += 1
        }
        return true
    }

    static func equalsLowercased(_ bytes: ArraySlice<UInt8>, _ lower: [UInt8]) -> Bool {
        bytes.count == lower.count && startsLowercased(bytes, with: lower)
    }

    /// Appends the values of the link attributes (`linkAttributes`) in one tag's text, in one scan:
    /// an attribute name starts after white space (not "data-href") and is followed by `=`.
    static func linkValues(_ tag: ArraySlice<UInt8>, into found: inout [[UInt8]]) {
        var i = tag.startIndex
        while i < tag.endIndex {
            let b = tag[i]
            guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { i += 1; continue }
            i += 1
            guard i < tag.endIndex, let name = linkAttributes.first(where: { startsLowercased(tag[i...], with: $0) }) else { continue }
            var k = i + name.count
            while k < tag.endIndex, tag[k] == 0x20 { k += 1 }
            guard k < tag.endIndex, tag[k] == UInt8(ascii: "=") else { continue }
            k += 1
            while k < tag.endIndex, tag[k] == 0x20 { k += 1 }
            guard k < tag.endIndex else { return }
            let start: Int
            if tag[k] == 0x22 || tag[k] == 0x27 {
                let q = tag[k]
                k += 1
                start = k
                while k < tag.endIndex, tag[k] != q { k += 1 }
            } else {
                start = k
                while k < tag.endIndex, tag[k] > 0x20, tag[k] != UInt8(ascii: ">") { k += 1 }
            }
            found.append(Array(tag[start..<k]))
            i = k
        }
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
