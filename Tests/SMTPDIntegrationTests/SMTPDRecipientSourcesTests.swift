import Foundation
import Testing
import TestHarness
import QSentryCore

/// E1 through tcpserver and swaks, one site with every source qmail sites use: users/cdb with
/// its wildcard, the alias user's .qmail files, fastforward's aliases.cdb, virtualdomains, a
/// vpopmail domain (vpasswd.cdb, .qmail-USER, bounce-no-mailbox), an ezmlm list, validrcptto.cdb.
@Suite struct SMTPDRecipientSourcesTests {
    let rig: SMTPDRig

    init() throws {
        rig = try SMTPDRig([
            "control/rcpthosts": "example.com\nexample.net\nlists.example\nvalid.example\n",
            "control/virtualdomains": "example.net:example.net\nlists.example:lists\n",
        ])
        let r = rig.root
        let alias = r.path + "/home/alias"
        // fastforward for names the alias user has no .qmail file for.
        try r.write("home/alias/.qmail-default", "| fastforward -d \(r.path)/etc/aliases.cdb\n")
        try FileManager.default.createDirectory(atPath: r.path + "/etc", withIntermediateDirectories: true)
        let ff = try CDBWriter(path: r.path + "/etc/aliases.cdb")
        try ff.add(Array(":webmaster@example.com".utf8), Array("&sales@example.com\0".utf8))
        try ff.finish()
        // vpopmail domain directory.
        let dom = r.path + "/home/vpopmail/domains/example.net"
        try FileManager.default.createDirectory(atPath: dom, withIntermediateDirectories: true)
        try r.write("home/vpopmail/domains/example.net/.qmail-default", "| /home/vpopmail/bin/vdelivermail '' bounce-no-mailbox\n")
        try r.write("home/vpopmail/domains/example.net/.qmail-help", "&alice@example.net\n")
        let vp = try CDBWriter(path: dom + "/vpasswd.cdb")
        try vp.add("alice", "x:1:0:Alice:\(dom)/alice:NOQUOTA")
        try vp.finish()
        // An ezmlm list under the alias user, through the "lists" virtual domain prefix.
        try r.write("home/alias/.qmail-lists-news", "|/usr/bin/ezmlm-send '\(alias)/news'\n")
        try r.write("home/alias/.qmail-lists-news-default", "|/usr/bin/ezmlm-manage '\(alias)/news'\n")
        // validrcptto.cdb for a domain that is otherwise not local at all.
        let valid = try CDBWriter(path: r.path + "/control/qsentry/validrcptto.cdb")
        try valid.add("boss@valid.example", "")
        try valid.finish()
        // users/cdb: the vpopmail domain, then qmail's catch-all to the alias user.
        let users = try CDBWriter(path: r.path + "/users/cdb")
        try users.add([], Array("-".utf8))
        try users.add(Array("!example.net-".utf8), Array("vpopmail\089\089\0\(dom)\0-\0".utf8))
        try users.add(Array("!".utf8), Array("alias\07790\02108\0\(alias)\0-\0".utf8))
        try users.finish()
    }

    /// Sends to a valid and an unknown address of one source; both answers must be right.
    func expect(valid: String, unknown: String, _ source: String) throws {
        let t = try rig.swaks(["--from", "someone@example.org", "--to", "\(valid),\(unknown)"])
        #expect(t.contains("550 5.1.1 sorry, no mailbox here by that name: \(unknown)"), "\(source): \(t)")
        #expect(Swaks.replyCodes(t).suffix(2) == [250, 221], "\(source): \(t)")
        #expect(!t.contains("5.1.1 sorry, no mailbox here by that name: \(valid)"), "\(source): \(t)")
    }

    @Test func aliasUserDotQmail() throws { try expect(valid: "sales@example.com", unknown: "nosuch@example.com", "~alias/.qmail-sales") }
    @Test func fastforwardAliases() throws { try expect(valid: "webmaster@example.com", unknown: "hostmaster@example.com", "aliases.cdb") }
    @Test func vpopmailUsers() throws { try expect(valid: "alice@example.net", unknown: "bob@example.net", "vpasswd.cdb") }
    @Test func vpopmailDotQmailAlias() throws { try expect(valid: "help@example.net", unknown: "helpdesk@example.net", ".qmail-help") }
    @Test func ezmlmList() throws { try expect(valid: "news-subscribe@lists.example", unknown: "new@lists.example", "ezmlm") }
    @Test func validRcptTo() throws { try expect(valid: "boss@valid.example", unknown: "intern@valid.example", "validrcptto.cdb") }

    @Test func unreadableVpasswdIsTemporary() throws {
        try rig.root.write("home/vpopmail/domains/example.net/vpasswd.cdb", "garbage")
        let t = try rig.swaks(["--from", "someone@example.org", "--to", "bob@example.net"])
        #expect(t.contains("451 4.3.0"), "\(t)")
        #expect(!t.contains("550"))
    }
}
