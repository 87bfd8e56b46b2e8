#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSystemSupport

/// A pipe whose two ends are both close-on-exec: a child gets an end only as the descriptor a dup2
/// gives it (posix_spawn's file actions), never as itself. One system call (pipe2), where pipe and
/// a fcntl an end took three; and two plain descriptors, where an `[Int32]` made the runtime build
/// that Array type (some 7,000 instructions a process, bench/queue-instructions.sh).
public struct PipeEnds {
    public let read: Int32
    public let write: Int32

    /// A new pipe, or nil with errno set.
    public static func make() -> PipeEnds? {
        var read: Int32 = -1, write: Int32 = -1
        guard qsentry_pipe(&read, &write) == 0 else { return nil }
        return PipeEnds(read: read, write: write)
    }

    /// Closes both ends (after a failed spawn).
    public func closeBoth() {
        close(read)
        close(write)
    }
}
