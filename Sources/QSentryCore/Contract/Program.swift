#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What every qsentry program shares at start-up: its name (set once, for every log line), the
/// version, `--help` and `--version`. Nothing here ends the process: the mains do (`exit`).
public enum Program {
    public static let version = "0.1.0"
    /// The running program's name, set by `start`; every LogLine is signed with it.
    nonisolated(unsafe) public private(set) static var name = "qsentry"

    /// Names the process, then handles `--help` / `-h` and `--version` (printed on stdout): the
    /// exit code when one of them was given, nil otherwise.
    public static func start(_ name: String, usage: String, arguments: [String] = CommandLine.arguments) -> Int32? {
        self.name = name
        guard arguments.count >= 2 else { return nil }
        switch arguments[1] {
        case "--help", "-h":
            writeOut(usage.hasSuffix("\n") ? usage : usage + "\n")
            return 0
        case "--version":
            writeOut("\(name) \(version)\n")
            return 0
        default:
            return nil
        }
    }

    /// A per-connection or delivery program running as root is a wiring mistake (ucspi-tcp's `-u` and
    /// `-g` take numbers: `-u qmaild` parses as 0): one warning line per run, so every connection
    /// and delivery says so in the log. It goes on rather than refusing: a root-run qmail-queue
    /// from root's own local mail is legitimate, and a refusal would only defer mail while the
    /// run script keeps starting qmail-smtpd as root anyway; the fix is the run script's.
    public static func warnIfRoot(hint: String = tcpserverHint) {
        guard getuid() == 0 || geteuid() == 0 else { return }
        LogLine.warning("running as root: " + hint)
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

    /// A fatal start-up problem: one line on stderr; returns the exit code (temporary by
    /// default, so qmail retries) for the main to exit with.
    public static func fatal(_ message: String, code: Int32 = 111) -> Int32 {
        // Put together as bytes: freeing a String this long is the runtime's first use of
        // `_StringBreadcrumbs?`, whose metadata it makes from its mangled name (some 40,000
        // instructions, more than the rest of a failed start).
        var line = Array(name.utf8)
        line += ": fatal: ".utf8
        line += message.utf8
        line.append(0x0A)
        try? FileBytes.writeAll(2, line, path: "stderr")
        return code
    }
}
