#if canImport(Glibc)
import Glibc
#endif
import CSPF2

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
    public static let shared: Result<LibSPF2, SPFLoadError> = load()

    static func load() -> Result<LibSPF2, SPFLoadError> {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(SPFLoadError(description: "cannot open \(soname): \(dlerror().map { String(cString: $0) } ?? "unknown error")"))
        }
        var missing: [String] = []
        func symbol<T>(_ name: String, as: T.Type) -> T? {
            guard let p = dlsym(handle, name) else { missing.append(name); return nil }
            return unsafeBitCast(p, to: T.self)
        }
        let lib = LibSPF2(
            serverNewDNS: symbol("SPF_server_new_dns", as: (@convention(c) (DNSServer?, Int32) -> Server?).self),
            serverSetRecDom: symbol("SPF_server_set_rec_dom", as: (@convention(c) (Server?, Text?) -> SPF_errcode_t).self),
            serverFree: symbol("SPF_server_free", as: (@convention(c) (Server?) -> Void).self),
            requestNew: symbol("SPF_request_new", as: (@convention(c) (Server?) -> Request?).self),
            requestFree: symbol("SPF_request_free", as: (@convention(c) (Request?) -> Void).self),
            requestSetIPv4: symbol("SPF_request_set_ipv4_str", as: (@convention(c) (Request?, Text?) -> SPF_errcode_t).self),
            requestSetIPv6: symbol("SPF_request_set_ipv6_str", as: (@convention(c) (Request?, Text?) -> SPF_errcode_t).self),
            requestSetHelo: symbol("SPF_request_set_helo_dom", as: (@convention(c) (Request?, Text?) -> SPF_errcode_t).self),
            requestSetEnvFrom: symbol("SPF_request_set_env_from", as: (@convention(c) (Request?, Text?) -> Int32).self),
            queryMailFrom: symbol("SPF_request_query_mailfrom", as: (@convention(c) (Request?, UnsafeMutablePointer<Response?>?) -> SPF_errcode_t).self),
            responseResult: symbol("SPF_response_result", as: (@convention(c) (Response?) -> SPF_result_t).self),
            responseReceivedSPF: symbol("SPF_response_get_received_spf", as: (@convention(c) (Response?) -> Text?).self),
            responseFree: symbol("SPF_response_free", as: (@convention(c) (Response?) -> Void).self),
            rrNewInit: symbol("SPF_dns_rr_new_init", as: (@convention(c) (DNSServer?, Text?, ns_type, Int32, SPF_dns_stat_t) -> RR?).self),
            rrBufRealloc: symbol("SPF_dns_rr_buf_realloc", as: (@convention(c) (RR?, Int32, Int) -> SPF_errcode_t).self))
        guard missing.isEmpty, let lib else {
            return .failure(SPFLoadError(description: "\(soname) lacks \(missing.joined(separator: ", "))"))
        }
        return .success(lib)
    }

    init?(serverNewDNS: (@convention(c) (DNSServer?, Int32) -> Server?)?,
          serverSetRecDom: (@convention(c) (Server?, Text?) -> SPF_errcode_t)?,
          serverFree: (@convention(c) (Server?) -> Void)?,
          requestNew: (@convention(c) (Server?) -> Request?)?,
          requestFree: (@convention(c) (Request?) -> Void)?,
          requestSetIPv4: (@convention(c) (Request?, Text?) -> SPF_errcode_t)?,
          requestSetIPv6: (@convention(c) (Request?, Text?) -> SPF_errcode_t)?,
          requestSetHelo: (@convention(c) (Request?, Text?) -> SPF_errcode_t)?,
          requestSetEnvFrom: (@convention(c) (Request?, Text?) -> Int32)?,
          queryMailFrom: (@convention(c) (Request?, UnsafeMutablePointer<Response?>?) -> SPF_errcode_t)?,
          responseResult: (@convention(c) (Response?) -> SPF_result_t)?,
          responseReceivedSPF: (@convention(c) (Response?) -> Text?)?,
          responseFree: (@convention(c) (Response?) -> Void)?,
          rrNewInit: (@convention(c) (DNSServer?, Text?, ns_type, Int32, SPF_dns_stat_t) -> RR?)?,
          rrBufRealloc: (@convention(c) (RR?, Int32, Int) -> SPF_errcode_t)?) {
        guard let serverNewDNS, let serverSetRecDom, let serverFree, let requestNew, let requestFree, let requestSetIPv4,
              let requestSetIPv6, let requestSetHelo, let requestSetEnvFrom, let queryMailFrom, let responseResult,
              let responseReceivedSPF, let responseFree, let rrNewInit, let rrBufRealloc else { return nil }
        self.serverNewDNS = serverNewDNS
        self.serverSetRecDom = serverSetRecDom
        self.serverFree = serverFree
        self.requestNew = requestNew
        self.requestFree = requestFree
        self.requestSetIPv4 = requestSetIPv4
        self.requestSetIPv6 = requestSetIPv6
        self.requestSetHelo = requestSetHelo
        self.requestSetEnvFrom = requestSetEnvFrom
        self.queryMailFrom = queryMailFrom
        self.responseResult = responseResult
        self.responseReceivedSPF = responseReceivedSPF
        self.responseFree = responseFree
        self.rrNewInit = rrNewInit
        self.rrBufRealloc = rrBufRealloc
    }
}

/// libspf2 could not be opened: SPF answers temperror (never a refusal) and the reason is logged.
public struct SPFLoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
