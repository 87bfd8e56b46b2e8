#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryContent
import QSentryBayes
import QSentryCore
import QSentryDelivery
import QSentryStore

/// D1/M6: teach the Bayes databases what is spam and what is ham.
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Learn messages as spam or ham (files, mboxes, Maildirs, directories of messages).",
        discussion: "Each PATH is a message file, an mbox, a Maildir (cur/ and new/) or a directory of message files. "
            + "Without --user the global database learns; with it, that user's. --forget unlearns messages "
            + "learnt by mistake (learn them again the other way afterwards). --from-maildir trains on error from a "
            + "user's Maildir: unflagged messages they moved into the junk folder are learnt as spam and, when their "
            + "spam is filed into that folder, flagged messages moved out of it as ham; each message once. "
            + "--reset forgets the whole database first (alone, it only forgets): to start anew, or to relearn a "
            + "database an older qsentry learnt in an older token format."
    )
    @OptionGroup var options: RootOption
    @Flag(name: .long, help: "The messages are spam.") var spam = false
    @Flag(name: .long, help: "The messages are ham (wanted mail).") var ham = false
    @Flag(name: .long, help: "Unlearn instead of learn.") var forget = false
    @Flag(name: .long, help: "Forget the whole database (global, or --user's) before learning.") var reset = false
    @Option(name: .long, help: "Learn into this user's database instead of the global one.") var user: String?
    @Option(name: .long, help: "Train on error from this Maildir (a user's; use with --user).") var fromMaildir: String?
    @Option(name: .long, help: "The junk folder for --from-maildir (default: the user's spam-action folder, else .Junk).") var junk: String?
    @Argument(help: "Message files, mboxes, Maildirs or directories.") var paths: [String] = []

    func validate() throws {
        if fromMaildir != nil {
            guard !spam && !ham && !forget && !reset && paths.isEmpty else { throw ValidationError("--from-maildir takes no --spam, --ham, --forget, --reset or paths") }
            if let junk, SpamAction.folderName(junk) == nil { throw ValidationError("not a Maildir++ folder name: \"\(junk)\"") }
        } else if reset && !spam && !ham && paths.isEmpty {
            guard !forget else { throw ValidationError("--reset forgets everything: no --forget with it") }
        } else {
            guard !(reset && forget) else { throw ValidationError("--reset forgets everything: no --forget with it") }
            guard spam != ham else { throw ValidationError("say --spam or --ham") }
            guard !paths.isEmpty else { throw ValidationError("give at least one file, mbox, Maildir or directory") }
        }
        if let user, !BayesDatabase.isValidUserName(user) {
            throw ValidationError("not a user name: \"\(user)\"")
        }
    }

    func run() throws {
        let db = BayesDatabase(store: try StoreConfiguration.open(options.root), user: user)
        if let fromMaildir { return try trainOnError(db, maildir: fromMaildir) }
        if reset {
            try db.reset()
            print("forgot everything in \(db.namespace)")
            if paths.isEmpty { return }
        }
        let kind: BayesDatabase.Kind = spam ? .spam : .ham
        var files: [String] = []
        for p in paths { files += try MailSource.files(p) }
        var progress = Progress(total: files.count)
        var batch: [TokenKeys] = []
        var learnt = 0
        // M12: spam learnt is also kept as fuzzy signatures, when the fuzzy file turns them on.
        let fuzzy = kind == .spam && !forget ? try FuzzyCheck.Settings.load(options.root.qsentry("fuzzy")) : nil
        let store = fuzzy == nil ? nil : try StoreConfiguration.open(options.root)
        var signatures = 0
        for (i, file) in files.enumerated() {
            do {
                try MailSource.messages(in: file) { message in
                    let facts = Tokenizer.facts(of: message, hashAttachments: fuzzy != nil)
                    batch.append(db.tokenizer.tokens(of: facts))
                    if let fuzzy, let store, try FuzzyCheck.learn(facts, into: store, lifetime: fuzzy.lifetime, now: Int(time(nil))) {
                        signatures += 1
                    }
                }
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
        print("\(forget ? "forgot" : "learnt") \(learnt) \(kind.rawValue) message\(learnt == 1 ? "" : "s") in \(db.namespace): now \(now.spam) spam, \(now.ham) ham"
              + (fuzzy == nil ? "" : "; \(signatures) fuzzy signature\(signatures == 1 ? "" : "s") kept"))
    }
}

extension LearnCommand {
    /// D6: what the user moved into and out of their junk folder, learnt once each.
    func trainOnError(_ db: BayesDatabase, maildir: String) throws {
        let prefs = try DeliveryPreferences.load(options.root, userDirectory: DeliveryPreferences.userDirectory(forMaildir: maildir))
        var folder = ".Junk", learnHam = false
        if case .folder(let f) = prefs.action { folder = f; learnHam = true }
        if let junk { folder = SpamAction.folderName(junk)! }
        let training = MaildirTraining(maildir: maildir, junk: folder, learnHam: learnHam)
        var plan = try training.plan()
        func tokens(_ file: String) -> TokenKeys? {
            var out: TokenKeys?
            do { try MailSource.messages(in: file) { out = db.tokenizer.tokens(of: $0) } } catch {
                StandardError.write("qsentry learn: skipped \(file): \(error)\n")
            }
            return out
        }
        var progress = Progress(total: plan.forget.count + plan.learn.count)
        var done = 0
        for kind in [BayesDatabase.Kind.spam, .ham] {
            let forget = plan.forget.filter { $0.kind == kind }.compactMap { item -> TokenKeys? in
                done += 1
                progress.update(done)
                return tokens(item.file)
            }
            try db.learn(batch: forget, as: kind, forget: true)
        }
        var counts: [BayesDatabase.Kind: Int] = [:]
        for kind in [BayesDatabase.Kind.spam, .ham] {
            var batch: [TokenKeys] = []
            for item in plan.learn where item.kind == kind {
                done += 1
                progress.update(done)
                guard let t = tokens(item.file) else { continue }
                batch.append(t)
                plan.state[item.name] = kind
            }
            try db.learn(batch: batch, as: kind)
            counts[kind] = batch.count
        }
        progress.finish()
        try training.save(plan.state)
        let now = try db.messageCounts()
        print("from \(training.maildir) (junk folder \(folder)\(learnHam ? "" : ", spam not filed there: no ham learnt")): "
            + "learnt \(counts[.spam] ?? 0) spam, \(counts[.ham] ?? 0) ham, forgot \(plan.forget.count) in \(db.namespace): now \(now.spam) spam, \(now.ham) ham")
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
