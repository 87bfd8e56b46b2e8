#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import QSentryCore

/// The client side after STARTTLS: OpenSSL on tcpserver's fds 0 and 1.
///
/// The descriptors are switched to non-blocking and every OpenSSL call that wants more input
/// or output waits in poll() with a deadline, so a client that stalls in the handshake or in
/// the middle of a record cannot hold the process forever.
public final class TLSTransport: ClientTransport {
    let ssl: OpaquePointer
    let context: TLSContext
    let input: Int32
    let output: Int32
    let idleMilliseconds: Int32

    public struct HandshakeFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the server handshake; throws (the client is to be dropped) when it fails or times out.
    public init(context: TLSContext, input: Int32 = 0, output: Int32 = 1, handshakeSeconds: Int,
                idleSeconds: Int) throws(HandshakeFailure) {
        guard let ssl = SSL_new(context.context) else { throw HandshakeFailure(description: "SSL_new: \(TLSContext.lastError())") }
        self.ssl = ssl
        self.context = context
        self.input = input
        self.output = output
        self.idleMilliseconds = Int32(clamping: idleSeconds * 1000)
        for fd in Set([input, output]) { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        guard SSL_set_rfd(ssl, input) == 1, SSL_set_wfd(ssl, output) == 1 else {
            throw HandshakeFailure(description: "SSL_set_fd: \(TLSContext.lastError())")
        }
        let deadline = monotonicMilliseconds() + handshakeSeconds * 1000
        while true {
            ERR_clear_error()
            let r = SSL_accept(ssl)
            if r == 1 { return }
            let why = SSL_get_error(ssl, r)
            guard why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE else {
                throw HandshakeFailure(description: "handshake failed: \(Self.describe(why))")
            }
            let left = deadline - monotonicMilliseconds()
            guard left > 0, wait(why, milliseconds: Int32(clamping: left)) else {
                throw HandshakeFailure(description: "handshake timed out")
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// "TLSv1.3" …
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }
    /// OpenSSL's name of the negotiated cipher ("TLS_AES_256_GCM_SHA384" …).
    public var cipherName: String { String(cString: SSL_CIPHER_get_name(SSL_get_current_cipher(ssl))) }
    /// Secret bits of the negotiated cipher.
    public var cipherBits: Int { Int(SSL_CIPHER_get_bits(SSL_get_current_cipher(ssl), nil)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            ERR_clear_error()
            let n = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
            if n > 0 { return Int(n) }
            let why = SSL_get_error(ssl, n)
            if why == SSL_ERROR_ZERO_RETURN { return 0 }
            // A peer that closes the TCP connection without close_notify: the end of input, as in plain SMTP.
            if why == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 { return 0 }
            if !wait(why, milliseconds: idleMilliseconds) { return -1 }
        }
    }

    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let n = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
            if n > 0 { offset += Int(n); continue }
            if !wait(SSL_get_error(ssl, n), milliseconds: idleMilliseconds) { return false }
        }
        return true
    }

    public var pollDescriptor: Int32 { input }
    public var hasPendingInput: Bool { SSL_pending(ssl) > 0 }

    /// Sends close_notify; the peer's answer is not waited for (the connection closes next).
    public func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
    }

    /// Waits for what OpenSSL asked for; false on any other error or when the time runs out.
    func wait(_ why: Int32, milliseconds: Int32) -> Bool {
        var p: pollfd
        switch why {
        case SSL_ERROR_WANT_READ: p = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        case SSL_ERROR_WANT_WRITE: p = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
        default: return false
        }
        while true {
            let n = poll(&p, 1, milliseconds)
            if n < 0 && errno == EINTR { continue }
            return n > 0
        }
    }

    static func describe(_ why: Int32) -> String {
        switch why {
        case SSL_ERROR_SSL: return TLSContext.lastError()
        case SSL_ERROR_SYSCALL: return errno == 0 ? "connection closed" : String(cString: strerror(errno))
        case SSL_ERROR_ZERO_RETURN: return "connection closed"
        default: return "SSL error \(why)"
        }
    }
}
