import QSentryCore

/// E14/E15 settings: the checkpassword program, whether AUTH waits for TLS, how many
/// failed attempts a session gets.
public struct AuthSettings {
    public var checkPassword: CheckPassword?
    /// `auth-requires-tls` (default 1): AUTH is neither advertised nor taken before STARTTLS.
    public var requiresTLS: Bool
    /// `auth-failures` (default 3): failed attempts before 421 and an auth-failure event.
    public var failureLimit: Int

    public init(checkPassword: CheckPassword?, requiresTLS: Bool = true, failureLimit: Int = 3) {
        self.checkPassword = checkPassword
        self.requiresTLS = requiresTLS
        self.failureLimit = failureLimit
    }

    public static func load(_ root: QmailRoot) throws -> AuthSettings {
        AuthSettings(checkPassword: try CheckPassword.load(root),
                     requiresTLS: try ControlFile.integer(root.qsentry("auth-requires-tls"), default: 1, range: 0...1) == 1,
                     failureLimit: try ControlFile.integer(root.qsentry("auth-failures"), default: 3, range: 1...100))
    }

    /// Whether AUTH is offered now.
    public func available(tls: Bool) -> Bool { checkPassword != nil && (tls || !requiresTLS) }
}
