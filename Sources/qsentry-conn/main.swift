#if canImport(Glibc)
import Glibc
#endif
import QSentryConnection
import QSentryCore
import QSentryStore

// qsentry-conn: the tcpserver hook before the SMTP greeting (C1–C11).
//   tcpserver … qsentry-conn [-t timeout] prog [args…]
// Decides on the client, then execs prog, or answers a refusal itself the way rblsmtpd does.

let usage = """
usage: tcpserver … qsentry-conn [-t timeout] prog [args…]

Checks the connecting client before the greeting: IP allow and block lists,
bans and shared reputation, country, p0f fingerprint, reverse DNS and DNS
blocklists (all DNS questions at once), and early talkers. Then execs prog
(qsentry-smtpd or qmail-smtpd).

A refusal is answered like rblsmtpd: greeting, 451 or 553 to each command,
221 to QUIT, disconnect after timeout seconds (-t, default 60; 0 = answer
once and hang up). With QSENTRY_DEFER_TO_SMTPD=1 the verdict is exported
instead (QSENTRY_CONN_VERDICT, _RULE, _TEXT) for qsentry-smtpd to apply at RCPT.

RBLSMTPD keeps rblsmtpd's meaning: empty skips every check, text refuses with
451, -text with 553. RELAYCLIENT skips every check.
Settings: $QMAIL/control/qsentry/ (see qsentry-control(5)).
"""
Program.handleStandardFlags("qsentry-conn", usage: usage)
Program.warnIfRoot("qsentry-conn")

var args = Array(CommandLine.arguments.dropFirst())
var dialogueTimeout = 60
while let first = args.first, first.hasPrefix("-") {
    args.removeFirst()
    if first == "--" { break }
    if first == "-t", let value = args.first, let n = Int(value), n >= 0 {
        dialogueTimeout = n
        args.removeFirst()
    } else {
        Program.fail("qsentry-conn", "usage: qsentry-conn [-t timeout] prog [args…]", code: 100)
    }
}
if args.isEmpty { Program.fail("qsentry-conn", "usage: qsentry-conn [-t timeout] prog [args…]", code: 100) }

let root = QmailRoot.fromEnvironment()
let client = ClientInfo.fromEnvironment()
var log = LogLine(program: "qsentry-conn")
log.add("ip", client.ipText)
if let host = client.remoteHost { log.add("host", host) }

/// Hands the verdict on: exec the next program, or answer the refusal here.
func deliver(_ verdict: Verdict) -> Never {
    for v in [EnvironmentContract.connVerdict, EnvironmentContract.connRule, EnvironmentContract.connText] {
        Exec.unsetEnvironment(v.name)
    }
    let text = RefusalDialogue.clean(verdict.text)
    if verdict.action != .accept {
        log.add("verdict", verdict.action.rawValue)
        if !verdict.rule.isEmpty { log.add("rule", verdict.rule) }
    } else {
        log.add("verdict", "accept")
    }
    let refusing = verdict.action == .refuse || verdict.action == .deferred
    if refusing && !Environment.flag(EnvironmentContract.deferToSMTPD.name) {
        let reply = verdict.action == .refuse ? SMTPReply(553, "5.7.1", text) : SMTPReply(451, "4.7.1", text)
        log.add("text", text)
        log.emit()
        let host = (try? ControlFile.value(root.control("me")))??.text.trimmed ?? "qsentry-conn.local"
        RefusalDialogue(reply: reply, host: host.isEmpty ? "qsentry-conn.local" : host, timeout: dialogueTimeout).run()
    }
    if verdict.action != .accept {
        Exec.setEnvironment(EnvironmentContract.connVerdict.name, verdict.action.rawValue)
        Exec.setEnvironment(EnvironmentContract.connRule.name, verdict.rule)
        Exec.setEnvironment(EnvironmentContract.connText.name, text)
        log.add("handed", "smtpd")
    }
    log.emit()
    let error = Exec.replace(with: args)
    Program.fail("qsentry-conn", error)
}

// C9: rblsmtpd's RBLSMTPD, then RELAYCLIENT.
if let r = Environment.get(EnvironmentContract.rblsmtpd.name) {
    if r.isEmpty {
        log.add("skip", "RBLSMTPD")
        deliver(.accept)
    }
    let permanent = r.hasPrefix("-")
    deliver(Verdict(permanent ? .refuse : .deferred, rule: "RBLSMTPD", text: permanent ? String(r.dropFirst()) : r))
}
if Environment.get(EnvironmentContract.relayClient.name) != nil {
    log.add("skip", "RELAYCLIENT")
    deliver(.accept)
}

let start = monotonicMilliseconds()

/// The shared store (C7, C8), opened only when there can be something in it: a Redis URL, or an
/// embedded database some program already created. A store that fails is skipped, never fatal.
func openStore() -> Store? {
    do {
        return try StoreConfiguration.openIfCreated(root)
    } catch {
        log.add("store", "error")
        var warning = LogLine(program: "qsentry-conn")
        warning.add("warning", "store: \(error)")
        warning.emit()
        return nil
    }
}
let store = openStore()

let configuration: ConnectionConfiguration
do {
    configuration = try ConnectionConfiguration.load(root, store: store)
} catch {
    // An unreadable control file: the rules cannot be applied, so the client comes back later.
    log.add("error", "\(error)")
    deliver(Verdict(.deferred, rule: "config", text: "Temporary local problem; try again later"))
}
for problem in configuration.problems {
    var warning = LogLine(program: "qsentry-conn")
    warning.add("warning", problem.description)
    warning.emit()
}

let outcome = configuration.stage.run(client)
for r in outcome.results { log.add(r.rule, r.detail) }
var verdict = outcome.verdict

// C10: a client that talks before the greeting is a bot.
if configuration.greetDelay > 0 && (verdict.action == .accept || verdict.action == .tag) {
    switch EarlyTalker.watch(milliseconds: configuration.greetDelay) {
    case .quiet:
        log.add("greetdelay", "quiet")
    case .talked:
        log.add("greetdelay", "talked")
        if let ip = client.ip {
            // The early talker counts towards a ban (C7) and, with Redis, towards shared reputation (C8).
            let reporter = store ?? (try? StoreConfiguration.open(root))
            if let reporter {
                do {
                    try StoreConfiguration.report(reporter, root, ip: ip, kind: .earlyTalker, now: Int(time(nil)))
                } catch {
                    log.add("report", "error")
                }
            }
        }
        verdict = Verdict(.refuse, rule: "early-talker",
                          text: configuration.messages.text("early-talker", .init(ip: client.ipText)))
    case .hungUp:
        log.add("greetdelay", "hangup")
        log.add("ms", monotonicMilliseconds() - start)
        log.emit()
        exit(0)
    }
}
log.add("ms", monotonicMilliseconds() - start)
deliver(verdict)
