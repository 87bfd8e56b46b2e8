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
        guard milliseconds > 0, FileBytes.waitReadable(fd, milliseconds: milliseconds) == true else { return .quiet }
        var byte: UInt8 = 0
        let r = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if r > 0 { return .talked }
        if r == 0 { return .hungUp }
        // Not a socket (a pipe in tests): fall back to a plain read.
        let rr = read(fd, &byte, 1)
        return rr > 0 ? .talked : .hungUp
    }
}
