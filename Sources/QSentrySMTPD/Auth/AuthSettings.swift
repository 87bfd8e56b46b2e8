import QSentryCore

/// E14/E15 settings: the checkpassword program, whether AUTH waits for TLS, how many
/// failed attempts a session gets and how long each failure is answered late.
public struct AuthSettings {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("checkpassword", .qsentry, .text, "checkpassword command line for SMTP AUTH (E14)"),
        .init("auth-requires-tls", .qsentry, .integer(0...1), "1 (default): AUTH only after STARTTLS (E15)"),
        .init("auth-failures", .qsentry, .integer(1...100), "failed AUTH attempts per session before 421 and a ban event; default 3 (E14)"),
        .init("auth-delay", .qsentry, .integer(0...60), "seconds before a failed AUTH is answered; default 2 (E15)"),
    ]
    public var checkPassword: CheckPassword?
    /// `auth-requires-tls` (default 1): AUTH is neither advertised nor taken before STARTTLS.
    public var requiresTLS: Bool
    /// `auth-failures` (default 3): failed attempts before 421 and an auth-failure event.
    public var failureLimit: Int
    /// `auth-delay` (default 2, as Dovecot's auth_failure_delay): seconds before a failed
    /// attempt is answered, so guessing costs the guesser time.
    public var failureDelaySeconds: Int

    public init(checkPassword: CheckPassword?, requiresTLS: Bool = true, failureLimit: Int = 3, failureDelaySeconds: Int = 2) {
        self.checkPassword = checkPassword
        self.requiresTLS = requiresTLS
        self.failureLimit = failureLimit
        self.failureDelaySeconds = failureDelaySeconds
    }

    public static func load(_ root: QmailRoot) throws -> AuthSettings {
        AuthSettings(checkPassword: try CheckPassword.load(root),
                     requiresTLS: try ControlFile.integer(root.qsentry("auth-requires-tls"), default: 1, range: 0...1) == 1,
                     failureLimit: try ControlFile.integer(root.qsentry("auth-failures"), default: 3, range: 1...100),
                     failureDelaySeconds: try ControlFile.integer(root.qsentry("auth-delay"), default: 2, range: 0...60))
    }

    /// Whether AUTH is offered now.
    public func available(tls: Bool) -> Bool { checkPassword != nil && (tls || !requiresTLS) }
}
