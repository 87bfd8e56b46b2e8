#if canImport(Glibc)
import Glibc
#endif
import CSystemSupport
import QSentryCore
import QSentryEnvelope

/// qsentry-smtpd's whole run, from its settings to the session's exit code: `main` (qsentry-smtpd)
/// calls it, and so does qsentry-conn when the program it would exec is its sibling qsentry-smtpd
/// (issue 24: one process start per connection instead of two; see `handOver`).
public enum SMTPDProgram {
    public static let usage = """
    usage: tcpserver … [qsentry-conn] qsentry-smtpd /var/qmail/bin/qmail-smtpd [args…]

    Speaks SMTP with the client, applies the envelope rules (relay, recipient
    exists, sender and recipient lists, honeypots, limits, conn's verdict) and
    passes what it accepts to qmail-smtpd, relaying its replies. qmail-smtpd is
    started at connect and greeted at the first accepted MAIL. Settings:
    $QMAIL/control/ and $QMAIL/control/qsentry/.
    """

    /// Runs one SMTP session in front of `childArgv` (qmail-smtpd and its arguments); returns the exit code.
    public static func run(childArgv: [String]) -> Int32 {
        if childArgv.isEmpty { return Program.fatal("usage: qsentry-smtpd /var/qmail/bin/qmail-smtpd [args…]", code: 100) }
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
            return 0
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
        return session.run()
    }

    /// qsentry-conn's hand-over: when `argv` (what conn would exec) starts with the qsentry-smtpd
    /// installed beside the running program, the session runs here, in conn's process, as if
    /// exec'd: the process is named qsentry-smtpd (ps, the log lines), the descriptors marked
    /// close-on-exec are closed and the others kept, as exec does, and the environment conn set
    /// is read as qsentry-smtpd reads it. Nil when `argv` names another program: exec it.
    public static func handOver(_ argv: [String]) -> Int32? {
        guard let first = argv.first, sameFile(first, Exec.besideThisProgram("qsentry-smtpd")) else { return nil }
        qsentry_close_on_exec()
        _ = qsentry_set_process_name("qsentry-smtpd")
        _ = Program.start("qsentry-smtpd", usage: usage, arguments: ["qsentry-smtpd"])
        return run(childArgv: Array(argv.dropFirst()))
    }

    /// Whether both paths name one file (the same device and inode).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}
