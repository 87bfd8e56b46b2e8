import Foundation
import Testing
import TestHarness

/// M11 through qsentry-queue, against independent implementations: messages signed and sealed by
/// dkimpy (`dkimsign`, `arcsign`), keys and DMARC records served by NSD on loopback, and
/// qsentry's own signatures checked by dkimpy's verifier through the same NSD.
@Suite(.serialized) struct AuthenticationTests {
    /// A key pair made with openssl, and its `_domainkey` record.
    struct Key {
        let path: String
        /// What dkimsign takes: the PEM, or for Ed25519 the base64 of the 32-byte seed.
        let signingPath: String
        let record: String
        init(_ dir: String, _ name: String, ed25519: Bool = false, bits: Int = 2048) throws {
            path = dir + "/\(name).pem"
            let gen = ed25519 ? ["genpkey", "-algorithm", "ed25519", "-out", path]
                : ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", path]
            let g = try Run.command("openssl", gen)
            guard g.status == 0 else { throw HarnessError.startFailed("openssl: \(g.stderr)") }
            let d = try Run.command("/bin/sh", ["-c", "openssl pkey -in '\(path)' -pubout -outform DER | base64 -w0"])
            var b64 = d.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            signingPath = ed25519 ? path + ".seed" : path
            if ed25519 {  // RFC 8463: the raw 32-byte key, not the SubjectPublicKeyInfo
                b64 = Data(base64Encoded: b64)!.suffix(32).base64EncodedString()
                let seed = try Run.command("/bin/sh", ["-c", "openssl pkey -in '\(path)' -outform DER | tail -c 32 | base64 > '\(signingPath)'"])
                guard seed.status == 0 else { throw HarnessError.startFailed("seed: \(seed.stderr)") }
            }
            record = "v=DKIM1; k=\(ed25519 ? "ed25519" : "rsa"); p=\(b64)"
        }
        /// The record as zone-file TXT strings of at most 200 characters.
        var zoneText: String {
            var parts: [String] = []
            var rest = Substring(record)
            while !rest.isEmpty { parts.append("\"" + rest.prefix(200) + "\""); rest = rest.dropFirst(200) }
            return parts.joined(separator: " ")
        }
    }

    final class Rig {
        let root: TempQmailRoot
        let dir: String
        let origin: Key, ed: Key, list: Key
        var nsd: NSD!
        init(zones extra: [String: String] = [:], dmarc: String? = "reject=refuse\n") throws {
            root = try TempQmailRoot()
            dir = root.runDirectory
            _ = try QueueRun.recordingQueue(in: root)
            try root.write("control/me", "mx.example.org\n")
            if let dmarc { try root.write("control/qsentry/dmarc", dmarc) }
            origin = try Key(dir, "origin")
            ed = try Key(dir, "ed", ed25519: true)
            list = try Key(dir, "list")
            var zones: [String: String] = [
                "example.com": """
                sel._domainkey IN TXT \(origin.zoneText)
                ed._domainkey IN TXT \(ed.zoneText)
                revoked._domainkey IN TXT "v=DKIM1; k=rsa; p="
                _dmarc IN TXT "v=DMARC1; p=reject; sp=reject"
                """,
                "example.net": """
                _dmarc IN TXT "v=DMARC1; p=quarantine"
                """,
                "example.info": """
                _dmarc IN TXT "v=DMARC1; p=none"
                """,
                "example.biz": """
                _dmarc IN TXT "v=DMARC1; p=none; sp=reject"
                """,
                "lists.example.org": """
                arc._domainkey IN TXT \(list.zoneText)
                """,
            ]
            zones.merge(extra) { _, new in new }
            nsd = try NSD(root: root, zones: zones)
            try root.write("control/qsentry/dnsservers", nsd.address + "\n")
        }

        func sign(_ message: String, selector: String = "sel", domain: String = "example.com", key: Key? = nil, args: [String] = []) throws -> String {
            let r = try Run.command("dkimsign", args + [selector, domain, (key ?? origin).signingPath], stdin: Data(message.utf8))
            guard r.status == 0 else { throw HarnessError.startFailed("dkimsign: \(r.stderr)") }
            return r.stdout
        }

        func run(_ message: String, from sender: String = "someone@example.com", environment: [String: String] = [:]) throws -> QueueRun {
            try QueueRun(root: root, message: message, envelope: QueueRun.envelope(sender, ["user@example.org"]), environment: environment)
        }
        var queued: [String] { QueueRun.queued(in: root).map(\.message) }
        var lastQueued: String { queued.last ?? "" }
        var quarantined: Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: root.path + "/qsentry/quarantine")) ?? [])
                .filter { $0.first?.isNumber == true && !$0.contains("index") }.count
        }
    }

    static func message(from: String = "Alice <alice@example.com>", subject: String = "Lunch", body: String = "See you at noon.\n") -> String {
        "From: \(from)\nTo: user@example.org\nSubject: \(subject)\nDate: Tue, 01 Dec 2026 10:00:00 +0000\nMessage-ID: <\(UUID().uuidString)@example.com>\n\n\(body)"
    }

    @Test func aSignedMessagePassesDKIMAndDMARC() throws {
        let rig = try Rig()
        let signed = try rig.sign(Self.message())
        let r = try rig.run(signed)
        #expect(r.status == 0, "\(r.stderr)")
        let m = rig.lastQueued
        // The message itself byte for byte, below the new field.
        #expect(m.hasSuffix("\narc=none\n".replacingOccurrences(of: "\narc", with: "\n\tarc") + signed), "\(m)")
        #expect(m.hasPrefix("Authentication-Results: mx.example.org;\n\t"), "\(m)")
        #expect(m.contains("dkim=pass header.d=example.com header.s=sel"), "\(m)")
        #expect(m.contains("dmarc=pass (p=reject) policy.dmarc=reject header.from=example.com"), "\(m)")
        #expect(r.stderr.contains("auth=\"dkim=pass,dmarc=pass,arc=none\""), "\(r.stderr)")
        // qmail-queue, run in qsentry-queue's place, gets none of the resolver's sockets.
        #expect(r.leakedDescriptors == [])
    }

    /// `qsentry explain` runs the same checks dry and shows the field qsentry-queue would write.
    @Test func explainShowsTheResults() throws {
        let rig = try Rig()
        try rig.root.write("control/rcpthosts", "example.org\n")
        let file = try rig.root.write("run/tampered.eml", try rig.sign(Self.message()).replacingOccurrences(of: "at noon", with: "at one"))
        let r = try Run.command(Run.program("qsentry"), ["explain", "--ip", "192.0.2.10", "--from", "someone@example.com",
                                                         "--to", "user@example.org", file], environment: rig.root.environment())
        #expect(r.stdout.contains("authentication-results"), "\(r.output)")
        #expect(r.stdout.contains("dkim=fail (body hash did not verify)") && r.stdout.contains("dmarc=fail (p=reject"), "\(r.output)")
        #expect(r.stdout.contains("DMARC policy of reject"), "\(r.output)")
        #expect(rig.quarantined == 0, "explain keeps nothing")
    }

    @Test func ed25519SignaturesVerify() throws {
        let rig = try Rig(dmarc: nil)
        let signed = try rig.sign(Self.message(), selector: "ed", key: rig.ed, args: ["--signalg", "ed25519-sha256"])
        let r = try rig.run(signed)
        #expect(r.status == 0 && rig.lastQueued.contains("dkim=pass header.d=example.com header.s=ed"), "\(r.stderr)\n\(rig.lastQueued)")
    }

    @Test func bodyAndHeaderTamperingFailAndDMARCRejectRefuses() throws {
        let rig = try Rig()
        let signed = try rig.sign(Self.message())
        let body = try rig.run(signed.replacingOccurrences(of: "at noon", with: "at one"))
        #expect(body.status == 31, "\(body.stderr)")
        #expect(body.stderr.contains("rule=dmarc") && body.stderr.contains("verdict=refuse"), "\(body.stderr)")
        #expect(rig.quarantined == 1)
        let header = try rig.run(signed.replacingOccurrences(of: "Subject: Lunch", with: "Subject: Dinner"))
        #expect(header.status == 31 && header.stderr.contains("rule=dmarc"), "\(header.stderr)")
        #expect(rig.queued.isEmpty)
        // The same tampering without a dmarc file: recorded, not acted on.
        try FileManager.default.removeItem(atPath: rig.root.path + "/control/qsentry/dmarc")
        let recorded = try rig.run(signed.replacingOccurrences(of: "at noon", with: "at one"))
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(rig.lastQueued.contains("dkim=fail (body hash did not verify) header.d=example.com"), "\(rig.lastQueued)")
        #expect(rig.lastQueued.contains("dmarc=fail (p=reject)"), "\(rig.lastQueued)")
    }

    /// The limits: five signatures checked at most, keys under 1024 bits fail, an l= that signs
    /// only the start of the body is no pass (RFC 6376 §8.2: anything may follow it).
    @Test func signatureCountKeySizeAndBodyLengthLimits() throws {
        let small = try Key(FileManager.default.temporaryDirectory.path, "small-\(UUID().uuidString.prefix(6))", bits: 512)
        let rig = try Rig(zones: ["example.org": "small._domainkey IN TXT \(small.zoneText)"], dmarc: nil)
        var seven = Self.message()
        for _ in 0..<7 { seven = try rig.sign(seven) }
        _ = try rig.run(seven)
        let header = rig.lastQueued.components(separatedBy: "\n\n")[0]
        #expect(header.components(separatedBy: "dkim=pass header.d=example.com").count - 1 == 5, "\(header)")
        _ = try rig.run(try rig.sign(Self.message(from: "a@example.org"), selector: "small", domain: "example.org", key: small))
        #expect(rig.lastQueued.contains("dkim=permerror (signing key too small) header.d=example.org"), "\(rig.lastQueued)")
        // dkimpy's sign with length=True writes l=; two lines added after it.
        let script = "import sys, dkim; m = sys.stdin.buffer.read(); " +
            "sys.stdout.buffer.write(dkim.sign(m, b'sel', b'example.com', open(sys.argv[1], 'rb').read(), length=True) + m)"
        let signed = try Run.command("/usr/bin/python3", ["-c", script, rig.origin.path], stdin: Data(Self.message().utf8))
        #expect(signed.stdout.contains("l="), "\(signed.output)")
        _ = try rig.run(signed.stdout)
        #expect(rig.lastQueued.contains("dkim=pass"), "the whole body signed: \(rig.lastQueued)")
        _ = try rig.run(signed.stdout + "Click here: https://evil.example/\n")
        #expect(rig.lastQueued.contains("dkim=policy (l= signs"), "\(rig.lastQueued)")
    }

    @Test func missingAndRevokedKeysArePermanentErrors() throws {
        let rig = try Rig(dmarc: nil)
        _ = try rig.run(try rig.sign(Self.message(), selector: "nosuch"))
        #expect(rig.lastQueued.contains("dkim=permerror"), "\(rig.lastQueued)")
        #expect(rig.lastQueued.contains("header.s=nosuch"), "\(rig.lastQueued)")
        _ = try rig.run(try rig.sign(Self.message(), selector: "revoked"))
        #expect(rig.lastQueued.contains("dkim=permerror") && rig.lastQueued.contains("header.s=revoked"), "\(rig.lastQueued)")
    }

    @Test func dnsFailureAcceptsWithAHeaderOrDefersWhenTold() throws {
        let rig = try Rig()
        let dead = try Ports.free(udp: true)
        try rig.root.write("control/qsentry/dnsservers", "127.0.0.1:\(dead)\n")
        try rig.root.write("control/qsentry/dnstimeout", "300\n")
        let signed = try rig.sign(Self.message())
        let r = try rig.run(signed)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rig.lastQueued.contains("dkim=temperror") && rig.lastQueued.contains("dmarc=temperror"), "\(rig.lastQueued)")
        try rig.root.write("control/qsentry/dmarc", "reject=refuse\ntemperror=defer\n")
        let deferred = try rig.run(signed)
        #expect(deferred.status == 71 && deferred.stderr.contains("rule=dmarc"), "\(deferred.stderr)")
    }

    @Test func dmarcPoliciesQuarantineNoneAndSubdomain() throws {
        let rig = try Rig()
        // p=quarantine, unsigned: accepted from the client, kept in the quarantine.
        let q = try rig.run(Self.message(from: "bob@example.net"), from: "bob@example.net")
        #expect(q.status == 0 && q.stderr.contains("verdict=quarantine") && q.stderr.contains("rule=dmarc-quarantine"), "\(q.stderr)")
        #expect(q.stderr.contains("auth=\"dkim=none,dmarc=fail"), "the log line says why: \(q.stderr)")
        #expect(rig.queued.isEmpty && rig.quarantined == 1)
        // p=none: delivered with the fail recorded.
        let n = try rig.run(Self.message(from: "carol@example.info"), from: "carol@example.info")
        #expect(n.status == 0 && rig.lastQueued.contains("dmarc=fail (p=none; action=none) policy.dmarc=none header.from=example.info"), "\(rig.lastQueued)")
        // sp=reject of the organisational domain for a subdomain's mail, though p=none.
        let sub = try rig.run(Self.message(from: "dave@news.example.biz"), from: "dave@news.example.biz")
        #expect(sub.status == 31 && sub.stderr.contains("rule=dmarc"), "\(sub.stderr)")
        // tag instead of refuse: delivered, marked for qsentry-local.
        try rig.root.write("control/qsentry/dmarc", "reject=tag\n")
        let t = try rig.run(Self.message(from: "dave@news.example.biz"), from: "dave@news.example.biz")
        #expect(t.status == 0 && rig.lastQueued.contains("action=tag"), "\(rig.lastQueued)")
    }

    @Test func spfAlignsRelaxedAcrossSubdomains() throws {
        let rig = try Rig()
        // Unsigned, SPF pass for bounce.example.com (qsentry-smtpd's header), From: news.example.com.
        let m = "X-QSentry-Session: ip=192.0.2.10; spf=pass\n" + Self.message(from: "news@news.example.com")
        let r = try rig.run(m, from: "b@bounce.example.com", environment: ["QSENTRY_SMTPD": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rig.lastQueued.contains("spf=pass smtp.mailfrom=b@bounce.example.com") && rig.lastQueued.contains("dmarc=pass"), "\(rig.lastQueued)")
        // Strict alignment would not do: the same without SPF is refused (sp=reject).
        let unsigned = try rig.run(Self.message(from: "news@news.example.com"), from: "b@bounce.example.com")
        #expect(unsigned.status == 31, "\(unsigned.stderr)")
    }

    /// A list that changes the subject and adds a footer breaks the origin's DKIM; its ARC seal,
    /// made after it saw DMARC pass, lets the message through when the list is trusted.
    @Test func aListForwardedMessageWithAndWithoutATrustedARCSeal() throws {
        let rig = try Rig()
        let original = try rig.sign(Self.message())
        // The list's MTA: its own Authentication-Results, then the changes, then arcsign.
        var forwarded = "Authentication-Results: lists.example.org; dkim=pass header.d=example.com; dmarc=pass header.from=example.com\n" + original
        forwarded = forwarded.replacingOccurrences(of: "Subject: Lunch", with: "Subject: [team] Lunch") + "-- \nteam mailing list\n"
        // arcsign seals the message as the wire has it (CR LF); qmail's queue keeps LF.
        let wire = forwarded.replacingOccurrences(of: "\n", with: "\r\n")
        let sealed = try Run.command("arcsign", ["arc", "lists.example.org", rig.list.path, "lists.example.org"], stdin: Data(wire.utf8))
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let message = sealed.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        // dkimpy's own verifier agrees the seal is good.
        let check = try Run.command("/usr/bin/python3", ["-c", Self.dkimpy, rig.nsd.address, "arc"], stdin: Data(sealed.stdout.utf8))
        #expect(check.stdout.contains("pass"), "\(check.stdout)\(check.stderr)")
        #expect(message.contains("ARC-Seal:"), "\(message)")
        let untrusted = try rig.run(message, from: "team-bounces@lists.example.org")
        #expect(untrusted.status == 31 && untrusted.stderr.contains("rule=dmarc"), "\(untrusted.stderr)")
        try rig.root.write("control/qsentry/arc-trusted", "lists.example.org\n")
        let trusted = try rig.run(message, from: "team-bounces@lists.example.org")
        #expect(trusted.status == 0, "\(trusted.stderr)")
        let m = rig.lastQueued
        #expect(m.contains("arc=pass (i=1 sealed by lists.example.org)"), "\(m)")
        #expect(m.contains("overruled: ARC seal of trusted forwarder lists.example.org"), "\(m)")
        // A broken seal: the chain fails, and the trusted list does not help.
        let broken = message.replacingOccurrences(of: "team mailing list", with: "team mailing list!")
        let b = try rig.run(broken, from: "team-bounces@lists.example.org")
        #expect(b.status == 31, "\(b.stderr)")
    }

    @Test func aClientsAuthenticationResultsWithOurIDIsRemoved() throws {
        let rig = try Rig(dmarc: nil)
        let forged = "Authentication-Results: mx.example.org; dkim=pass header.d=bank.example; dmarc=pass\n"
            + "Authentication-Results: other.example; spf=pass\n" + Self.message()
        let r = try rig.run(forged)
        #expect(r.status == 0 && r.stderr.contains("removed=\"1 Authentication-Results"), "\(r.stderr)")
        let m = rig.lastQueued
        #expect(!m.contains("bank.example"), "\(m)")
        #expect(m.contains("Authentication-Results: other.example; spf=pass"))
        #expect(m.components(separatedBy: "Authentication-Results: mx.example.org;").count == 2, "\(m)")
    }

    /// `qsentry dkim keygen`, then mail from a site user signed by qsentry-queue, checked by dkimpy
    /// through NSD serving the printed record.
    @Test func ownMailIsSignedAndAnIndependentVerifierAcceptsIt() throws {
        let root = try TempQmailRoot()
        _ = try QueueRun.recordingQueue(in: root)
        try root.write("control/me", "mx.example.org\n")
        let keygen = try Run.command(Run.program("qsentry"), ["dkim", "keygen", "example.com", "s2026"], environment: root.environment())
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let record = keygen.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(record.hasPrefix("s2026._domainkey.example.com. IN TXT "), "\(record)")
        let mode = try FileManager.default.attributesOfItem(atPath: root.path + "/control/qsentry/dkim/example.com/s2026.private")[.posixPermissions] as? Int
        #expect(mode == 0o640)
        let txt = String(record.dropFirst("s2026._domainkey.example.com. IN TXT ".count))
        let nsd = try NSD(root: root, zones: ["example.com": "s2026._domainkey IN TXT \(txt)"])
        let r = try QueueRun(root: root, message: Self.message(), envelope: QueueRun.envelope("alice@example.com", ["x@example.net"]),
                             environment: ["RELAYCLIENT": ""])
        #expect(r.status == 0 && r.stderr.contains("dkim-signed=s2026._domainkey.example.com"), "\(r.stderr)")
        let queued = QueueRun.queued(in: root).last?.message ?? ""
        #expect(queued.hasPrefix("DKIM-Signature: "), "\(queued)")
        #expect(!queued.contains("Authentication-Results"), "own mail carries no Authentication-Results")
        let verify = try Run.command("/usr/bin/python3", ["-c", Self.dkimpy, nsd.address], stdin: Data(queued.utf8))
        #expect(verify.status == 0 && verify.stdout.contains("signature ok"), "\(verify.stdout)\(verify.stderr)")
        // A tampered copy fails the same verifier (the check can fail).
        let tampered = try Run.command("/usr/bin/python3", ["-c", Self.dkimpy, nsd.address],
                                       stdin: Data(queued.replacingOccurrences(of: "noon", with: "one").utf8))
        #expect(tampered.status == 1, "\(tampered.stdout)")
        // qsentry check looks at the keys: fine as made, a problem once everyone may read one.
        let check = try Run.command(Run.program("qsentry"), ["check", "--no-probes"], environment: root.environment())
        #expect(!check.output.contains("dkim/"), "\(check.output)")
        chmod(root.path + "/control/qsentry/dkim/example.com/s2026.private", 0o644)
        let loose = try Run.command(Run.program("qsentry"), ["check", "--no-probes"], environment: root.environment())
        #expect(loose.output.contains("s2026.private: open to every user"), "\(loose.output)")
        // A key that cannot be read: unsigned, logged, delivered.
        try root.write("control/qsentry/dkim/example.com/s2026.private", "not a key\n")
        let unsigned = try QueueRun(root: root, message: Self.message(), envelope: QueueRun.envelope("alice@example.com", ["x@example.net"]),
                                    environment: ["RELAYCLIENT": ""])
        #expect(unsigned.status == 0 && unsigned.stderr.contains("dkim-sign-error="), "\(unsigned.stderr)")
    }

    /// A NUL or a bare CR in a header field: libopendkim would hash past or short of its copy of
    /// the field (crashes/auth/crash-dkim-field-with-nul), so the field is left out. A signature
    /// over it fails and the message is still delivered; qsentry's own signature is not made.
    @Test func headerFieldsWithANulOrABareCRAreNotHandedToLibopendkim() throws {
        let rig = try Rig(dmarc: nil)
        for subject in ["Lunch\u{0}at noon", "Lunch\rat noon"] {
            let signed = try rig.sign(Self.message(subject: subject))
            let r = try rig.run(signed)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(rig.lastQueued.contains("dkim=fail") && rig.lastQueued.contains("header.d=example.com"), "\(rig.lastQueued)")
            // The same message without the odd byte still passes: the fail is the field's.
            let plain = try rig.run(try rig.sign(Self.message()))
            #expect(plain.status == 0 && rig.lastQueued.contains("dkim=pass header.d=example.com"), "\(rig.lastQueued)")
        }
        let keygen = try Run.command(Run.program("qsentry"), ["dkim", "keygen", "example.com", "s2026"], environment: rig.root.environment())
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let own = try QueueRun(root: rig.root, message: Self.message(subject: "Lunch\u{0}at noon"),
                               envelope: QueueRun.envelope("alice@example.com", ["x@example.net"]), environment: ["RELAYCLIENT": ""])
        #expect(own.status == 0 && own.stderr.contains("dkim-sign-error=") && own.stderr.contains("subject holds a NUL or a bare CR"), "\(own.stderr)")
        let queued = (QueueRun.queued(in: rig.root).last?.message ?? "").replacingOccurrences(of: "\u{0}", with: "\\0")
        #expect(queued.hasPrefix("From: Alice") && !queued.contains("DKIM-Signature: "), "\(queued)")
    }

    /// An Ed25519 key from keygen signs too (RFC 8463), and dkimpy verifies it.
    @Test func ed25519KeysFromKeygenSign() throws {
        let root = try TempQmailRoot()
        _ = try QueueRun.recordingQueue(in: root)
        try root.write("control/me", "mx.example.org\n")
        let keygen = try Run.command(Run.program("qsentry"), ["dkim", "keygen", "--ed25519", "example.com", "ed1"], environment: root.environment())
        #expect(keygen.status == 0 && keygen.stdout.contains("k=ed25519"), "\(keygen.output)")
        let txt = String(keygen.stdout.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("ed1._domainkey.example.com. IN TXT ".count))
        let nsd = try NSD(root: root, zones: ["example.com": "ed1._domainkey IN TXT \(txt)"])
        let r = try QueueRun(root: root, message: Self.message(), envelope: QueueRun.envelope("alice@example.com", ["x@example.net"]),
                             environment: ["RELAYCLIENT": ""])
        let queued = QueueRun.queued(in: root).last?.message ?? ""
        #expect(r.status == 0 && queued.contains("a=ed25519-sha256"), "\(r.stderr)\n\(queued)")
        let verify = try Run.command("/usr/bin/python3", ["-c", Self.dkimpy, nsd.address], stdin: Data(queued.utf8))
        #expect(verify.stdout.contains("signature ok"), "\(verify.output)")
    }

    /// dkimpy's verifiers, their key lookups sent to NSD on its loopback port (argv[1] HOST:PORT):
    /// DKIM's by default (prints "signature ok" or "signature bad", exit 0 or 1), ARC's chain
    /// result with argv[2] "arc".
    static let dkimpy = """
    import sys, dkim, dns.resolver
    host, port = sys.argv[1].split(':')
    r = dns.resolver.Resolver(configure=False); r.nameservers = [host]; r.port = int(port)
    def lookup(name, timeout=5):
        try:
            return b''.join(b''.join(a.strings) for a in r.resolve(name.decode().rstrip('.'), 'TXT'))
        except Exception:
            return None
    msg = sys.stdin.buffer.read()
    if sys.argv[2:] == ['arc']:
        print(dkim.arc_verify(msg, dnsfunc=lookup)[0].decode())
        sys.exit(0)
    ok = dkim.verify(msg, dnsfunc=lookup)
    print('signature ok' if ok else 'signature bad')
    sys.exit(0 if ok else 1)
    """
}
