import QSentryCore

/// vpopmail domains: users/assign sends `domain-…` to the domain directory, whose
/// `.qmail-default` runs `vdelivermail '' bounce-no-mailbox` (or a catch-all address or
/// Maildir, or `delete`). vdelivermail looks the user up in the domain's `vpasswd.cdb`
/// (the cdb back end's user table: key = user name), after `.qmail-USER` files, which
/// qmail-local has already tried.
public enum Vpopmail {
    /// vdelivermail's second argument: what happens to mail for users it does not find.
    public static func bouncesUnknownUsers(_ args: [String]) -> Bool {
        guard args.count >= 2 else { return false }
        return args[1].asciiLowercased == "bounce-no-mailbox"
    }

    /// Whether the domain directory's vpasswd.cdb has the user. Missing or unreadable → throws.
    public static func hasUser(_ user: String, domainDirectory: String) throws -> Bool {
        let cdb = try CDB(path: domainDirectory + "/vpasswd.cdb")
        return try cdb.find(Array(user.asciiLowercased.utf8)) != nil
    }
}
