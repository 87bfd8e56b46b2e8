import HTTPTypes
import QSentryCore

/// A3: behind a reverse proxy the peer is the proxy. Its `X-Forwarded-For` (the last address,
/// the one the proxy itself saw) and `X-Forwarded-Proto` are believed only when the peer is in
/// `control/qsentry/web-proxies`; from anyone else they are ignored, so a client cannot choose
/// the address the login limits count, nor claim TLS.
public struct ClientAddress: Sendable {
    public let proxies: IPList

    public init(proxies: IPList) { self.proxies = proxies }

    public static func load(_ root: QmailRoot) throws -> ClientAddress {
        ClientAddress(proxies: try IPList.load(root.qsentry("web-proxies")))
    }

    /// The client's address and whether it reached us over TLS.
    public func client(peer: String?, headers: HTTPFields, nativeTLS: Bool) -> (address: String, secure: Bool) {
        let peerAddress = peer ?? "unknown"
        guard let ip = IPAddress(peerAddress), (try? proxies.match(ip)) ?? nil != nil else { return (peerAddress, nativeTLS) }
        let forwarded = headers[values: HTTPField.Name("X-Forwarded-For")!].joined(separator: ",")
        let last = forwarded.split(separator: ",").last.map { String($0).trimmed }
        let address = last.flatMap { IPAddress($0) != nil ? $0 : nil } ?? peerAddress
        let proto = headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased()
        return (address, nativeTLS || proto == "https")
    }
}
