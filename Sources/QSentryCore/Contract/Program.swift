#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What every qsentry program shares at start-up: its name, the version, `--help` and `--version`.
public enum Program {
    public static let version = "0.1.0"

    /// Handles `--help` / `-h` and `--version` (printing to stdout and exiting 0); returns otherwise.
    public static func handleStandardFlags(_ name: String, usage: String, arguments: [String] = CommandLine.arguments) {
        guard arguments.count >= 2 else { return }
        switch arguments[1] {
        case "--help", "-h":
            writeOut(usage.hasSuffix("\n") ? usage : usage + "\n")
            exit(0)
        case "--version":
            writeOut("\(name) \(version)\n")
            exit(0)
        default:
            return
        }
    }

    /// A per-connection or delivery program running as root is a wiring mistake (ucspi-tcp's `-u` and
    /// `-g` take numbers: `-u qmaild` parses as 0): one warning line per run, so every connection
    /// and delivery says so in the log. It goes on rather than refusing: a root-run qmail-queue
    /// from root's own local mail is legitimate, and a refusal would only defer mail while the
    /// run script keeps starting qmail-smtpd as root anyway; the fix is the run script's.
    public static func warnIfRoot(_ name: String, hint: String = tcpserverHint) {
        guard getuid() == 0 || geteuid() == 0 else { return }
        var line = LogLine(program: name)
        line.add("warning", "running as root: " + hint)
        line.emit()
    }

    public static let tcpserverHint = "give tcpserver numeric ids, -u \"$(id -u qmaild)\" (see the example run script)"

    public static func writeOut(_ s: String) {
        let bytes = Array(s.utf8)
        try? FileBytes.writeAll(1, bytes, path: "stdout")
    }

    public static func writeErr(_ s: String) {
        let bytes = Array(s.utf8)
        try? FileBytes.writeAll(2, bytes, path: "stderr")
    }

    /// A fatal start-up problem: one line on stderr, and a temporary exit so qmail retries.
    public static func fail(_ name: String, _ message: String, code: Int32 = 111) -> Never {
        writeErr("\(name): fatal: \(message)\n")
        exit(code)
    }
}
