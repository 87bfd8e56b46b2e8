import QSentryCore

/// Where qmail-lspawn would deliver a local name: the user, home directory, and the
/// extension that selects a `.qmail` file (the "nughde" of qmail-lspawn).
public struct LocalDelivery: Sendable, Equatable {
    public let user: String
    public let home: String
    /// "-" when an extension selects `.qmail-EXT`, "" for the plain `.qmail`.
    public let dash: String
    public let ext: String
    /// Which source answered: `users/cdb` or `passwd`.
    public let source: String
}

/// qmail's own rules for a local name: `users/cdb` (built by qmail-newu from users/assign,
/// exact `=` entries and wildcard `+` entries), else qmail-getpw's: the longest system-user
/// prefix ending at a `-`, with a non-root uid and a home directory it owns, else the alias user.
public struct QmailUsers {
    let root: QmailRoot
    let passwd: () throws -> PasswdFile
    let ownerOf: (String) -> Int?

    public init(root: QmailRoot, passwd: @escaping () throws -> PasswdFile, ownerOf: @escaping (String) -> Int?) {
        self.root = root
        self.passwd = passwd
        self.ownerOf = ownerOf
    }

    public func delivery(for local: String) throws -> LocalDelivery? {
        let lower = local.asciiLowercased
        if let d = try fromUsersCDB(lower) { return d }
        return try fromPasswd(lower)
    }

    /// qmail-lspawn's users/cdb look-up. Throws `CDBError` when the file exists but cannot be read.
    func fromUsersCDB(_ lower: String) throws -> LocalDelivery? {
        guard let db = try CDB.ifPresent(root.file("users/cdb")) else { return nil }
        guard let wildchars = try db.find([]) else {
            throw CDBError(.corrupt, path: db.path, "no wildcard-characters record: rebuild with qmail-newu")
        }
        let key = Array(("!" + lower).utf8) + [0]
        var i = key.count
        var wild = false
        repeat {
            if !wild || i == 1 || wildchars.contains(key[i - 1]) {
                if let value = try db.find(Array(key[0..<i])) {
                    var fields = value.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                    guard fields.count >= 6 else { throw CDBError(.corrupt, path: db.path, "short record for \(lower)") }
                    // The wildcard matched "!" + local[..<(i - 1)]; the rest of the name extends the extension.
                    if wild { fields[5] += String(decoding: key[i..<(key.count - 1)], as: UTF8.self) }
                    return LocalDelivery(user: fields[0], home: fields[3], dash: fields[4], ext: fields[5], source: "users/cdb")
                }
            }
            i -= 1
            wild = true
        } while i > 0
        return nil
    }

    /// qmail-getpw: user names are at most 31 characters; the alias user takes the rest.
    func fromPasswd(_ lower: String) throws -> LocalDelivery? {
        let pw = try passwd()
        let bytes = Array(lower.utf8)
        var end = bytes.count
        while true {
            if end < 32 && (end == bytes.count || bytes[end] == UInt8(ascii: "-")) {
                let name = String(decoding: bytes[0..<end], as: UTF8.self)
                if let u = pw.user(name), u.uid != 0, ownerOf(u.home) == u.uid {
                    let ext = end < bytes.count ? String(decoding: bytes[(end + 1)...], as: UTF8.self) : ""
                    return LocalDelivery(user: name, home: u.home, dash: end < bytes.count ? "-" : "", ext: ext, source: "passwd")
                }
            }
            if end == 0 { break }
            end -= 1
        }
        guard let alias = pw.user("alias") else { return nil }
        return LocalDelivery(user: "alias", home: alias.home, dash: "-", ext: lower, source: "alias")
    }
}
