#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CAres
import QSentryCore

/// Turns a raw DNS answer into records with c-ares' parsers; a malformed answer is temporary.
/// Public for the fuzz target (qsentry-fuzz dns), which feeds it what a hostile server could send.
public enum AnswerParser {
    /// Records kept per answer: a DNSBL answers one or two, a hostile server is not allowed a thousand.
    static let maxRecords = 64

    public static func parse(_ type: DNSType, _ abuf: UnsafeMutablePointer<UInt8>, _ alen: Int32) -> DNSAnswer {
        switch type {
        case .a: return a(abuf, alen)
        case .aaaa: return aaaa(abuf, alen)
        case .txt: return txt(abuf, alen)
        case .ptr: return ptr(abuf, alen)
        case .mx: return mx(abuf, alen)
        }
    }

    static func failure(_ status: Int32) -> DNSAnswer {
        if status == ARES_ENODATA { return .noData }
        return .temporary("malformed answer: \(String(cString: ares_strerror(status)))")
    }

    static func a(_ abuf: UnsafeMutablePointer<UInt8>, _ alen: Int32) -> DNSAnswer {
        var ttls = [ares_addrttl](repeating: ares_addrttl(), count: maxRecords)
        var n = Int32(maxRecords)
        let status = ares_parse_a_reply(abuf, alen, nil, &ttls, &n)
        guard status == ARES_SUCCESS else { return failure(status) }
        return .records(ttls.prefix(Int(n)).map { rec in
            IPAddress(bytes: withUnsafeBytes(of: rec.ipaddr) { Array($0) })!.description
        })
    }

    static func aaaa(_ abuf: UnsafeMutablePointer<UInt8>, _ alen: Int32) -> DNSAnswer {
        var ttls = [ares_addr6ttl](repeating: ares_addr6ttl(), count: maxRecords)
        var n = Int32(maxRecords)
        let status = ares_parse_aaaa_reply(abuf, alen, nil, &ttls, &n)
        guard status == ARES_SUCCESS else { return failure(status) }
        return .records(ttls.prefix(Int(n)).map { rec in
            IPAddress(bytes: withUnsafeBytes(of: rec.ip6addr) { Array($0) })!.description
        })
    }

    /// TXT: each record's strings joined (RFC 7208's rule), records in answer order.
    static func txt(_ abuf: UnsafeMutablePointer<UInt8>, _ alen: Int32) -> DNSAnswer {
        var head: UnsafeMutablePointer<ares_txt_ext>? = nil
        let status = ares_parse_txt_reply_ext(abuf, alen, &head)
        guard status == ARES_SUCCESS else { return failure(status) }
        defer { ares_free_data(head) }
        var records: [String] = []
        var node = head
        while let n = node, records.count <= maxRecords {
            let piece = String(decoding: UnsafeBufferPointer(start: n.pointee.txt, count: n.pointee.length), as: UTF8.self)
            if n.pointee.record_start != 0 || records.isEmpty { records.append(piece) } else { records[records.count - 1] += piece }
            node = n.pointee.next
        }
        return .records(records)
    }

    static func ptr(_ abuf: UnsafeMutablePointer<UInt8>, _ alen: Int32) -> DNSAnswer {
        var host: UnsafeMutablePointer<hostent>? = nil
        var dummy = in_addr()
        let status = ares_parse_ptr_reply(abuf, alen, &dummy, Int32(MemoryLayout<in_addr>.size), AF_INET, &host)
        guard status == ARES_SUCCESS, let h = host else { return failure(status) }
        defer { ares_free_hostent(h) }
        var names: [String] = []
        if let name = h.pointee.h_name { names.append(DomainName.normalize(String(cString: name))) }
        if var alias = h.pointee.h_aliases {
            while let a = alias.pointee, names.count < maxRecords {
                let n = DomainName.normalize(String(cString: a))
                if !names.contains(n) { names.append(n) }
                alias += 1
            }
        }
        return .records(names)
    }

    static func mx(_ abuf: UnsafeMutablePointer<UInt8>, _ alen: Int32) -> DNSAnswer {
        var head: UnsafeMutablePointer<ares_mx_reply>? = nil
        let status = ares_parse_mx_reply(abuf, alen, &head)
        guard status == ARES_SUCCESS else { return failure(status) }
        defer { ares_free_data(head) }
        var records: [String] = []
        var node = head
        while let n = node, records.count < maxRecords {
            records.append("\(n.pointee.priority) \(DomainName.normalize(String(cString: n.pointee.host)))")
            node = n.pointee.next
        }
        return .records(records)
    }
}
