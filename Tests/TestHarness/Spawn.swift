import Foundation

/// Starts programs with posix_spawn, signal mask emptied and every signal at its default.
///
/// Foundation's `Process` hands children a signal state in which a shell's
/// `wait` never returns; servers and the tools under test must start as
/// tcpserver or a shell would start them.
public final class Spawned: @unchecked Sendable {
    public let pid: pid_t
    private var exitStatus: Int32? = nil
    private let lock = NSLock()

    /// - Parameters: stdin/stdout/stderr are file paths (stdin nil = /dev/null).
    public init(_ executable: String, _ arguments: [String], environment: [String: String],
                stdin: String?, stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        guard r == 0 else { throw HarnessError.startFailed("\(executable): \(String(cString: strerror(r)))") }
        self.pid = pid
    }

    /// Whether the child still runs (reaps it once it has ended).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid || r < 0 { exitStatus = r < 0 ? -1 : status; return false }
        return true
    }

    /// The exit code (128+signal for a killed child), once ended.
    public var terminationStatus: Int32 {
        lock.lock()
        defer { lock.unlock() }
        guard let s = exitStatus else { return -1 }
        if s & 0x7f == 0 { return (s >> 8) & 0xff }
        return 128 + (s & 0x7f)
    }

    public func signal(_ sig: Int32) { if isRunning { kill(pid, sig) } }

    /// Waits for the end, up to `timeout` seconds; true when it ended.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() > deadline { return false }
            usleep(5_000)
        }
        return true
    }
}
