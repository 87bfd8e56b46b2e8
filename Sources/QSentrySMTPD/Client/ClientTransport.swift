#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// The byte stream to and from the SMTP client. Plain fds 0/1 at first; STARTTLS swaps in
/// a TLS transport in the middle of the session, under the same LineReader and ReplyWriter.
public protocol ClientTransport: AnyObject {
    /// Reads up to `buffer.count` bytes; 0 at end of input, -1 on error.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int
    /// Writes every byte; false when the client has gone.
    func write(_ bytes: [UInt8]) -> Bool
    /// The descriptor to poll for input.
    var pollDescriptor: Int32 { get }
    /// Bytes already decoded and waiting (a TLS record holds more than one read asks for).
    var hasPendingInput: Bool { get }
}

/// tcpserver's descriptors: the client on fd 0 (read) and fd 1 (write).
public final class PlainTransport: ClientTransport {
    let input: Int32
    let output: Int32

    public init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        FileBytes.readSome(input, into: buffer)
    }

    public func write(_ bytes: [UInt8]) -> Bool {
        do { try FileBytes.writeAll(output, bytes, path: "client") } catch { return false }
        return true
    }

    public var pollDescriptor: Int32 { input }
    public var hasPendingInput: Bool { false }
}

/// The client connection both the reader and the writer go through, so a transport switch
/// (STARTTLS) reaches both at once.
public final class ClientConnection {
    public var transport: ClientTransport

    public init(_ transport: ClientTransport = PlainTransport()) { self.transport = transport }
}
