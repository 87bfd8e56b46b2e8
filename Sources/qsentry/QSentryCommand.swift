import ArgumentParser
import QSentryAdmin
import QSentryCore

@main
struct QSentryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qsentry",
        abstract: "Administer qsentry, the layered spam and virus defence for qmail.",
        version: Program.version,
        subcommands: [ExplainCommand.self, Check.self, CdbCommand.self, StatsCommand.self, Env.self, Bans.self, Reputation.self, LimitsCommand.self, QuarantineCommand.self, LearnCommand.self, ScoreCommand.self, DKIMCommand.self, WebCommand.self]
    )
}

/// Options every subcommand shares.
struct RootOption: ParsableArguments {
    @Option(name: .long, help: "qmail root (default: $QMAIL or /var/qmail).")
    var qmail: String?

    var root: QmailRoot { qmail.map { QmailRoot(path: $0) } ?? QmailRoot.fromEnvironment() }
}
