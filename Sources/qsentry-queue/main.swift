#if canImport(Glibc)
import Glibc
#endif
import QSentryBayes
import QSentryContent
import QSentryCore
import QSentryMIME
import QSentryStore

// qsentry-queue: the QMAILQUEUE program, content checks at DATA (M1–M5, M8–M10).
let usage = """
usage: QMAILQUEUE=/usr/local/bin/qsentry-queue (run by qmail-smtpd)

Reads the message on fd 0 and the envelope on fd 1, as qmail-queue does, scans it
(ClamAV, attachments, keywords, subject spaces, URL blocklists) and hands what it
accepts to the real qmail-queue ($QSENTRY_QMAILQUEUE or $QMAIL/bin/qmail-queue),
exiting with its code. Refused mail is quarantined; any trouble is a temporary
failure (exit 71 and friends), so nothing is lost.
"""
if let code = Program.start("qsentry-queue", usage: usage) { exit(code) }
Program.warnIfRoot()
signal(SIGPIPE, SIG_IGN)

/// Ends with a qmail-queue code after a log line.
func fail(_ code: QueueExit, _ why: String) -> Never {
    var l = LogLine()
    l.add("error", why)
    l.emit()
    exit(code.rawValue)
}

let root = QmailRoot.fromEnvironment()
let config: ContentConfiguration
do { config = try ContentConfiguration.load(root) } catch { fail(.configError, "\(error)") }
for p in config.problems {
    var l = LogLine()
    l.add("warning", p.description)
    l.emit()
}

// The message first (qmail-smtpd writes it before the envelope), spooled and parsed in one pass.
var limits = MIMELimits()
limits.fields = ["x-qsentry-session"] + Tokenizer.headerFields
var parser = MIMEParser(limits: limits)
let spool: MessageSpool
do {
    spool = try MessageSpool.receive(from: 0, directory: Environment.get("TMPDIR") ?? "/tmp", parser: &parser)
} catch .read(let why) {
    fail(.readError, why)
} catch {
    fail(.writeError, "\(error)")
}
let facts = parser.finish()

var envelopeBytes: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 65536)
while true {
    let n = chunk.withUnsafeMutableBytes { read(1, $0.baseAddress, $0.count) }
    if n < 0 { if errno == EINTR { continue }; fail(.readError, "envelope: read: \(String(cString: strerror(errno)))") }
    if n == 0 { break }
    envelopeBytes += chunk[0..<n]
    if envelopeBytes.count > 16 << 20 { fail(.envelopeFormat, "envelope larger than 16 MB") }
}
// Who sent it: tcpserver's variables reach us through qmail-smtpd; qsentry-smtpd's header only
// when it says it wrote it (QSENTRY_SMTPD=1: a client's copy never gets through qsentry-smtpd).
var session = SessionFacts(ip: Environment.get(EnvironmentContract.tcpRemoteIP.name) ?? "",
                           trusted: Environment.get(EnvironmentContract.relayClient.name) != nil)
if Environment.get(EnvironmentContract.smtpdSession.name) == "1", let field = facts.fields["x-qsentry-session"] {
    session.read(sessionField: field)
}

let envelope: QmailEnvelope
do { envelope = try QmailEnvelope.parse(envelopeBytes) } catch {
    // No envelope at all: qmail-smtpd gave the message up (the client left, or qsentry-smtpd
    // stopped it over databytes); nothing is queued. Say whose message it was.
    var l = LogLine()
    l.add("ip", session.ip)
    if let sender = QmailEnvelope.partialSender(envelopeBytes) { l.add("from", sender) }
    l.add("size", spool.size)
    l.add("error", envelopeBytes.isEmpty ? "no envelope: the message was abandoned before it ended" : "\(error)")
    l.emit()
    exit(QueueExit.envelopeFormat.rawValue)
}
let message = ScannedMessage(spool: spool.fd, size: spool.size, facts: facts, envelope: envelope, session: session)
let outcome = ContentStage(config).run(message)

var line = LogLine()
line.add("ip", session.ip)
line.add("from", envelope.sender)
line.add("rcpts", envelope.recipients.count)
line.add("size", spool.size)
line.add("checks", outcome.trail.joined(separator: ","))

switch outcome.verdict {
case .pass:
    line.add("verdict", "accept")
    line.emit()
    var header: [UInt8] = []
    if outcome.scannedClean, let virus = config.virus {
        let host = (try? ControlFile.value(root.control("me")))??.text.trimmed ?? "localhost"
        header = Array("X-Virus-Scanned: ClamAV (\(virus.scannerName)) by qsentry-queue on \(host)\n".utf8)
    }
    let code = QueueHandoff.run(QueueHandoff.program(root), writeMessage: { spool.copy(to: $0, prefix: header) },
                                envelope: envelope.bytes)
    exit(code)
case .refuse(let rule, let text, let event):
    do {
        let id = try Quarantine(directory: config.quarantineDirectory)
            .store(message: spool, envelope: envelope, ip: session.ip, rule: rule, text: text, now: Int(time(nil)))
        line.add("verdict", "refuse")
        line.add("rule", rule)
        line.add("quarantine", id)
    } catch {
        // Refused but not kept (quarantine disk full, say): a false positive could never be released,
        // so the sender is told to retry, and the message is quarantined once there is room.
        line.add("verdict", "defer")
        line.add("rule", "quarantine-temporary")
        line.add("refused-by", rule)
        line.add("error", "\(error)")
        line.emit()
        exit(QueueRefusal.exitCode(permanent: false, text: "temporary local problem keeping the message; try again later",
                                   enhanced: "4.3.0"))
    }
    line.emit()
    if let ip = IPAddress(session.ip) {
        do {
            try StoreConfiguration.report(try StoreConfiguration.open(root), root, ip: ip, kind: event, now: Int(time(nil)))
        } catch {
            var l = LogLine()
            l.add("warning", "store: \(error)")
            l.emit()
        }
    }
    exit(QueueRefusal.exitCode(permanent: true, text: text, enhanced: "5.7.1"))
case .deferred(let rule, let text):
    line.add("verdict", "defer")
    line.add("rule", rule)
    line.emit()
    exit(QueueRefusal.exitCode(permanent: false, text: text, enhanced: "4.3.0"))
}
