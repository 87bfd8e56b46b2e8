#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryStore

/// E14: `AUTH PLAIN` and `AUTH LOGIN` (RFC 4954), checked by the checkpassword program.
/// A good login makes the session trusted: it relays and skips the filters, and the next
/// qmail-smtpd started for it sees RELAYCLIENT and TCPREMOTEINFO.
extension SMTPSession {
    /// Longest SASL response line taken (a base64 PLAIN blob of user and password).
    static let maxAuthLine = 2048
    static let maxUserName = 256
    static let maxPassword = 1024

    enum Credentials {
        case login(user: String, password: [UInt8])
        case refused(SMTPReply)
        case clientGone
    }

    /// Handles one AUTH command; false when the session must end.
    func auth(_ argument: String) -> Bool {
        guard auth.checkPassword != nil else { reply(SMTPReply(502, "5.5.1", "command not implemented")); return true }
        guard auth.available(tls: tlsActive) else {
            reply(SMTPReply(538, "5.7.11", "encryption required for requested authentication mechanism"))
            return true
        }
        if state.authUser != nil { reply(SMTPReply(503, "5.5.1", "already authenticated")); return true }
        if sender != nil { reply(SMTPReply(503, "5.5.1", "AUTH not permitted during a mail transaction")); return true }
        let words = argument.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let mechanism = words.first?.uppercased(), words.count <= 2 else {
            reply(SMTPReply(501, "5.5.4", "syntax: AUTH mechanism [initial-response]"))
            return true
        }
        let initial = words.count == 2 ? words[1] : nil
        let credentials: Credentials
        switch mechanism {
        case "PLAIN": credentials = plain(initial)
        case "LOGIN": credentials = login(initial)
        default:
            reply(SMTPReply(504, "5.5.4", "unrecognized authentication type"))
            return true
        }
        switch credentials {
        case .clientGone: return false
        case .refused(let r):
            reply(r)
            return true
        case .login(let user, let password):
            return finishAuth(user: user, password: password, mechanism: mechanism)
        }
    }

    func finishAuth(user: String, password: [UInt8], mechanism: String) -> Bool {
        var l = LogLine()
        l.add("ip", state.ipText)
        l.add("auth", user)
        l.add("mechanism", mechanism)
        switch auth.checkPassword!.check(user: user, password: password) {
        case .good:
            state.authUser = user
            // A qmail-smtpd already started for this session lacks RELAYCLIENT: start one that has it.
            restartChild()
            l.add("result", "ok")
            l.emit()
            reply(SMTPReply(235, "2.7.0", "authentication successful"))
        case .temporary(let why):
            l.add("result", "temporary")
            l.add("error", why)
            l.emit()
            reply(SMTPReply(454, "4.7.0", "temporary authentication failure"))
        case .bad:
            authFailures += 1
            l.add("result", "failed")
            l.add("failures", authFailures)
            l.emit()
            if auth.failureDelaySeconds > 0 { sleep(UInt32(auth.failureDelaySeconds)) }
            if authFailures >= auth.failureLimit {
                report(.authFailure)
                writer.send(SMTPReply(421, "4.7.0", "\(hostname) too many failed authentications; closing connection"))
                writer.flush()
                return false
            }
            reply(SMTPReply(535, "5.7.8", "authentication credentials invalid"))
        }
        return true
    }

    /// PLAIN: base64 of `authzid NUL authcid NUL password`; authzid empty or the same user.
    func plain(_ initial: String?) -> Credentials {
        let response: String
        if let initial {
            response = initial == "=" ? "" : initial
        } else {
            switch challenge("") {
            case .text(let t): response = t
            case .failed(let c): return c
            }
        }
        guard let blob = Base64.decode(response) else { return .refused(SMTPReply(501, "5.5.2", "cannot decode response")) }
        let parts = blob.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .refused(SMTPReply(501, "5.5.2", "malformed PLAIN response")) }
        guard let user = userName(parts[1]) else { return .refused(SMTPReply(501, "5.5.2", "bad user name")) }
        if !parts[0].isEmpty && Array(parts[0]) != Array(parts[1]) {
            return .refused(SMTPReply(535, "5.7.8", "authorization identity not permitted"))
        }
        guard parts[2].count <= Self.maxPassword else { return .refused(SMTPReply(501, "5.5.2", "password too long")) }
        return .login(user: user, password: Array(parts[2]))
    }

    /// LOGIN: the user name (possibly the initial response) and the password, each base64.
    func login(_ initial: String?) -> Credentials {
        let userResponse: String
        if let initial {
            userResponse = initial
        } else {
            switch challenge(Base64.encode(Array("Username:".utf8))) {
            case .text(let t): userResponse = t
            case .failed(let c): return c
            }
        }
        guard let userBytes = Base64.decode(userResponse), let user = userName(userBytes[...]) else {
            return .refused(SMTPReply(501, "5.5.2", "bad user name"))
        }
        let passwordResponse: String
        switch challenge(Base64.encode(Array("Password:".utf8))) {
        case .text(let t): passwordResponse = t
        case .failed(let c): return c
        }
        guard let password = Base64.decode(passwordResponse), password.count <= Self.maxPassword, !password.contains(0) else {
            return .refused(SMTPReply(501, "5.5.2", "cannot decode password"))
        }
        return .login(user: user, password: password)
    }

    /// Sends `334 text` and reads the client's line; `*` cancels (RFC 4954 4).
    enum ChallengeAnswer {
        case text(String)
        /// Cancelled, too long, or the client went away: what the exchange ends with.
        case failed(Credentials)
    }

    func challenge(_ text: String) -> ChallengeAnswer {
        writer.send(raw: "334 \(text)\r\n")
        writer.flush()
        switch reader.readLine(max: Self.maxAuthLine) {
        case .line(let bytes):
            let line = String(decoding: bytes, as: UTF8.self).trimmed
            if line == "*" { return .failed(.refused(SMTPReply(501, "5.7.0", "authentication cancelled"))) }
            return .text(line)
        case .tooLong: return .failed(.refused(SMTPReply(500, "5.5.6", "authentication exchange line is too long")))
        case .eof, .timeout: return .failed(.clientGone)
        }
    }

    /// A user name qsentry is willing to pass on and log: printable, no spaces, not too long.
    func userName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.count <= Self.maxUserName, bytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
