// qsentry-web: the web console (A3, A8), the suite's one resident daemon, started by `qsentry
// web` (which passes its arguments on) under supervise. Wiring only: WebMain parses (ArgumentParser
// answers --help and --version), PrivilegeDrop becomes the console's user, ConsoleServer serves.
import QSentryCore
import QSentryWeb

_ = Program.start("qsentry-web", usage: "", arguments: [])  // names the log lines; WebMain parses
let command = WebMain.prepare(CommandLine.arguments)  // synchronous: the user is dropped on the main thread
await WebMain.run(command)
