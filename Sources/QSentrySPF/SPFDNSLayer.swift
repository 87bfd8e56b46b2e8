#if canImport(Glibc)
import Glibc
#endif
import CSPF2
import QSentryCore
import QSentryDNS

/// A libspf2 DNS layer that asks qsentry's resolver (c-ares, `control/qsentry/dnsservers`),
/// so SPF uses the same servers and deadline as every other check, and tests can point it
/// at a DNS server on a loopback port. The whole evaluation shares one time budget: once it
/// is spent every further lookup is TRY_AGAIN, which libspf2 turns into temperror.
final class SPFDNSLayer {
    let resolver: Resolver
    let budgetEnds: Int
    /// The C structure libspf2 calls through; `hook` points back to this object.
    let server: UnsafeMutablePointer<SPF_dns_server_t>
    private let name = strdup("qsentry")

    init(resolver: Resolver, budgetMilliseconds: Int) {
        self.resolver = resolver
        budgetEnds = monotonicMilliseconds() + budgetMilliseconds
        server = .allocate(capacity: 1)
        server.initialize(to: SPF_dns_server_t())
        server.pointee.lookup = { layer, domain, type, _ in
            guard let layer, let domain else { return nil }
            let me = Unmanaged<SPFDNSLayer>.fromOpaque(layer.pointee.hook!).takeUnretainedValue()
            return me.lookup(String(cString: domain), type)
        }
        server.pointee.name = UnsafePointer(name)
        // destroy stays nil: libspf2 leaves the layer to its owner, this object.
        server.pointee.hook = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        server.deinitialize(count: 1)
        server.deallocate()
        free(name)
    }

    static func dnsType(_ t: ns_type) -> DNSType? {
        switch t {
        case ns_t_a: return .a
        case ns_t_aaaa: return .aaaa
        case ns_t_mx: return .mx
        case ns_t_txt: return .txt
        case ns_t_ptr: return .ptr
        default: return nil  // the obsolete SPF type (99) and anything else: no data, so TXT is used
        }
    }

    func lookup(_ domain: String, _ type: ns_type) -> UnsafeMutablePointer<SPF_dns_rr_t>? {
        guard let t = Self.dnsType(type) else { return SPF_dns_rr_new_init(server, domain, type, 0, NO_DATA) }
        if monotonicMilliseconds() >= budgetEnds { return SPF_dns_rr_new_init(server, domain, type, 0, TRY_AGAIN) }
        let q = DNSQuery(domain, t)
        switch resolver.resolve([q])[q] ?? .temporary("no answer") {
        case .nameError: return SPF_dns_rr_new_init(server, domain, type, 0, HOST_NOT_FOUND)
        case .noData: return SPF_dns_rr_new_init(server, domain, type, 0, NO_DATA)
        case .temporary: return SPF_dns_rr_new_init(server, domain, type, 0, TRY_AGAIN)
        case .records(let records):
            guard let rr = SPF_dns_rr_new_init(server, domain, type, 0, NETDB_SUCCESS) else { return nil }
            var n: Int32 = 0
            for record in records where fill(rr, Int(n), t, record) { n += 1 }
            rr.pointee.num_rr = n
            if n == 0 { rr.pointee.herrno = NO_DATA }
            return rr
        }
    }

    /// Copies one record into libspf2's buffer `i`; false when it cannot be represented.
    func fill(_ rr: UnsafeMutablePointer<SPF_dns_rr_t>, _ i: Int, _ t: DNSType, _ record: String) -> Bool {
        let bytes: [UInt8]
        switch t {
        case .a, .aaaa:
            // in_addr / in6_addr: the address in network order.
            guard let ip = IPAddress(record), ip.isIPv4 == (t == .a) else { return false }
            bytes = ip.bytes
        case .mx, .txt, .ptr:
            // A C string; our MX answers are "PREF HOST" and libspf2 wants the host alone.
            bytes = Array((t == .mx ? DNSAnswer.mxHost(record) : record).utf8) + [0]
        }
        guard SPF_dns_rr_buf_realloc(rr, Int32(i), bytes.count) == SPF_E_SUCCESS, let slot = rr.pointee.rr[i] else { return false }
        UnsafeMutableRawPointer(slot).copyMemory(from: bytes, byteCount: bytes.count)
        return true
    }
}
