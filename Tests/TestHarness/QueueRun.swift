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

    public static func recordingQueue(in root: TempQmailRoot) throws -> String {
        try FileManager.default.createDirectory(atPath: root.path + "/queue", withIntermediateDirectories: true)
        return try root.write("bin/qmail-queue", """
        #!/bin/sh
        d="$(dirname "$0")/../queue"
        n=$(ls "$d" | grep -c '^msg\\.' || true)
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
        let script = customErrorPipe
            ? #"mkfifo "$2/fd6"; cat "$2/fd6" > "$2/custom" & exec "$1" < "$2/message" 1< "$2/envelope" 6> "$2/fd6""#
            : #"exec "$1" < "$2/message" 1< "$2/envelope""#
        var env = root.environment(["QSENTRY_QMAILQUEUE": root.path + "/bin/qmail-queue", "TCPREMOTEIP": "192.0.2.10"])
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
    }
}
