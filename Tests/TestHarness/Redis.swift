import Foundation

/// `redis-server` on a loopback port, nothing saved to disk.
public final class Redis: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public let server: ServerProcess
    public let port: UInt16

    /// The unix socket it also listens on.
    public let socketPath: String

    public init(root: TempQmailRoot) throws {
        owner = root
        port = try Ports.free()
        let dir = root.runDirectory + "/redis-\(port)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        socketPath = dir + "/redis.sock"
        let server = try ServerProcess(name: "redis", executable: "redis-server",
            arguments: ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
                        "--unixsocket", socketPath, "--unixsocketperm", "700"],
            logDirectory: root.logDirectory)
        self.server = server
        try server.waitUntil("redis to answer PING") { (try? cli("PING").stdout.contains("PONG")) ?? false }
    }

    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Runs one command with the real `redis-cli`.
    @discardableResult
    public func cli(_ args: String...) throws -> RunResult {
        try Run.command("redis-cli", ["-p", "\(port)"] + args, timeout: 10)
    }
}
