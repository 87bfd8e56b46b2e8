import CSPF2

/// libspf2's functions that qsentry calls (linked statically, see Sources/CSPF2/module.modulemap),
/// kept as one value so SPFCheck and SPFDNSLayer name them in one place.
public struct LibSPF2 {
    typealias Server = UnsafeMutablePointer<SPF_server_t>
    typealias Request = UnsafeMutablePointer<SPF_request_t>
    typealias Response = UnsafeMutablePointer<SPF_response_t>
    typealias DNSServer = UnsafeMutablePointer<SPF_dns_server_t>
    typealias RR = UnsafeMutablePointer<SPF_dns_rr_t>
    typealias Text = UnsafePointer<CChar>

    let serverNewDNS: @convention(c) (DNSServer?, Int32) -> Server? = SPF_server_new_dns
    let serverSetRecDom: @convention(c) (Server?, Text?) -> SPF_errcode_t = SPF_server_set_rec_dom
    let serverFree: @convention(c) (Server?) -> Void = SPF_server_free
    let requestNew: @convention(c) (Server?) -> Request? = SPF_request_new
    let requestFree: @convention(c) (Request?) -> Void = SPF_request_free
    let requestSetIPv4: @convention(c) (Request?, Text?) -> SPF_errcode_t = SPF_request_set_ipv4_str
    let requestSetIPv6: @convention(c) (Request?, Text?) -> SPF_errcode_t = SPF_request_set_ipv6_str
    let requestSetHelo: @convention(c) (Request?, Text?) -> SPF_errcode_t = SPF_request_set_helo_dom
    let requestSetEnvFrom: @convention(c) (Request?, Text?) -> Int32 = SPF_request_set_env_from
    let queryMailFrom: @convention(c) (Request?, UnsafeMutablePointer<Response?>?) -> SPF_errcode_t = SPF_request_query_mailfrom
    let responseResult: @convention(c) (Response?) -> SPF_result_t = SPF_response_result
    let responseReceivedSPF: @convention(c) (Response?) -> Text? = SPF_response_get_received_spf
    let responseFree: @convention(c) (Response?) -> Void = SPF_response_free
    let rrNewInit: @convention(c) (DNSServer?, Text?, ns_type, Int32, SPF_dns_stat_t) -> RR? = SPF_dns_rr_new_init
    let rrBufRealloc: @convention(c) (RR?, Int32, Int) -> SPF_errcode_t = SPF_dns_rr_buf_realloc

    public static let shared = LibSPF2()
}
