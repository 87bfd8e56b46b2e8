/// qmail-queue's exit codes (qmail-queue(8)): a QMAILQUEUE program must speak them,
/// because qmail-smtpd turns each into a fixed reply. 11–40 are permanent, the rest temporary.
public enum QueueExit: Int32, Sendable {
    case ok = 0
    case addressTooLong = 11
    case permanentRefusal = 31
    case outOfMemory = 51
    case timeout = 52
    case writeError = 53
    case readError = 54
    case configError = 55
    case networkError = 56
    case temporaryRefusal = 71
    case internalBug = 81
    /// notqmail's custom-error extension: the reply text was written on fd 6 (`D…` permanent, `Z…` temporary).
    case customError = 82
    case envelopeFormat = 91

    public var isPermanent: Bool { rawValue >= 11 && rawValue <= 40 }
}

/// What a `.qmail` delivery program exits with (qmail-command(8)).
public enum DeliveryExit: Int32, Sendable {
    /// Delivered; qmail-local goes on with the next .qmail line.
    case ok = 0
    /// Delivered; qmail-local ignores the rest of the .qmail file (no double delivery).
    case okStop = 99
    /// Permanent failure: the message bounces.
    case permanent = 100
    /// Temporary failure: qmail-local tries again later.
    case temporary = 111
}

/// Exit codes of the admin CLI and of tcpserver hooks.
public enum CommandExit: Int32, Sendable {
    case ok = 0
    /// `qsentry check` found problems.
    case problems = 1
    case usage = 100
    case temporary = 111
}
