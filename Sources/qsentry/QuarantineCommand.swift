#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryContent
import QSentryCore

/// M8: what qsentry-queue refused for content, kept in `control/qsentry/quarantine`'s directory.
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "List, show, release, delete or expire messages refused for their content (M8).",
        subcommands: [List.self, Show.self, Release.self, Delete.self, Expire.self]
    )

    static func open(_ root: QmailRoot) throws -> Quarantine {
        Quarantine(directory: try ContentConfiguration.quarantineDirectory(root))
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
            abstract: "Queue the message to its original recipients through qmail-queue, then remove it from quarantine.")
        @OptionGroup var options: RootOption
        @Argument var id: String

        func run() throws {
            let root = options.root
            try QuarantineCommand.open(root).release(id, qmailQueue: QueueHandoff.program(root), now: Int(time(nil)))
            print("released \(id)")
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
