import QSentryCore

/// Replies to the client on fd 1, collected and flushed when the client waits for them
/// (RFC 2920: a pipelining server may hold replies while more commands are buffered).
public final class ReplyWriter {
    private var pending: [UInt8] = []
    let fd: Int32

    public init(fd: Int32 = 1) { self.fd = fd }

    public func send(_ reply: SMTPReply) { pending += Array(reply.wire.utf8) }
    public func send(raw: String) { pending += Array(raw.utf8) }
    public func send(bytes: [UInt8]) { pending += bytes }

    /// Writes what is pending; false when the client has gone.
    @discardableResult
    public func flush() -> Bool {
        defer { pending.removeAll(keepingCapacity: true) }
        do { try FileBytes.writeAll(fd, pending, path: "client") } catch { return false }
        return true
    }
}
