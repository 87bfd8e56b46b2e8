#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryCore

/// `qsentry web [--listen ADDR:PORT] [--user NAME] [--log DIR]… [--tls]`: parses, becomes the
/// console's user (PrivilegeDrop), and serves until stopped. Never serves as root.
public struct WebMain: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "qsentry web",
        abstract: "Serve the web console (quarantine, lists, bans, statistics) over HTTP or HTTPS.",
        discussion: """
            Started as root (supervise), it becomes --user, with that user's groups, before it reads anything; \
            started as any other user it stays that user. It refuses to serve as root. Behind a reverse proxy, list \
            the proxy in control/qsentry/web-proxies; for native TLS give --tls (STARTTLS's tls-cert and tls-key) or \
            --tls-cert and --tls-key.
            """,
        version: Program.version)

    @Option(name: .long, help: "Address and port to listen on.") var listen = "127.0.0.1:8025"
    @Option(name: .long, help: "The user to serve as when started as root.") var user: String?
    @Option(name: .long, help: "A multilog directory or log file for the statistics page (repeatable).") var log: [String] = []
    @Flag(name: .long, help: "Serve HTTPS with control/qsentry/tls-cert and tls-key.") var tls = false
    @Option(name: .long, help: "PEM certificate chain for HTTPS.") var tlsCert: String?
    @Option(name: .long, help: "PEM private key for HTTPS (default: in the certificate file).") var tlsKey: String?

    public init() {}

    /// Parses and becomes the console's user, on the main thread before any other thread exists:
    /// called from an async context, setuid ran on a worker thread and the main thread stayed root
    /// (the deployment suite saw uid 0 in /proc beside six threads of qsentryweb).
    public static func prepare(_ arguments: [String]) -> ParsableCommand {
        do {
            let command = try parseAsRoot(Array(arguments.dropFirst()))
            if let main = command as? WebMain { try PrivilegeDrop.become(main.user) }
            return command
        } catch {
            exit(withError: error)
        }
    }

    public static func run(_ prepared: ParsableCommand) async {
        do {
            var command = prepared
            if var asynchronous = command as? AsyncParsableCommand { try await asynchronous.run() } else { try command.run() }
        } catch {
            exit(withError: error)
        }
    }

    public func validate() throws {
        guard Self.listenAddress(listen) != nil else { throw ValidationError("--listen: expected ADDRESS:PORT, got \(listen)") }
    }

    static func listenAddress(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(s[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    public func run() async throws {
        guard geteuid() != 0 else { throw ValidationError("refusing to serve as root") }
        let root = QmailRoot.fromEnvironment()
        var settings = ConsoleServer.Settings(root: root)
        (settings.host, settings.port) = Self.listenAddress(listen)!
        settings.logs = log
        if tls {
            settings.certificate = try ControlFile.value(root.qsentry("tls-cert"))?.text.trimmed
            settings.key = try ControlFile.value(root.qsentry("tls-key"))?.text.trimmed
            if settings.certificate == nil { throw ValidationError("--tls: control/qsentry/tls-cert is not set") }
        }
        if let tlsCert { settings.certificate = tlsCert; settings.key = tlsKey }
        let server = try ConsoleServer(settings: settings)
        var line = LogLine()
        line.add("listen", "\(settings.host):\(settings.port)")
        line.add("tls", settings.certificate == nil ? "no" : "yes")
        line.add("user", PrivilegeDrop.currentUserName())
        line.emit()
        // The quarantine's index is read while the server starts, not by the first list request.
        Task { await server.state.warm() }
        try await server.application().runService()
    }
}

/// Becoming the console's user: its uid, its primary group and every group /etc/group gives it
/// (initgroups: the state's group and the lists' group), and never root after.
public enum PrivilegeDrop {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func become(_ name: String?) throws(Failure) {
        if geteuid() != 0 {
            if let name, let pw = getpwnam(name), pw.pointee.pw_uid != geteuid() {
                throw Failure(description: "--user \(name): only root can become another user (running as \(currentUserName()))")
            }
            return
        }
        guard let name else { throw Failure(description: "refusing to serve as root: give --user (install.sh makes qsentryweb)") }
        guard let pw = getpwnam(name) else { throw Failure(description: "--user \(name): no such user") }
        let uid = pw.pointee.pw_uid, gid = pw.pointee.pw_gid
        guard uid != 0 else { throw Failure(description: "--user \(name) is root: refusing to serve as root") }
        guard initgroups(name, gid) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            throw Failure(description: "cannot become \(name): \(String(cString: strerror(errno)))")
        }
        guard setuid(0) != 0, geteuid() == uid else { throw Failure(description: "still root after becoming \(name)") }
        umask(0o007)
    }

    public static func currentUserName() -> String {
        getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? String(geteuid())
    }
}
