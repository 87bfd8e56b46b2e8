import ArgumentParser
import QSentryAdmin
import QSentryCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint every control file, then probe what they name; exit 0 when clean, 1 when there are problems.",
        discussion: """
            Prints one FILE:LINE: problem line each, with what to do. Reads control/ and control/qsentry/ under the \
            qmail root and the state directory (its group qsentry and modes), then (unless --no-probes) checks what the files name, each only when it is configured: the DNS \
            servers answer, each dnsbl zone lists its test point 127.0.0.2, clamd and spamd answer PING, the store \
            opens, the GeoIP database opens, p0f's socket answers, the TLS certificate and key match and have not \
            expired (nor expire within 14 days).
            """
    )

    @OptionGroup var options: RootOption
    @Flag(name: .shortAndLong, help: "Print nothing when clean.") var quiet = false
    @Flag(name: .long, help: "Lint the files only: contact nothing.") var noProbes = false

    func run() throws {
        var problems = ControlLint(root: options.root).run() + StateCheck(root: options.root).run()
        if !noProbes { problems += LiveProbes.run(options.root, skipping: Set(problems.map(\.path))) }
        for p in problems { print(p) }
        if problems.isEmpty {
            if !quiet { print("qsentry check: \(options.root.path): no problems") }
            return
        }
        print("qsentry check: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
        throw ExitCode(CommandExit.problems.rawValue)
    }
}
