#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryScan

// qsentry-libclamav DIRECTORY: scans the file on standard input with libclamav and the signatures
// in DIRECTORY, and answers one line (ScanResult.line). qsentry-queue runs it for clamav-db; a
// dynamic executable because libclamav can only be loaded into one (LibClamAVHelperScanner).
let usage = """
    usage: qsentry-libclamav DIRECTORY < MESSAGE   (run by qsentry-queue for control/qsentry/clamav-db)

    Scans the file on standard input with libclamav and the signatures in DIRECTORY; prints
    "clean", "virus NAME" or "failed TEXT" on one line.
    """
if let code = Program.start("qsentry-libclamav", usage: usage) { exit(code) }
guard CommandLine.arguments.count == 2 else {
    LogLine.warning("usage: qsentry-libclamav DIRECTORY < MESSAGE")
    exit(100)
}
let result: ScanResult
do {
    result = try LibClamAVScanner(databaseDirectory: CommandLine.arguments[1]).scan(fd: 0, size: 0)
} catch {
    result = .failed("\(error)")
}
Program.writeOut(result.line)
exit(0)
