#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import QSentryCore

/// C10: waits `milliseconds` before the greeting and watches fd 0. An SMTP client must wait
/// for the greeting; a bot that talks first gives itself away.
public enum EarlyTalker {
    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    public static let texts: KeyValuePairs<String, String> = [
        "early-talker": "Protocol error: you talked before the greeting",
    ]
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("greetdelay", .qsentry, .integer(0...60000), "greeting delay for early-talker detection, ms (C10)"),
    ]
    public enum Outcome: Equatable { case quiet, talked, hungUp }

    public static func watch(milliseconds: Int, fd: Int32 = 0) -> Outcome {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var remaining = milliseconds
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        while remaining > 0 {
            let n = poll(&p, 1, Int32(remaining))
            if n == 0 { return .quiet }
            if n < 0 {
                if errno != EINTR { return .quiet }
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                remaining = milliseconds - Int(now.tv_sec - start.tv_sec) * 1000 - Int(now.tv_nsec - start.tv_nsec) / 1_000_000
                continue
            }
            var byte: UInt8 = 0
            let r = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            if r > 0 { return .talked }
            if r == 0 { return .hungUp }
            // Not a socket (a pipe in tests): fall back to a plain read.
            let rr = read(fd, &byte, 1)
            return rr > 0 ? .talked : .hungUp
        }
        return .quiet
    }
}
