import Foundation
import Testing
import TestHarness

/// Issue 10: the programs run with the privileges tcpserver gives them (`-u qmaild`), and an
/// address never leads a lookup outside the qmail root (path traversal through .qmail-EXT files,
/// users/cdb homes or vpopmail domains).
@Suite struct PrivilegeAndPathTests {
    /// A child "qmail-smtpd" that records its own and its parent's uid, then speaks enough SMTP.
    static func recordingChild(_ root: TempQmailRoot, record: String) throws -> String {
        try root.write("bin/uid-smtpd", """
        #!/bin/sh
        { id -u; ps -o uid= -p $PPID | tr -d ' '; } > '\(record)'
        printf '220 child ESMTP\\r\\n'
        while read line; do
          case "$line" in QUIT*) printf '221 bye\\r\\n'; exit 0;; *) printf '250 ok\\r\\n';; esac
        done

        """, mode: 0o755)
    }

    @Test func theProgramsRunAsTheUserTcpserverGives() throws {
        let root = try TempQmailRoot()
        try root.write("control/rcpthosts", "example.com\n")
        try root.write("control/qsentry/ipblock", "192.0.2.1\n")
        let shared = root.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        let child = try Self.recordingChild(root, record: shared + "/uids")
        // 65534 is nobody: like qmaild, it owns nothing here and can only read what is world-readable.
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), Run.program("qsentry-smtpd"), child],
                                   options: ["-u", "65534", "-g", "65534"])
        let t = try RawClient.session(server.address, ["EHLO c.example.org", "MAIL FROM:<a@example.org>", "RCPT TO:<x@example.com>", "QUIT"])
        #expect(t.contains("C: RCPT TO:<x@example.com>\n250"), "\(t)")
        let uids = (try? String(contentsOfFile: shared + "/uids", encoding: .utf8)) ?? ""
        #expect(uids.split(separator: "\n") == ["65534", "65534"], "child and qsentry-smtpd ran as \(uids)")
        #expect(server.server.stderr.contains("qsentry-conn: pid="), "\(server.server.stderr)")
        #expect(!server.server.stderr.contains("error="), "\(server.server.stderr)")
    }

    /// Issue 24: qsentry-conn runs its sibling qsentry-smtpd in its own process, as exec would have:
    /// qmail-smtpd's parent is conn's own executable, named qsentry-smtpd (ps), signing its log lines
    /// so, and conn's close-on-exec descriptors (the store it checked bans in) are closed as exec
    /// would close them.
    @Test func qsentryConnRunsItsSiblingSmtpdInItsOwnProcess() throws {
        let root = try TempQmailRoot()
        try root.write("control/rcpthosts", "example.com\n")
        let shared = root.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        // The embedded store exists, so conn opens it for its ban check.
        #expect(try Run.command(Run.program("qsentry"), ["bans", "add", "192.0.2.77"], environment: root.environment()).status == 0)
        let child = try root.write("bin/fd-smtpd", """
            #!/bin/sh
            { ps -o comm= -p $PPID; basename "$(readlink /proc/$PPID/exe)"; ls -l /proc/$PPID/fd | grep -c sqlite; ls -l /proc/$PPID/fd > '\(shared)/fds'; } > '\(shared)/facts'
            printf '220 child ESMTP\\r\\n'
            while read line; do
              case "$line" in QUIT*) printf '221 bye\\r\\n'; exit 0;; *) printf '250 ok\\r\\n';; esac
            done

            """, mode: 0o755)
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), Run.program("qsentry-smtpd"), child])
        let t = try RawClient.session(server.address, ["EHLO c.example.org", "MAIL FROM:<a@example.org>", "RCPT TO:<x@example.com>", "QUIT"])
        #expect(t.contains("C: RCPT TO:<x@example.com>\n250"), "\(t)")
        try Run.wait(for: "the child's facts") { FileManager.default.fileExists(atPath: shared + "/facts") }
        let facts = ((try? String(contentsOfFile: shared + "/facts", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(facts.count == 3, "\(facts)")
        #expect(facts.first == "qsentry-smtpd", "qmail-smtpd's parent is \(facts)")
        #expect(facts.count == 3 && facts[1] == "qsentry-conn", "the session ran in conn's process, not an exec'd one: \(facts)")
        #expect(facts.last == "0", "descriptors of conn's reached qmail-smtpd: \((try? String(contentsOfFile: shared + "/fds", encoding: .utf8)) ?? "")")
        #expect(server.server.stderr.contains("qsentry-conn: pid=") && server.server.stderr.contains("qsentry-smtpd: pid="), "\(server.server.stderr)")
    }

    static let traversals = [
        "../../../etc/passwd@example.com", "..@example.com", ".qmail@example.com", "sales/../../../outside@example.com",
        "alias-../../outside@example.com", "sales/..@example.com", "%2e%2e%2foutside@example.com", "outside\\..\\x@example.com",
        "sales-../../../../outside/x@example.com", "\"../outside\"@example.com",
    ]

    @Test func addressesNeverLeadOutsideTheQmailRoot() throws {
        // A sentinel outside the root that a traversal would find: an existing home with a .qmail.
        let outside = NSTemporaryDirectory() + "qsentry-outside-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        _ = FileManager.default.createFile(atPath: outside + "/.qmail-x", contents: Data("./Maildir/\n".utf8))
        _ = FileManager.default.createFile(atPath: outside + "/.qmail", contents: Data("./Maildir/\n".utf8))

        let trace = NSTemporaryDirectory() + "qsentry-trace-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let rig = try SMTPDRig(["control/virtualdomains": "virtual.example:v\n", "control/rcpthosts": "example.com\nvirtual.example\n"],
                               front: ["strace", "-f", "-qq", "-o", trace, "-e", "trace=%file"])
        var commands = ["EHLO c.example.org", "MAIL FROM:<a@example.org>"]
        commands += Self.traversals.map { "RCPT TO:<\($0)>" }
        commands += ["RCPT TO:<../../x@virtual.example>", "RCPT TO:<sales@example.com>", "QUIT"]
        let t = try RawClient.session(rig.server.address, commands)
        let lines = t.split(separator: "\n").map(String.init)
        for address in Self.traversals + ["../../x@virtual.example"] {
            guard let i = lines.firstIndex(of: "C: RCPT TO:<\(address)>"), i + 1 < lines.count else {
                Issue.record("no reply to \(address): \(t)"); continue
            }
            #expect(lines[i + 1].hasPrefix("5"), "\(address) was answered \(lines[i + 1])")
        }
        #expect(t.contains("C: RCPT TO:<sales@example.com>\n250"), "the real recipient still works: \(t)")
        try Run.wait(for: "strace to finish") { FileManager.default.fileExists(atPath: trace) }
        let opened = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
        let paths = opened.split(separator: "\n").compactMap { line -> String? in
            guard let q = line.firstIndex(of: "\""), let end = line[line.index(after: q)...].firstIndex(of: "\"") else { return nil }
            return String(line[line.index(after: q)..<end])
        }
        #expect(!paths.isEmpty, "strace saw nothing")
        #expect(paths.filter { $0.contains("..") || $0.hasPrefix(outside) }.isEmpty,
                "looked outside: \(paths.filter { $0.contains("..") || $0.hasPrefix(outside) })")
    }
}
