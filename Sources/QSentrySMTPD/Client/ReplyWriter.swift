import QSentryCore

/// Replies to the client, collected and flushed when the client waits for them
/// (RFC 2920: a pipelining server may hold replies while more commands are buffered).
public final class ReplyWriter {
    private var pending: [UInt8] = []
    let connection: ClientConnection

    public init(_ connection: ClientConnection) { self.connection = connection }

    public func send(_ reply: SMTPReply) { pending += Array(reply.wire.utf8) }
    public func send(raw: String) { pending += Array(raw.utf8) }
    public func send(bytes: [UInt8]) { pending += bytes }

    /// Writes what is pending; false when the client has gone.
    @discardableResult
    public func flush() -> Bool {
        defer { pending.removeAll(keepingCapacity: true) }
        if pending.isEmpty { return true }
        return connection.transport.write(pending)
    }
}
