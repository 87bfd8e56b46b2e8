import Foundation

/// The real p0f (v3), sniffing the loopback interface, answering on its API socket.
public final class P0f: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public let server: ServerProcess
    public let socketPath: String

    public init(root: TempQmailRoot) throws {
        owner = root
        socketPath = root.runDirectory + "/p0f-\(UUID().uuidString.prefix(6)).sock"
        let server = try ServerProcess(name: "p0f", executable: "p0f",
                                       arguments: ["-i", "lo", "-s", socketPath, "-f", "/etc/p0f/p0f.fp"],
                                       logDirectory: root.logDirectory)
        self.server = server
        try server.waitUntil("p0f's API socket") { FileManager.default.fileExists(atPath: socketPath) }
    }
}
