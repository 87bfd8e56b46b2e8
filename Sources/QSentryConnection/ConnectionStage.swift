import QSentryCore
import QSentryDNS

/// The stage's decision with every rule's result, for the one log line and for `explain`.
public struct StageOutcome: Sendable {
    public let verdict: Verdict
    public let results: [RuleResult]
}

/// Runs the connection rules in the admin's order: the allow list first (it bypasses every
/// block rule), then the local rules (lists, bans, country, p0f), stopping at the first refusal,
/// then every DNS rule in one batch of parallel questions.
public struct ConnectionStage {
    public let allow: IPList
    public let checks: [ConnectionCheck]
    /// Made only when a DNS rule runs: no resolver, no resolv.conf read, for a DNS-free configuration.
    let makeResolver: () throws -> Resolver

    public init(allow: IPList, checks: [ConnectionCheck], makeResolver: @escaping () throws -> Resolver) {
        self.allow = allow
        self.checks = checks
        self.makeResolver = makeResolver
    }

    public func run(_ client: ClientInfo) -> StageOutcome {
        guard let ip = client.ip else {
            return StageOutcome(verdict: .accept, results: [RuleResult("client", .accept, "no-TCPREMOTEIP")])
        }
        do {
            if let m = try allow.match(ip) {
                return StageOutcome(verdict: Verdict(.accept, rule: "ipallow"), results: [RuleResult("ipallow", .accept, "line\(m.line)")])
            }
        } catch {
            let failed = RuleResult("ipallow", Verdict(.deferred, rule: "ipallow", text: "temporary failure reading ipallow.cdb"), "unreadable")
            return StageOutcome(verdict: failed.verdict, results: [failed])
        }
        var results: [RuleResult] = []
        var verdict = Verdict.accept
        let local = checks.filter { $0.questions(for: ip).isEmpty }
        let remote = checks.filter { !$0.questions(for: ip).isEmpty }
        for check in local {
            let r = check.evaluate(client, ip, answers: [:])
            results.append(r)
            verdict = verdict.combined(with: r.verdict)
            if verdict.action == .refuse { return StageOutcome(verdict: verdict, results: results) }
        }
        if remote.isEmpty { return StageOutcome(verdict: verdict, results: results) }
        var answers: [DNSQuery: DNSAnswer]
        do {
            let resolver = try makeResolver()
            answers = resolver.resolve(remote.flatMap { $0.questions(for: ip) })
            let more = remote.flatMap { $0.followUp(for: ip, answers: answers) }
            if !more.isEmpty { answers.merge(resolver.resolve(more)) { a, _ in a } }
        } catch {
            results.append(RuleResult("dns", Verdict(.deferred, rule: "dns", text: "DNS resolver unavailable; try again later"), "error"))
            return StageOutcome(verdict: verdict.combined(with: results.last!.verdict), results: results)
        }
        for check in remote {
            let r = check.evaluate(client, ip, answers: answers)
            results.append(r)
            verdict = verdict.combined(with: r.verdict)
        }
        return StageOutcome(verdict: verdict, results: results)
    }
}
