import QSentryCore

/// A3, A8: the web console's control files (its server is QSentryWeb; what it does to mail and
/// lists is this folder, shared with the CLI).
public enum WebConsole {
    public static let controlFiles: [ControlFileSpec] = [
        .init("web-url", .qsentry, .text, "the web console's address as users reach it, for the digest's links (A8)"),
        .init("web-key", .qsentry, .text, "secret key of the digest's release links, 64 hex digits from openssl rand -hex 32 (A8)"),
        .init("web-proxies", .qsentry, .ipList, "reverse proxies whose X-Forwarded-For and -Proto the console believes (A3)"),
        .init("web-users", .qsentry, .checkedBy({ lines, path in WebUsers.parse(lines, path: path).1 }),
              "the console's administrators, name:crypt-hash; qsentry web passwd NAME (A3)"),
    ]
}
