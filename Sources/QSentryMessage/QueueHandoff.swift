#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// Hands an accepted message to the real qmail-queue exactly as qmail-smtpd would have: the
/// message (our header fields first) on its fd 0, then the envelope on its fd 1.
public enum QueueHandoff {
    /// `QSENTRY_QMAILQUEUE`, else `$QMAIL/bin/qmail-queue`.
    public static func program(_ root: QmailRoot) -> String {
        Environment.get(EnvironmentContract.realQueue.name).flatMap { $0.isEmpty ? nil : $0 } ?? root.path + "/bin/qmail-queue"
    }

    /// Becomes `program`, as qmail-smtpd's own qmail-queue would have been run: the message that
    /// `writeMessage` writes, in an anonymous file in `spoolDirectory`, on its fd 0, and the
    /// envelope on its fd 1 (`envelopeReader`; qmail-queue reads both with read(2), from where
    /// they stand). qmail-queue's code, or its crash, then reaches qmail-smtpd with no qsentry process
    /// between: no fork, no wait, no pipe to copy through, one process less for each message (simscan's
    /// way). Returns only when that could not be done, with the temporary code to exit with.
    public static func replace(with program: String, spoolDirectory: String, writeMessage: (Int32) -> Bool,
                               envelope: [UInt8]) -> Int32 {
        let message: Int32, envelopeFD: Int32
        do {
            message = try MessageSpool.open(spoolDirectory)
            envelopeFD = try envelopeReader(envelope, spoolDirectory: spoolDirectory)
        } catch {
            log("\(error)")
            return QueueExit.writeError.rawValue
        }
        guard writeMessage(message) else {
            log("cannot write the message for \(program) in \(spoolDirectory): \(String(cString: strerror(errno)))")
            return QueueExit.writeError.rawValue
        }
        guard lseek(message, 0, SEEK_SET) == 0 else {
            log("cannot rewind the message for \(program) in \(spoolDirectory): \(String(cString: strerror(errno)))")
            return QueueExit.writeError.rawValue
        }
        // Both are close-on-exec; their copies on 0 and 1 are not (dup2 clears the flag).
        guard dup2(message, 0) == 0, dup2(envelopeFD, 1) == 1 else {
            log("cannot put the message and envelope on descriptors 0 and 1 for \(program): \(String(cString: strerror(errno)))")
            return QueueExit.writeError.rawValue
        }
        // An ignored signal stays ignored across exec: qmail-queue gets SIGPIPE as posix_spawn gave it.
        signal(SIGPIPE, SIG_DFL)
        let why = Exec.replace(with: [program])
        log(why)
        return QueueExit.temporaryRefusal.rawValue  // qmail-queue could not be run: the sender retries
    }

    /// A descriptor to read `envelope` from, close-on-exec: a pipe already holding it when it fits in
    /// the pipe's buffer (nearly always: 64 KB, some 1,500 recipients), else an anonymous file in
    /// `spoolDirectory`, which holds any size (qmail-smtpd allows more recipients than a pipe holds).
    static func envelopeReader(_ envelope: [UInt8], spoolDirectory: String) throws(MessageSpool.Failure) -> Int32 {
        if let ends = PipeEnds.make() {
            // F_GETPIPE_SZ (Linux; Glibc hides it from Swift without _GNU_SOURCE). Never more than
            // the buffer: with no reader yet, the write would wait for ever.
            let getPipeSize: Int32 = 1024 + 8
            if Int(fcntl(ends.write, getPipeSize)) >= envelope.count,
               (try? FileBytes.writeAll(ends.write, envelope, path: "envelope")) != nil {
                close(ends.write)
                return ends.read
            }
            ends.closeBoth()
        }
        let file = try MessageSpool.open(spoolDirectory)
        do {
            try FileBytes.writeAll(file, envelope, path: "envelope")
        } catch {
            close(file)
            throw .write("\(error)")
        }
        guard lseek(file, 0, SEEK_SET) == 0 else {
            close(file)
            throw .write("envelope: \(String(cString: strerror(errno)))")
        }
        return file
    }

    /// Runs `program` as a child and waits for it (a release from the quarantine, which goes on
    /// after it): the message `writeMessage` writes through a pipe on its fd 0, the envelope through
    /// another on its fd 1. Returns qmail-queue's exit code.
    public static func run(_ program: String, writeMessage: (Int32) -> Bool, envelope: [UInt8]) -> Int32 {
        // Close-on-exec: qmail-queue gets them only as its fds 0 and 1 (dup2 clears the flag there).
        guard let message = PipeEnds.make() else { return QueueExit.writeError.rawValue }
        guard let envelopePipe = PipeEnds.make() else {
            message.closeBoth()
            return QueueExit.writeError.rawValue
        }
        let pid: pid_t
        do {
            pid = try Exec.spawn([program]) { actions in
                posix_spawn_file_actions_adddup2(&actions, message.read, 0)
                posix_spawn_file_actions_adddup2(&actions, envelopePipe.read, 1)
            }
        } catch {
            message.closeBoth()
            envelopePipe.closeBoth()
            log("cannot run \(program): \(error)")
            return QueueExit.temporaryRefusal.rawValue  // qmail-queue could not be run: the sender retries
        }
        close(message.read)
        close(envelopePipe.read)
        signal(SIGPIPE, SIG_IGN)
        // qmail-queue reads the whole message, then the envelope: write them in that order.
        var ok = writeMessage(message.write)
        close(message.write)
        if ok { ok = (try? FileBytes.writeAll(envelopePipe.write, envelope, path: "envelope")) != nil }
        close(envelopePipe.write)
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
