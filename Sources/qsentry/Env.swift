import ArgumentParser
import QSentryCore

struct Env: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the environment contract: every variable the programs read or set."
    )

    func run() {
        for v in EnvironmentContract.all {
            print("\(v.name)\n    set by: \(v.setBy); read by: \(v.readBy)\n    \(v.meaning)")
        }
    }
}
