#if canImport(Glibc)
import Glibc
#endif
import CSPF2
import QSentryCore

/// libspf2, opened at run time (see Sources/CSPF2/module.modulemap): the functions qsentry
/// calls, typed as in libspf2's headers. Loaded once per process, on the first SPF check.
public struct LibSPF2 {
    typealias Server = UnsafeMutablePointer<SPF_server_t>
    typealias Request = UnsafeMutablePointer<SPF_request_t>
    typealias Response = UnsafeMutablePointer<SPF_response_t>
    typealias DNSServer = UnsafeMutablePointer<SPF_dns_server_t>
    typealias RR = UnsafeMutablePointer<SPF_dns_rr_t>
    typealias Text = UnsafePointer<CChar>

    let serverNewDNS: @convention(c) (DNSServer?, Int32) -> Server?
    let serverSetRecDom: @convention(c) (Server?, Text?) -> SPF_errcode_t
    let serverFree: @convention(c) (Server?) -> Void
    let requestNew: @convention(c) (Server?) -> Request?
    let requestFree: @convention(c) (Request?) -> Void
    let requestSetIPv4: @convention(c) (Request?, Text?) -> SPF_errcode_t
    let requestSetIPv6: @convention(c) (Request?, Text?) -> SPF_errcode_t
    let requestSetHelo: @convention(c) (Request?, Text?) -> SPF_errcode_t
    let requestSetEnvFrom: @convention(c) (Request?, Text?) -> Int32
    let queryMailFrom: @convention(c) (Request?, UnsafeMutablePointer<Response?>?) -> SPF_errcode_t
    let responseResult: @convention(c) (Response?) -> SPF_result_t
    let responseReceivedSPF: @convention(c) (Response?) -> Text?
    let responseFree: @convention(c) (Response?) -> Void
    let rrNewInit: @convention(c) (DNSServer?, Text?, ns_type, Int32, SPF_dns_stat_t) -> RR?
    let rrBufRealloc: @convention(c) (RR?, Int32, Int) -> SPF_errcode_t

    /// The library's file name as Debian installs it (package libspf2-2).
    public static let soname = "libspf2.so.2"

    /// The process-wide library, or why it cannot be had.
    public static let shared: Result<LibSPF2, SPFLoadError> = Result { () throws(SPFLoadError) in try LibSPF2() }

    /// Opens the library and resolves every function; each symbol takes its type from the property.
    init() throws(SPFLoadError) {
        let library = try DynamicLibrary(Self.soname)
        func symbol<T>(_ name: String) throws(SPFLoadError) -> T { try library.symbol(name) }
        serverNewDNS = try symbol("SPF_server_new_dns")
        serverSetRecDom = try symbol("SPF_server_set_rec_dom")
        serverFree = try symbol("SPF_server_free")
        requestNew = try symbol("SPF_request_new")
        requestFree = try symbol("SPF_request_free")
        requestSetIPv4 = try symbol("SPF_request_set_ipv4_str")
        requestSetIPv6 = try symbol("SPF_request_set_ipv6_str")
        requestSetHelo = try symbol("SPF_request_set_helo_dom")
        requestSetEnvFrom = try symbol("SPF_request_set_env_from")
        queryMailFrom = try symbol("SPF_request_query_mailfrom")
        responseResult = try symbol("SPF_response_result")
        responseReceivedSPF = try symbol("SPF_response_get_received_spf")
        responseFree = try symbol("SPF_response_free")
        rrNewInit = try symbol("SPF_dns_rr_new_init")
        rrBufRealloc = try symbol("SPF_dns_rr_buf_realloc")
    }
}

/// libspf2 could not be opened: SPF answers temperror (never a refusal) and the reason is logged.
public typealias SPFLoadError = DynamicLibrary.LoadError
