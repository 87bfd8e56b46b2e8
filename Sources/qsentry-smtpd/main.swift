#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentrySMTPD

// qsentry-smtpd: the SMTP wrapper in front of an unpatched qmail-smtpd (E1–E17). The session is
// SMTPDProgram.run, which qsentry-conn also runs in its own process when this is its next program.
if let code = Program.start("qsentry-smtpd", usage: SMTPDProgram.usage) { exit(code) }
ControlListing.enable()  // one connection (message, delivery) a process: the control directories listed once
Program.warnIfRoot()
exit(SMTPDProgram.run(childArgv: Array(CommandLine.arguments.dropFirst())))
