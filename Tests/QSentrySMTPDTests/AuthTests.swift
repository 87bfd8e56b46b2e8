import Foundation
import Testing
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

    /// A checkpassword in shell: reads user, password and timestamp from fd 3, as vchkpw does.
    func program(exit: String) throws -> (CheckPassword, String) {
        let dir = NSTemporaryDirectory() + "qsentry-cp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let seen = dir + "/seen"
        let script = dir + "/checkpassword"
        try """
        #!/bin/sh
        tr '\\000' '\\n' <&3 > \(seen)
        \(exit)

        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
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
