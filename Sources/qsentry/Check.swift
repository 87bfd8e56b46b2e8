import ArgumentParser
import QSentryAdmin
import QSentryCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint every control file; exit 0 when clean, 1 when there are problems.",
        discussion: "Prints one FILE:LINE: problem line each. Reads control/ and control/qsentry/ under the qmail root."
    )

    @OptionGroup var options: RootOption
    @Flag(name: .shortAndLong, help: "Print nothing when clean.") var quiet = false

    func run() throws {
        let problems = ControlLint(root: options.root).run()
        for p in problems { print(p) }
        if problems.isEmpty {
            if !quiet { print("qsentry check: \(options.root.path): no problems") }
            return
        }
        print("qsentry check: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
        throw ExitCode(CommandExit.problems.rawValue)
    }
}
