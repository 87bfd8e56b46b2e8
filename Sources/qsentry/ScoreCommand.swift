import ArgumentParser
import QSentryBayes
import QSentryCore
import QSentryStore

/// The Bayes score of messages, as qsentry-queue and qsentry-local compute it: for an admin
/// wondering about one message, and for bench/bayes.sh (one process, many messages).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print the Bayes score (percent) of each message: files, mboxes, Maildirs, directories.",
        discussion: "One line per message: SCORE<TAB>PATH (an mbox's messages share its path). The score is the "
            + "global database's, or the user's with --user. A database still in its learning period scores all the "
            + "same; the programs would not act on it."
    )
    @OptionGroup var options: RootOption
    @Option(name: .long, help: "Score with this user's database instead of the global one.") var user: String?
    @Flag(name: .long, help: "Print the score as a fraction with six decimals (0.000000-1.000000) instead of whole percents: for ROC curves, where whole percents tie.")
    var fraction = false
    @Argument(help: "Message files, mboxes, Maildirs or directories.") var paths: [String]

    func validate() throws {
        if let user, !BayesDatabase.isValidUserName(user) { throw ValidationError("not a user name: \"\(user)\"") }
    }

    func run() throws {
        let db = BayesDatabase(store: try StoreConfiguration.open(options.root), user: user)
        var out = ""
        for p in paths {
            for file in try MailSource.files(p) {
                try MailSource.messages(in: file) { message in
                    let score = try db.score(db.tokenizer.tokens(of: message))
                    out += (fraction ? Self.sixDecimals(score) : String(BayesScore.percent(score))) + "\t\(file)\n"
                }
                if out.utf8.count > 1 << 16 { print(out, terminator: ""); out = "" }
            }
        }
        print(out, terminator: "")
    }

    /// 0.123456, without Foundation's formatting.
    static func sixDecimals(_ x: Double) -> String {
        let micro = Int((min(max(x, 0), 1) * 1_000_000).rounded(.down))  // down, as whole percents are
        let digits = String(micro % 1_000_000)
        return "\(micro / 1_000_000)." + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
