import Foundation
import Testing
import TestHarness

/// The built programs, run as an admin or qmail would run them.
@Suite struct ProgramTests {
    static let perConnection = ["qsentry-conn", "qsentry-smtpd", "qsentry-queue", "qsentry-local"]

    @Test(arguments: perConnection + ["qsentry"])
    func helpAndVersion(program: String) throws {
        let help = try Run.command(Run.program(program), ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.lowercased().contains("usage"), "\(help.output)")
        let version = try Run.command(Run.program(program), ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("0."), "\(version.output)")
    }

    @Test func qsentryCheckCleanAndBroken() throws {
        let root = try TempQmailRoot()
        try root.write("control/rcpthosts", "example.com\n")
        try root.write("control/qsentry/ipblock", "192.0.2.0\n")
        let clean = try Run.command(Run.program("qsentry"), ["check"], environment: root.environment())
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.stdout.contains("no problems"))

        try root.write("control/qsentry/ipblock", "192.0.2.0\n192.0.2.300\n")
        try root.write("control/qsentry/dnsbl-threshhold", "2\n")
        let broken = try Run.command(Run.program("qsentry"), ["check", "--qmail", root.path])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains(root.path + "/control/qsentry/ipblock:2: not an IP address: \"192.0.2.300\""), "\(broken.output)")
        #expect(broken.stdout.contains("did you mean dnsbl-threshold?"))
        #expect(broken.stdout.contains("2 problems"))
    }

    @Test func qsentryEnvPrintsTheContract() throws {
        let r = try Run.command(Run.program("qsentry"), ["env"])
        #expect(r.status == 0)
        for name in ["RBLSMTPD", "RELAYCLIENT", "QSENTRY_CONN_VERDICT", "QMAIL"] { #expect(r.stdout.contains(name)) }
    }

    /// Not yet built layers refuse to run with a temporary exit: mail waits, nothing is waved through unchecked.
    @Test func unreadableInputAndUnbuiltLayersFailTemporarily() throws {
        // fd 1 is the harness's output file, not an envelope to read: qmail-queue's 54 (read error).
        let queue = try Run.command(Run.program("qsentry-queue"), [], stdin: Data("Subject: x\n\nbody\n".utf8))
        #expect(queue.status == 54)
        #expect(queue.stderr.contains("error=\"envelope: read"))
        let local = try Run.command(Run.program("qsentry-local"), ["./Maildir/"], stdin: Data())
        #expect(local.status == 111)
    }
}
