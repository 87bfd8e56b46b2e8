import Foundation
import Testing
import TestHarness
import QSentryCore
@testable import QSentryRecipients

/// E1 against a qmail root laid out as qmail-newu and qmail-local would find it.
@Suite struct RecipientCheckTests {
    final class Site {
        let root: TempQmailRoot
        var qroot: QmailRoot { QmailRoot(path: root.path) }
        var passwd = ""
        var owners: [String: Int] = [:]

        init() throws { root = try TempQmailRoot() }

        func home(_ name: String, uid: Int, dotqmail: [String] = []) throws -> String {
            let h = root.path + "/home/" + name
            try FileManager.default.createDirectory(atPath: h, withIntermediateDirectories: true)
            for f in dotqmail { try root.write("home/\(name)/\(f)", "./Maildir/\n") }
            owners[h] = uid
            passwd += "\(name):x:\(uid):\(uid)::\(h):/bin/sh\n"
            return h
        }

        /// users/cdb as qmail-newu writes it: "" = wildcard characters, "!local\0" exact, "!prefix" wildcard.
        func usersCDB(exact: [(String, String, String, String)], wild: [(String, String, String, String)]) throws {
            let w = try CDBWriter(path: root.path + "/users/cdb")
            try w.add([], Array(Set(wild.compactMap { $0.0.last }).map { UInt8(ascii: $0.unicodeScalars.first!) }))
            for (local, user, home, dashExt) in exact {
                let parts = dashExt.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                try w.add(Array(("!" + local).utf8) + [0], Array("\(user)\0 1000\0 1000\0\(home)\0\(parts[0])\0\(parts[1])\0".utf8))
            }
            for (prefix, user, home, dashPre) in wild {
                let parts = dashPre.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                try w.add(Array(("!" + prefix).utf8), Array("\(user)\0 1000\0 1000\0\(home)\0\(parts[0])\0\(parts[1])".utf8))
            }
            try w.finish()
        }

        func check() throws -> RecipientCheck {
            let base = try RecipientCheck.load(qroot)
            let pw = PasswdFile(text: passwd)
            let owners = self.owners
            let users = QmailUsers(root: qroot, passwd: { pw }, ownerOf: { owners[$0] })
            return RecipientCheck(root: qroot, locals: base.locals, virtualDomains: base.virtualDomains,
                                  validRcptTo: base.validRcptTo, users: users)
        }
    }

    func isExists(_ a: RecipientAnswer) -> Bool { if case .exists = a { return true } else { return false } }
    func isUnknown(_ a: RecipientAnswer) -> Bool { if case .unknown = a { return true } else { return false } }

    /// The name asked, whole (a longer name that starts with it is another user), the first line
    /// with it winning as getpwnam's does; lines without seven fields or a numeric uid skipped.
    @Test func passwdFindsTheWholeNameOnItsFirstGoodLine() {
        let pw = PasswdFile(text: "alice2:x:7:7::/home/alice2:/bin/sh\nbroken:x\nbob:x:abc:1::/home/bad:/bin/sh\n"
                            + "alice:x:1001:1001::/home/alice:/bin/sh\nalice:x:1002:1002::/home/second:/bin/sh\nbob:x:1003:1003::/home/bob:/bin/sh")
        #expect(pw.user("alice") == PasswdFile.Entry(name: "alice", uid: 1001, home: "/home/alice"))
        #expect(pw.user("bob")?.home == "/home/bob")
        #expect(pw.user("alic") == nil && pw.user("broken") == nil && pw.user("") == nil && pw.user("a:b") == nil)
    }

    @Test func usersCDBExactAndWildcard() throws {
        let s = try Site()
        try s.root.write("control/locals", "example.com\n")
        let alice = try s.home("alice", uid: 1001)
        let lists = try s.home("lists", uid: 1002, dotqmail: [".qmail-announce", ".qmail-dev-default"])
        let alias = try s.home("alias", uid: 1003)
        try s.usersCDB(exact: [("alice", "alice", alice, "|")], wild: [("lists-", "lists", lists, "-|"), ("", "alias", alias, "-|")])
        let c = try s.check()
        #expect(c.check(local: "alice", domain: "example.com") == .exists("users/cdb:alice"))
        #expect(c.check(local: "Alice", domain: "EXAMPLE.com.") == .exists("users/cdb:alice"))
        #expect(c.check(local: "lists-announce", domain: "example.com") == .exists("users/cdb:lists/.qmail-announce"))
        #expect(c.check(local: "lists-dev-help", domain: "example.com") == .exists("users/cdb:lists/.qmail-dev-default"))
        #expect(isUnknown(c.check(local: "lists-nothing", domain: "example.com")))
        // Falls to the catch-all wildcard (alias user), which has no .qmail-bob: unknown.
        #expect(isUnknown(c.check(local: "bob", domain: "example.com")))
        try s.root.write("home/alias/.qmail-bob", "&bob@elsewhere.example\n")
        #expect(c.check(local: "bob", domain: "example.com") == .exists("users/cdb:alias/.qmail-bob"))
    }

    @Test func systemUsersAndTheAliasUserWithoutUsersCDB() throws {
        let s = try Site()
        try s.root.write("control/me", "mail.example.com\n")  // no locals: control/me is the local domain
        _ = try s.home("carol", uid: 1001, dotqmail: [".qmail-news"])
        _ = try s.home("rootish", uid: 0)
        _ = try s.home("alias", uid: 1003, dotqmail: [".qmail-postmaster", ".qmail-info:sales"])
        let c = try s.check()
        #expect(c.check(local: "carol", domain: "mail.example.com") == .exists("passwd:carol"))
        #expect(c.check(local: "carol-news", domain: "mail.example.com") == .exists("passwd:carol/.qmail-news"))
        #expect(isUnknown(c.check(local: "carol-other", domain: "mail.example.com")))
        // uid 0 is never delivered to: falls to the alias user.
        #expect(isUnknown(c.check(local: "rootish", domain: "mail.example.com")))
        #expect(c.check(local: "postmaster", domain: "mail.example.com") == .exists("alias:alias/.qmail-postmaster"))
        #expect(c.check(local: "info.sales", domain: "mail.example.com") == .exists("alias:alias/.qmail-info:sales"))
        #expect(c.check(local: "x", domain: "elsewhere.example") == .notLocal)
    }

    @Test func homeNotOwnedByTheUserIsNotThatUser() throws {
        let s = try Site()
        try s.root.write("control/locals", "example.com\n")
        _ = try s.home("dave", uid: 1005)
        s.owners[s.root.path + "/home/dave"] = 0
        _ = try s.home("alias", uid: 1003)
        #expect(isUnknown(try s.check().check(local: "dave", domain: "example.com")))
    }

    @Test func virtualDomainsPrefixTheLocalPart() throws {
        let s = try Site()
        try s.root.write("control/virtualdomains", "example.net:vnet\nboss@example.org:ceo\n.sub.example:subs\nremote.example:\n")
        _ = try s.home("alias", uid: 1003, dotqmail: [".qmail-vnet-info", ".qmail-ceo-boss", ".qmail-subs-default"])
        let c = try s.check()
        #expect(c.check(local: "info", domain: "example.net") == .exists("alias:alias/.qmail-vnet-info"))
        #expect(isUnknown(c.check(local: "nobody", domain: "example.net")))
        #expect(c.check(local: "boss", domain: "example.org") == .exists("alias:alias/.qmail-ceo-boss"))
        #expect(c.check(local: "anyone", domain: "a.sub.example") == .exists("alias:alias/.qmail-subs-default"))
        #expect(c.check(local: "x", domain: "remote.example") == .notLocal)
    }

    @Test func validRcptToCDB() throws {
        let s = try Site()
        let w = try CDBWriter(path: s.root.path + "/control/qsentry/validrcptto.cdb")
        try w.add("sales@example.com", "")
        try w.finish()
        try s.root.write("control/locals", "example.com\n")
        let c = try s.check()
        #expect(c.check(local: "Sales", domain: "example.com") == .exists("validrcptto.cdb"))
        #expect(isUnknown(c.check(local: "other", domain: "example.com")))
    }

    @Test func unreadableDatabaseIsTemporaryNeverUnknown() throws {
        let s = try Site()
        try s.root.write("control/locals", "example.com\n")
        try s.root.write("users/cdb", String(repeating: "x", count: 100))
        if case .temporary = try s.check().check(local: "alice", domain: "example.com") {} else {
            Issue.record("a truncated users/cdb must give a temporary answer")
        }
    }

    @Test func pathTricksNeverReachTheFileSystem() throws {
        let s = try Site()
        try s.root.write("control/locals", "example.com\n")
        _ = try s.home("alias", uid: 1003, dotqmail: [".qmail-default"])
        let c = try s.check()
        #expect(c.check(local: "../../etc/passwd", domain: "example.com") == .unknown("unsafe local part"))
        #expect(c.check(local: ".hidden", domain: "example.com") == .unknown("unsafe local part"))
        #expect(DotQmail.candidates(ext: "a-b.c-d") == [".qmail-a-b:c-d", ".qmail-a-b:c-default", ".qmail-a-default", ".qmail-default"])
    }

    func isTemporary(_ a: RecipientAnswer) -> Bool { if case .temporary = a { return true } else { return false } }

    /// fastforward in ~alias/.qmail-default: only names in /etc/aliases.cdb (as newaliases writes it) exist.
    @Test func fastforwardAliasesCDB() throws {
        let s = try Site()
        try s.root.write("control/locals", "example.com\n")
        let aliases = s.root.path + "/etc/aliases.cdb"
        try FileManager.default.createDirectory(atPath: s.root.path + "/etc", withIntermediateDirectories: true)
        let w = try CDBWriter(path: aliases)
        try w.add(Array(":webmaster@example.com".utf8), Array("&alice@example.com\0".utf8))
        try w.add(Array(":abuse@".utf8), Array("&alice@example.com\0".utf8))
        try w.finish()
        let alias = try s.home("alias", uid: 1003)
        try s.root.write("home/alias/.qmail-default", "| fastforward -d \(aliases)\n")
        let c = try s.check()
        #expect(isExists(c.check(local: "Webmaster", domain: "example.com")))
        #expect(isExists(c.check(local: "abuse", domain: "example.com")), "a local@ wildcard entry")
        #expect(isUnknown(c.check(local: "nobody", domain: "example.com")))
        // -p passes unknown names on to the next line: qsentry cannot tell, so it accepts.
        try s.root.write("home/alias/.qmail-default", "|fastforward -p -d \(aliases)\n./Maildir/\n")
        #expect(isExists(try s.check().check(local: "nobody", domain: "example.com")))
        // A missing aliases.cdb makes fastforward exit 111: temporary, never unknown.
        try s.root.write("home/alias/.qmail-default", "|fastforward -d \(alias)/missing.cdb\n")
        #expect(isTemporary(try s.check().check(local: "webmaster", domain: "example.com")))
    }

    /// A vpopmail domain: users/assign sends it to the domain directory, whose .qmail-default
    /// runs vdelivermail; users are in vpasswd.cdb, aliases and ezmlm lists in .qmail-NAME files.
    @Test func vpopmailDomainAndEzmlmLists() throws {
        let s = try Site()
        try s.root.write("control/virtualdomains", "example.net:example.net\nbox.example:box.example\n")
        let vpop = try s.home("vpopmail", uid: 89)
        let dom = vpop + "/domains/example.net"
        try FileManager.default.createDirectory(atPath: dom, withIntermediateDirectories: true)
        try s.root.write("home/vpopmail/domains/example.net/.qmail-default", "| /home/vpopmail/bin/vdelivermail '' bounce-no-mailbox\n")
        try s.root.write("home/vpopmail/domains/example.net/.qmail-info", "&alice@example.net\n")
        // An ezmlm list: the list address and every command address (-subscribe, -help, -return-…).
        try s.root.write("home/vpopmail/domains/example.net/.qmail-news", "|/usr/bin/ezmlm-send '\(dom)/news'\n")
        try s.root.write("home/vpopmail/domains/example.net/.qmail-news-default", "|/usr/bin/ezmlm-manage '\(dom)/news'\n")
        let w = try CDBWriter(path: dom + "/vpasswd.cdb")
        try w.add("alice", "x:1:0:Alice:\(dom)/alice:NOQUOTA")
        try w.finish()
        let box = vpop + "/domains/box.example"
        try FileManager.default.createDirectory(atPath: box, withIntermediateDirectories: true)
        try s.root.write("home/vpopmail/domains/box.example/.qmail-default", "| vdelivermail '' postmaster@box.example\n")
        try s.usersCDB(exact: [], wild: [("example.net-", "vpopmail", dom, "-|"), ("box.example-", "vpopmail", box, "-|")])
        let c = try s.check()
        #expect(c.check(local: "Alice", domain: "example.net") == .exists("users/cdb:vpopmail/.qmail-default"))
        #expect(c.check(local: "info", domain: "example.net") == .exists("users/cdb:vpopmail/.qmail-info"))
        #expect(c.check(local: "news", domain: "example.net") == .exists("users/cdb:vpopmail/.qmail-news"))
        #expect(c.check(local: "news-subscribe", domain: "example.net") == .exists("users/cdb:vpopmail/.qmail-news-default"))
        #expect(isUnknown(c.check(local: "bob", domain: "example.net")))
        #expect(isUnknown(c.check(local: "new", domain: "example.net")))
        // A catch-all domain (no bounce-no-mailbox) takes every name.
        #expect(isExists(c.check(local: "anyone", domain: "box.example")))
        // vpasswd.cdb unreadable: temporary.
        try s.root.write("home/vpopmail/domains/example.net/vpasswd.cdb", "garbage")
        #expect(isTemporary(try s.check().check(local: "bob", domain: "example.net")))
    }

    /// A .qmail candidate that cannot be checked (here a symlink loop: ELOOP) is not "absent".
    @Test func uncheckableDotQmailIsTemporary() throws {
        let s = try Site()
        try s.root.write("control/locals", "example.com\n")
        let alias = try s.home("alias", uid: 1003)
        try FileManager.default.createSymbolicLink(atPath: alias + "/.qmail-loop", withDestinationPath: alias + "/.qmail-loop")
        #expect(isTemporary(try s.check().check(local: "loop", domain: "example.com")))
    }

    @Test func dotQmailLinesAndWords() {
        let f = DotQmailFile(text: "# comment\n|preline /usr/bin/fastforward -d '/etc/aliases.cdb'\n./Maildir/\n&a@b\nc@d\n")
        #expect(f.lines == [.program(["preline", "/usr/bin/fastforward", "-d", "/etc/aliases.cdb"]), .file("./Maildir/"),
                            .forward("a@b"), .forward("c@d")])
        #expect(DotQmailFile.programName(["preline", "/usr/bin/fastforward", "-d", "x"])! == ("fastforward", ["-d", "x"]))
        #expect(DotQmailFile.words("vdelivermail '' bounce-no-mailbox") == ["vdelivermail", "", "bounce-no-mailbox"])
        #expect(FastForward.invocation(["-pd", "/etc/aliases.cdb"]) == FastForward.Invocation(cdbPath: "/etc/aliases.cdb", useDefault: true, passThrough: true))
        #expect(FastForward.invocation(["-x", "f"]) == nil)
    }
}
