import Foundation

/// A real server started for one test, stopped when the test lets go of it.
///
/// Clean-up is guaranteed three ways: `stop()`, `deinit`, and a shell watchdog
/// that kills the server when the test process itself dies (a crashed or
/// killed `swift test` leaves no daemon behind on the machine or in CI).
public final class ServerProcess: @unchecked Sendable {
    public let name: String
    public let logDirectory: String
    private var process: Spawned! = nil

    public var stdoutPath: String { logDirectory + "/\(name).out" }
    public var stderrPath: String { logDirectory + "/\(name).err" }

    public init(name: String, executable: String, arguments: [String], environment: [String: String]? = nil,
                logDirectory: String) throws {
        self.name = name
        self.logDirectory = logDirectory
        let exe = try Run.tool(executable)
        let parent = getpid()
        // The watchdog: runs the server, forwards TERM/INT to it, kills it if the test process is gone.
        let script = """
        trap 'kill $c 2>/dev/null; wait $c; exit 0' TERM INT
        "$@" & c=$!
        while kill -0 \(parent) 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 0.5 & wait $!; done
        kill $c 2>/dev/null; wait $c
        """
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = try Spawned("/bin/sh", ["-c", script, "sh", exe] + arguments,
                              environment: environment ?? ProcessInfo.processInfo.environment,
                              stdin: nil, stdout: stdoutPath, stderr: stderrPath)
    }

    deinit { stop() }

    public var isRunning: Bool { process.isRunning }

    /// What the server printed so far, on stdout and stderr.
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until `condition` holds; fails early, with the server's own words, if it exits.
    public func waitUntil(_ what: String, timeout: TimeInterval = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            // Asked again after an exit: the condition may have come true just before it.
            if !process.isRunning {
                if condition() { return }
                throw HarnessError.startFailed("\(name) exited: \(stderr.suffix(2000))")
            }
            if Date() > deadline { throw HarnessError.timeout("\(name): \(what); it said: \(stderr.suffix(2000))") }
            usleep(20_000)
        }
    }

    /// Stops the server (SIGTERM through the watchdog) and waits for it.
    public func stop() {
        guard process.isRunning else { return }
        process.signal(SIGTERM)
        if !process.wait(timeout: 10) {
            process.signal(SIGKILL)
            process.wait(timeout: 5)
        }
    }
}
