#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryDelivery
import QSentryMessage
import QSentryMIME

// qsentry-local: the .qmail delivery program: per-user spam tagging and Maildir delivery (D1–D6).
// DeliveryProgram does the work; this wires it to qmail-local and ends with its exit code.
if let code = Program.start("qsentry-local", usage: DeliveryProgram.usage) { exit(code) }
ControlListing.enable()  // one connection (message, delivery) a process: the control directories listed once
// Installed setgid to the state group: held only around the state (StateGroup).
StateGroup.setAside()
Program.warnIfRoot(hint: "qmail-local runs deliveries as the user; call it from a user's .qmail")
signal(SIGPIPE, SIG_IGN)

var line = LogLine()

/// Ends the delivery with qmail-local's code; the text reaches qmail's log or the bounce.
func end(_ e: DeliveryProgram.Ending) -> Never {
    if let error = e.error { line.add("error", error) }
    line.add("verdict", e.verdict)
    line.emit()
    if let text = e.text { Program.writeOut(text + "\n") }
    exit(e.code.rawValue)
}

let program: DeliveryProgram
switch DeliveryProgram.configured(arguments: Array(CommandLine.arguments.dropFirst()), root: QmailRoot.fromEnvironment(), log: &line) {
case .success(let p): program = p
case .failure(let e): end(e)
}
let preferences: DeliveryPreferences
switch program.preferences() {
case .success(let p): preferences = p
case .failure(let e): end(e)
}
let spool: MessageSpool, facts: MessageFacts
switch program.receive() {
case .success(let r): (spool, facts) = r
case .failure(let e): end(e)
}
line.add("size", spool.size)
if !facts.imageText.isEmpty { line.add("ocr-bytes", facts.imageText.count) }
// The store, the tokens and the quarantine with the state group; the Maildir without it.
StateGroup.resume()
let outcome = program.decide(spool, facts, preferences: preferences, log: &line)
end(program.finish(outcome, spool, log: &line))
