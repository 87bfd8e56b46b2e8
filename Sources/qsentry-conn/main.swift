#if canImport(Glibc)
import Glibc
#endif
import QSentryConnection
import QSentryCore
import QSentrySMTPD
import QSentryStore

// qsentry-conn: the tcpserver hook before the SMTP greeting (C1–C11).
//   tcpserver … qsentry-conn [-t timeout] prog [args…]
// Decides on the client, then execs prog, or answers a refusal itself the way rblsmtpd does.

if let code = Program.start("qsentry-conn", usage: ConnectionProgram.usage) { exit(code) }
ControlListing.enable()  // one connection (message, delivery) a process: the control directories listed once
Program.warnIfRoot()

var args = Array(CommandLine.arguments.dropFirst())
var dialogueTimeout = 60
while let first = args.first, first.hasPrefix("-") {
    args.removeFirst()
    if first == "--" { break }
    guard first == "-t", let value = args.first, let n = Int(value), n >= 0 else { args = []; break }
    dialogueTimeout = n
    args.removeFirst()
}
if args.isEmpty { exit(Program.fatal("usage: qsentry-conn [-t timeout] prog [args…]", code: 100)) }

let program = ConnectionProgram.fromEnvironment()
var log = LogLine()
log.add("ip", program.client.ipText)
if let host = program.client.remoteHost { log.add("host", host) }
let start = monotonicMilliseconds()
let decision = program.decide()
for warning in decision.warnings {
    LogLine.warning(warning)
}
let action = program.action(for: decision)
ConnectionProgram.log(decision, action: action, milliseconds: monotonicMilliseconds() - start, into: &log)
log.emit()
switch action {
case .hangUp:
    exit(0)
case .answer(let reply, let host):
    RefusalDialogue(reply: reply, host: host, timeout: dialogueTimeout).run()
    exit(0)
case .exec(let handOver):
    // C11: the verdict for qsentry-smtpd, or none (a stale one from tcprules must not pass).
    let names = [EnvironmentContract.connVerdict, EnvironmentContract.connRule, EnvironmentContract.connText].map(\.name)
    for name in names { Exec.unsetEnvironment(name) }
    if let v = handOver {
        for (name, value) in zip(names, [v.action.rawValue, v.rule.rawValue, RefusalDialogue.clean(v.text)]) { Exec.setEnvironment(name, value) }
    }
    // The next program is the sibling qsentry-smtpd: its session runs here, one process start saved.
    if let code = SMTPDProgram.handOver(args) { exit(code) }
    exit(Program.fatal(Exec.replace(with: args)))
}
