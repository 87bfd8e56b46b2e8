#if canImport(Glibc)
import Glibc
#endif
import QSentryContent
import QSentryCore

// qsentry-queue: the QMAILQUEUE program, content checks at DATA (M1–M5, M8–M10). QueueProgram
// does the work; this wires it to qmail-smtpd's descriptors and ends with qmail-queue's code.
if let code = Program.start("qsentry-queue", usage: QueueProgram.usage) { exit(code) }
ControlListing.enable()  // one connection (message, delivery) a process: the control directories listed once
Program.warnIfRoot()
signal(SIGPIPE, SIG_IGN)

func end(_ failure: QueueProgram.QueueFailure) -> Never {
    failure.log.emit()
    exit(failure.code.rawValue)
}

let program: QueueProgram
switch QueueProgram.load(QmailRoot.fromEnvironment()) {
case .success(let p): program = p
case .failure(let f): end(f)
}
let received: QueueProgram.Received
switch program.receive(spoolDirectory: Environment.get("TMPDIR") ?? "/tmp") {
case .success(let r): received = r
case .failure(let f): end(f)
}
exit(program.finish(received, program.decide(received.scanned)))
