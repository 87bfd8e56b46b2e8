import QSentryCore

/// fastforward's own look-up in a `newaliases`-built cdb (e.g. `/etc/aliases.cdb`), as in
/// `|fastforward -d /etc/aliases.cdb` in `~alias/.qmail-default`: the key is `:` and the
/// lowercased address, then `:@domain`, then `:local@`. No key means fastforward bounces
/// ("no mailbox here by that name") unless `-p` passes the message on.
public enum FastForward {
    public struct Invocation: Equatable, Sendable {
        public let cdbPath: String
        /// `-d`: the address is DEFAULT@HOST (the `.qmail-default` extension), not RECIPIENT.
        public let useDefault: Bool
        /// `-p`: an unknown address exits 99, so qmail-local goes on to the next line.
        public let passThrough: Bool
    }

    /// Reads fastforward's options (`-nNpPdD`, last one wins) and its cdb argument.
    public static func invocation(_ args: [String]) -> Invocation? {
        var useDefault = false, passThrough = false
        var rest = args[...]
        while let a = rest.first, a.hasPrefix("-"), a.count > 1 {
            rest = rest.dropFirst()
            if a == "--" { break }
            for flag in a.dropFirst() {
                switch flag {
                case "d": useDefault = true
                case "D": useDefault = false
                case "p": passThrough = true
                case "P": passThrough = false
                case "n", "N": continue
                default: return nil
                }
            }
        }
        guard let path = rest.first else { return nil }
        return Invocation(cdbPath: path, useDefault: useDefault, passThrough: passThrough)
    }

    /// Whether the cdb has an entry for the address (exact, `@domain` or `local@`).
    public static func knows(_ address: String, cdb: CDB) throws -> Bool {
        let a = address.asciiLowercased
        if try cdb.find(Array((":" + a).utf8)) != nil { return true }
        guard let at = a.lastIndex(of: "@") else { return false }
        if try cdb.find(Array((":" + a[at...]).utf8)) != nil { return true }
        return try cdb.find(Array((":" + a[...at]).utf8)) != nil
    }
}
