import Foundation

/// Runs qsentry-queue the way qmail-smtpd does: the message on fd 0, the envelope readable on
/// fd 1, and (`customErrorPipe`) a pipe on fd 6 as notqmail's qmail-smtpd gives one. The next
/// qmail-queue is a recording program: it keeps what it gets in `root/queue/` and exits with
/// the code in `root/queue/exit` (0 when absent), so each test sees exactly what would be queued.
public struct QueueRun {
    public let status: Int32
    public let stderr: String
    /// What was written on fd 6 (only with `customErrorPipe`).
    public let customError: String
    /// What the recording qmail-queue had open that the shell which started qsentry-queue had
    /// not, beyond its fds 0, 1, 2 (and notqmail's 6) and its own script ("5 socket:[1234]"):
    /// descriptors of qsentry-queue's that crossed its exec. Nil when nothing was queued.
    public let leakedDescriptors: [String]?

    static func descriptors(_ listing: String) -> [(fd: String, target: String)] {
        listing.split(separator: "\n").compactMap { line in
            guard let arrow = line.range(of: " -> ") else { return nil }
            return (line[..<arrow.lowerBound].split(separator: " ").last.map(String.init) ?? "", String(line[arrow.upperBound...]))
        }
    }

    public static func recordingQueue(in root: TempQmailRoot) throws -> String {
        try FileManager.default.createDirectory(atPath: root.path + "/queue", withIntermediateDirectories: true)
        return try root.write("bin/qmail-queue", """
        #!/bin/sh
        d="$(dirname "$0")/../queue"
        n=$(ls "$d" | grep -c '^msg\\.' || true)
        echo $$ > "$d/pid.$n"
        # In a subshell, so this shell neither saves a copy of fd 1 for the redirection nor holds
        # a pipeline's read end while ls reads its descriptors (a race that showed "3 pipe:[…]").
        [ -n "$QUEUE_RUN_DIR" ] && ( ls -l /proc/$$/fd/ > "$QUEUE_RUN_DIR/fds-after" )
        cat > "$d/msg.$n"
        cat <&1 > "$d/env.$n"
        exit $(cat "$d/exit" 2>/dev/null || echo 0)

        """, mode: 0o755)
    }

    /// The messages the recording qmail-queue received, in order: (message, envelope).
    public static func queued(in root: TempQmailRoot) -> [(message: String, envelope: [UInt8])] {
        var out: [(String, [UInt8])] = []
        var n = 0
        while let m = FileManager.default.contents(atPath: root.path + "/queue/msg.\(n)"),
              let e = FileManager.default.contents(atPath: root.path + "/queue/env.\(n)") {
            out.append((String(decoding: m, as: UTF8.self), [UInt8](e)))
            n += 1
        }
        return out
    }

    /// The process id each message was queued by (the recording qmail-queue's `$$`), in order.
    public static func queuedPIDs(in root: TempQmailRoot) -> [Int] {
        var out: [Int] = []
        while let p = try? String(contentsOfFile: root.path + "/queue/pid.\(out.count)", encoding: .utf8),
              let pid = Int(p.trimmingCharacters(in: .whitespacesAndNewlines)) {
            out.append(pid)
        }
        return out
    }

    public static func envelope(_ sender: String, _ recipients: [String]) -> Data {
        var d = Data("F\(sender)\0".utf8)
        for r in recipients { d += Data("T\(r)\0".utf8) }
        d.append(0)
        return d
    }

    public init(root: TempQmailRoot, message: String, envelope: Data, environment: [String: String] = [:],
                customErrorPipe: Bool = false) throws {
        try self.init(root: root, messageBytes: Data(message.utf8), envelope: envelope, environment: environment,
                      customErrorPipe: customErrorPipe)
    }

    public init(root: TempQmailRoot, messageBytes: Data, envelope: Data, environment: [String: String] = [:],
                customErrorPipe: Bool = false) throws {
        let dir = root.runDirectory + "/queue-run-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try HarnessFile.write(dir + "/message", messageBytes)
        try HarnessFile.write(dir + "/envelope", envelope)
        // Not exec'd: the shell's status is qsentry-queue's exit code, or 128 + the signal that
        // ended it (qsentry-queue becomes qmail-queue, so a crash of that is one of qsentry-queue's).
        let script = customErrorPipe
            ? #"ls -l /proc/$$/fd/ > "$2/fds-before"; mkfifo "$2/fd6"; cat "$2/fd6" > "$2/custom" & "$1" < "$2/message" 1< "$2/envelope" 6> "$2/fd6""#
            : #"ls -l /proc/$$/fd/ > "$2/fds-before"; "$1" < "$2/message" 1< "$2/envelope""#
        var env = root.environment(["QSENTRY_QMAILQUEUE": root.path + "/bin/qmail-queue", "TCPREMOTEIP": "192.0.2.10",
                                    "QUEUE_RUN_DIR": dir])
        env.merge(environment) { _, new in new }
        let r = try Run.command("/bin/sh", ["-c", script, "sh", Run.program("qsentry-queue"), dir], environment: env, timeout: 60)
        status = r.status
        stderr = r.stderr
        // The reader of the pipe may still be writing the file for a moment.
        var custom = ""
        if customErrorPipe {
            for _ in 0..<100 {
                custom = (try? String(contentsOfFile: dir + "/custom", encoding: .utf8)) ?? ""
                if !custom.isEmpty { break }
                usleep(20_000)
            }
        }
        customError = custom
        if let after = try? String(contentsOfFile: dir + "/fds-after", encoding: .utf8) {
            let before = Set(Self.descriptors((try? String(contentsOfFile: dir + "/fds-before", encoding: .utf8)) ?? "").map(\.target))
            leakedDescriptors = Self.descriptors(after).filter { fd, target in
                !["0", "1", "2", "6"].contains(fd) && !target.hasSuffix("/bin/qmail-queue") && !before.contains(target)
            }.map { $0.fd + " " + $0.target }
        } else {
            leakedDescriptors = nil
        }
    }
}
