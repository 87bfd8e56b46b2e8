#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryBayes
import QSentryCore
import QSentryStore

/// D1/M6: teach the Bayes databases what is spam and what is ham.
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Learn messages as spam or ham (files, mboxes, Maildirs, directories of messages).",
        discussion: "Each PATH is a message file, an mbox, a Maildir (cur/ and new/) or a directory of message files. "
            + "Without --user the global database learns; with it, that user's. --forget unlearns messages "
            + "learnt by mistake (learn them again the other way afterwards)."
    )
    @OptionGroup var options: RootOption
    @Flag(name: .long, help: "The messages are spam.") var spam = false
    @Flag(name: .long, help: "The messages are ham (wanted mail).") var ham = false
    @Flag(name: .long, help: "Unlearn instead of learn.") var forget = false
    @Option(name: .long, help: "Learn into this user's database instead of the global one.") var user: String?
    @Argument(help: "Message files, mboxes, Maildirs or directories.") var paths: [String] = []

    func validate() throws {
        guard spam != ham else { throw ValidationError("say --spam or --ham") }
        guard !paths.isEmpty else { throw ValidationError("give at least one file, mbox, Maildir or directory") }
        if let user, user.isEmpty || user.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
            throw ValidationError("not a user name: \"\(user)\"")
        }
    }

    func run() throws {
        let db = BayesDatabase(store: try StoreConfiguration.open(options.root), user: user)
        let kind: BayesDatabase.Kind = spam ? .spam : .ham
        var files: [String] = []
        for p in paths { files += try MailSource.files(p) }
        var progress = Progress(total: files.count)
        var batch: [Set<String>] = []
        var learnt = 0
        for (i, file) in files.enumerated() {
            do {
                try MailSource.messages(in: file) { batch.append(db.tokenizer.tokens(of: $0)) }
            } catch {
                StandardError.write("qsentry learn: skipped \(file): \(error)\n")
            }
            // One store transaction per 200 messages: fast, and an interrupted run keeps what it did.
            if batch.count >= 200 || i == files.count - 1 {
                try db.learn(batch: batch, as: kind, forget: forget)
                learnt += batch.count
                batch = []
            }
            progress.update(i + 1)
        }
        progress.finish()
        let now = try db.messageCounts()
        print("\(forget ? "forgot" : "learnt") \(learnt) \(kind.rawValue) message\(learnt == 1 ? "" : "s") in \(db.namespace): now \(now.spam) spam, \(now.ham) ham")
    }
}

/// A one-line progress bar on standard error, only when it is a terminal and the run is long.
struct Progress {
    let total: Int
    let shown = isatty(2) != 0
    var last = -1

    mutating func update(_ done: Int) {
        guard shown, total >= 50 else { return }
        let percent = done * 100 / max(total, 1)
        guard percent != last else { return }
        last = percent
        let width = 30
        let filled = width * done / max(total, 1)
        StandardError.write("\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] \(done)/\(total)")
    }

    func finish() { if shown && total >= 50 { StandardError.write("\n") } }
}

enum StandardError {
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
