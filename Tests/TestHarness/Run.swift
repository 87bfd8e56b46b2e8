import Foundation

/// What a finished command printed and how it ended.
public struct RunResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var output: String { stdout + stderr }
}

public enum HarnessError: Error, CustomStringConvertible {
    case missingTool(String)
    case timeout(String)
    case startFailed(String)
    public var description: String {
        switch self {
        case .missingTool(let t): return "\(t) is not installed: run ./install.sh test"
        case .timeout(let s): return "timed out: \(s)"
        case .startFailed(let s): return "could not start: \(s)"
        }
    }
}

/// Runs commands and finds tools for tests.
public enum Run {
    /// Absolute path of a tool on PATH (or the usual sbin directories), or throws a clear "install it" error.
    public static func tool(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/local/sbin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw HarnessError.missingTool(name)
    }

    /// Runs a command to completion with an optional stdin and a deadline (killed past it).
    @discardableResult
    public static func command(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                               stdin: Data? = nil, timeout: TimeInterval = 60) throws -> RunResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qsentry-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var stdinPath: String? = nil
        if let stdin {
            stdinPath = dir + "/in"
            try HarnessFile.write(stdinPath!, stdin)
        }
        let child = try Spawned(try tool(executable), arguments,
                                environment: environment ?? ProcessInfo.processInfo.environment,
                                stdin: stdinPath, stdout: dir + "/out", stderr: dir + "/err")
        if !child.wait(timeout: timeout) {
            child.signal(SIGKILL)
            child.wait(timeout: 5)
            throw HarnessError.timeout("\(executable) \(arguments.joined(separator: " "))")
        }
        return RunResult(status: child.terminationStatus,
                         stdout: (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? "")
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    public static func wait(for what: String, timeout: TimeInterval = 15, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { throw HarnessError.timeout(what) }
            usleep(20_000)
        }
    }

    /// Where `swift build` put the suite's programs: `$QSENTRY_BIN`, else beside the test bundle.
    public static var productsDirectory: String {
        if let bin = ProcessInfo.processInfo.environment["QSENTRY_BIN"], !bin.isEmpty { return bin }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("qsentry").path) { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug"
    }

    /// The path of one of the suite's programs (`qsentry`, `qsentry-conn` …).
    public static func program(_ name: String) -> String { productsDirectory + "/" + name }
}
