#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryAdmin
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
        subcommands: [List.self, Show.self, Release.self, Delete.self, Expire.self, Digest.self]
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
            let outcome = try QuarantineRelease.release(try QuarantineCommand.open(root), id: id, root: root, learn: !noLearn,
                                                        now: Int(time(nil)))
            print("released \(id)")
            if let namespace = outcome.learntIn { print("learnt it as ham in \(namespace)") }
            if let problem = outcome.learnProblem { StandardError.write("qsentry quarantine release: not learnt as ham: \(problem)\n") }
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
        static let configuration = CommandConfiguration(
            abstract: "Delete messages quarantined more than DAYS days ago (for cron); DAYS defaults to control/qsentry/quarantine-days.")
        @OptionGroup var options: RootOption
        @Argument var days: Int?

        func validate() throws { if let days, days < 0 { throw ValidationError("DAYS must be 0 or more") } }

        func run() throws {
            let root = options.root
            guard let keep = try days ?? ControlFile.integer(root.qsentry("quarantine-days"), range: 1...3650) else {
                throw ValidationError("give DAYS, or set it in \(root.qsentry("quarantine-days"))")
            }
            let n = try QuarantineCommand.open(root).expire(days: keep, now: Int(time(nil)))
            print("expired \(n) message\(n == 1 ? "" : "s")")
        }
    }

    struct Digest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mail each local recipient a summary of what was quarantined for them since the last run (for cron, A8).",
            discussion: """
                One message per recipient through qmail-inject, with a signed release link per message that works \
                for 7 days (control/qsentry/web-url and web-key). Recipients outside rcpthosts, and those who switched \
                digests off in the console, get none. The time of this run is kept in $QMAIL/qsentry/digest-sent.
                """)
        @OptionGroup var options: RootOption

        func run() throws {
            let root = options.root
            let index = QuarantineIndex(try QuarantineCommand.open(root))
            let sent = try QuarantineDigest(root: root).send(index: index, now: Int(time(nil)))
            for r in sent.recipients { print("sent a digest to \(r)") }
            for (r, why) in sent.skipped { print("no digest for \(r): \(why)") }
            for (r, why) in sent.failed { print("digest for \(r) not sent, again next run: \(why)") }
            if !sent.failed.isEmpty { throw ExitCode(CommandExit.temporary.rawValue) }
        }
    }
}
