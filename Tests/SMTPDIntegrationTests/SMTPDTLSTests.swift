import Foundation
import Testing
import TestHarness
import QSentryCore

/// E15 through tcpserver with real TLS clients (swaks, openssl s_client, Python's ssl):
/// STARTTLS, the reset after it, AUTH only inside TLS, the command-injection rule, old
/// protocol versions refused, broken certificates and stalled handshakes.
@Suite struct SMTPDTLSTests {
    /// A rig with a certificate (and a checkpassword for alice / s3cret, AUTH only after TLS).
    func rig(_ files: [String: String] = [:], key: String? = nil) throws -> (SMTPDRig, TLSCertificate) {
        var all = ["control/qsentry/auth-delay": "0\n"]
        all.merge(files) { _, new in new }
        let rig = try SMTPDRig(all)
        let cert = try TLSCertificate(root: rig.root)
        try rig.root.write("control/qsentry/tls-cert", cert.certificatePath + "\n")
        try rig.root.write("control/qsentry/tls-key", (key ?? cert.keyPath) + "\n")
        let program = try rig.root.write("bin/checkpassword", SMTPDAuthTests.checkpassword, mode: 0o755)
        try rig.root.write("control/qsentry/checkpassword", "\(program) /bin/true\n")
        return (rig, cert)
    }

    @Test func swaksDeliversOverStartTLS() throws {
        let (rig, _) = try rig()
        let t = try rig.swaks(["--tls", "--from", "a@example.org", "--to", "sales@example.com"])
        #expect(t.contains("250-STARTTLS"), "\(t)")
        #expect(t.contains("220 2.0.0 ready to start TLS"), "\(t)")
        #expect(t.contains("TLS started with cipher TLSv1.3"), "\(t)")
        #expect(Swaks.replyCodes(t).suffix(5) == [250, 250, 354, 250, 221], "\(t)")
        #expect(rig.exim.messages.count == 1)
        // qmail-smtpd was started inside TLS with ucspi-ssl's variables; qsentry-queue learns it from the header.
        let env = rig.exim.environments.last ?? [:]
        #expect(env["SSL_PROTOCOL"] == "TLSv1.3" && env["SSL_CIPHER"] != nil && env["SSL_CIPHER_USEKEYSIZE"] != nil, "\(env)")
        #expect(rig.exim.messages.first?.header.contains("X-QSentry-Session: ip=127.0.0.1; tls=TLSv1.3") == true)
        try Run.wait(for: "tls log line") { rig.log.contains("tls=TLSv1.3 cipher=") }
    }

    /// AUTH is neither advertised nor taken in plaintext; inside TLS it is, and the user relays.
    @Test func authOnlyInsideTLSThenRelay() throws {
        let (rig, _) = try rig()
        let plain = try rig.swaks(["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret",
                                   "--from", "alice@example.com", "--to", "friend@elsewhere.example"])
        #expect(!plain.contains("AUTH LOGIN"), "\(plain)")
        #expect(rig.exim.messages.isEmpty)
        let tls = try rig.swaks(["--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret",
                                 "--from", "alice@example.com", "--to", "friend@elsewhere.example"])
        #expect(tls.contains("235 2.7.0"), "\(tls)")
        #expect(Swaks.replyCodes(tls).suffix(4) == [250, 354, 250, 221], "\(tls)")
        #expect(rig.exim.messages.count == 1)
        let env = rig.exim.environments.last ?? [:]
        #expect(env["RELAYCLIENT"] == "" && env["TCPREMOTEINFO"] == "alice", "\(env)")
    }

    /// STARTTLS forgets a plaintext AUTH (RFC 3207): the qmail-smtpd started inside TLS must not
    /// inherit RELAYCLIENT or TCPREMOTEINFO from the one started for the authenticated user.
    @Test func startTLSAfterAuthDropsTheRelayEnvironment() throws {
        let (rig, _) = try rig(["control/qsentry/auth-requires-tls": "0\n"])
        let r = try Run.command("python3", ["-c", Self.authThenTLS, "127.0.0.1", "\(rig.server.port)"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("235 2.7.0"), "\(r.stdout)")
        let inside = r.stdout.components(separatedBy: "--- TLS ---\n").last ?? ""
        #expect(inside.contains("553 5.7.1"), "relaying after STARTTLS needs a new AUTH: \(r.stdout)")
        #expect(rig.exim.messages.count == 1, "\(r.stdout)")
        let env = rig.exim.environments.last ?? [:]
        #expect(env["SSL_PROTOCOL"] != nil && env["RELAYCLIENT"] == nil && env["TCPREMOTEINFO"] == nil, "\(env)")
    }

    /// openssl s_client: the EHLO after the handshake advertises AUTH and no longer STARTTLS,
    /// and a second STARTTLS is refused.
    @Test func opensslClientSeesTheResetCapabilities() throws {
        let (rig, _) = try rig()
        let r = try sClient(rig, [], input: "EHLO again.example\nSTARTTLS\nQUIT\n")
        #expect(r.stdout.contains("250-AUTH LOGIN PLAIN"), "\(r.output)")
        let afterTLS = r.stdout.components(separatedBy: "EHLO again.example").last ?? r.stdout
        #expect(!afterTLS.contains("STARTTLS\r\n250") && !r.stdout.contains("250-STARTTLS"), "\(r.output)")
        #expect(r.stdout.contains("503 5.5.1 TLS already active"), "\(r.output)")
        #expect(r.stdout.contains("221 2.0.0"), "\(r.output)")
    }

    /// The 2011 STARTTLS injection: a command sent in plaintext in the same packet as STARTTLS
    /// must not be answered inside TLS.
    @Test func commandsPipelinedAfterStartTLSAreDiscarded() throws {
        let (rig, _) = try rig()
        let r = try Run.command("python3", ["-c", Self.injector, "127.0.0.1", "\(rig.server.port)"])
        #expect(r.status == 0, "\(r.output)")
        let inside = r.stdout.components(separatedBy: "--- TLS ---\n").last ?? ""
        #expect(inside.hasPrefix("250-mx.example.com"), "the first reply inside TLS must answer EHLO: \(r.stdout)")
        #expect(!r.stdout.contains("250 2.0.0 flushed"), "\(r.stdout)")
        try Run.wait(for: "injection warning") { rig.log.contains("discarded commands pipelined after STARTTLS") }
    }

    /// TLS 1.0 and 1.1 are refused by the server even when the client offers nothing else;
    /// the same client gets in with TLS 1.2.
    @Test(arguments: ["-tls1", "-tls1_1"])
    func oldProtocolVersionsAreRefused(_ version: String) throws {
        let (rig, _) = try rig()
        let old = try sClient(rig, [version, "-cipher", "DEFAULT@SECLEVEL=0"], input: "QUIT\n")
        #expect(old.status != 0, "\(old.output)")
        #expect(old.output.contains("protocol version") || old.output.contains("unsupported protocol"), "\(old.output)")
        let tls12 = try sClient(rig, ["-tls1_2"], input: "QUIT\n")
        #expect(tls12.stdout.contains("Protocol  : TLSv1.2") || tls12.stdout.contains("TLSv1.2"), "\(tls12.output)")
        #expect(tls12.stdout.contains("221 2.0.0"), "\(tls12.output)")
        try Run.wait(for: "failed handshake log line") { rig.log.contains("tls: handshake failed") }
    }

    /// A key file that is not PEM: STARTTLS is not offered, the reason is logged, plain mail flows.
    @Test func unreadableKeyMeansNoStartTLS() throws {
        let (rig, _) = try rig(key: "/nonexistent/key.pem")
        try rig.root.write("tls/garbage.key", "not a key\n")
        for key in ["/nonexistent/key.pem", rig.root.path + "/tls/garbage.key"] {
            try rig.root.write("control/qsentry/tls-key", key + "\n")
            let t = try rig.swaks(["--from", "a@example.org", "--to", "sales@example.com"])
            #expect(!t.contains("STARTTLS"), "\(t)")
            #expect(Swaks.replyCodes(t).suffix(3) == [354, 250, 221], "\(t)")
            try Run.wait(for: "start-up warning") { rig.log.contains("STARTTLS not offered: \(key)") }
        }
    }

    /// A key that is PEM but not the certificate's: found when OpenSSL loads it at STARTTLS → 454, session goes on.
    @Test func mismatchedKeyIsATemporaryRefusal() throws {
        let (rig, _) = try rig()
        let other = try TLSCertificate(root: rig.root, name: "other")
        try rig.root.write("control/qsentry/tls-key", other.keyPath + "\n")
        let t = try RawClient.session(rig.server.address, ["EHLO c.example", "STARTTLS", "NOOP", "QUIT"])
        #expect(t.contains("250-STARTTLS"), "\(t)")
        #expect(t.contains("454 4.7.0"), "\(t)")
        #expect(t.contains("250 2.0.0 ok"), "\(t)")
        try Run.wait(for: "key mismatch log line") { rig.log.contains("error=\"tls: \(other.keyPath)") && rig.log.contains("mismatch") }
    }

    /// A client that says STARTTLS and then nothing is dropped after the timeout; one that sends
    /// plaintext instead of a ClientHello at once. Both with a log line.
    @Test func stalledOrGarbageHandshakeEndsTheSession() throws {
        let (rig, _) = try rig(["control/qsentry/timeout": "2\n"])
        let stalled = try Run.command("python3", ["-c", Self.staller, "127.0.0.1", "\(rig.server.port)"], timeout: 40)
        #expect(stalled.stdout.contains("220 2.0.0"), "\(stalled.output)")
        #expect(stalled.stdout.contains("closed by server"), "\(stalled.output)")
        try Run.wait(for: "handshake timeout log line") { rig.log.contains("tls: handshake timed out") }
        let garbage = try RawClient.session(rig.server.address, ["EHLO c.example", "STARTTLS", "MAIL FROM:<a@example.org>"])
        #expect(!garbage.contains("250 2.1.0"), "\(garbage)")
        try Run.wait(for: "handshake failure log line") { rig.log.contains("tls: handshake failed") }
    }

    @Test func failedAuthIsAnsweredLate() throws {
        let (rig, _) = try rig(["control/qsentry/auth-delay": "1\n", "control/qsentry/auth-requires-tls": "0\n"])
        let started = Date()
        let t = try RawClient.session(rig.server.address, ["EHLO c.example", "AUTH PLAIN \(Base64Text.encode("\0alice\0nope"))", "QUIT"])
        #expect(t.contains("535 5.7.8"), "\(t)")
        #expect(Date().timeIntervalSince(started) >= 1.0)
    }

    func sClient(_ rig: SMTPDRig, _ options: [String], input: String) throws -> RunResult {
        try Run.command("openssl", ["s_client", "-starttls", "smtp", "-connect", rig.server.address, "-crlf", "-ign_eof"] + options,
                        stdin: Data(input.utf8), timeout: 30)
    }

    /// Says STARTTLS, then nothing: prints the server's replies and whether it closed the connection.
    static let staller = #"""
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
s.recv(1000)
s.sendall(b"STARTTLS\r\n")
print(s.recv(1000).decode(), end="")
print("closed by server" if s.recv(1000) == b"" else "server sent more")
"""#

    /// Sends "STARTTLS\r\nRSET\r\n" in one packet, shakes hands, sends EHLO inside TLS and prints
    /// every reply; the marker line separates plaintext from TLS.
    static let injector = #"""
import socket, ssl, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
def reply(sock):
    data = b""
    while True:
        c = sock.recv(1)
        if not c:
            return data.decode()
        data += c
        if data.endswith(b"\n"):
            last = data.split(b"\n")[-2]
            if len(last) < 4 or last[3:4] != b"-":
                return data.decode()
print(reply(s), end="")
s.sendall(b"EHLO c.example\r\n"); print(reply(s), end="")
s.sendall(b"STARTTLS\r\nRSET\r\n"); print(reply(s), end="")
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s)
print("--- TLS ---")
t.sendall(b"EHLO c.example\r\n"); print(reply(t), end="")
t.sendall(b"QUIT\r\n"); print(reply(t), end="")
"""#

    /// AUTH PLAIN in plaintext, then STARTTLS, then one relay attempt and one local message inside TLS.
    static let authThenTLS = #"""
import base64, socket, ssl, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
f = s.makefile("rb")
def reply(f):
    out = b""
    while True:
        l = f.readline()
        out += l
        if not l or len(l) < 4 or l[3:4] != b"-":
            return out.decode()
def say(sock, f, line):
    sock.sendall(line + b"\r\n"); print(reply(f), end="")
print(reply(f), end="")
say(s, f, b"EHLO c.example")
say(s, f, b"AUTH PLAIN " + base64.b64encode(b"\0alice\0s3cret"))
say(s, f, b"STARTTLS")
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s)
g = t.makefile("rb")
print("--- TLS ---")
say(t, g, b"EHLO c.example")
say(t, g, b"MAIL FROM:<alice@example.com>")
say(t, g, b"RCPT TO:<friend@elsewhere.example>")
say(t, g, b"RCPT TO:<sales@example.com>")
say(t, g, b"DATA")
say(t, g, b"Subject: inside\r\n\r\nhello\r\n.")
say(t, g, b"QUIT")
"""#
}
