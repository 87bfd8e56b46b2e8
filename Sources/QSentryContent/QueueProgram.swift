#if canImport(Glibc)
import Glibc
#endif
import QSentryAuth
import QSentryBayes
import QSentryMessage
import QSentryCore
import QSentryMIME
import QSentryOCR
import QSentryStore

/// What qsentry-queue does with one message (M1–M10), from qmail-smtpd's two descriptors to the
/// exit code `main` ends with: the message spooled and MIME-read in one pass, the envelope, who
/// sent it, the content stage, then the hand-off to qmail-queue, or the quarantine and a store
/// event, or a deferral. `qsentry explain` runs the same stage through `decide`.
public struct QueueProgram {
    public static let usage = """
    usage: QMAILQUEUE=/usr/local/bin/qsentry-queue (run by qmail-smtpd)

    Reads the message on fd 0 and the envelope on fd 1, as qmail-queue does, scans it
    (ClamAV, attachments, keywords, subject spaces, URL blocklists) and hands what it
    accepts to the real qmail-queue ($QSENTRY_QMAILQUEUE or $QMAIL/bin/qmail-queue),
    exiting with its code. Refused mail is quarantined; any trouble is a temporary
    failure (exit 71 and friends), so nothing is lost.
    """

    public let root: QmailRoot
    public let config: ContentConfiguration

    public init(root: QmailRoot, config: ContentConfiguration) {
        self.root = root
        self.config = config
    }

    /// The configuration, or the exit code after a log line (an unreadable control file).
    public static func load(_ root: QmailRoot) -> Result<QueueProgram, QueueFailure> {
        do {
            let config = try ContentConfiguration.load(root)
            for p in config.problems { LogLine.warning(p.description) }
            return .success(QueueProgram(root: root, config: config))
        } catch {
            return .failure(QueueFailure(.configError, "\(error)"))
        }
    }

    /// Ends the run with a qmail-queue code; `log` says why.
    public struct QueueFailure: Error {
        public let code: QueueExit
        public let log: LogLine
        init(_ code: QueueExit, _ why: String) {
            self.code = code
            var l = LogLine()
            l.add("error", why)
            log = l
        }
        init(_ code: QueueExit, log: LogLine) {
            self.code = code
            self.log = log
        }
    }

    /// One message as qmail-smtpd handed it over.
    public struct Received {
        public let spool: MessageSpool
        public let facts: MessageFacts
        public let envelope: QmailEnvelope
        public let session: SessionFacts
        /// Where the spool is, and where the copy for qmail-queue goes.
        public let spoolDirectory: String
        /// What OCR read of each image (M7), for the log.
        public var images: [ImageReading] = []
        public var scanned: ScannedMessage {
            ScannedMessage(spool: spool.fd, size: spool.size, facts: facts, envelope: envelope, session: session)
        }
    }

    /// Reads the message first (qmail-smtpd writes it before the envelope), spooled and parsed in
    /// one pass, then the envelope; `environment` gives tcpserver's and qsentry-smtpd's variables.
    public func receive(message: Int32 = 0, envelope envelopeFD: Int32 = 1, spoolDirectory: String,
                        environment: (String) -> String? = Environment.get) -> Result<Received, QueueFailure> {
        var parser = MIMEParser(limits: config.parserLimits)
        let spool: MessageSpool
        do {
            spool = try MessageSpool.receive(from: message, directory: spoolDirectory, parser: &parser)
        } catch .read(let why) {
            return .failure(QueueFailure(.readError, why))
        } catch {
            return .failure(QueueFailure(.writeError, "\(error)"))
        }
        var facts = parser.finish()
        let readings = readImages(&facts, spoolDirectory: spoolDirectory)
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.readAll(envelopeFD, limit: 16 << 20, path: "envelope")
        } catch is FileTooLarge {
            return .failure(QueueFailure(.envelopeFormat, "envelope larger than 16 MB"))
        } catch {
            return .failure(QueueFailure(.readError, "\(error)"))
        }
        // Who sent it: tcpserver's variables reach us through qmail-smtpd; qsentry-smtpd's header only
        // when it says it wrote it (QSENTRY_SMTPD=1: a client's copy never gets through qsentry-smtpd).
        var session = SessionFacts(ip: environment(EnvironmentContract.tcpRemoteIP.name) ?? "",
                                   trusted: environment(EnvironmentContract.relayClient.name) != nil)
        if environment(EnvironmentContract.smtpdSession.name) == "1", let field = facts.fields["x-qsentry-session"] {
            session.read(sessionField: field)
        }
        do {
            let envelope = try QmailEnvelope.parse(bytes)
            return .success(Received(spool: spool, facts: facts, envelope: envelope, session: session,
                                     spoolDirectory: spoolDirectory, images: readings))
        } catch {
            // No envelope at all: qmail-smtpd gave the message up (the client left, or qsentry-smtpd
            // stopped it over databytes); nothing is queued. Say whose message it was.
            var l = LogLine()
            l.add("ip", session.ip)
            if let sender = QmailEnvelope.partialSender(bytes) { l.add("from", sender) }
            l.add("size", spool.size)
            l.add("error", bytes.isEmpty ? "no envelope: the message was abandoned before it ended" : "\(error)")
            return .failure(QueueFailure(.envelopeFormat, log: l))
        }
    }

    /// M7: the message's images read by qsentry-ocr, their text put in `facts` (imageText, and
    /// its hosts among the hosts). Nothing when OCR is off or the message has no image.
    public func readImages(_ facts: inout MessageFacts, spoolDirectory: String) -> [ImageReading] {
        guard let ocr = config.ocr, !facts.images.isEmpty else { return [] }
        let readings = OCRReader(ocr).read(facts.images, spoolDirectory: spoolDirectory)
        for case .text(let t) in readings { facts.imageText += Array(t.utf8) + [0x0A] }
        if config.readsHosts {
            var seen = Set(facts.hosts)
            _ = HostExtractor.hosts(in: facts.imageText[...], into: &facts.hosts, seen: &seen, limit: MIMELimits().hosts)
        }
        facts.images = []  // read: the bytes are not needed again
        return readings
    }

    /// The content stage's verdict on the message.
    public func decide(_ message: ScannedMessage, dryRun: Bool = false) -> ContentStage.Outcome { ContentStage(config).run(message, dryRun: dryRun) }

    /// DMARC's quarantine action: the client hears 250, the message waits in the quarantine for
    /// release (as `qsentry quarantine release` delivers any other), nothing is delivered yet.
    func quarantineAccepted(_ r: Received, _ kept: Verdict, _ line: inout LogLine) -> Int32 {
        do {
            let id = try Quarantine(directory: config.quarantineDirectory)
                .store(message: r.spool, envelope: r.envelope, ip: r.session.ip, rule: kept.rule.rawValue, text: kept.text, now: Int(time(nil)))
            line.add("verdict", "quarantine")
            line.add("rule", kept.rule)
            line.add("quarantine", id)
            line.emit()
            return 0  // qmail-queue's success: qmail-smtpd answers 250
        } catch {
            line.add("verdict", "defer")
            line.add("rule", "quarantine-temporary")
            line.add("error", "\(error)")
            line.emit()
            return QueueRefusal.exitCode(permanent: false, text: "temporary local problem keeping the message; try again later", enhanced: "4.3.0")
        }
    }

    /// The DKIM-Signature for mail from the site's own users, or nothing (no key for the From:
    /// domain, or a key that cannot be used: a log field, and the mail goes unsigned).
    func signature(_ r: Received, _ line: inout LogLine) -> [UInt8] {
        do {
            let (header, _) = try MessageHeader.read(r.spool.fd)
            guard let from = MessageAuthenticator.fromDomain(header), let signer = try KeyFile.signer(root, fromDomain: from) else { return [] }
            let field = try signer.sign(header, fd: r.spool.fd)
            line.add("dkim-signed", "\(signer.selector)._domainkey.\(signer.domain)")
            return Array(field.utf8)
        } catch {
            line.add("dkim-sign-error", "\(error)")
            return []
        }
    }

    /// Acts on the verdict: an accepted message becomes qmail-queue's, in this process (the
    /// hand-off returns only when it failed); otherwise the exit code of a refusal (quarantined
    /// first, and reported to the store) or of a deferral. One log line.
    public func finish(_ r: Received, _ outcome: ContentStage.Outcome) -> Int32 {
        var line = LogLine()
        line.add("ip", r.session.ip)
        line.add("from", r.envelope.sender)
        line.add("rcpts", r.envelope.recipients.count)
        line.add("size", r.spool.size)
        line.add("checks", outcome.trail.joined(with: ","))
        if !r.images.isEmpty || !r.facts.skippedImages.isEmpty {
            let read = r.images.filter { if case .text = $0 { return true }; return false }.count
            let skipped = r.images.compactMap { if case .skipped(let why) = $0 { return why }; return nil } + r.facts.skippedImages
            line.add("ocr", "\(read) read" + (skipped.isEmpty ? "" : ", skipped: " + skipped.joined(with: "; ")))
        }
        let v = outcome.verdict
        let rule = v.rule, text = v.text
        switch v.action {
        case .accept, .tag:
            // M11's results in the log whether the message goes on or is kept (DMARC's quarantine action).
            if let results = outcome.authentication { line.add("auth", results.summary) }
            if let kept = outcome.quarantine { return quarantineAccepted(r, kept, &line) }
            var header: [UInt8] = []
            if let results = outcome.authentication {
                header += Array(results.field.utf8)
            } else if r.session.trusted, config.authentication != nil {
                header += signature(r, &line)
            }
            for f in outcome.fields { header += Array((f + "\n").utf8) }
            if outcome.scannedClean, let virus = config.virus {
                let host = (try? config.me.get()) ?? "localhost"
                // qmail's queue holds LF-ended lines, like the rest of the message qmail-smtpd wrote.
                // Appended as bytes: freeing an interpolated String this long made the runtime build
                // `_StringBreadcrumbs?` from its mangled name, 36 K instructions a message (HACKING).
                header.append(contentsOf: "X-Virus-Scanned: ClamAV (".utf8)
                header.append(contentsOf: virus.scannerName.utf8)
                header.append(contentsOf: ") by qsentry-queue on ".utf8)
                header.append(contentsOf: host.utf8)
                header.append(UInt8(ascii: "\n"))
            }
            let copy = AuthenticatedCopy(prefix: header, spool: r.spool, removingResultsOf: outcome.authentication?.authservID)
            if copy.removed > 0 { line.add("removed", "\(copy.removed) Authentication-Results with our authserv-id") }
            line.add("verdict", "accept")
            line.emit()
            return QueueHandoff.replace(with: QueueHandoff.program(root), spoolDirectory: r.spoolDirectory,
                                        writeMessage: { copy.write(r.spool, to: $0) }, envelope: r.envelope.bytes)
        case .refuse:
            do {
                let id = try Quarantine(directory: config.quarantineDirectory)
                    .store(message: r.spool, envelope: r.envelope, ip: r.session.ip, rule: rule.rawValue, text: text, now: Int(time(nil)))
                line.add("verdict", "refuse")
                line.add("rule", rule)
                line.add("quarantine", id)
            } catch {
                // Refused but not kept (quarantine disk full, say): a false positive could never be
                // released, so the sender is told to retry, and the message is quarantined once there is room.
                line.add("verdict", "defer")
                line.add("rule", "quarantine-temporary")
                line.add("refused-by", rule)
                line.add("error", "\(error)")
                line.emit()
                return QueueRefusal.exitCode(permanent: false, text: "temporary local problem keeping the message; try again later",
                                             enhanced: "4.3.0")
            }
            line.emit()
            if let ip = IPAddress(r.session.ip), let event = v.event {
                do {
                    try StoreConfiguration.events(try config.store?.open() ?? StoreConfiguration.open(root), root).report(ip, event, now: Int(time(nil)))
                } catch {
                    LogLine.warning("store: \(error)")
                }
            }
            return QueueRefusal.exitCode(permanent: true, text: text, enhanced: "5.7.1")
        case .deferred:
            line.add("verdict", "defer")
            line.add("rule", rule)
            line.emit()
            return QueueRefusal.exitCode(permanent: false, text: text, enhanced: "4.3.0")
        }
    }
}
