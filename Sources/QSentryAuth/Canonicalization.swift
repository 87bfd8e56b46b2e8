/// DKIM's canonicalisations (RFC 6376 §3.4), for ARC, which no Debian library verifies: the same
/// algorithms libopendkim applies to DKIM-Signature, checked here against dkimpy's `arcsign`.
public enum Canonicalization: String, Sendable {
    case simple, relaxed

    /// `c=` of a signature: header/body, a missing half is simple (RFC 6376 §3.5).
    public static func pair(_ c: String?) -> (header: Canonicalization, body: Canonicalization)? {
        guard let c, !c.isEmpty else { return (.simple, .simple) }
        let parts = c.lowercased().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let h = Canonicalization(rawValue: String(parts[0])) else { return nil }
        guard parts.count == 2 else { return (h, .simple) }
        guard let b = Canonicalization(rawValue: String(parts[1])) else { return nil }
        return (h, b)
    }

    /// One header field (without its final line ending), canonicalised, without the CR LF that follows it.
    public func header(_ raw: [UInt8]) -> [UInt8] {
        switch self {
        case .simple:
            // Line breaks as the wire had them: qmail's LF becomes CR LF again.
            var out: [UInt8] = []
            out.reserveCapacity(raw.count + 8)
            var previous: UInt8 = 0
            for b in raw {
                if b == 0x0A && previous != 0x0D { out.append(0x0D) }
                out.append(b)
                previous = b
            }
            return out
        case .relaxed:
            guard let colon = raw.firstIndex(of: 0x3A) else { return raw }
            var name = Array(raw[..<colon])
            while let l = name.last, l == 0x20 || l == 0x09 { name.removeLast() }
            var out = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
            out.append(0x3A)
            var pendingSpace = false
            var started = false
            for b in raw[(colon + 1)...] {
                if b == 0x0D || b == 0x0A { continue }  // unfold
                if b == 0x20 || b == 0x09 {
                    pendingSpace = started
                    continue
                }
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                started = true
                out.append(b)
            }
            return out
        }
    }

    /// The body canonicaliser, fed in pieces (the spool is never read whole).
    public struct Body {
        let mode: Canonicalization
        /// Empty lines seen but not yet written (trailing ones are dropped at the end).
        var pendingLines = 0
        var line: [UInt8] = []
        public private(set) var output: [UInt8] = []
        /// Called with canonical bytes as they are ready (a digest's update).
        let sink: ([UInt8]) -> Void
        /// l=: bytes to keep at most.
        var limit: Int?
        var written = 0

        public init(_ mode: Canonicalization, limit: Int? = nil, sink: @escaping ([UInt8]) -> Void) {
            self.mode = mode
            self.limit = limit
            self.sink = sink
        }

        public mutating func feed(_ bytes: ArraySlice<UInt8>) {
            for b in bytes {
                if b == 0x0A {
                    endLine()
                } else {
                    line.append(b)
                }
            }
        }

        mutating func endLine() {
            if line.last == 0x0D { line.removeLast() }
            var l = line
            line.removeAll(keepingCapacity: true)
            if mode == .relaxed { l = Self.relaxLine(l) }
            if l.isEmpty {
                pendingLines += 1
                return
            }
            var out: [UInt8] = []
            for _ in 0..<pendingLines { out += [0x0D, 0x0A] }
            pendingLines = 0
            out += l
            out += [0x0D, 0x0A]
            emit(out)
        }

        mutating func emit(_ bytes: [UInt8]) {
            var b = bytes
            if let limit {
                let room = max(0, limit - written)
                if b.count > room { b = Array(b.prefix(room)) }
            }
            written += b.count
            if !b.isEmpty { sink(b) }
        }

        /// The end of the body: a last line without its LF counts as a line; trailing empty
        /// lines are dropped; an empty body is CR LF in simple, nothing in relaxed.
        public mutating func finish() {
            if !line.isEmpty { endLine() }
            if written == 0 && mode == .simple { emit([0x0D, 0x0A]) }
        }

        static func relaxLine(_ l: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var space = false
            for b in l {
                if b == 0x20 || b == 0x09 {
                    space = true
                    continue
                }
                if space { out.append(0x20) }
                space = false
                out.append(b)
            }
            return out  // trailing white space dropped
        }
    }
}

/// The field with the value of its b= tag removed (what a signature signs of itself).
public func removingSignatureValue(_ raw: [UInt8]) -> [UInt8] {
    guard let colon = raw.firstIndex(of: 0x3A) else { return raw }
    var out = Array(raw[...colon])
    var i = colon + 1
    // Walk tag by tag: the b= tag's value (up to ';' or the end) is dropped, bh= is kept.
    while i < raw.count {
        var j = i
        while j < raw.count, raw[j] != 0x3B { j += 1 }
        let item = raw[i..<j]
        if let eq = item.firstIndex(of: 0x3D) {
            let name = item[item.startIndex..<eq].filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }
            if name == [0x62] {  // "b"
                out += raw[i...eq]
            } else {
                out += item
            }
        } else {
            out += item
        }
        if j < raw.count { out.append(0x3B) }
        i = j + 1
    }
    return out
}
