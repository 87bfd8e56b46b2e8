#if canImport(Glibc)
import Glibc
#endif
import QSentryAdmin
import QSentryAuth
import QSentryMessage
import QSentryBayes
import QSentryConnection
import QSentryContent
import QSentryCore
import QSentryDNS
import QSentryMIME
import QSentryOCR
import QSentrySMTPD

/// The fuzz targets (issue 10): every parser of input from outside, each fed arbitrary bytes.
/// qsentry-fuzz runs one under libFuzzer (bench/fuzz.sh); FuzzRegressionTests runs every seed
/// and every crash ever found under Tests/Fuzz/ through the same function in the unit tests.
/// A target passes when it returns: errors are fine, crashes, traps and hangs are not.
public enum FuzzTargets {
    public static let all: [String: ([UInt8]) -> Void] = [
        "smtp": smtp, "envelope": envelope, "mime": mime, "control": control, "cdb": cdb, "dns": dns, "p0f": p0f,
        "log": log, "auth": auth, "image": image,
    ]

    /// M7's own readers (not Tesseract's): image parts kept by the MIME parser under tight limits,
    /// the request qsentry-queue writes for qsentry-ocr read back, and an answer stream parsed.
    static func image(_ bytes: [UInt8]) {
        var limits = MIMELimits()
        limits.images = 3
        limits.imageBytes = 4096
        limits.hashAttachments = true
        var parser = MIMEParser(limits: limits)
        parser.feed(bytes[...])
        let facts = parser.finish()
        precondition(facts.images.count <= 3 && facts.images.allSatisfy { $0.count <= 4096 })
        if let back = OCRFrames.images(OCRFrames.request(facts.images), limit: 50) { precondition(back == facts.images) }
        _ = OCRFrames.images(bytes, limit: 50)
        _ = OCRFrames.readings(bytes)
    }

    /// M11's readers of a message from outside: the header split, DKIM tag lists, key records,
    /// Authentication-Results, the canonicalisations, then libopendkim and the ARC chain on the
    /// whole message (no keys: each lookup answers as DNS trouble does).
    static func auth(_ bytes: [UInt8]) {
        let header = MessageHeader(parsing: bytes)
        for f in header.fields {
            let tags = TagList(f.value)
            _ = SignatureKey.parse(f.value)
            _ = Canonicalization.pair(tags["c"])
            _ = AuthenticationResultsField(value: f.value).methods.count
            _ = Canonicalization.relaxed.header(removingSignatureValue(f.raw))
            _ = Canonicalization.simple.header(f.raw)
        }
        var body = Canonicalization.Body(.relaxed, limit: 1000) { _ in }
        body.feed(bytes[min(header.bodyOffset, bytes.count)...])
        body.finish()
        _ = MessageAuthenticator.fromDomain(header)
        _ = DKIMVerifier.keyQueries(header) + ARCVerifier.keyQueries(header)
        // The spool as qsentry-queue has it: an anonymous file.
        let fd = open("/tmp", 0o20000000 | O_DIRECTORY | O_RDWR, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard (try? FileBytes.writeAll(fd, bytes, path: "fuzz")) != nil else { return }
        _ = DKIMVerifier().verify(header, fd: fd, keys: [:])
        _ = ARCVerifier().verify(header, fd: fd, keys: [:])
    }

    /// What a client sends on the command channel and in DATA: the verb split qsentry-smtpd makes,
    /// the path parser for MAIL and RCPT, AUTH's base64, and the DATA stream's unstuffing.
    static func smtp(_ bytes: [UInt8]) {
        for line in bytes.split(separator: 10, omittingEmptySubsequences: false).prefix(64) {
            let text = String(decoding: line, as: UTF8.self)
            let space = text.firstIndex(of: " ") ?? text.endIndex
            let argument = space < text.endIndex ? String(text[text.index(after: space)...]) : ""
            for keyword in ["FROM:", "TO:"] where argument.uppercased().hasPrefix(keyword) {
                if case .success(let p) = SMTPPath.parse(String(argument.dropFirst(keyword.count))) {
                    _ = (p.mailbox, p.domain, p.hasRoutingTricks)
                }
            }
            _ = SMTPPath.parse(argument)
            _ = Base64.decode(argument)
        }
        var stream = DataStream()
        var rest = bytes[...]
        while !rest.isEmpty && !stream.finished {
            let (_, used) = stream.feed(rest.prefix(97))
            if used == 0 { break }
            rest = rest.dropFirst(used)
        }
    }

    /// qmail-queue's envelope on fd 1.
    static func envelope(_ bytes: [UInt8]) {
        if let e = try? QmailEnvelope.parse(bytes) { _ = (e.sender, e.recipients, e.bytes) }
    }

    /// A message: the MIME parser fed in uneven chunks, then the Bayes tokenizer on what it found.
    static func mime(_ bytes: [UInt8]) {
        var limits = MIMELimits()
        limits.includeTokenizerFields()  // the header fields and Received hops the tokenizer reads
        var parser = MIMEParser(limits: limits)
        var rest = bytes[...]
        var step = 1
        while !rest.isEmpty {
            parser.feed(rest.prefix(step))
            rest = rest.dropFirst(step)
            step = step * 3 % 4099 + 1
        }
        let facts = parser.finish()
        _ = Tokenizer().tokens(of: facts)
    }

    /// A control file, read as every kind of list and setting.
    static func control(_ bytes: [UInt8]) {
        guard let lines = try? ControlFile.parse(bytes, path: "fuzz") else { return }
        _ = IPList(lines: lines, path: "fuzz")
        _ = AddressList(lines: lines, path: "fuzz")
        _ = DomainList(lines: lines, path: "fuzz")
        _ = ControlFile.keyValues(lines, path: "fuzz")
        for line in lines {
            _ = DNSBLZone.parse(line.text)
            _ = SettingSyntax.dnsServer(line.text)
            _ = SettingSyntax.seconds(line.text)
            _ = IPAddress(line.text)
            _ = ServiceAddress.parse(line.text)
        }
    }

    /// A cdb file (validrcptto.cdb, users/cdb, a compiled list) someone damaged.
    static func cdb(_ bytes: [UInt8]) {
        let path = "/tmp/qsentry-fuzz-\(getpid()).cdb"
        defer { unlink(path) }
        guard (try? FileBytes.writeAtomically(path, bytes)) != nil else { return }
        guard let db = try? CDB(path: path) else { return }
        _ = try? db.find("user@example.com")
        _ = try? db.findAll(Array("@example.com".utf8))
        _ = try? db.records()
        _ = try? AddressList.load(String(path.dropLast(4))).match("user@example.com")
    }

    /// A DNS answer as a hostile server could send it, read as each record type.
    static func dns(_ bytes: [UInt8]) {
        var copy = bytes
        copy.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for type in [DNSType.a, .aaaa, .txt, .ptr, .mx] { _ = AnswerParser.parse(type, base, Int32(buffer.count)) }
        }
    }

    /// p0f's reply on its API socket.
    static func p0f(_ bytes: [UInt8]) {
        _ = try? P0fReply.parse(bytes)
    }

    /// A log line for qsentry stats.
    static func log(_ bytes: [UInt8]) {
        var stats = LogStatistics()
        for line in bytes.split(separator: 10, omittingEmptySubsequences: false).prefix(256) {
            stats.add(line: Substring(String(decoding: line, as: UTF8.self)))
        }
        _ = StatsReport.text(stats)
    }
}
