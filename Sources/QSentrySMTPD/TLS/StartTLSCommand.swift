import QSentryCore

/// E15: STARTTLS (RFC 3207). qsentry-smtpd ends TLS itself, so every rule keeps seeing the
/// plaintext session and qmail-smtpd needs no TLS patch.
extension SMTPSession {
    /// Handles STARTTLS; false when the session must end (the handshake failed).
    func startTLS(_ argument: String) -> Bool {
        guard case .ready(let settings) = tls, tlsTransport == nil else {
            reply(tlsTransport == nil ? SMTPReply(502, "5.5.1", "command not implemented")
                                      : SMTPReply(503, "5.5.1", "TLS already active"))
            return true
        }
        if !argument.trimmed.isEmpty { reply(SMTPReply(501, "5.5.4", "syntax: STARTTLS")); return true }
        if sender != nil { reply(SMTPReply(503, "5.5.1", "STARTTLS not permitted during a mail transaction")); return true }
        // OpenSSL is loaded only now (see TLSSettings): a certificate that does not load is 454, the session goes on.
        let context: TLSContext
        do { context = try TLSContext(settings) } catch {
            logTLS("error", "\(error)")
            reply(SMTPReply(454, "4.7.0", "TLS not available due to temporary reason"))
            return true
        }
        // The command-injection rule: what the client pipelined after STARTTLS in plaintext is thrown away,
        // never run inside the TLS session.
        if reader.hasBuffered { logTLS("warning", "discarded commands pipelined after STARTTLS") }
        reader.discardBuffered()
        writer.send(SMTPReply(220, "2.0.0", "ready to start TLS"))
        guard writer.flush() else { return false }
        let transport: TLSTransport
        do {
            transport = try TLSTransport(context: context, handshakeSeconds: settings.handshakeSeconds,
                                         idleSeconds: reader.timeoutSeconds)
        } catch {
            logTLS("error", "\(error)")
            return false
        }
        connection.transport = transport
        tlsTransport = transport
        var l = LogLine()
        l.add("ip", state.ipText)
        l.add("tls", transport.protocolVersion)
        l.add("cipher", transport.cipherName)
        l.emit()
        // RFC 3207 4.2: forget what the client said before TLS (HELO, and any AUTH). The qmail-smtpd that
        // saw the plaintext HELO is ended; a new one starts with the TLS variables set.
        helo = ""
        state.authUser = nil
        resetTransaction(tellChild: false)
        restartChild()
        return true
    }

    /// ucspi-ssl's names for the TLS facts, for qmail-smtpd and the programs it runs.
    var tlsEnvironment: [(String, String)] {
        guard let t = tlsTransport else { return [] }
        return [(EnvironmentContract.sslProtocol.name, t.protocolVersion),
                (EnvironmentContract.sslCipher.name, t.cipherName),
                (EnvironmentContract.sslCipherBits.name, String(t.cipherBits))]
    }

    func logTLS(_ key: String, _ text: String) {
        var l = LogLine()
        l.add("ip", state.ipText)
        l.add(key, "tls: \(text)")
        l.emit()
    }
}
