import Foundation

/// Exim (Debian's exim4-daemon-light) as the SMTP server behind qsentry-smtpd: `exim4 -C CONF -bs`
/// speaks SMTP on stdin/stdout as qmail-smtpd does, accepts every recipient, and only queues
/// (queue_only) into a spool the test owns, where accepted messages can be counted and read.
public final class Exim: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public let directory: String
    /// The command to put after qsentry-smtpd on the tcpserver line.
    public let command: String

    public init(root: TempQmailRoot) throws {
        owner = root
        directory = root.runDirectory + "/exim-\(UUID().uuidString.prefix(6))"
        for d in ["spool", "log"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + d, withIntermediateDirectories: true)
        }
        let template = try String(contentsOfFile: Self.configTemplate, encoding: .utf8)
        try HarnessFile.write(directory + "/exim.conf", template.replacingOccurrences(of: "@DIR@", with: directory))
        command = directory + "/smtpd"
        // Each start leaves its environment behind, to show what qsentry-smtpd handed over.
        try HarnessFile.write(command, """
        #!/bin/sh
        env > \(directory)/log/env-$(date +%s%N)-$$
        exec \(try Run.tool("exim4")) -C \(directory)/exim.conf -bs

        """, mode: 0o755)
    }

    /// The configuration bench/smtpd.sh uses too, beside this file in the source tree.
    static let configTemplate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("exim.conf.in").path

    /// The environment of each exim started, oldest first, as NAME=value lines.
    public var environments: [[String: String]] {
        let log = directory + "/log"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: log)) ?? []).filter { $0.hasPrefix("env-") }
        // Named by start time in nanoseconds: file times are too coarse to order starts a millisecond apart.
        let paths = names.sorted().map { log + "/" + $0 }
        return paths.map { path in
            var env: [String: String] = [:]
            for line in ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                env[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
            return env
        }
    }

    /// Queued messages: each one's header file (envelope and headers) and body.
    public var messages: [(header: String, body: String)] {
        let input = directory + "/spool/input"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).filter { $0.hasSuffix("-H") }.sorted()
        return names.map { h in
            let id = String(h.dropLast(2))
            // Decoded leniently: 8-bit header bytes that are not UTF-8 show as U+FFFD instead of losing the file.
            func read(_ path: String) -> String { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "" }
            return (read("\(input)/\(id)-H"), read("\(input)/\(id)-D"))
        }
    }
}
