#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryMessage
import QSentryDNS
import QSentryMIME

/// The ARC chain's result (RFC 8617 §5.2) and, when it passes, who sealed last and what that
/// sealer's ARC-Authentication-Results said: what a trusted forwarder vouches for.
public struct ARCOutcome: Equatable, Sendable {
    public var result: AuthResult
    /// How many ARC sets the message has (0: none).
    public var instances: Int
    /// d= of the newest ARC-Seal.
    public var sealer: String?
    /// The newest ARC-Authentication-Results' results, lower-cased (`dmarc=pass header.from=…`).
    public var sealedResults: String?
    public var reason: String

    public init(result: AuthResult, instances: Int = 0, sealer: String? = nil, sealedResults: String? = nil, reason: String = "") {
        self.result = result
        self.instances = instances
        self.sealer = sealer
        self.sealedResults = sealedResults
        self.reason = reason
    }

    /// Whether the sealer said the original DMARC passed (the forwarder saw it before it changed the message).
    public var sealedDMARCPass: Bool {
        guard let sealedResults else { return false }
        return AuthenticationResultsField(value: "sealer; " + sealedResults).all("dmarc").first?.result == "pass"
    }
}

/// M11: ARC, built on this module's DKIM canonicalisation and OpenSSL's RSA-SHA256 check (no
/// Debian package verifies ARC: OpenARC is not packaged). Every seal of the chain is checked, and
/// the newest ARC-Message-Signature, as RFC 8617 §5.2 asks; rsa-sha256 only (§4.1.3).
public struct ARCVerifier {
    /// RFC 8617 §4.2.1: at most 50 sets; fewer than that costs less than DKIM's 5 signatures anyway.
    public static let maxInstances = 50

    public init() {}

    struct ARCSet {
        var seal: MessageHeader.Field?
        var message: MessageHeader.Field?
        var results: MessageHeader.Field?
    }

    /// The key names to ask for: the newest seal's and message signature's, and every older seal's.
    public static func keyQueries(_ header: MessageHeader) -> [DNSQuery] {
        var out: [DNSQuery] = []
        for f in header.fields where f.name == "arc-seal" || f.name == "arc-message-signature" {
            guard let q = AuthDNS.keyQuery(TagList(f.value)) else { continue }
            if !out.contains(q) { out.append(q) }
            if out.count >= 10 { break }
        }
        return out
    }

    public func verify(_ header: MessageHeader, fd: Int32, keys: [DNSQuery: DNSAnswer]) -> ARCOutcome {
        var sets: [Int: ARCSet] = [:]
        for f in header.fields where f.name == "arc-seal" || f.name == "arc-message-signature" || f.name == "arc-authentication-results" {
            guard let i = instance(f), i >= 1, i <= Self.maxInstances else { return ARCOutcome(result: .fail, reason: "bad i= in \(f.name)") }
            var set = sets[i] ?? ARCSet()
            switch f.name {
            case "arc-seal": if set.seal != nil { return fail("two ARC-Seal i=\(i)") }; set.seal = f
            case "arc-message-signature": if set.message != nil { return fail("two ARC-Message-Signature i=\(i)") }; set.message = f
            default: if set.results != nil { return fail("two ARC-Authentication-Results i=\(i)") }; set.results = f
            }
            sets[i] = set
        }
        if sets.isEmpty { return ARCOutcome(result: .none) }
        let n = sets.keys.max()!
        guard sets.count == n else { return fail("ARC sets not numbered 1 to \(n)", n) }
        var chain: [(seal: MessageHeader.Field, message: MessageHeader.Field, results: MessageHeader.Field)] = []
        for i in 1...n {
            guard let s = sets[i], let seal = s.seal, let message = s.message, let results = s.results else { return fail("ARC set \(i) incomplete", n) }
            chain.append((seal, message, results))
        }
        let newest = TagList(chain[n - 1].seal.value)
        var outcome = ARCOutcome(result: .fail, instances: n, sealer: newest["d"]?.lowercased(),
                                 sealedResults: resultsText(chain[n - 1].results))
        // cv: none for the first seal, pass for every later one; a fail anywhere ends the chain.
        for (k, set) in chain.enumerated() {
            let cv = TagList(set.seal.value)["cv"]?.lowercased() ?? ""
            if cv != (k == 0 ? "none" : "pass") {
                outcome.reason = "ARC-Seal i=\(k + 1) has cv=\(cv)"
                return outcome
            }
        }
        // The newest message signature, over the message as it is now.
        switch verifyMessageSignature(chain[n - 1].message, header: header, fd: fd, keys: keys) {
        case .success: break
        case .failure(let why):
            outcome.reason = "ARC-Message-Signature i=\(n): \(why)"
            if case .temporary = why { outcome.result = .temperror }
            return outcome
        }
        // Each seal, over every set up to its own (RFC 8617 §5.1.2), relaxed.
        for k in (1...n).reversed() {
            var data: [UInt8] = []
            for j in 1...k {
                let s = chain[j - 1]
                data += Canonicalization.relaxed.header(s.results.raw) + [0x0D, 0x0A]
                data += Canonicalization.relaxed.header(s.message.raw) + [0x0D, 0x0A]
                if j < k {
                    data += Canonicalization.relaxed.header(s.seal.raw) + [0x0D, 0x0A]
                } else {
                    data += Canonicalization.relaxed.header(removingSignatureValue(s.seal.raw))
                }
            }
            let tags = TagList(chain[k - 1].seal.value)
            switch check(tags, data: data, keys: keys) {
            case .success: break
            case .failure(let why):
                outcome.reason = "ARC-Seal i=\(k): \(why)"
                if case .temporary = why { outcome.result = .temperror }
                return outcome
            }
        }
        outcome.result = .pass
        return outcome
    }

    enum Why: Error, CustomStringConvertible {
        case bad(String), temporary(String)
        var description: String {
            switch self { case .bad(let s), .temporary(let s): return s }
        }
    }

    func verifyMessageSignature(_ field: MessageHeader.Field, header: MessageHeader, fd: Int32, keys: [DNSQuery: DNSAnswer]) -> Result<Void, Why> {
        let tags = TagList(field.value)
        guard let canon = Canonicalization.pair(tags["c"]) else { return .failure(.bad("bad c=")) }
        guard let bh = tags["bh"], let h = tags["h"] else { return .failure(.bad("no bh= or h=")) }
        var limit: Int? = nil
        if let l = tags["l"] {
            guard let v = Int(l), v >= 0 else { return .failure(.bad("bad l=")) }
            limit = v
        }
        // The body hash.
        let digest = Digest.SHA256()
        var body = Canonicalization.Body(canon.body, limit: limit) { digest.update($0) }
        do {
            try FileBytes.eachPiece(of: fd, from: header.bodyOffset, path: "spool") { buffer, n in
                body.feed(buffer[0..<n])
                return true
            }
        } catch {
            return .failure(.temporary("\(error)"))
        }
        body.finish()
        var decoder = Base64Decoder()
        let expected = decoder.feed(Array(bh.utf8)[...]) + decoder.finish()
        guard digest.finish() == expected else { return .failure(.bad("body hash did not verify")) }
        // The signed header fields, each name taken from the bottom up (RFC 6376 §5.4.2).
        var used = Set<Int>()
        var data: [UInt8] = []
        for name in h.lowercased().split(separator: ":").map({ $0.trimmed }) {
            guard let index = header.fields.indices.reversed().first(where: { !used.contains($0) && header.fields[$0].name == name }) else { continue }
            used.insert(index)
            data += canon.header.header(header.fields[index].raw) + [0x0D, 0x0A]
        }
        data += canon.header.header(removingSignatureValue(field.raw))
        return check(tags, data: data, keys: keys)
    }

    /// The signature of `tags` (a=, b=, d=, s=) over `data`.
    func check(_ tags: TagList, data: [UInt8], keys: [DNSQuery: DNSAnswer]) -> Result<Void, Why> {
        guard tags["a"]?.lowercased() == "rsa-sha256" else { return .failure(.bad("a=\(tags["a"] ?? "") (ARC is rsa-sha256)")) }
        guard let d = tags["d"]?.lowercased(), let s = tags["s"]?.lowercased(), let b = tags["b"] else { return .failure(.bad("no d=, s= or b=")) }
        switch SignatureKey.from(keys, selector: s, domain: d) {
        case .failure(.temporary(let why)): return .failure(.temporary(why))
        case .failure(let f): return .failure(.bad("\(s)._domainkey.\(d): \(f)"))
        case .success(let key):
            var decoder = Base64Decoder()
            let signature = decoder.feed(Array(b.utf8)[...]) + decoder.finish()
            return key.verifyRSASHA256(signature, of: data) ? .success(()) : .failure(.bad("signature did not verify"))
        }
    }

    func instance(_ f: MessageHeader.Field) -> Int? {
        let v = f.value
        guard let semicolon = v.firstIndex(of: ";") ?? Optional(v.endIndex) else { return nil }
        let first = v[v.startIndex..<semicolon].trimmed
        guard first.lowercased().hasPrefix("i=") else {
            return TagList(v)["i"].flatMap { Int($0) }
        }
        return Int(first.dropFirst(2).trimmed)
    }

    /// An ARC-Authentication-Results value without its `i=N;` and authserv-id.
    func resultsText(_ f: MessageHeader.Field) -> String {
        AuthenticationResultsField.statements(f.value).dropFirst(2).map { $0.trimmed }.joined(with: "; ").lowercased()
    }

    func fail(_ why: String, _ n: Int = 0) -> ARCOutcome { ARCOutcome(result: .fail, instances: n, reason: why) }
}
