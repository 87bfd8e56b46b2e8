#if canImport(Glibc)
import Glibc
#endif
import CHiredis
import QSentryCore

/// P5: finding the Redis master through Redis Sentinel.
///
/// Asking a sentinel costs a round trip, and every qsentry-conn process would pay it, so the
/// answer is kept in `$QMAIL/qsentry/redis-master` (`MASTER HOST PORT`): a process connects to
/// the master last found and checks it with ROLE in its first pipeline (no extra trip). When that
/// address refuses, or ROLE shows a replica (the old master came back demoted), the sentinels are
/// asked in turn, each with a share of what is left of the deadline, and the file is rewritten.
enum RedisSentinel {
    /// The master's address as the first sentinel that knows `master` gives it; `auth` goes first
    /// in the same trip when the sentinels have a password of their own.
    static func discover(_ sentinels: [RedisAddress.Endpoint], master: String, auth: [String]? = nil,
                         deadline: RedisDeadline) throws -> RedisAddress.Endpoint {
        var failures: [String] = []
        for (i, sentinel) in sentinels.enumerated() {
            let share = RedisDeadline(milliseconds: max(1, deadline.remainingMilliseconds / (sentinels.count - i)))
            if deadline.expired { failures.append("\(sentinel): deadline passed"); break }
            do {
                let c = try RedisLink.open(sentinel, share)
                defer { redisFree(c) }
                var reply = try RedisLink.exchange(c, (auth.map { [$0] } ?? []) + [["SENTINEL", "get-master-addr-by-name", master]],
                                                   share, server: sentinel.description)
                if auth != nil, case .error(let e) = reply.removeFirst() { failures.append("\(sentinel): AUTH: \(e)"); continue }
                let pair = reply[0].array.compactMap(\.string)
                if case .error(let e) = reply[0] { failures.append("\(sentinel): \(e)"); continue }
                guard pair.count == 2, let port = Int32(pair[1]) else { failures.append("\(sentinel): does not know \(master)"); continue }
                return RedisAddress.Endpoint(host: pair[0], port: port)
            } catch let failure as RedisLink.Failure {
                failures.append(failure.text)
            }
        }
        throw RedisLink.Failure(text: "no sentinel named the master \(master): " + failures.joined(with: "; "))
    }

    /// The master address last found, kept between processes.
    struct Cache {
        let path: String

        func read(_ master: String) -> RedisAddress.Endpoint? {
            guard let bytes = try? FileBytes.read(path, limit: 512) else { return nil }
            let words = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard words.count == 3, words[0] == master, let port = Int32(words[2]) else { return nil }
            return RedisAddress.Endpoint(host: String(words[1]), port: port)
        }

        /// Best effort: a process that cannot write the state directory still works, it only asks
        /// the sentinels again next time.
        func write(_ master: String, _ endpoint: RedisAddress.Endpoint) {
            if read(master) == endpoint { return }
            guard (try? FileBytes.writeAtomically(path, Array("\(master) \(endpoint.host) \(endpoint.port)\n".utf8),
                                                  mode: StateFiles.fileMode)) != nil else { return }
            StateFiles.adopt(path)
        }
    }
}
