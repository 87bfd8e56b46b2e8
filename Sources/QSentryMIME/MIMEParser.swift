import QSentryCore

/// A one-pass, streaming MIME reader (RFC 2045–2047, 2231): feed it the message as it comes,
/// in chunks of any size; it keeps only bounded facts (MessageFacts), never the message.
///
/// Multipart nesting is followed through a stack of open boundaries, message/rfc822 parts
/// are read as messages of their own, base64 and quoted-printable text is decoded, HTML is
/// reduced to text. Broken MIME (missing boundaries, bad encodings, endless headers, nesting
/// past the limit) is read to the end without failing: what cannot be understood is skipped.
public struct MIMEParser {
    public private(set) var facts = MessageFacts()
    let limits: MIMELimits

    /// Longest piece handled as one line; a longer line is body data in pieces (never a boundary).
    static let maxLine = 64 * 1024

    enum State { case headers, body, skip }
    enum Encoding { case identity, base64, quotedPrintable }

    struct OpenMultipart {
        let delimiter: [UInt8]  // "--" + boundary
        let depth: Int
        let isDigest: Bool
    }

    private var partial: [UInt8] = []
    private var state = State.headers
    private var depth = 0
    private var defaultType = "text/plain"
    private var header: [[UInt8]] = []
    private var headerSize = 0
    private var open: [OpenMultipart] = []
    // The leaf part being read.
    private var encoding = Encoding.identity
    private var collectsText = false
    private var isHTML = false
    private var base64 = Base64Decoder()
    private var html: [UInt8] = []
    private var partTextStart = 0
    /// The part's decoded bytes hashed (hashAttachments, a part that is not text).
    private var digest: Digest.SHA256?
    private var digested = 0
    /// The part's decoded size (MIMELimits.attachmentSizes, a part with a file name), nil when not counted.
    private var sized: Int?
    /// The image part's decoded bytes (MIMELimits.images), nil when the part is not kept.
    private var image: [UInt8]?
    private var imageTooLarge = false

    /// Image file names OCR may read, by extension.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"]
    private var seenHosts: Set<String> = []

    public init(limits: MIMELimits = MIMELimits()) { self.limits = limits }

    /// The next bytes of the message, in order.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) {
        var start = bytes.startIndex
        while let nl = bytes.lineFeed(from: start) {
            if partial.isEmpty {
                line(bytes[start..<nl], whole: true)
            } else {
                partial += bytes[start..<nl]
                let l = partial
                partial.removeAll(keepingCapacity: true)
                line(l[...], whole: true)
            }
            start = nl + 1
        }
        partial += bytes[start...]
        if partial.count > Self.maxLine {
            let piece = partial
            partial.removeAll(keepingCapacity: true)
            line(piece[...], whole: false)
        }
    }

    /// Ends the message; returns what was found.
    public mutating func finish() -> MessageFacts {
        if !partial.isEmpty {
            let l = partial
            partial.removeAll()
            line(l[...], whole: true)
        }
        if state == .headers { finishHeaders() }
        endPart()
        return facts
    }

    private mutating func line(_ raw: ArraySlice<UInt8>, whole: Bool) {
        var l = raw
        if whole, l.last == 0x0D { l = l.dropLast() }
        if whole, !open.isEmpty, l.count >= 2, l[l.startIndex] == UInt8(ascii: "-"), l[l.startIndex + 1] == UInt8(ascii: "-"),
           boundary(l) { return }
        switch state {
        case .headers:
            if l.isEmpty && whole { finishHeaders(); return }
            headerLine(l)
        case .body:
            bodyLine(l, newline: whole)
        case .skip:
            return
        }
    }

    /// Handles a delimiter line of any open multipart (innermost first); true if it was one.
    private mutating func boundary(_ l: ArraySlice<UInt8>) -> Bool {
        for k in stride(from: open.count - 1, through: 0, by: -1) {
            let d = open[k].delimiter
            guard l.count >= d.count, l.prefix(d.count).elementsEqual(d) else { continue }
            let rest = l.dropFirst(d.count)
            let closing = rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
            // After the delimiter only white space (or "--") may follow: "--abc" is not "--abcd".
            let tail = closing ? rest.dropFirst(2) : rest
            guard tail.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
            if state == .headers { finishHeaders() }
            endPart()
            let multipart = open[k]
            if closing {
                open.removeSubrange(k...)
                state = .skip  // the epilogue, until an outer delimiter
            } else {
                open.removeSubrange((k + 1)...)
                startEntity(depth: multipart.depth + 1, defaultType: multipart.isDigest ? "message/rfc822" : "text/plain")
            }
            return true
        }
        return false
    }

    private mutating func startEntity(depth: Int, defaultType: String) {
        state = .headers
        self.depth = depth
        self.defaultType = defaultType
        header.removeAll(keepingCapacity: true)
        headerSize = 0
    }

    private mutating func headerLine(_ l: ArraySlice<UInt8>) {
        headerSize += l.count
        if headerSize > limits.headerBytes { return }
        if let first = l.first, first == 0x20 || first == 0x09, !header.isEmpty {
            header[header.count - 1] += l  // folded: RFC 5322 unfolding drops only the line break
        } else {
            header.append(Array(l))
        }
    }

    private func field(_ name: String) -> String? {
        values(name, limit: 1).first
    }

    /// The values of field `name` (lower case) in this header block, top-down, at most `limit`.
    private func values(_ name: String, limit: Int) -> [String] {
        let key = Array(name.utf8)
        var found: [String] = []
        for h in header where h.count > key.count && h[key.count] == UInt8(ascii: ":") && found.count < limit {
            if zip(h.prefix(key.count), key).allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }) {
                found.append(String(decoding: h.dropFirst(key.count + 1), as: UTF8.self))
            }
        }
        return found
    }

    private mutating func finishHeaders() {
        facts.parts += 1
        if depth == 0 && facts.parts == 1 {
            if let s = field("subject") { facts.subject = EncodedWords.decode(s.trimmed) }
            for name in limits.fields { if let v = field(name) { facts.fields[name] = v.trimmed } }
            for name in limits.repeatedFields { facts.repeated[name] = values(name, limit: limits.repeats).map(\.trimmed) }
        }
        let type = HeaderParameters(field("content-type") ?? defaultType)
        let disposition = HeaderParameters(field("content-disposition") ?? "")
        let transfer = (field("content-transfer-encoding") ?? "").trimmed.lowercased()
        sized = nil
        if let name = disposition["filename"] ?? type["name"], !name.isEmpty, facts.attachmentNames.count < limits.names {
            facts.attachmentNames.append(name)
            if limits.attachmentSizes { sized = 0 }
        }
        let mediaType = type.value.isEmpty ? "text/plain" : type.value
        header.removeAll(keepingCapacity: true)
        if mediaType.hasPrefix("multipart/"), let b = type["boundary"], !b.isEmpty {
            if depth >= limits.depth { facts.tooDeep = true; state = .skip; return }
            open.append(OpenMultipart(delimiter: Array("--\(b)".utf8), depth: depth, isDigest: mediaType == "multipart/digest"))
            state = .skip  // the preamble
            return
        }
        if mediaType == "message/rfc822" && (transfer.isEmpty || transfer == "7bit" || transfer == "8bit" || transfer == "binary") {
            if depth >= limits.depth { facts.tooDeep = true; state = .skip; return }
            startEntity(depth: depth + 1, defaultType: "text/plain")
            return
        }
        state = .body
        encoding = transfer == "base64" ? .base64 : transfer == "quoted-printable" ? .quotedPrintable : .identity
        base64 = Base64Decoder()
        isHTML = mediaType == "text/html"
        let isText = (mediaType == "text/plain" || isHTML) && disposition.value != "attachment"
        collectsText = isText && limits.text > 0
        digest = limits.hashAttachments && !isText && facts.attachmentHashes.count < limits.names ? Digest.SHA256() : nil
        digested = 0
        image = nil
        imageTooLarge = false
        let name = (disposition["filename"] ?? type["name"] ?? "").lowercased()
        let ext = name.split(separator: ".").last.map(String.init) ?? ""
        if limits.images > 0 && (mediaType.lowercased().hasPrefix("image/") || Self.imageExtensions.contains(ext)) {
            if facts.images.count < limits.images { image = [] } else { facts.skippedImages.append("more than \(limits.images) images") }
        }
        partTextStart = facts.text.count
        html.removeAll(keepingCapacity: true)
    }

    private mutating func bodyLine(_ l: ArraySlice<UInt8>, newline: Bool) {
        guard collectsText || digest != nil || image != nil || sized != nil else { return }
        if encoding == .identity && digest == nil && image == nil {
            // Plain text as it came: no decoded copy of every line.
            if let n = sized { sized = n + l.count + (newline ? 1 : 0) }
            if collectsText { append(l, newline: newline) }
            return
        }
        let decoded = decode(l, newline: newline)
        if let n = sized { sized = n + decoded.count }
        if image != nil { keepImage(decoded) }
        if let digest {
            digest.update(decoded)
            digested += decoded.count
            return
        }
        if collectsText { append(decoded[...]) }
    }

    private mutating func keepImage(_ bytes: [UInt8]) {
        guard !imageTooLarge else { return }
        if image!.count + bytes.count > limits.imageBytes {
            imageTooLarge = true
            image = []
        } else {
            image! += bytes
        }
    }

    private mutating func decode(_ l: ArraySlice<UInt8>, newline: Bool) -> [UInt8] {
        var decoded: [UInt8]
        switch encoding {
        case .identity:
            decoded = Array(l)
            if newline { decoded.append(0x0A) }
        case .quotedPrintable:
            let (bytes, nl) = QuotedPrintable.decodeLine(l)
            decoded = bytes
            if nl && newline { decoded.append(0x0A) }
        case .base64:
            decoded = base64.feed(l)
        }
        return decoded
    }

    /// `bytes`, then a line feed when `newline`, to the part's text (or HTML), within `limits.text`.
    private mutating func append(_ bytes: ArraySlice<UInt8>, newline: Bool = false) {
        let count = bytes.count + (newline ? 1 : 0)
        if isHTML {
            // HTML is converted once the part ends (a tag may span lines); bounded like the text.
            if html.count + count <= limits.text {
                html += bytes
                if newline { html.append(0x0A) }
            } else {
                facts.truncated = true
            }
            return
        }
        let room = limits.text - facts.text.count
        if room <= 0 { if count > 0 { facts.truncated = true }; return }
        if count > room { facts.truncated = true }
        facts.text += bytes.prefix(room)
        if newline && count <= room { facts.text.append(0x0A) }
    }

    /// Ends the leaf part being read: the tail of its base64, its HTML, its hosts.
    private mutating func endPart() {
        if state == .body, image != nil || digest != nil || sized != nil, !collectsText, encoding == .base64 {
            // The base64 tail, once, for whoever keeps this part.
            let tail = base64.finish()
            if let n = sized { sized = n + tail.count }
            if image != nil { keepImage(tail) }
            digest?.update(tail)
            digested += tail.count
        }
        if let n = sized, facts.attachmentSizes.count < facts.attachmentNames.count {
            // Parallel to attachmentNames: a name whose part had no body (a multipart) counts 0.
            facts.attachmentSizes += [Int](repeating: 0, count: facts.attachmentNames.count - 1 - facts.attachmentSizes.count) + [n]
            sized = nil
        }
        if state == .body, let kept = image {
            if imageTooLarge { facts.skippedImages.append("image of more than \(limits.imageBytes) bytes") }
            else if !kept.isEmpty { facts.images.append(kept) }
            image = nil
        }
        if state == .body, let d = digest {
            if digested > 0 { facts.attachmentHashes.append(d.finish().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(with: "")) }
            digest = nil
        }
        guard state == .body, collectsText else { state = state == .body ? .skip : state; return }
        if encoding == .base64 { append(base64.finish()[...]) }
        if isHTML {
            let (text, links) = HTMLText.convert(html)
            html.removeAll()
            isHTML = false
            for link in links where limits.hosts > 0 {
                if let host = HostExtractor.host(ofLink: link) { HostExtractor.add(host, &facts.hosts, &seenHosts) }
            }
            append(text[...])
        }
        if limits.hosts > 0, !HostExtractor.hosts(in: facts.text[partTextStart...], into: &facts.hosts, seen: &seenHosts, limit: limits.hosts) {
            facts.truncated = true
        }
        collectsText = false
        state = .skip
    }
}
