import Hummingbird
import NIOCore

/// One request's context: what Hummingbird needs, and the peer's address (before any proxy
/// header is believed: ClientAddress decides that).
public struct ConsoleContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// A list edit is the largest body (ListEditor.maxBytes, form-encoded it may triple).
    public var maxUploadSize: Int { 4 << 20 }
    public var requestDecoder: URLEncodedFormDecoder { URLEncodedFormDecoder() }
}
