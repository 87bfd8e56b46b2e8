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
        let layer = SPFDNSLayer(resolver: resolver, budgetMilliseconds: budgetMilliseconds)
        guard let server = SPF_server_new_dns(layer.server, 0) else { return Self.temporary(ip, "cannot start libspf2") }
        defer { SPF_server_free(server) }
        _ = SPF_server_set_rec_dom(server, receiver)
        guard let request = SPF_request_new(server) else { return Self.temporary(ip, "cannot start libspf2") }
        defer { SPF_request_free(request) }
        let ipStatus = ip.isIPv4 ? SPF_request_set_ipv4_str(request, ip.description) : SPF_request_set_ipv6_str(request, ip.description)
        guard ipStatus == SPF_E_SUCCESS else { return Self.temporary(ip, "bad client address") }
        if !helo.isEmpty { _ = SPF_request_set_helo_dom(request, helo) }
        // RFC 7208 2.4: for the empty sender, the identity checked is postmaster@HELO.
        let identity = sender.isEmpty ? (helo.isEmpty ? "" : "postmaster@" + helo) : sender
        if identity.isEmpty { return SPFOutcome(result: .none, header: "Received-SPF: none (\(receiver): no sender and no HELO) client-ip=\(ip);") }
        _ = SPF_request_set_env_from(request, identity)
        var response: UnsafeMutablePointer<SPF_response_t>? = nil
        let status = SPF_request_query_mailfrom(request, &response)
        guard let response else { return Self.temporary(ip, "no answer from libspf2") }
        defer { SPF_response_free(response) }
        let result = SPFResult(SPF_response_result(response), status: status)
        let header = SPF_response_get_received_spf(response).map { String(cString: $0) }
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
