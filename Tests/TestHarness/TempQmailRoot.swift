import Foundation

/// A throw-away qmail root for one test (`$QMAIL`): control/, control/qsentry/, users/, bin/, and a log folder.
public final class TempQmailRoot: @unchecked Sendable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("qsentry-test-\(UUID().uuidString)").path
        for dir in ["control/qsentry", "users", "bin", "log", "run"] {
            try FileManager.default.createDirectory(atPath: path + "/" + dir, withIntermediateDirectories: true)
        }
        Self.makeStateDirectory(path + "/qsentry")
    }

    /// `qsentry/` as install.sh makes it: group qsentry (when this machine has it), mode 2770.
    public static func makeStateDirectory(_ dir: String) {
        mkdir(dir, 0o770)
        if let group = getgrnam("qsentry") { chown(dir, uid_t.max, group.pointee.gr_gid) }
        chmod(dir, 0o2770)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public var logDirectory: String { path + "/log" }
    public var runDirectory: String { path + "/run" }

    /// Writes a file under the root, creating folders; returns its absolute path.
    @discardableResult
    public func write(_ relative: String, _ text: String, mode: Int = 0o644) throws -> String {
        let p = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try HarnessFile.write(p, Data(text.utf8), mode: mode_t(mode))
        return p
    }

    /// The environment the suite's programs run with: this root as `$QMAIL`.
    public func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["QMAIL"] = path
        for (k, v) in extra { env[k] = v }
        return env
    }
}
