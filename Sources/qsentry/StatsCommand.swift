#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryAdmin
import QSentryCore

/// A5: what the programs decided, from their logs.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count the programs' decisions in their logs: per layer, per rule, top refused addresses, countries.",
        discussion: """
            Reads log files, multilog directories (current and the rotated @….s files) or, without LOG, standard \
            input. Lines may carry multilog's @timestamp, tai64nlocal's local time, or none; lines of other \
            programs are skipped. --since and --until take 24h, 7d, 90m or a UTC date YYYY-MM-DD[THH:MM]; with \
            either, lines without a time are not counted.
            """
    )
    @Option(name: .long, help: "Count from this time: 24h, 7d, or YYYY-MM-DD[THH:MM] (UTC).") var since: String?
    @Option(name: .long, help: "Count up to this time (same forms).") var until: String?
    @Option(name: .long, help: "How many addresses and countries to list.") var top = 10
    @Option(name: .long, help: "Also write a self-contained HTML page with charts to this file.") var html: String?
    @Argument(help: "Log files or multilog directories (default: standard input).") var logs: [String] = []

    func validate() throws {
        let now = Int(time(nil))
        if let since, LogTimestamp.when(since, now: now) == nil { throw ValidationError("--since: not a time: \(since)") }
        if let until, LogTimestamp.when(until, now: now) == nil { throw ValidationError("--until: not a time: \(until)") }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let now = Int(time(nil))
        var stats = LogStatistics(since: since.flatMap { LogTimestamp.when($0, now: now) },
                                  until: until.flatMap { LogTimestamp.when($0, now: now) })
        if logs.isEmpty {
            try LogReader.forEachLine(0, path: "standard input") { stats.add(line: $0) }
        }
        for log in logs {
            for file in try LogReader.files(log) {
                try LogReader.forEachLine(path: file) { stats.add(line: $0) }
            }
        }
        print(StatsReport.text(stats, top: top), terminator: "")
        if let html {
            try FileBytes.writeAtomically(html, Array(StatsPage.html(stats, top: top).utf8))
            print("qsentry stats: wrote \(html)")
        }
    }
}
