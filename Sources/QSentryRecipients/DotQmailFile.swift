import QSentryCore

/// The delivery lines of a `.qmail` file, as qmail-local reads them: `#` comments,
/// `|program`, `./mbox` or `./Maildir/` and `/path` files, and forwards (`&addr` or a bare address).
public struct DotQmailFile: Sendable {
    public enum Line: Equatable, Sendable {
        case program([String])
        case file(String)
        case forward(String)
    }

    public let lines: [Line]

    /// `.qmail` files are short; anything longer is not a file qmail users write by hand.
    public static let maxSize = 65536

    public init(text: String) {
        var out: [Line] = []
        // Line by line on the bytes, as qmail-local reads the file (no array of the lines, and no
        // Character a byte: the marks it looks at are ASCII).
        var rest = Substring(text)
        while !rest.isEmpty {
            let end = rest.utf8.firstIndex(of: 0x0A) ?? rest.endIndex
            let line = rest[..<end].trimmed
            rest = end == rest.endIndex ? rest[end...] : rest[rest.utf8.index(after: end)...]
            guard let first = line.utf8.first, first != UInt8(ascii: "#") else { continue }
            let afterMark = { String(Substring(line.utf8.dropFirst())) }
            switch first {
            case UInt8(ascii: "|"): out.append(.program(Self.words(afterMark())))
            case UInt8(ascii: "."), UInt8(ascii: "/"): out.append(.file(line))
            case UInt8(ascii: "&"): out.append(.forward(afterMark()))
            default: out.append(.forward(line))
            }
        }
        lines = out
    }

    public static func load(_ path: String) throws -> DotQmailFile {
        DotQmailFile(text: String(decoding: try FileBytes.read(path, limit: maxSize), as: UTF8.self))
    }

    /// A shell command line split into words, enough for the programs qsentry judges
    /// (`vdelivermail '' bounce-no-mailbox`): blanks separate, '…' and "…" quote.
    static func words(_ s: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character? = nil
        for c in s {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// The program's name without its directory (`/usr/bin/fastforward` → `fastforward`),
    /// past a `preline` wrapper.
    static func programName(_ argv: [String]) -> (name: String, args: [String])? {
        var argv = argv
        if let first = argv.first, first.split(separator: "/").last == "preline" { argv.removeFirst() }
        guard let first = argv.first, let base = first.split(separator: "/").last else { return nil }
        return (String(base), Array(argv.dropFirst()))
    }
}
