#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// The unpatched qmail-smtpd (or any SMTP server on stdin/stdout) qsentry-smtpd talks to, on pipes.
///
/// Started at connect (and again when AUTH or STARTTLS changes its environment: RELAYCLIENT for
/// authenticated users, TCPREMOTEINFO, the TLS facts); at the first MAIL its greeting is consumed
/// and the client's HELO replayed to it.
public final class ChildSMTPD {
    public let pid: pid_t
    private var toChild: Int32
    private let fromChild: Int32
    private var buffer: [UInt8] = []
    static let replyTimeoutSeconds = 1200

    /// A reply from the child: every line as sent, and the code of the last.
    public struct Reply {
        public let lines: [String]
        public let code: Int
        public var wire: [UInt8] {
            var bytes: [UInt8] = []
            for line in lines { bytes += line.utf8; bytes += [13, 10] }
            return bytes
        }
        public var isPositive: Bool { code >= 200 && code < 400 }
    }

    /// `environment` is set on top of ours for this child only (a list, not a dictionary: one generic
    /// type fewer to instantiate at run time in a program that lives for one connection).
    public init(argv: [String], environment: [(String, String)]) throws {
        // Close-on-exec everywhere: the child gets its ends as fds 0 and 1 through dup2 only.
        guard let inPipe = PipeEnds.make() else { throw SystemError("pipe", path: argv[0], errno: errno) }
        guard let outPipe = PipeEnds.make() else {
            let e = errno
            inPipe.closeBoth()
            throw SystemError("pipe", path: argv[0], errno: e)
        }
        defer {
            close(inPipe.read)
            close(outPipe.write)
        }
        do {
            pid = try Exec.spawn(argv, environment: environment) { actions in
                posix_spawn_file_actions_adddup2(&actions, inPipe.read, 0)
                posix_spawn_file_actions_adddup2(&actions, outPipe.write, 1)
            }
        } catch {
            close(inPipe.write)
            close(outPipe.read)
            throw error
        }
        toChild = inPipe.write
        fromChild = outPipe.read
    }

    deinit {
        if toChild >= 0 { close(toChild) }
        close(fromChild)
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGTERM)
            waitpid(pid, &status, 0)
        }
    }

    /// Sends bytes; false when the child has gone (EPIPE).
    public func send(_ bytes: ArraySlice<UInt8>) -> Bool {
        do { try FileBytes.writeAll(toChild, bytes, path: "qmail-smtpd") } catch { return false }
        return true
    }

    public func send(_ line: String) -> Bool { send(Array((line + "\r\n").utf8)[...]) }

    /// Ends the session: QUIT, then end of input at once. Some servers (exim) wait a moment
    /// after QUIT for the client to close first; closing our end spares every session that wait.
    public func quit() {
        guard toChild >= 0 else { return }
        if send("QUIT") {
            close(toChild)
            toChild = -1
            _ = readReply()
        }
    }

    /// Reads one (possibly multi-line) reply; nil when the child died or went silent.
    public func readReply() -> Reply? {
        var lines: [String] = []
        while true {
            guard let line = readLine() else { return nil }
            lines.append(line)
            let b = Array(line.utf8)
            if b.count < 3 { return nil }
            if b.count == 3 || b[3] != UInt8(ascii: "-") {
                guard let code = Int(String(decoding: b[0..<3], as: UTF8.self)) else { return nil }
                return Reply(lines: lines, code: code)
            }
            if lines.count > 100 { return nil }
        }
    }

    private func readLine() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                var end = nl
                if end > 0 && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            if buffer.count > 4096 { return nil }
            guard FileBytes.waitReadable(fromChild, milliseconds: Self.replyTimeoutSeconds * 1000) == true else { return nil }
            // An uninitialised chunk: zeroing 4 KB for each reply was 4 K instructions of memset.
            var got = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: 4096) { room, count in
                got = FileBytes.readSome(fromChild, into: UnsafeMutableRawBufferPointer(room))
                count = max(got, 0)
            }
            if got <= 0 { return nil }
            buffer.append(contentsOf: chunk)
        }
    }
}
