#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// E1, chkuser-style: does this recipient exist here? It follows qmail's own delivery path
/// (locals / virtualdomains → users/cdb or system users → `.qmail` files → the programs in
/// them that bounce unknown names: fastforward and vpopmail's vdelivermail) and answers
/// `.unknown` only when that path certainly ends in "no mailbox". Anything it cannot read
/// is `.temporary`; a delivery it cannot judge is `.exists`, so no mail is refused by guesswork.
public struct RecipientCheck {
    let root: QmailRoot
    let locals: DomainList
    let virtualDomains: VirtualDomains
    let validRcptTo: CDB?
    let users: QmailUsers

    public init(root: QmailRoot, locals: DomainList, virtualDomains: VirtualDomains, validRcptTo: CDB?, users: QmailUsers) {
        self.root = root
        self.locals = locals
        self.virtualDomains = virtualDomains
        self.validRcptTo = validRcptTo
        self.users = users
    }

    /// Reads the control files (locals, or control/me when locals is missing, as qmail does).
    public static func load(_ root: QmailRoot) throws -> RecipientCheck {
        let locals: DomainList
        if let lines = try ControlFile.lines(root.control("locals")) {
            locals = DomainList(lines: lines, path: root.control("locals"))
        } else {
            locals = DomainList(lines: try ControlFile.value(root.control("me")).map { [$0] } ?? [], path: root.control("me"))
        }
        let valid = try CDB.ifPresent(root.qsentry("validrcptto.cdb"))
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
            // validrcptto.cdb: `user@domain`, or `@domain` for a whole domain.
            if let v = validRcptTo, try v.find(Array((local.asciiLowercased + "@" + d).utf8)) != nil || v.find(Array(("@" + d).utf8)) != nil {
                return .exists("validrcptto.cdb")
            }
            let name: String
            if try locals.match(d) != nil {
                name = local
            } else if let prefix = virtualDomains.prefix(local: local, domain: d) {
                name = prefix + "-" + local
            } else {
                // Mail qmail would pass on to another host (rcpthosts only: a gateway or backup MX):
                // with validrcptto.cdb present it is the list of who exists there, as in the
                // validrcptto patch; without it qsentry cannot know and accepts.
                return validRcptTo == nil ? .notLocal : .unknown("not in validrcptto.cdb")
            }
            if name.contains("/") || name.hasPrefix(".") { return .unknown("unsafe local part") }
            guard let delivery = try users.delivery(for: name) else { return .unknown("no user and no alias user") }
            if delivery.dash.isEmpty { return .exists(delivery.source + ":" + delivery.user) }
            guard let file = try DotQmail.find(home: delivery.home, ext: delivery.ext) else {
                return .unknown("no .qmail file for \(delivery.user)-\(delivery.ext)")
            }
            let where_ = delivery.source + ":" + delivery.user + "/" + file
            let contents = try DotQmailFile.load(delivery.home + "/" + file)
            if let refusal = try judge(contents, file: file, delivery: delivery, recipient: name + "@" + d, domain: d) {
                return .unknown(where_ + ": " + refusal)
            }
            return .exists(where_)
        } catch {
            return .temporary("\(error)")
        }
    }

    /// The programs in a `.qmail` file that bounce names they do not know; the reason when one would.
    func judge(_ f: DotQmailFile, file: String, delivery: LocalDelivery, recipient: String, domain: String) throws -> String? {
        for line in f.lines {
            guard case .program(let argv) = line, let (name, args) = DotQmailFile.programName(argv) else { continue }
            switch name {
            case "fastforward":
                guard let ff = FastForward.invocation(args), !ff.passThrough else { continue }
                // qmail-local's DEFAULT: the part of the extension the "default" in the file name stands for.
                let matched = file.hasSuffix("default") ? file.dropFirst(".qmail-".count).dropLast("default".count).count : 0
                let address = ff.useDefault ? String(delivery.ext.dropFirst(matched)) + "@" + domain : recipient
                // qmail-local runs programs in the home directory: a relative cdb path is relative to it.
                let path = ff.cdbPath.hasPrefix("/") ? ff.cdbPath : delivery.home + "/" + ff.cdbPath
                if try !FastForward.knows(address, cdb: try CDB(path: path)) { return "\(address) not in \(ff.cdbPath)" }
            case "vdelivermail":
                guard Vpopmail.bouncesUnknownUsers(args) else { continue }
                if try !Vpopmail.hasUser(delivery.ext, domainDirectory: delivery.home) { return "no vpopmail user \(delivery.ext)" }
            default:
                continue
            }
        }
        return nil
    }
}
