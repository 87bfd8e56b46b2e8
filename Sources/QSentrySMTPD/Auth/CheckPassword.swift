#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// E14: asks a checkpassword-compatible program (djb's interface, as vchkpw and
/// checkpassword-pam speak it) whether a user and password are good. The program reads
/// `user\0password\0timestamp\0` on fd 3 and exits 0 (good, after running its sub-program),
/// 1 or 100 (bad: cvm-checkpassword uses 100) or 111 (temporary trouble).
public struct CheckPassword {
    public enum Answer: Equatable, Sendable {
        case good, bad
        case temporary(String)
    }

    /// `control/qsentry/checkpassword`: the program and its arguments (typically `… /bin/true`).
    public let argv: [String]
    /// A checkpassword that takes longer than this is killed, and the attempt is temporary.
    public var timeoutSeconds = 30

    public init(argv: [String]) { self.argv = argv }

    /// The command line from the control file, or nil when AUTH is not configured.
    public static func load(_ root: QmailRoot) throws -> CheckPassword? {
        guard let line = try ControlFile.value(root.qsentry("checkpassword")) else { return nil }
        let argv = line.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        return argv.isEmpty ? nil : CheckPassword(argv: argv)
    }

    public func check(user: String, password: [UInt8]) -> Answer {
        guard let fd3 = PipeEnds.make() else { return .temporary("pipe: errno \(errno)") }
        let pid: pid_t
        do {
            pid = try Exec.spawn(argv) { actions in
                // The SMTP client is on fds 0 and 1: the program must not see it.
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
                posix_spawn_file_actions_adddup2(&actions, fd3.read, 3)
            }
            close(fd3.read)
        } catch {
            fd3.closeBoth()
            return .temporary("cannot run \(argv[0]): \(error)")
        }
        // The whole record fits in a pipe buffer: user and password are limited by the caller.
        let record = Array(user.utf8) + [0] + password + [0] + Array(String(time(nil)).utf8) + [0]
        _ = try? FileBytes.writeAll(fd3.write, record, path: "checkpassword")
        close(fd3.write)
        return wait(pid)
    }

    func wait(_ pid: pid_t) -> Answer {
        let deadline = monotonicMilliseconds() + timeoutSeconds * 1000
        var status: Int32 = 0
        while true {
            let w = waitpid(pid, &status, WNOHANG)
            if w == pid { break }
            if w < 0 && errno != EINTR { return .temporary("waitpid: errno \(errno)") }
            if monotonicMilliseconds() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                return .temporary("\(argv[0]) timed out")
            }
            usleep(2000)
        }
        // WIFEXITED / WEXITSTATUS, spelled out (Glibc's macros do not import).
        guard status & 0x7f == 0 else { return .temporary("\(argv[0]) killed by signal \(status & 0x7f)") }
        switch (status >> 8) & 0xff {
        case 0: return .good
        // 1 is djb's "unacceptable"; cvm-checkpassword (Debian's cvm) says so with qmail's permanent 100.
        case 1, 100: return .bad
        case let code: return .temporary("\(argv[0]) exited \(code)")
        }
    }
}
