#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryCore
import QSentryStore

struct Bans: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add and remove temporary IP bans (C7), or report an event as the programs do.",
        subcommands: [List.self, Add.self, Remove.self, Report.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bans in force: IP, end time (UTC), source.")
        @OptionGroup var options: RootOption

        func run() throws {
            let store = try openStore(options.root)
            let now = Int(time(nil))
            for b in try store.bans(now: now) {
                print("\(b.ip)\t\(formatTime(b.until))\t\(b.source)\t(\((b.until - now + 59) / 60) min left)")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ban an IP (default for the bans file's duration).")
        @OptionGroup var options: RootOption
        @Argument(help: "The address to ban.") var ip: String
        @Argument(help: "How long: 90s, 30m, 12h, 2d (bare numbers are minutes).") var duration: String?

        func run() throws {
            let address = try parseIP(ip)
            if try IPList.load(options.root.qsentry("ipallow")).match(address) != nil {
                throw ValidationError("\(ip) is in control/qsentry/ipallow: allow-listed addresses are never banned")
            }
            let store = try openStore(options.root)
            let seconds = try duration.map { try StorePolicy.seconds($0) } ?? store.policy.banDuration
            try store.ban(address, until: Int(time(nil)) + seconds, source: "admin")
            print("banned \(address) for \(seconds / 60) min")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a ban and forget the IP's events.")
        @OptionGroup var options: RootOption
        @Argument var ip: String

        func run() throws {
            try openStore(options.root).unban(try parseIP(ip))
            print("removed \(ip)")
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an event against an IP, exactly as the programs do (for scripts and other filters).",
            discussion: "Kinds: \(StoreEventKind.allCases.map(\.rawValue).joined(separator: ", ")). Allow-listed IPs are ignored.")
        @OptionGroup var options: RootOption
        @Argument var ip: String
        @Argument var kind: String

        func run() throws {
            guard let k = StoreEventKind(rawValue: kind) else {
                throw ValidationError("unknown kind \(kind): one of \(StoreEventKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try StoreConfiguration.events(try openStore(options.root), options.root).report(try parseIP(ip), k, now: Int(time(nil)))
        }
    }
}

struct Reputation: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the store knows of an IP: ban, reporters, recent events (C8).")
    @OptionGroup var options: RootOption
    @Argument var ip: String

    func run() throws {
        let address = try parseIP(ip)
        let store = try openStore(options.root)
        let now = Int(time(nil))
        let (reporters, recent) = try store.reputation(of: address, now: now)
        let status = try store.status(of: address, now: now)
        print("ip: \(address)")
        print("status: \(status.map { $0.reason == .ban ? "banned until \(formatTime($0.until))" : "refused (reputation)" } ?? "accepted")")
        print("reporters (\(store.policy.reputationWindow / 60) min): \(reporters.count) of \(store.policy.reputationReporters) \(reporters.joined(separator: " "))")
        print("events (\(store.policy.banWindow / 60) min): \(recent)")
    }
}

func openStore(_ root: QmailRoot) throws -> Store {
    do { return try StoreConfiguration.open(root) } catch { throw ValidationError("store: \(error)") }
}

func parseIP(_ text: String) throws -> IPAddress {
    guard let ip = IPAddress(text) else { throw ValidationError("\(text) is not an IP address") }
    return ip
}

func formatTime(_ t: Int) -> String {
    var tt = time_t(t)
    var tmv = tm()
    gmtime_r(&tt, &tmv)
    var buf = [CChar](repeating: 0, count: 32)
    strftime(&buf, buf.count, "%Y-%m-%d %H:%M:%S", &tmv)
    return String(cString: buf)
}
