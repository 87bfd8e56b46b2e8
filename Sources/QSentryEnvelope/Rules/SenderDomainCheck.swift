import QSentryCore
import QSentryDNS

/// E10: can anyone send a bounce back to this sender domain? It needs an MX (other than
/// RFC 7505's null MX "0 .") or, failing that, an A or AAAA record (RFC 5321 5.1).
/// The three questions are asked at once, under the resolver's one deadline.
public struct SenderDomainCheck {
    public enum Answer: Equatable, Sendable {
        case deliverable
        case noMailHost(String)
        case temporary(String)
    }

    let resolver: Resolver

    public init(resolver: Resolver) { self.resolver = resolver }

    public func check(_ domain: String) -> Answer {
        let d = DomainName.normalize(domain)
        let mx = DNSQuery(d, .mx), a = DNSQuery(d, .a), aaaa = DNSQuery(d, .aaaa)
        let answers = resolver.resolve([mx, a, aaaa])
        switch answers[mx] ?? .temporary("no answer") {
        case .records(let hosts):
            let real = hosts.filter { !DNSAnswer.mxHost($0).isEmpty }
            return real.isEmpty ? .noMailHost("\(d) has a null MX") : .deliverable
        case .nameError:
            return .noMailHost("\(d) does not exist")
        case .temporary(let why):
            return .temporary("MX of \(d): \(why)")
        case .noData:
            let addresses = [answers[a] ?? .temporary("no answer"), answers[aaaa] ?? .temporary("no answer")]
            if addresses.contains(where: { !$0.records.isEmpty }) { return .deliverable }
            if let t = addresses.first(where: { $0.isTemporary }) { return .temporary("address of \(d): \(t)") }
            return .noMailHost("\(d) has neither MX nor address records")
        }
    }
}
