#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryBayes
import QSentryMessage
import QSentryContent
import QSentryCore
import QSentryStore

/// M8: what qsentry-queue refused for content, kept in `control/qsentry/quarantine`'s directory.
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "List, show, release, delete or expire messages refused for their content (M8).",
        subcommands: [List.self, Show.self, Release.self, Delete.self, Expire.self]
    )

    static func open(_ root: QmailRoot) throws -> Quarantine {
        Quarantine(directory: try Quarantine.configuredDirectory(root))
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per message: ID, time (UTC), client, rule, sender, recipients.")
        @OptionGroup var options: RootOption

        func run() throws {
            for e in try QuarantineCommand.open(options.root).list() {
                print("\(e.id)\t\(formatTime(e.time))\t\(e.ip)\t\(e.rule)\t<\(e.envelope.sender)>\t\(e.envelope.recipients.joined(separator: ","))\t\(e.size) bytes")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The verdict and envelope, then the message as received.")
        @OptionGroup var options: RootOption
        @Argument var id: String

        func run() throws {
            let q = try QuarantineCommand.open(options.root)
            let e = try q.entry(id)
            print("ID: \(e.id)\nDate: \(formatTime(e.time))\nIP: \(e.ip)\nRule: \(e.rule)\nReason: \(e.text)\nSender: <\(e.envelope.sender)>")
            for r in e.envelope.recipients { print("Recipient: <\(r)>") }
            print("")
            fflush(stdout)
            try q.writeMessage(id, to: 1)
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue the message to its original recipients through qmail-queue, then remove it from quarantine.",
            discussion: "A message refused for spam (any rule but virus) is learnt as ham by the global Bayes database "
                + "first: releasing it says the filter was wrong. --no-learn skips that.")
        @OptionGroup var options: RootOption
        @Flag(name: .long, help: "Do not learn the released message as ham.") var noLearn = false
        @Argument var id: String

        func run() throws {
            let root = options.root
            let q = try QuarantineCommand.open(root)
            let entry = try q.entry(id)
            // Read before the release removes it; learnt after the release succeeded.
            let message = noLearn || entry.rule == "virus" ? nil : try q.message(id, limit: MailSource.maxMessage)
            try q.release(id, qmailQueue: QueueHandoff.program(root), now: Int(time(nil)))
            print("released \(id)")
            if let message {
                let db = BayesDatabase(store: try StoreConfiguration.open(root))
                do {
                    try db.learn(db.tokenizer.tokens(of: message), as: .ham)
                    print("learnt it as ham in \(db.namespace)")
                } catch let error as BayesDatabase.FormatError {
                    // Released all the same: the message is delivered, only the lesson is lost.
                    StandardError.write("qsentry quarantine release: not learnt as ham: \(error)\n")
                }
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a message from quarantine for good.")
        @OptionGroup var options: RootOption
        @Argument var id: String

        func run() throws {
            try QuarantineCommand.open(options.root).delete(id)
            print("deleted \(id)")
        }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete messages quarantined more than DAYS days ago (for cron).")
        @OptionGroup var options: RootOption
        @Argument var days: Int

        func validate() throws { if days < 0 { throw ValidationError("DAYS must be 0 or more") } }

        func run() throws {
            let n = try QuarantineCommand.open(options.root).expire(days: days, now: Int(time(nil)))
            print("expired \(n) message\(n == 1 ? "" : "s")")
        }
    }
}
