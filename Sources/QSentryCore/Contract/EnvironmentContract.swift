/// Every environment variable the suite reads or sets, in one place.
///
/// tcprules can set any `QSENTRY_*` variable per client (`=192.0.2.:allow,QSENTRY_DNSBL_THRESHOLD="2"`);
/// qmail's and ucspi-tcp's variables keep their meanings. `qsentry env` prints this table.
public struct EnvironmentVariable: Sendable, Equatable {
    public let name: String
    /// Who sets it: "tcpserver", "tcprules", "qsentry-conn", "qmail-local", "admin" …
    public let setBy: String
    /// Who reads it.
    public let readBy: String
    public let meaning: String
}

public enum EnvironmentContract {
    // qmail and ucspi-tcp
    public static let qmail = EnvironmentVariable(name: "QMAIL", setBy: "admin, tests", readBy: "all",
        meaning: "qmail root directory; default /var/qmail")
    public static let tcpRemoteIP = EnvironmentVariable(name: "TCPREMOTEIP", setBy: "tcpserver", readBy: "conn, smtpd, queue",
        meaning: "the client's IP address")
    public static let tcpRemoteHost = EnvironmentVariable(name: "TCPREMOTEHOST", setBy: "tcpserver (unless -H)", readBy: "conn",
        meaning: "the client's host name from reverse DNS, when tcpserver looked it up")
    public static let tcpRemoteInfo = EnvironmentVariable(name: "TCPREMOTEINFO", setBy: "tcpserver -r; qsentry-smtpd after AUTH", readBy: "qmail-smtpd",
        meaning: "ident answer; qsentry-smtpd sets it to the authenticated user for qmail-smtpd's Received line")
    public static let tcpLocalIP = EnvironmentVariable(name: "TCPLOCALIP", setBy: "tcpserver", readBy: "smtpd",
        meaning: "the server address the client connected to")
    public static let relayClient = EnvironmentVariable(name: "RELAYCLIENT", setBy: "tcprules; qsentry-smtpd after AUTH", readBy: "conn, smtpd, qmail-smtpd",
        meaning: "set: the client may relay and skips every filter (customer-sent mail)")
    public static let rblsmtpd = EnvironmentVariable(name: "RBLSMTPD", setBy: "tcprules", readBy: "conn",
        meaning: "rblsmtpd's meaning: unset = check; empty = skip all checks; text = refuse with it (451); -text = refuse permanently (553)")
    public static let qmailQueue = EnvironmentVariable(name: "QMAILQUEUE", setBy: "tcprules / run script", readBy: "qmail-smtpd",
        meaning: "the queue program qmail-smtpd runs; set to qsentry-queue")

    // qsentry's own
    public static let deferToSMTPD = EnvironmentVariable(name: "QSENTRY_DEFER_TO_SMTPD", setBy: "tcprules", readBy: "conn",
        meaning: "1: conn does not answer a refusal itself but exports it for qsentry-smtpd to apply at RCPT")
    public static let connVerdict = EnvironmentVariable(name: "QSENTRY_CONN_VERDICT", setBy: "qsentry-conn", readBy: "smtpd",
        meaning: "conn's verdict for this client: refuse or defer (unset = accepted)")
    public static let connRule = EnvironmentVariable(name: "QSENTRY_CONN_RULE", setBy: "qsentry-conn", readBy: "smtpd",
        meaning: "the rule behind QSENTRY_CONN_VERDICT (dnsbl, rdns, ipblock …)")
    public static let connText = EnvironmentVariable(name: "QSENTRY_CONN_TEXT", setBy: "qsentry-conn", readBy: "smtpd",
        meaning: "the refusal text behind QSENTRY_CONN_VERDICT")
    public static let smtpdSession = EnvironmentVariable(name: "QSENTRY_SMTPD", setBy: "qsentry-smtpd (for its qmail-smtpd)", readBy: "queue",
        meaning: "1: qsentry-smtpd wrote the message's X-QSentry-Session header (clients' copies are stripped)")
    public static let sslProtocol = EnvironmentVariable(name: "SSL_PROTOCOL", setBy: "qsentry-smtpd after STARTTLS (ucspi-ssl's name)", readBy: "qmail-smtpd, queue",
        meaning: "the TLS version of the client's session (TLSv1.2, TLSv1.3); unset for plain SMTP")
    public static let sslCipher = EnvironmentVariable(name: "SSL_CIPHER", setBy: "qsentry-smtpd after STARTTLS (ucspi-ssl's name)", readBy: "qmail-smtpd, queue",
        meaning: "OpenSSL's name of the session's cipher")
    public static let sslCipherBits = EnvironmentVariable(name: "SSL_CIPHER_USEKEYSIZE", setBy: "qsentry-smtpd after STARTTLS (ucspi-ssl's name)", readBy: "qmail-smtpd, queue",
        meaning: "secret bits of the session's cipher")
    public static let realQueue = EnvironmentVariable(name: "QSENTRY_QMAILQUEUE", setBy: "admin", readBy: "queue",
        meaning: "the real qmail-queue qsentry-queue hands accepted mail to; default $QMAIL/bin/qmail-queue")
    public static let testQmail = EnvironmentVariable(name: "QSENTRY_TEST_QMAIL", setBy: "tester", readBy: "tests",
        meaning: "path of a real qmail install; tests that need one are skipped without it")

    /// The whole table, in the order `qsentry env` prints it.
    public static let all: [EnvironmentVariable] = [
        qmail, tcpRemoteIP, tcpRemoteHost, tcpRemoteInfo, tcpLocalIP, relayClient, rblsmtpd, qmailQueue,
        deferToSMTPD, connVerdict, connRule, connText, smtpdSession, sslProtocol, sslCipher, sslCipherBits, realQueue, testQmail,
    ]
}
