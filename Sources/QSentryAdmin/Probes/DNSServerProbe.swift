import QSentryCore
import QSentryDNS

/// Each DNS server answers (`dnsservers`, else /etc/resolv.conf's), when some rule asks DNS:
/// dnsbl, uribl, rdns, spf or sender-rules.
struct DNSServerProbe: LiveProbe {
    let name = "dns servers"
    static let dnsFiles = ["dnsbl", "uribl", "rdns", "spf", "sender-rules"]

    func run(_ root: QmailRoot) -> [ControlError] {
        guard Self.dnsFiles.contains(where: { FileBytes.exists(root.qsentry($0)) }) else { return [] }
        let file = root.qsentry("dnsservers")
        let servers: [String?]
        do {
            servers = try DNSServers.csv(root: root).map { $0.split(separator: ",").map(String.init) } ?? [nil]
        } catch let e as ControlError {
            return [e]
        } catch {
            return [ControlError(path: file, "\(error)")]
        }
        // A question any server should answer: a blocklist's test point when there is one, else 127.0.0.1's PTR.
        let question = DNSBLTestPointProbe.zones(root).first.map { DNSQuery("2.0.0.127." + $0.zone.zone, .a) }
            ?? DNSQuery.reverse(IPAddress("127.0.0.1")!)
        var problems: [ControlError] = []
        for server in servers {
            let answer: DNSAnswer
            do {
                answer = try Resolver(servers: server, deadlineMilliseconds: 3000).resolve([question])[question] ?? .temporary("no answer")
            } catch {
                problems.append(ControlError(path: file, "\(error)"))
                continue
            }
            if case .temporary(let why) = answer {
                let who = server.map { "DNS server \($0)" } ?? "the DNS servers of /etc/resolv.conf"
                problems.append(ControlError(path: server == nil ? "/etc/resolv.conf" : file,
                    "\(who) did not answer \(question) (\(why)): check the address and port, and that it answers this host"))
            }
        }
        return problems
    }
}
