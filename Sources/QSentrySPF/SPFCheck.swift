import CSPF2
import QSentryCore
import QSentryDNS

/// E11: evaluates SPF for MAIL FROM (or the HELO name for the empty sender) with libspf2,
/// its DNS answered by qsentry's resolver through `SPFDNSLayer`. When libspf2 cannot start
/// an evaluation the result is temperror, so nothing is refused for it.
public struct SPFCheck {
    let resolver: Resolver
    /// The receiving host's name, which libspf2 writes into `Received-SPF:`.
    let receiver: String
    /// Time for one whole evaluation (RFC 7208 4.6.4 allows ten lookups, each may take a while).
    let budgetMilliseconds: Int

    public init(resolver: Resolver, receiver: String, budgetMilliseconds: Int) {
        self.resolver = resolver
        self.receiver = receiver
        self.budgetMilliseconds = budgetMilliseconds
    }

    public func evaluate(ip: IPAddress, helo: String, sender: String) -> SPFOutcome {
        let spf = LibSPF2.shared
        let layer = SPFDNSLayer(spf, resolver: resolver, budgetMilliseconds: budgetMilliseconds)
        guard let server = spf.serverNewDNS(layer.server, 0) else { return Self.temporary(ip, "cannot start libspf2") }
        defer { spf.serverFree(server) }
        _ = spf.serverSetRecDom(server, receiver)
        guard let request = spf.requestNew(server) else { return Self.temporary(ip, "cannot start libspf2") }
        defer { spf.requestFree(request) }
        let ipStatus = ip.isIPv4 ? spf.requestSetIPv4(request, ip.description) : spf.requestSetIPv6(request, ip.description)
        guard ipStatus == SPF_E_SUCCESS else { return Self.temporary(ip, "bad client address") }
        if !helo.isEmpty { _ = spf.requestSetHelo(request, helo) }
        // RFC 7208 2.4: for the empty sender, the identity checked is postmaster@HELO.
        let identity = sender.isEmpty ? (helo.isEmpty ? "" : "postmaster@" + helo) : sender
        if identity.isEmpty { return SPFOutcome(result: .none, header: "Received-SPF: none (\(receiver): no sender and no HELO) client-ip=\(ip);") }
        _ = spf.requestSetEnvFrom(request, identity)
        var response: UnsafeMutablePointer<SPF_response_t>? = nil
        let status = spf.queryMailFrom(request, &response)
        guard let response else { return Self.temporary(ip, "no answer from libspf2") }
        defer { spf.responseFree(response) }
        let result = SPFResult(spf.responseResult(response), status: status)
        let header = spf.responseReceivedSPF(response).map { String(cString: $0) }
            ?? "Received-SPF: \(result.rawValue) (\(receiver)) client-ip=\(ip);"
        // Header text comes from DNS answers: one line, no control characters.
        return SPFOutcome(result: result, header: Self.oneLine(header))
    }

    static func temporary(_ ip: IPAddress, _ why: String) -> SPFOutcome {
        SPFOutcome(result: .temperror, header: "Received-SPF: temperror (\(why)) client-ip=\(ip);")
    }

    static func oneLine(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }
}
