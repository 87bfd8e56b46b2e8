import Foundation

/// `clamd` from clamav-daemon with a signature database made in the test: no download.
///
/// The database holds one `.ndb` signature for the EICAR test string, named
/// `QSentry.Test.EICAR` (clamd reports it as `QSentry.Test.EICAR.UNOFFICIAL`).
public final class Clamd: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public static let eicar = #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#
    public static let signatureName = "QSentry.Test.EICAR.UNOFFICIAL"

    public let server: ServerProcess
    public let socketPath: String
    public let tcpPort: UInt16
    public let configPath: String

    public init(root: TempQmailRoot, streamMaxLength: String = "25M") throws {
        owner = root
        let dir = root.runDirectory + "/clamd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/db", withIntermediateDirectories: true)
        let hex = Array(Clamd.eicar.utf8).map { String(format: "%02x", $0) }.joined()
        try HarnessFile.write(dir + "/db/qsentry-test.ndb", Data("QSentry.Test.EICAR:0:*:\(hex)\n".utf8))
        socketPath = dir + "/clamd.sock"
        tcpPort = try Ports.free()
        configPath = dir + "/clamd.conf"
        let conf = """
        LocalSocket \(socketPath)
        TCPSocket \(tcpPort)
        TCPAddr 127.0.0.1
        Foreground yes
        DatabaseDirectory \(dir)/db
        LogFile \(dir)/clamd.log
        PidFile \(dir)/clamd.pid
        StreamMaxLength \(streamMaxLength)
        """
        try HarnessFile.write(configPath, Data(conf.utf8))
        let server = try ServerProcess(name: "clamd", executable: "clamd", arguments: ["-c", configPath], logDirectory: root.logDirectory)
        self.server = server
        try server.waitUntil("clamd's socket", timeout: 60) { FileManager.default.fileExists(atPath: socketPath) }
    }

    /// `host:port` of the TCP socket.
    public var tcpAddress: String { "127.0.0.1:\(tcpPort)" }

    /// Scans a file with the real `clamdscan --stream`.
    public func scan(_ file: String) throws -> RunResult {
        try Run.command("clamdscan", ["-c", configPath, "--stream", "--no-summary", file])
    }
}
