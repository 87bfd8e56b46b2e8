#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CAres
import QSentryCore

/// The one resolver: every question of a connection (or message) asked at once through
/// c-ares, answered within one overall deadline.
///
/// c-ares retries on the next server, falls back to TCP on a truncated answer and
/// skips servers that answer SERVFAIL or REFUSED. Whatever is still unanswered at
/// the deadline is cancelled and reported `.temporary`: slowness never becomes a
/// permanent refusal.
public final class Resolver {
    private var channel: ares_channel? = nil
    public let deadlineMilliseconds: Int

    /// Default overall deadline, as `control/qsentry/dnstimeout` documents.
    public static let defaultDeadline = 5000

    /// - Parameters:
    ///   - servers: c-ares CSV (`127.0.0.1:5353,[::1]:53`), or nil for /etc/resolv.conf.
    ///   - deadlineMilliseconds: the overall deadline for one `resolve` call.
    public init(servers: String?, deadlineMilliseconds: Int = Resolver.defaultDeadline) throws {
        self.deadlineMilliseconds = deadlineMilliseconds
        if Resolver.libraryStatus != ARES_SUCCESS {
            throw ResolverError("c-ares initialisation failed: \(String(cString: ares_strerror(Resolver.libraryStatus)))")
        }
        var options = ares_options()
        // Each try waits a third of the deadline at most, so a dead first server leaves time for the next.
        options.timeout = Int32(max(200, min(2000, deadlineMilliseconds / 3)))
        options.tries = 2
        options.flags = Int32(ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES)
        let mask = Int32(ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS)
        let status = ares_init_options(&channel, &options, mask)
        guard status == ARES_SUCCESS else {
            throw ResolverError("cannot start the resolver: \(String(cString: ares_strerror(status)))")
        }
        if let servers {
            let s = ares_set_servers_ports_csv(channel, servers)
            guard s == ARES_SUCCESS else {
                ares_destroy(channel)
                throw ResolverError("bad DNS server list \"\(servers)\": \(String(cString: ares_strerror(s)))")
            }
        }
    }

    /// Builds the resolver the qmail root configures (`dnsservers`, `dnstimeout`).
    public static func configured(root: QmailRoot) throws -> Resolver {
        let deadline = try ControlFile.integer(root.qsentry("dnstimeout"), default: defaultDeadline, range: 100...60000)
        return try Resolver(servers: try DNSServers.csv(root: root), deadlineMilliseconds: deadline)
    }

    deinit { ares_destroy(channel) }

    private static let libraryStatus: Int32 = ares_library_init(ARES_LIB_INIT_ALL)

    /// Asks every question in parallel; returns an answer for each (duplicates asked once).
    public func resolve(_ queries: [DNSQuery]) -> [DNSQuery: DNSAnswer] {
        var pending: [PendingQuery] = []
        var seen = Set<DNSQuery>()
        for q in queries where seen.insert(q).inserted {
            let p = PendingQuery(q)
            pending.append(p)
            let context = Unmanaged.passUnretained(p).toOpaque()
            ares_query(channel, q.name, Int32(ns_c_in.rawValue), q.type.rawValue, { arg, status, _, abuf, alen in
                let p = Unmanaged<PendingQuery>.fromOpaque(arg!).takeUnretainedValue()
                p.answer = Resolver.decode(p.query.type, status: status, abuf, alen)
            }, context)
        }
        run(until: monotonicMilliseconds() + deadlineMilliseconds) { pending.allSatisfy { $0.answer != nil } }
        ares_cancel(channel)  // calls back the rest with ARES_ECANCELLED
        var result: [DNSQuery: DNSAnswer] = [:]
        for p in pending { result[p.query] = p.answer ?? .temporary("timeout") }
        return result
    }

    /// The c-ares event loop: poll its sockets until `done` or the deadline.
    private func run(until deadline: Int, done: () -> Bool) {
        let maxSockets = Int(ARES_GETSOCK_MAXNUM)
        var sockets = [ares_socket_t](repeating: -1, count: maxSockets)
        while !done() {
            let now = monotonicMilliseconds()
            if now >= deadline { return }
            let bits = Int(ares_getsock(channel, &sockets, Int32(maxSockets)))
            var fds: [pollfd] = []
            for i in 0..<maxSockets {
                let readable = bits & (1 << i) != 0
                let writable = bits & (1 << (i + maxSockets)) != 0
                if !readable && !writable { continue }
                var events: Int16 = 0
                if readable { events |= Int16(POLLIN) }
                if writable { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: sockets[i], events: events, revents: 0))
            }
            var maxWait = timeval(tv_sec: (deadline - now) / 1000, tv_usec: ((deadline - now) % 1000) * 1000)
            var tv = timeval()
            let wait = ares_timeout(channel, &maxWait, &tv)
            let waitMs = wait.map { Int($0.pointee.tv_sec) * 1000 + Int($0.pointee.tv_usec) / 1000 } ?? (deadline - now)
            let n = poll(&fds, nfds_t(fds.count), Int32(max(0, min(waitMs, deadline - now))))
            if n <= 0 {
                ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD)  // time-outs, retries
                continue
            }
            for fd in fds where fd.revents != 0 {
                let r = fd.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 ? fd.fd : ARES_SOCKET_BAD
                let w = fd.revents & Int16(POLLOUT) != 0 ? fd.fd : ARES_SOCKET_BAD
                ares_process_fd(channel, r, w)
            }
        }
    }

    private final class PendingQuery {
        let query: DNSQuery
        var answer: DNSAnswer? = nil
        init(_ q: DNSQuery) { query = q }
    }

    static func decode(_ type: DNSType, status: Int32, _ abuf: UnsafeMutablePointer<UInt8>?, _ alen: Int32) -> DNSAnswer {
        switch status {
        case ARES_SUCCESS: break
        case ARES_ENOTFOUND: return .nameError
        case ARES_ENODATA: return .noData
        default: return .temporary(String(cString: ares_strerror(status)))
        }
        guard let abuf else { return .temporary("empty answer") }
        let parsed = AnswerParser.parse(type, abuf, alen)
        switch parsed {
        case .records(let r) where r.isEmpty: return .noData
        default: return parsed
        }
    }
}

public struct ResolverError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
