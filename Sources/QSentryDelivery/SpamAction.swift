/// D2: what happens to a message judged spam (`spam-action`, globally or in the user's `.qsentry/`).
public enum SpamAction: Equatable, Sendable, CustomStringConvertible {
    /// Deliver to the inbox with the spam headers and subject prefix (the default: nothing is hidden).
    case tag
    /// Deliver, tagged, into a Maildir++ folder such as `.Junk`, made when missing.
    case folder(String)
    /// Drop it (exit 99: delivered as far as qmail knows) with a log line.
    case discard
    /// Refuse it: qmail-local bounces it to the sender (exit 100).
    case bounce

    /// `tag`, `folder .Junk` (or `folder Junk`), `discard`, `bounce`.
    public static func parse(_ text: String) -> SpamAction? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        switch (words.first?.lowercased(), words.count) {
        case ("tag", 1): return .tag
        case ("discard", 1): return .discard
        case ("bounce", 1): return .bounce
        case ("folder", 1): return .folder(".Junk")
        case ("folder", 2): return folderName(String(words[1])).map { .folder($0) }
        default: return nil
        }
    }

    /// A Maildir++ folder name (`.Junk`, `.Archive.Spam`): a dot first, no slash, no empty part, so a
    /// preference can never reach outside the Maildir.
    public static func folderName(_ name: String) -> String? {
        let n = name.hasPrefix(".") ? name : "." + name
        let parts = n.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard n.utf8.count <= 200, !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }),
              n.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" }) else { return nil }
        return n
    }

    public var description: String {
        switch self {
        case .tag: return "tag"
        case .folder(let f): return "folder \(f)"
        case .discard: return "discard"
        case .bounce: return "bounce"
        }
    }
}
