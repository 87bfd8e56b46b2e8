import Foundation
import Testing
import TestHarness

/// A6: lists compiled with `qsentry cdb`, read by the real qsentry-smtpd while they are current.
@Suite struct SMTPDCompiledListTests {
    func rcpt(_ rig: SMTPDRig, _ to: String, from: String = "a@example.org") throws -> String {
        let t = try RawClient.session(rig.server.address, ["EHLO client.example.org", "MAIL FROM:<\(from)>",
                                                           "RCPT TO:<\(to)>", "QUIT"])
        let lines = t.split(separator: "\n").map(String.init)
        guard let i = lines.firstIndex(where: { $0.hasPrefix("C: RCPT") }), i + 1 < lines.count else { return t }
        return lines[i + 1]
    }

    @Test func compiledListsAreReadAndAnEditWinsUntilCompiled() throws {
        // 20,000 refused senders and a recipient block list: the size cdb is for.
        var senders = (0..<20_000).map { "spammer\($0)@example.org" }
        senders.append("@junk.example")
        let rig = try SMTPDRig(["control/qsentry/mailfromblock": senders.joined(separator: "\n") + "\n",
                                "control/qsentry/rcptblock": "info@example.com\n"])
        let cdb = try Run.command(Run.program("qsentry"), ["cdb", "mailfromblock", "rcptblock"], environment: rig.root.environment())
        #expect(cdb.status == 0 && cdb.stdout.contains("mailfromblock.cdb: 20001 entries"), "\(cdb.output)")
        // The text lists gone: only the cdb can refuse now.
        try FileManager.default.removeItem(atPath: rig.root.path + "/control/qsentry/mailfromblock")
        try FileManager.default.removeItem(atPath: rig.root.path + "/control/qsentry/rcptblock")
        let t = try RawClient.session(rig.server.address, ["EHLO c.example.org", "MAIL FROM:<spammer19999@example.org>", "QUIT"])
        #expect(t.contains("553"), "\(t)")
        let domain = try RawClient.session(rig.server.address, ["EHLO c.example.org", "MAIL FROM:<x@junk.example>", "QUIT"])
        #expect(domain.contains("553"), "\(domain)")
        #expect(try rcpt(rig, "info@example.com").hasPrefix("553"))
        #expect(try rcpt(rig, "sales@example.com").hasPrefix("250"))
        // An edit newer than the cdb is what counts, until `qsentry cdb` runs again.
        sleep(1)
        try rig.root.write("control/qsentry/rcptblock", "sales@example.com\n")
        #expect(try rcpt(rig, "info@example.com").hasPrefix("250"))
        #expect(try rcpt(rig, "sales@example.com").hasPrefix("553"))
        let check = try Run.command(Run.program("qsentry"), ["check"], environment: rig.root.environment())
        #expect(check.status == 1 && check.stdout.contains("rcptblock.cdb: older than rcptblock"), "\(check.output)")
        #expect(try Run.command(Run.program("qsentry"), ["cdb"], environment: rig.root.environment()).status == 0)
        #expect(try rcpt(rig, "info@example.com").hasPrefix("250"))
        #expect(try rcpt(rig, "sales@example.com").hasPrefix("553"))
    }

    @Test func aListWithABadLineIsNotCompiled() throws {
        let root = try TempQmailRoot()
        try root.write("control/qsentry/ipblock", "192.0.2.7\nnot-an-ip\n")
        let r = try Run.command(Run.program("qsentry"), ["cdb", "ipblock"], environment: root.environment())
        #expect(r.status == 1 && r.stdout.contains("ipblock:2:") && r.stdout.contains("not compiled"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/control/qsentry/ipblock.cdb"))
        let bad = try Run.command(Run.program("qsentry"), ["cdb", "keywords"], environment: root.environment())
        #expect(bad.status != 0 && bad.output.contains("not a list"), "\(bad.output)")
    }
}
