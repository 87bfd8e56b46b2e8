#if canImport(Glibc)
import Glibc
#endif
import COpenDMARC
import QSentryCore
import QSentryDNS

/// What a From: domain's DMARC record asks for a message that fails it (RFC 7489 §6.3 `p`/`sp`).
public enum DMARCPolicy: String, Sendable, Equatable {
    case none, quarantine, reject
}

/// M11: one message's DMARC result.
public struct DMARCOutcome: Equatable, Sendable {
    public var result: AuthResult
    /// The policy to apply on a fail, after `pct` sampling; nil when no record was found.
    public var policy: DMARCPolicy?
    /// The policy the record states (`p`, or `sp` for a subdomain), before `pct`.
    public var published: DMARCPolicy?
    /// The RFC 5322 From: domain.
    public var fromDomain: String
    /// Where the record was found (the From: domain or its organisational domain).
    public var recordDomain: String?
    public var reason: String

    public init(result: AuthResult, policy: DMARCPolicy? = nil, published: DMARCPolicy? = nil, fromDomain: String,
                recordDomain: String? = nil, reason: String = "") {
        self.result = result
        self.policy = policy
        self.published = published
        self.fromDomain = fromDomain
        self.recordDomain = recordDomain
        self.reason = reason
    }
}

/// DMARC with libopendmarc: its record parser and policy choice (p, sp, pct). Identifier
/// alignment is decided here, with the Public Suffix List qsentry already uses (`organisational`),
/// because libopendmarc without its own copy of the list (read from a file on every start)
/// compares names by suffix only and would fail `bounce.example.com` against `news.example.com`.
public struct DMARCEvaluator {
    /// The organisational domain of a name (PSL registrable domain), nil for a public suffix.
    let organisational: (String) -> String?
    /// 0..<100 for `pct` sampling (a parameter so tests can fix it).
    let sample: () -> Int

    public init(organisational: @escaping (String) -> String?, sample: @escaping () -> Int = { Int.random(in: 0..<100) }) {
        self.organisational = organisational
        self.sample = sample
    }

    /// The record names to ask for: the From: domain's, and its organisational domain's.
    public func queries(fromDomain: String) -> [DNSQuery] {
        guard isQueryableDomain(fromDomain) else { return [] }
        var out = [DNSQuery(AuthDNS.dmarcName(fromDomain), .txt)]
        if let org = organisational(fromDomain), org != fromDomain { out.append(DNSQuery(AuthDNS.dmarcName(org), .txt)) }
        return out
    }

    /// The DMARC result for `fromDomain`, given DKIM's results and SPF's (the MAIL FROM domain,
    /// or HELO's for a bounce), with the record answers of `queries`.
    public func evaluate(fromDomain: String, dkim: [DKIMSignatureResult], spf: (domain: String, result: AuthResult)?,
                         ip: String, answers: [DNSQuery: DNSAnswer]) -> DMARCOutcome {
        let from = fromDomain.lowercased()
        guard isQueryableDomain(from) else {
            return DMARCOutcome(result: .permerror, fromDomain: from, reason: from.isEmpty ? "no From: domain" : "From: domain is not a domain name")
        }
        let org = organisational(from)
        // RFC 7489 §6.6.3: the From: domain's record, else its organisational domain's.
        var found: (record: String, domain: String)?
        for domain in [from] + (org.map { $0 == from ? [] : [$0] } ?? []) {
            switch answers[DNSQuery(AuthDNS.dmarcName(domain), .txt)] ?? .temporary("not asked") {
            case .records(let r):
                let dmarc = r.filter { $0.lowercased().hasPrefix("v=dmarc1") }
                if dmarc.count == 1 { found = (dmarc[0], domain) }
            case .nameError, .noData: break
            case .temporary(let why):
                return DMARCOutcome(result: .temperror, fromDomain: from, reason: "\(AuthDNS.dmarcName(domain)): \(why)")
            }
            if found != nil { break }
        }
        guard let found else { return DMARCOutcome(result: .none, fromDomain: from, reason: "no DMARC record") }

        DMARCLibrary.start()
        var address = Array(ip.utf8CString).map { UInt8(bitPattern: $0) }
        guard let pctx = opendmarc_policy_connect_init(&address, ip.contains(":") ? 1 : 0) else {
            return DMARCOutcome(result: .temperror, fromDomain: from, reason: "libopendmarc: no memory")
        }
        defer { _ = opendmarc_policy_connect_shutdown(pctx) }
        var fromBytes = cBytes(from)
        _ = opendmarc_policy_store_from_domain(pctx, &fromBytes)
        var record = cBytes(found.record)
        var recordDomain = cBytes(found.domain)
        let stored: Int32
        if found.domain == from {
            stored = opendmarc_policy_store_dmarc(pctx, &record, &fromBytes, nil)
        } else {
            // Found at the organisational domain: its sp= applies.
            stored = opendmarc_policy_store_dmarc(pctx, &record, &fromBytes, &recordDomain)
        }
        guard stored == DMARC_PARSE_OKAY else {
            // A record that does not parse counts as none (RFC 7489 §6.6.3).
            return DMARCOutcome(result: .none, fromDomain: from, recordDomain: found.domain,
                                reason: "record does not parse: \(text(opendmarc_policy_status_to_str(stored)))")
        }
        var adkim: Int32 = 0, aspf: Int32 = 0
        _ = opendmarc_policy_fetch_adkim(pctx, &adkim)
        _ = opendmarc_policy_fetch_aspf(pctx, &aspf)
        let strict: Int32 = 0x73  // 's'
        // Only aligned passes are stored, under the From: domain itself: libopendmarc then sees an
        // exact match, and an unaligned pass can never count.
        for sig in dkim where sig.result == .pass && aligned(sig.domain.lowercased(), from, strict: adkim == strict) {
            var selector = cBytes(sig.selector)
            var human = cBytes("pass")
            _ = opendmarc_policy_store_dkim(pctx, &fromBytes, &selector, DMARC_POLICY_DKIM_OUTCOME_PASS, &human)
        }
        if let spf, spf.result == .pass, aligned(spf.domain.lowercased(), from, strict: aspf == strict) {
            var human = cBytes("pass")
            _ = opendmarc_policy_store_spf(pctx, &fromBytes, DMARC_POLICY_SPF_OUTCOME_PASS, DMARC_POLICY_SPF_ORIGIN_MAILFROM, &human)
        }
        var out = DMARCOutcome(result: .fail, fromDomain: from, recordDomain: found.domain)
        // What the record asks of this domain, pass or fail (Authentication-Results' policy.dmarc).
        var p: Int32 = 0, sp: Int32 = 0
        _ = opendmarc_policy_fetch_p(pctx, &p)
        _ = opendmarc_policy_fetch_sp(pctx, &sp)
        out.published = Self.policy(found.domain != from && sp != 0 ? sp : p)
        switch opendmarc_get_policy_to_enforce(pctx) {
        case DMARC_POLICY_PASS:
            out.result = .pass
        case DMARC_POLICY_REJECT, DMARC_POLICY_QUARANTINE, DMARC_POLICY_NONE:
            break  // a fail under `published`, the same p or sp libopendmarc chose
        default:
            out.result = .none
            out.reason = "no policy"
        }
        if out.result == .fail {
            var pct: Int32 = 100
            _ = opendmarc_policy_fetch_pct(pctx, &pct)
            out.policy = out.published
            // pct: the rest of the failing mail gets the next weaker policy (RFC 7489 §6.6.4).
            if pct < 100, sample() >= Int(pct) {
                out.policy = out.published == .reject ? .quarantine : DMARCPolicy.none
            }
            out.reason = "no aligned DKIM or SPF pass"
        }
        return out
    }

    /// libopendmarc's p/sp letters.
    static func policy(_ letter: Int32) -> DMARCPolicy? {
        switch letter {
        case 0x72: return .reject  // 'r'
        case 0x71: return .quarantine  // 'q'
        case 0x6E: return DMARCPolicy.none  // 'n'
        default: return nil
        }
    }

    func aligned(_ identifier: String, _ from: String, strict: Bool) -> Bool {
        if identifier == from { return true }
        if strict { return false }
        guard let a = organisational(identifier), let b = organisational(from) else { return false }
        return a == b
    }
}

/// libopendmarc's library state, started once per process without its suffix list (see DMARCEvaluator).
enum DMARCLibrary {
    nonisolated(unsafe) static var started = false
    static func start() {
        guard !started else { return }
        started = true
        var lib = OPENDMARC_LIB_T()
        _ = opendmarc_policy_library_init(&lib)
    }
}

func cBytes(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }
