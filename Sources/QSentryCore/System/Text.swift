/// Small string helpers the standard library lacks without Foundation.
extension Substring {
    /// Drops leading and trailing spaces, tabs, CR and LF. On the UTF-8 bytes, concretely typed: a
    /// generic StringProtocol version costs run-time metadata work in every short-lived process.
    public var trimmed: String {
        let u = utf8
        let isSpace: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 13 || $0 == 10 }
        guard let first = u.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = u.index(after: u.lastIndex(where: { !isSpace($0) })!)
        return String(self[first..<last])
    }
}

extension String {
    /// Drops leading and trailing spaces, tabs, CR and LF.
    public var trimmed: String { self[...].trimmed }

    /// A path without its trailing slashes (`./Maildir/` → `./Maildir`); `/` stays `/`.
    public var withoutTrailingSlashes: String {
        // On the bytes: Substring's count walks every Character of the path, each time round.
        var p = Substring(self).utf8
        while p.count > 1 && p.last == UInt8(ascii: "/") { p = p.dropLast() }
        return String(Substring(p))
    }
}

extension String {
    /// ASCII-only lowercase: domain names are case-folded, non-ASCII (IDNA U-labels) left as-is.
    /// Most names come lowercase already, and are then returned as they are.
    public var asciiLowercased: String {
        utf8.contains(where: Self.isASCIIUppercase) ? self[...].asciiLowercased : self
    }

    static func isASCIIUppercase(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
}

extension Substring {
    /// The same for a Substring. On String and Substring themselves, not on StringProtocol: the
    /// other modules called that as an unspecialised generic, which looked its UTF8View up as an
    /// associated type at run time (some 1,300 instructions a call, a dozen a session).
    public var asciiLowercased: String {
        let source = utf8
        return String(unsafeUninitializedCapacity: source.count) { out in
            var i = 0
            for b in source {
                out[i] = String.isASCIIUppercase(b) ? b + 32 : b
                i += 1
            }
            return i
        }
    }
}

extension Array where Element == String {
    /// The elements with `separator` between them, as `joined(separator:)` does. The per-connection and
    /// per-message programs use this one: the standard library's is an unspecialised generic entry point,
    /// and its first call makes the runtime look an associated type up by name, checking it against every
    /// conformance record of the static executable (some 100 K instructions, callgrind).
    public func joined(with separator: String) -> String {
        var out = ""
        var first = true
        for part in self {
            if !first { out += separator }
            out += part
            first = false
        }
        return out
    }
}
