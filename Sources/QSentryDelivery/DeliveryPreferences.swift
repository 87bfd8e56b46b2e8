import QSentryCore

/// D2: the settings of one delivery, the user's own over the site's. The user's files sit in
/// `.qsentry/` beside their Maildir (`~/.qsentry/` for `./Maildir/`) and have the names of the
/// site's files in `control/qsentry/`:
///   spam-threshold   percent from which mail is spam (site default 90)
///   spam-action      tag | folder .Junk | discard | bounce (site default tag)
///   spam-subject     subject prefix for spam, `none` for none (site default `[SPAM]`)
///   allow, block     senders always ham / always spam (addresses or @domain), the user's only
/// A broken site file is a temporary failure (the admin must see it); a broken user file is
/// logged and the site's value used (a user's typo must not hold their mail).
public struct DeliveryPreferences {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("spam-threshold", .qsentry, .integer(1...100), "score in percent from which mail is spam; default 90 (D1, D2)"),
        .init("spam-action", .qsentry, .text, "what spam gets: tag (default), folder .Junk, discard or bounce (D2)"),
        .init("spam-subject", .qsentry, .text, "subject prefix for spam, none for none; default [SPAM] (D1)"),
    ]
    public var thresholdPercent = 90
    public var action = SpamAction.tag
    public var subjectPrefix: String? = "[SPAM]"
    public var allow = AddressList()
    public var block = AddressList()
    /// Problems in the user's files, for the log.
    public var problems: [String] = []

    public init() {}

    public static func load(_ root: QmailRoot, userDirectory: String?) throws -> DeliveryPreferences {
        var p = DeliveryPreferences()
        try p.read(directory: root.path + "/control/qsentry", strict: true)
        if let dir = userDirectory {
            do { try p.read(directory: dir, strict: false) } catch { p.problems.append("\(error)") }
            for name in ["allow", "block"] {
                let list: AddressList
                do { list = try AddressList.load(dir + "/" + name) } catch { p.problems.append("\(error)"); continue }
                p.problems += list.problems.map(\.description)
                if name == "allow" { p.allow = list } else { p.block = list }
            }
        }
        return p
    }

    /// The per-user directory for a Maildir path: `.qsentry` in the Maildir's parent.
    public static func userDirectory(forMaildir maildir: String) -> String {
        let m = maildir.withoutTrailingSlashes
        guard let slash = m.lastIndex(of: "/") else { return ".qsentry" }
        let parent = m[..<slash]
        return (parent.isEmpty ? "" : String(parent)) + "/.qsentry"
    }

    mutating func read(directory dir: String, strict: Bool) throws {
        func note(_ e: Error) throws { if strict { throw e } else { problems.append("\(e)") } }
        do {
            thresholdPercent = try ControlFile.integer(dir + "/spam-threshold", default: thresholdPercent, range: 1...100)
        } catch { try note(error) }
        do {
            if let line = try ControlFile.value(dir + "/spam-action") {
                guard let a = SpamAction.parse(line.text.trimmed) else {
                    throw ControlError(path: dir + "/spam-action", line: line.number, "expected tag, folder .NAME, discard or bounce")
                }
                action = a
            }
        } catch { try note(error) }
        do {
            if let line = try ControlFile.value(dir + "/spam-subject") {
                let t = line.text.trimmed
                subjectPrefix = t.lowercased() == "none" || t.isEmpty ? nil : String(t.prefix(100))
            }
        } catch { try note(error) }
    }
}
