#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// Buffered reads from the client with an idle timeout: whole command lines, or raw
/// chunks for DATA. Never holds more than one buffer of the message in memory.
public final class LineReader {
    public enum Line: Equatable {
        /// The line without its CRLF (or bare LF, which qmail-smtpd also takes).
        case line([UInt8])
        /// Longer than the limit; the rest of it was read and thrown away.
        case tooLong
        case eof
        case timeout
    }

    let connection: ClientConnection
    let timeoutSeconds: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(_ connection: ClientConnection, timeoutSeconds: Int) {
        self.connection = connection
        self.timeoutSeconds = timeoutSeconds
    }

    /// Drops whatever the client sent ahead (RFC 3207: commands pipelined after STARTTLS
    /// must not be run inside the TLS session).
    public func discardBuffered() {
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }

    /// Whether bytes are already buffered (pipelined commands): replies can wait to be flushed together.
    public var hasBuffered: Bool { start < buffer.count }

    /// Reads more input; false on end of input or timeout (`timedOut` tells which).
    private(set) var timedOut = false
    private func fill() -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        let transport = connection.transport
        if !transport.hasPendingInput {
            guard let ready = FileBytes.waitReadable(transport.pollDescriptor, milliseconds: timeoutSeconds * 1000) else { return false }
            if !ready {
                timedOut = true
                return false
            }
        }
        // Read on the stack and appended: a fresh zeroed array a read cost a 16 KB memset each time.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16384) { chunk in
            let n = transport.read(into: UnsafeMutableRawBufferPointer(chunk))
            if n <= 0 { return false }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<n]))
            return true
        }
    }

    public func readLine(max: Int) -> Line {
        var discarding = false
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                var end = nl
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[start..<end])
                start = nl + 1
                if discarding || line.count > max { return .tooLong }
                return .line(line)
            }
            if buffer.count - start > max {
                discarding = true
                start = buffer.count
            }
            if !fill() { return timedOut ? .timeout : .eof }
        }
    }

    /// The next bytes as they come (buffered first), for streaming DATA; nil at end of input or timeout.
    public func readChunk() -> ArraySlice<UInt8>? {
        if start == buffer.count && !fill() { return nil }
        let chunk = buffer[start...]
        start = buffer.count
        return chunk
    }

    /// Gives back the unused tail of a chunk (what followed the end of DATA: pipelined commands).
    public func unread(_ bytes: ArraySlice<UInt8>) {
        if bytes.isEmpty { return }
        buffer = Array(bytes) + buffer[start...]
        start = 0
    }
}
