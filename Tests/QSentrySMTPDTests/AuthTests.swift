import Foundation
import Testing
import TestHarness
@testable import QSentrySMTPD

/// The pieces of AUTH below the integration tests: base64 and the checkpassword protocol.
@Suite struct AuthTests {
    @Test func base64RoundTripsAndRejectsGarbage() {
        #expect(Base64.decode("AGFsaWNlAHNlY3JldA==") == Array("\0alice\0secret".utf8))
        #expect(Base64.decode("YQ==") == [0x61])
        #expect(Base64.decode("YWI=") == [0x61, 0x62])
        #expect(Base64.decode("") == [])
        #expect(Base64.encode(Array("Username:".utf8)) == "VXNlcm5hbWU6")
        for bad in ["YQ", "Y===", "YQ=a", "!!!!", "YQ== ", "=YQ="] { #expect(Base64.decode(bad) == nil, "\(bad)") }
    }

    /// Written through the harness (O_CLOEXEC): a descriptor still open for writing in a program
    /// another test spawns at that moment would make exec fail with "text file busy".
    let root: TempQmailRoot
    init() throws { root = try TempQmailRoot() }

    /// A checkpassword in shell: reads user, password and timestamp from fd 3, as vchkpw does.
    func program(exit: String) throws -> (CheckPassword, String) {
        let name = UUID().uuidString
        let seen = root.path + "/seen-" + name
        let script = try root.write("checkpassword-" + name, """
        #!/bin/sh
        tr '\\000' '\\n' <&3 > \(seen)
        \(exit)

        """, mode: 0o755)
        return (CheckPassword(argv: [script, "/bin/true"]), seen)
    }

    @Test func checkpasswordExitCodes() throws {
        let (good, seen) = try program(exit: "exec \"$@\"")
        #expect(good.check(user: "alice", password: Array("s3cret".utf8)) == .good)
        let lines = try String(contentsOfFile: seen, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[0] == "alice" && lines[1] == "s3cret" && Int(lines[2]) != nil, "\(lines)")
        #expect(try program(exit: "exit 1").0.check(user: "a", password: []) == .bad)
        if case .temporary = try program(exit: "exit 111").0.check(user: "a", password: []) {} else { Issue.record("111 must be temporary") }
        if case .temporary = try program(exit: "kill -9 $$").0.check(user: "a", password: []) {} else { Issue.record("a signal must be temporary") }
        if case .temporary = CheckPassword(argv: ["/nonexistent/checkpassword"]).check(user: "a", password: []) {} else {
            Issue.record("a missing program must be temporary")
        }
    }

    @Test func slowCheckpasswordIsKilledAndTemporary() throws {
        var (slow, _) = try program(exit: "sleep 30")
        slow.timeoutSeconds = 1
        if case .temporary(let why) = slow.check(user: "a", password: []) { #expect(why.contains("timed out")) } else {
            Issue.record("a hung checkpassword must be temporary")
        }
    }
}
