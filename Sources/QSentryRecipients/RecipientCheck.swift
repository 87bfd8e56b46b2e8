#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// E1, chkuser-style: does this recipient exist here? It follows qmail's own delivery path
/// (locals / virtualdomains → users/cdb or system users → `.qmail` files) and answers
/// `.unknown` only when that path certainly ends in "no mailbox". Anything it cannot read
/// is `.temporary`; a delivery it cannot judge is `.exists`, so no mail is refused by guesswork.
public struct RecipientCheck {
    let root: QmailRoot
    let locals: DomainList
    let virtualDomains: VirtualDomains
    let validRcptTo: CDB?
    let users: QmailUsers
    let exists: (String) -> Bool

    public init(root: QmailRoot, locals: DomainList, virtualDomains: VirtualDomains, validRcptTo: CDB?, users: QmailUsers,
                exists: @escaping (String) -> Bool = FileBytes.exists) {
        self.root = root
        self.locals = locals
        self.virtualDomains = virtualDomains
        self.validRcptTo = validRcptTo
        self.users = users
        self.exists = exists
    }

    /// Reads the control files (locals, or control/me when locals is missing, as qmail does).
    public static func load(_ root: QmailRoot) throws -> RecipientCheck {
        var locals = try DomainList.load(root.control("locals"))
        if try ControlFile.lines(root.control("locals")) == nil, let me = try ControlFile.value(root.control("me")) {
            locals = DomainList(lines: [me], path: root.control("me"))
        }
        var valid: CDB? = nil
        do {
            valid = try CDB(path: root.qsentry("validrcptto.cdb"))
        } catch let e as CDBError where e.kind == .notFound {
            valid = nil
        }
        var cache: PasswdFile? = nil
        let users = QmailUsers(root: root, passwd: {
            if let c = cache { return c }
            let p = try PasswdFile.load()
            cache = p
            return p
        }, ownerOf: { path in
            var st = stat()
            return stat(path, &st) == 0 ? Int(st.st_uid) : nil
        })
        return RecipientCheck(root: root, locals: locals, virtualDomains: try VirtualDomains.load(root), validRcptTo: valid, users: users)
    }

    public func check(local: String, domain: String) -> RecipientAnswer {
        let d = DomainName.normalize(domain)
        do {
            if let v = validRcptTo, try v.find(Array((local.asciiLowercased + "@" + d).utf8)) != nil {
                return .exists("validrcptto.cdb")
            }
            let name: String
            if locals.match(d) != nil {
                name = local
            } else if let prefix = virtualDomains.prefix(local: local, domain: d) {
                name = prefix + "-" + local
            } else {
                return .notLocal
            }
            if name.contains("/") || name.hasPrefix(".") { return .unknown("unsafe local part") }
            guard let delivery = try users.delivery(for: name) else { return .unknown("no user and no alias user") }
            if delivery.dash.isEmpty { return .exists(delivery.source + ":" + delivery.user) }
            if let file = DotQmail.find(home: delivery.home, ext: delivery.ext, exists: exists) {
                return .exists(delivery.source + ":" + delivery.user + "/" + file)
            }
            return .unknown("no .qmail file for \(delivery.user)-\(delivery.ext)")
        } catch {
            return .temporary("\(error)")
        }
    }
}
