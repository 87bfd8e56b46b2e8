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
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmed
            guard let first = line.first, first != "#" else { continue }
            switch first {
            case "|": out.append(.program(Self.words(String(line.dropFirst()))))
            case ".", "/": out.append(.file(line))
            case "&": out.append(.forward(String(line.dropFirst())))
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
