import Foundation
import Testing
import TestHarness
import QSentryCore

/// E14 through tcpserver and swaks: AUTH PLAIN and LOGIN checked by a checkpassword program,
/// authenticated clients relaying through the server behind, failures counted and reported.
@Suite struct SMTPDAuthTests {
    /// A checkpassword as vchkpw speaks it: alice / s3cret is good, "down" is temporary trouble.
    static let checkpassword = """
    #!/bin/sh
    { IFS= read -r user; IFS= read -r pass; } <<EOF
    $(tr '\\000' '\\n' <&3)
    EOF
    [ "$user" = down ] && exit 111
    [ "$user" = alice ] && [ "$pass" = s3cret ] && exec "$@"
    exit 1

    """

    func rig(_ files: [String: String] = [:], requireTLS: Bool = false) throws -> SMTPDRig {
        var all = ["control/qsentry/auth-delay": "0\n"]
        all.merge(files) { _, new in new }
        if !requireTLS { all["control/qsentry/auth-requires-tls"] = "0\n" }
        let rig = try SMTPDRig(all)
        // Control files are read per connection, so the program can be named once the root exists.
        let program = try rig.root.write("bin/checkpassword", Self.checkpassword, mode: 0o755)
        try rig.root.write("control/qsentry/checkpassword", "\(program) /bin/true\n")
        return rig
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func authenticatedClientsRelayThroughTheServerBehind(mechanism: String) throws {
        let rig = try rig()
        let t = try rig.swaks(["--auth", mechanism, "--auth-user", "alice", "--auth-password", "s3cret",
                               "--from", "alice@example.com", "--to", "friend@elsewhere.example"])
        #expect(t.contains("250-AUTH LOGIN PLAIN"), "\(t)")
        #expect(t.contains("235 2.7.0"), "\(t)")
        #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        #expect(rig.exim.messages.count == 1)
        // The server behind was started after AUTH, with the environment qmail-smtpd needs to relay.
        let env = rig.exim.environments.last ?? [:]
        #expect(env["RELAYCLIENT"] == "" && env["TCPREMOTEINFO"] == "alice", "\(env)")
        try Run.wait(for: "auth log line") { rig.log.contains("auth=alice mechanism=\(mechanism) result=ok") }
        #expect(!rig.log.contains("s3cret"))
    }

    /// A1: `qsentry explain --auth` relays as an authenticated client does, and a stranger does not.
    @Test func explainAgreesOnAuthenticatedRelay() throws {
        let rig = try rig(["control/qsentry/rcptblock": "friend@elsewhere.example\n"])
        let t = try rig.swaks(["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret",
                               "--from", "alice@example.com", "--to", "friend@elsewhere.example", "--quit-after", "RCPT"])
        #expect(t.contains("235 2.7.0") && Swaks.replyCodes(t).suffix(2) == [250, 221], "\(t)")
        func explain(_ extra: [String]) throws -> String {
            try Run.command(Run.program("qsentry"), ["explain", "--ip", "127.0.0.1", "--from", "alice@example.com",
                                                    "--to", "friend@elsewhere.example"] + extra, environment: rig.root.environment()).stdout
        }
        let trusted = try explain(["--auth", "alice"])
        #expect(trusted.contains("auth: alice -> trusted") && trusted.contains("verdict: accept"), "\(trusted)")
        let stranger = try explain([])
        let plain = try rig.swaks(["--from", "alice@example.com", "--to", "friend@elsewhere.example", "--quit-after", "RCPT"])
        #expect(plain.contains("553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts"), "\(plain)")
        #expect(stranger.contains("reply: 553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts"), "\(stranger)")
    }

    /// AUTH after a first message: the qmail-smtpd started without RELAYCLIENT is replaced.
    @Test func authAfterAMessageRestartsTheServerBehind() throws {
        let rig = try rig()
        let t = try RawClient.session(rig.server.address, [
            "EHLO c.example", "MAIL FROM:<a@example.org>", "RCPT TO:<sales@example.com>", "DATA", "Subject: one\r\n\r\nfirst\r\n.",
            "AUTH PLAIN \(Base64Text.encode("\0alice\0s3cret"))",
            "MAIL FROM:<alice@example.com>", "RCPT TO:<friend@elsewhere.example>", "DATA", "Subject: two\r\n\r\nsecond\r\n.", "QUIT",
        ])
        #expect(t.contains("235 2.7.0"), "\(t)")
        #expect(rig.exim.messages.count == 2, "\(t)")
        let envs = rig.exim.environments
        #expect(envs.count == 2 && envs[0]["RELAYCLIENT"] == nil && envs[1]["RELAYCLIENT"] == "", "\(envs.map { $0["RELAYCLIENT"] ?? "-" })")
    }

    @Test func wrongPasswordIsRefusedAndCannotRelay() throws {
        let rig = try rig()
        let t = try rig.swaks(["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong",
                               "--from", "alice@example.com", "--to", "friend@elsewhere.example"])
        #expect(t.contains("535 5.7.8"), "\(t)")
        #expect(rig.exim.messages.isEmpty)
        try Run.wait(for: "failed auth log line") { rig.log.contains("auth=alice mechanism=PLAIN result=failed failures=1") }
        #expect(!rig.log.contains("wrong"))
    }

    @Test func temporaryCheckpasswordTroubleIs454() throws {
        let rig = try rig()
        let t = try rig.swaks(["--auth", "LOGIN", "--auth-user", "down", "--auth-password", "x",
                               "--from", "a@example.com", "--to", "sales@example.com"])
        #expect(t.contains("454 4.7.0"), "\(t)")
    }

    /// After `auth-failures` bad attempts: 421, the connection closes, and an auth-failure event bans the IP.
    @Test func failedAuthLimitDisconnectsAndReports() throws {
        let rig = try rig(["control/qsentry/auth-failures": "2\n", "control/qsentry/bans": "events=1\n"])
        let plain = Base64Text.encode("\0alice\0nope")
        let t = try RawClient.session(rig.server.address, ["EHLO c.example", "AUTH PLAIN \(plain)", "AUTH PLAIN \(plain)", "NOOP"])
        #expect(t.contains("535 5.7.8"), "\(t)")
        #expect(t.contains("421 4.7.0"), "\(t)")
        #expect(!t.contains("250 2.0.0 ok"), "the session must end at the 421: \(t)")
        let bans = try Run.command(Run.program("qsentry"), ["bans", "list"], environment: rig.root.environment())
        #expect(bans.stdout.contains("127.0.0.1"), "\(bans.output)")
    }

    @Test func authWaitsForTLSByDefault() throws {
        let rig = try rig(requireTLS: true)
        let t = try RawClient.session(rig.server.address, ["EHLO c.example", "AUTH PLAIN \(Base64Text.encode("\0alice\0s3cret"))", "QUIT"])
        #expect(!t.contains("AUTH LOGIN"), "\(t)")
        #expect(t.contains("538 5.7.11"), "\(t)")
    }

    @Test func malformedExchangesGetClearReplies() throws {
        let rig = try rig()
        let t = try RawClient.session(rig.server.address, [
            "EHLO c.example", "AUTH CRAM-MD5", "AUTH PLAIN !!!", "AUTH PLAIN \(Base64Text.encode("alice"))",
            "AUTH LOGIN", "*", "AUTH PLAIN \(Base64Text.encode("bob\0alice\0s3cret"))", "MAIL FROM:<a@example.com>",
            "AUTH PLAIN \(Base64Text.encode("\0alice\0s3cret"))", "QUIT",
        ])
        for expected in ["504 5.5.4", "501 5.5.2 cannot decode", "501 5.5.2 malformed PLAIN", "334 VXNlcm5hbWU6",
                         "501 5.7.0 authentication cancelled", "535 5.7.8 authorization identity", "503 5.5.1 AUTH not permitted"] {
            #expect(t.contains(expected), "\(expected) missing in \(t)")
        }
    }
}

/// Base64 for building AUTH lines in tests.
enum Base64Text {
    static func encode(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
}
