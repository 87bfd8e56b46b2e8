#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryEnvelope
import QSentrySMTPD

// qsentry-smtpd: the SMTP wrapper in front of an unpatched qmail-smtpd (E1–E17).
let usage = """
usage: tcpserver … [qsentry-conn] qsentry-smtpd /var/qmail/bin/qmail-smtpd [args…]

Speaks SMTP with the client, applies the envelope rules (relay, recipient
exists, sender and recipient lists, honeypots, limits, conn's verdict) and
passes what it accepts to qmail-smtpd, relaying its replies. qmail-smtpd is
started at connect and greeted at the first accepted MAIL. Settings:
$QMAIL/control/ and $QMAIL/control/qsentry/.
"""
if let code = Program.start("qsentry-smtpd", usage: usage) { exit(code) }
Program.warnIfRoot()
let childArgv = Array(CommandLine.arguments.dropFirst())
if childArgv.isEmpty { exit(Program.fatal("usage: qsentry-smtpd /var/qmail/bin/qmail-smtpd [args…]", code: 100)) }

let state = SessionState.fromEnvironment()
// qmail-smtpd starts first, so its start-up overlaps ours and the client's first round trips rather
// than delaying the first MAIL. Not for a client conn has already judged: most of its RCPTs are refused.
let startedChild = state.connVerdict == nil ? SMTPSession.startChild(childArgv, state: state) : nil
let root = QmailRoot.fromEnvironment()
let config: EnvelopeConfiguration
let auth: AuthSettings
let tls: TLSSettings.Availability
let timeout: Int
do {
    config = try EnvelopeConfiguration.load(root)
    auth = try AuthSettings.load(root)
    timeout = try ControlFile.integer(root.qsentry("timeout"), default: 1200, range: 1...3600)
    tls = try TLSSettings.load(root, sessionTimeout: timeout)
} catch {
    // Rules that cannot be read cannot be applied: the client is told to come back (421).
    var l = LogLine()
    l.add("error", "\(error)")
    l.emit()
    Program.writeOut("421 4.3.0 temporary local problem; try again later\r\n")
    exit(0)
}
for p in config.problems {
    LogLine.warning(p.description)
}
if case .unusable(let why) = tls {
    // A broken certificate costs STARTTLS, not the mail: plain SMTP goes on.
    LogLine.warning("STARTTLS not offered: \(why)")
}
let hostname = (try? ControlFile.value(root.control("me")))??.text.trimmed ?? "qsentry-smtpd.local"
let session = SMTPSession(connection: ClientConnection(), timeoutSeconds: timeout, policy: EnvelopePolicy(config: config),
                          auth: auth, state: state, childArgv: childArgv, hostname: hostname, root: root,
                          tls: tls, startedChild: startedChild)
exit(session.run())
