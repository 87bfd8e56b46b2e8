import Foundation

/// ucspi-tcp's `tcpserver` on 127.0.0.1 and a port the kernel picks (`-1` prints it), running `command`.
public final class TCPServer: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public let server: ServerProcess
    public let port: UInt16

    /// - Parameters:
    ///   - rules: a tcprules cdb for `-x`, if any.
    ///   - options: more tcpserver options (`-c 200`, `-u …`).
    public init(root: TempQmailRoot, command: [String], rules: String? = nil, options: [String] = [],
                environment: [String: String]? = nil, name: String = "tcpserver") throws {
        owner = root
        var args = ["-1", "-v", "-R", "-H", "-l0"] + options
        if let rules { args += ["-x", rules] }
        args += ["127.0.0.1", "0"] + command
        let server = try ServerProcess(name: name, executable: "tcpserver", arguments: args,
                                       environment: environment ?? root.environment(), logDirectory: root.logDirectory)
        self.server = server
        var found: UInt16? = nil
        try server.waitUntil("tcpserver to print its port") {
            found = server.stdout.split(separator: "\n").first.flatMap { UInt16($0.trimmingCharacters(in: .whitespaces)) }
            return found != nil
        }
        port = found!
    }

    public var address: String { "127.0.0.1:\(port)" }

    /// Compiles tcprules lines (`192.0.2.:allow,RBLSMTPD="-no"`) into a cdb with the real `tcprules`.
    public static func compileRules(_ text: String, in root: TempQmailRoot) throws -> String {
        let cdb = root.path + "/tcp.smtp.cdb"
        let r = try Run.command("tcprules", [cdb, cdb + ".tmp"], stdin: Data(text.utf8))
        guard r.status == 0 else { throw HarnessError.startFailed("tcprules: \(r.stderr)") }
        return cdb
    }
}
