import Foundation

/// `redis-server` on a loopback port, nothing saved to disk.
public final class Redis: @unchecked Sendable {
    /// Keeps the root, and with it the server's files, alive as long as the server.
    private let owner: TempQmailRoot
    public let server: ServerProcess
    public let port: UInt16

    /// The unix socket it also listens on.
    public let socketPath: String

    /// Its requirepass, which `cli` gives redis-cli; nil for none.
    public let password: String?

    /// `arguments`: more of redis-server's options (`--replicaof HOST PORT` for a replica);
    /// `password`: its requirepass (and the masterauth a replica of a server with the same one needs).
    public init(root: TempQmailRoot, arguments: [String] = [], password: String? = nil) throws {
        owner = root
        self.password = password
        port = try Ports.free()
        let dir = root.runDirectory + "/redis-\(port)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        socketPath = dir + "/redis.sock"
        let server = try ServerProcess(name: "redis-\(port)", executable: "redis-server",
            arguments: ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
                        "--unixsocket", socketPath, "--unixsocketperm", "700"]
                + (password.map { ["--requirepass", $0, "--masterauth", $0] } ?? []) + arguments,
            logDirectory: root.logDirectory)
        self.server = server
        try server.waitUntil("redis to answer PING") { (try? cli("PING").stdout.contains("PONG")) ?? false }
    }

    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Runs one command with the real `redis-cli`.
    @discardableResult
    public func cli(_ args: String...) throws -> RunResult {
        try Run.command("redis-cli", ["-p", "\(port)"] + (password.map { ["-a", $0, "--no-auth-warning"] } ?? []) + args, timeout: 10)
    }

    /// A field of `INFO` (e.g. `total_reads_processed`, `role`).
    public func info(_ field: String) throws -> String? {
        for line in try cli("INFO").stdout.split(whereSeparator: \.isNewline) where line.hasPrefix(field + ":") {
            return String(line.dropFirst(field.count + 1))
        }
        return nil
    }

    /// The server's own pid (not the watchdog's), for SIGKILL and SIGSTOP.
    public func pid() throws -> pid_t {
        guard let p = try info("process_id").flatMap({ pid_t($0) }) else { throw HarnessError.startFailed("redis: no process_id") }
        return p
    }
}

/// Redis Sentinel on loopback (P5): a master, a replica and three sentinels watching them with a
/// quorum of two and a one-second down-after, so a failover takes a few seconds.
public final class RedisSentinels: @unchecked Sendable {
    public let master: Redis
    public let replica: Redis
    public let sentinelPorts: [UInt16]
    private let sentinels: [ServerProcess]
    public let name = "qsmaster"
    /// The sentinels' own requirepass; nil for none.
    public let sentinelPassword: String?

    /// `password`: the master's and the replica's requirepass (the sentinels get it as auth-pass);
    /// `sentinelPassword`: the sentinels' own.
    public init(root: TempQmailRoot, password: String? = nil, sentinelPassword: String? = nil) throws {
        self.sentinelPassword = sentinelPassword
        let master = try Redis(root: root, password: password)
        let replica = try Redis(root: root, arguments: ["--replicaof", "127.0.0.1", "\(master.port)"], password: password)
        self.master = master
        self.replica = replica
        try Run.wait(for: "the replica to sync", timeout: 20) { (try? replica.info("master_link_status")) == "up" }
        var ports: [UInt16] = []
        var servers: [ServerProcess] = []
        for _ in 0..<3 {
            let port = try Ports.free()
            let dir = root.runDirectory + "/sentinel-\(port)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // Sentinel rewrites its file as it learns: each its own, writable.
            let conf = dir + "/sentinel.conf"
            try """
            port \(port)
            bind 127.0.0.1
            dir \(dir)
            sentinel monitor qsmaster 127.0.0.1 \(master.port) 2
            sentinel down-after-milliseconds qsmaster 1000
            sentinel failover-timeout qsmaster 10000
            sentinel parallel-syncs qsmaster 1
            \(password.map { "sentinel auth-pass qsmaster \"\($0)\"" } ?? "")
            \(sentinelPassword.map { "requirepass \"\($0)\"\nsentinel sentinel-pass \"\($0)\"" } ?? "")

            """.write(toFile: conf, atomically: true, encoding: .utf8)
            servers.append(try ServerProcess(name: "sentinel-\(port)", executable: "redis-server", arguments: [conf, "--sentinel"],
                                             logDirectory: root.logDirectory))
            ports.append(port)
        }
        sentinels = servers
        sentinelPorts = ports
        // A failover needs each sentinel to know the replica and the two other sentinels (hello
        // messages every two seconds through the master).
        for port in ports {
            try Run.wait(for: "sentinel \(port) to see its peers and the replica", timeout: 30) {
                let peers = (try? Self.sentinelCLI(port, sentinelPassword, "SENTINEL", "sentinels", self.name).stdout) ?? ""
                let replicas = (try? Self.sentinelCLI(port, sentinelPassword, "SENTINEL", "replicas", self.name).stdout) ?? ""
                // redis-cli prints each entry's fields a line each: one "runid" line a peer.
                return peers.split(whereSeparator: \.isNewline).filter { $0 == "runid" }.count >= 2
                    && replicas.contains("\(replica.port)")
            }
        }
    }

    /// `control/qsentry/store`'s line for these sentinels; `timeout` the deadline in milliseconds.
    public func url(timeout: Int? = nil) -> String {
        "sentinel://" + sentinelPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "/\(name)" + (timeout.map { "?timeout=\($0)" } ?? "")
    }

    static func sentinelCLI(_ port: UInt16, _ password: String?, _ args: String...) throws -> RunResult {
        try Run.command("redis-cli", ["-p", "\(port)"] + (password.map { ["-a", $0, "--no-auth-warning"] } ?? []) + args, timeout: 10)
    }

    /// The master's port as the first sentinel names it.
    public func currentMasterPort() throws -> UInt16? {
        let words = try Self.sentinelCLI(sentinelPorts[0], sentinelPassword, "SENTINEL", "get-master-addr-by-name", name).stdout.split(whereSeparator: \.isNewline)
        return words.count == 2 ? UInt16(words[1]) : nil
    }

    /// Kills the master outright (SIGKILL: no goodbye to its clients or sentinels).
    public func killMaster() throws {
        kill(try master.pid(), SIGKILL)
    }

    /// Waits until every sentinel names the replica and the replica says it is the master.
    public func waitForFailover(timeout: TimeInterval = 60) throws {
        try Run.wait(for: "the sentinels to promote the replica", timeout: timeout) {
            sentinelPorts.allSatisfy { port in
                ((try? Self.sentinelCLI(port, sentinelPassword, "SENTINEL", "get-master-addr-by-name", name).stdout) ?? "").contains("\(replica.port)")
            } && (try? replica.info("role")) == "master"
        }
    }
}
