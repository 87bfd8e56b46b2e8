#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// M2: refused attachment names from `control/qsentry/attachments`: `.exe` (an extension),
/// `*.js` or `invoice*.zip` (a glob), or a whole name; case does not matter. Names are
/// matched decoded (RFC 2047 / 2231) and from any depth, with trailing dots and spaces
/// (a Windows trick) removed.
public struct AttachmentCheck: MessageCheck {
    public static func configured(_ setup: inout ContentSetup) throws -> AttachmentCheck? {
        guard let lines = try ControlFile.lines(setup.root.qsentry("attachments")), !lines.isEmpty else { return nil }
        return AttachmentCheck(patterns: lines.map(\.text))
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("attachments", .qsentry, .text, "refused attachment names, extensions and globs (M2)"),
    ]
    public let name: RuleName = "attachment"
    let patterns: [String]

    public init(patterns: [String]) { self.patterns = patterns.map { $0.lowercased() } }

    public func check(_ m: ScannedMessage) -> Verdict {
        for raw in m.facts.attachmentNames {
            var n = Substring(raw.lowercased())
            while let l = n.last, l == "." || l == " " { n.removeLast() }
            // Only the last path component counts ("C:\dir\x.exe").
            if let slash = n.lastIndex(where: { $0 == "/" || $0 == "\\" }) { n = n[n.index(after: slash)...] }
            let fileName = String(n)
            if let p = patterns.first(where: { matches(fileName, $0) }) {
                return .refuse(rule: name, text: "attachments named like \(SMTPReply.sanitize(p)) are not accepted here", event: .spam)
            }
        }
        return .accept
    }

    func matches(_ fileName: String, _ pattern: String) -> Bool {
        if pattern.hasPrefix(".") && !pattern.contains("*") && !pattern.contains("?") { return fileName.hasSuffix(pattern) }
        if pattern.contains("*") || pattern.contains("?") || pattern.contains("[") { return fnmatch(pattern, fileName, 0) == 0 }
        return fileName == pattern
    }
}
