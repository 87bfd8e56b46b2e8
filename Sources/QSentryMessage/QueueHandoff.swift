#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// Hands an accepted message to the real qmail-queue exactly as qmail-smtpd would have: the
/// message (our header fields first) on its fd 0, then the envelope on its fd 1. Returns
/// qmail-queue's exit code, which the caller exits with.
public enum QueueHandoff {
    /// `QSENTRY_QMAILQUEUE`, else `$QMAIL/bin/qmail-queue`.
    public static func program(_ root: QmailRoot) -> String {
        Environment.get(EnvironmentContract.realQueue.name).flatMap { $0.isEmpty ? nil : $0 } ?? root.path + "/bin/qmail-queue"
    }

    public static func run(_ program: String, writeMessage: (Int32) -> Bool, envelope: [UInt8]) -> Int32 {
        var message: [Int32] = [0, 0]
        var envelopePipe: [Int32] = [0, 0]
        guard pipe(&message) == 0 else { return QueueExit.writeError.rawValue }
        guard pipe(&envelopePipe) == 0 else {
            message.forEach { close($0) }
            return QueueExit.writeError.rawValue
        }
        // Close-on-exec: qmail-queue gets them only as its fds 0 and 1 (dup2 clears the flag there).
        for fd in message + envelopePipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try Exec.spawn([program]) { actions in
                posix_spawn_file_actions_adddup2(&actions, message[0], 0)
                posix_spawn_file_actions_adddup2(&actions, envelopePipe[0], 1)
            }
        } catch {
            (message + envelopePipe).forEach { close($0) }
            log("cannot run \(program): \(error)")
            return QueueExit.temporaryRefusal.rawValue  // qmail-queue could not be run: the sender retries
        }
        close(message[0])
        close(envelopePipe[0])
        signal(SIGPIPE, SIG_IGN)
        // qmail-queue reads the whole message, then the envelope: write them in that order.
        var ok = writeMessage(message[1])
        close(message[1])
        if ok { ok = (try? FileBytes.writeAll(envelopePipe[1], envelope, path: "envelope")) != nil }
        close(envelopePipe[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        if !exited {
            log("\(program) crashed (signal \(status & 0x7F))")
            return QueueExit.internalBug.rawValue
        }
        let code = (status >> 8) & 0xFF
        // qmail-queue stopping early makes our write fail: its own code says why.
        if !ok && code == 0 { return QueueExit.writeError.rawValue }
        return code
    }

    static func log(_ text: String) {
        var l = LogLine()
        l.add("error", text)
        l.emit()
    }
}
