import QSentryCore

/// When events turn into a ban (C7) and reports into a reputation refusal (C8).
///
/// `control/qsentry/bans`: `events=10`, `window=10m`, `duration=60m`, and per-kind weights
/// (`honeypot=10`: one honeypot hit is worth ten spams). `control/qsentry/reputation`:
/// `reporters=2` distinct MX hosts within `window=12h`. Times take s, m, h or d (default minutes).
public struct StorePolicy: Sendable, Equatable {
    public var banEvents = 10
    public var banWindow = 600
    public var banDuration = 3600
    /// Per-kind weights, in `StoreEventKind.allCases` order (an array: no dictionary to build per process).
    public var weights: [Int] = StoreEventKind.allCases.map { $0 == .honeypot ? 10 : 1 }
    public var reputationReporters = 2
    public var reputationWindow = 12 * 3600

    public init() {}

    public func weight(_ kind: StoreEventKind) -> Int { weights[StoreEventKind.allCases.firstIndex(of: kind)!] }

    public mutating func setWeight(_ kind: StoreEventKind, _ w: Int) { weights[StoreEventKind.allCases.firstIndex(of: kind)!] = w }

    /// How long events are kept: long enough for both decisions.
    public var horizon: Int { max(banWindow, reputationWindow) }

    public static func load(_ root: QmailRoot) throws -> StorePolicy {
        var p = StorePolicy()
        for (key, value, line, path) in try pairs(root.qsentry("bans")) {
            switch key {
            case "events": p.banEvents = try number(value, path, line)
            case "window": p.banWindow = try seconds(value, path, line)
            case "duration": p.banDuration = try seconds(value, path, line)
            default:
                guard let kind = StoreEventKind(rawValue: key) else {
                    throw ControlError(path: path, line: line, "unknown key \"\(key)\"")
                }
                p.setWeight(kind, try number(value, path, line))
            }
        }
        for (key, value, line, path) in try pairs(root.qsentry("reputation")) {
            switch key {
            case "reporters": p.reputationReporters = try number(value, path, line)
            case "window": p.reputationWindow = try seconds(value, path, line)
            default: throw ControlError(path: path, line: line, "unknown key \"\(key)\"")
            }
        }
        return p
    }

    /// The file's pairs; a line without `=` is an error here (a ban policy must not be half-read).
    static func pairs(_ path: String) throws -> [(String, String, Int, String)] {
        let (pairs, malformed) = try ControlFile.keyValues(path)
        if let first = malformed.first { throw first }
        return pairs.map { ($0.key, $0.value, $0.line, path) }
    }

    static func number(_ v: String, _ path: String, _ line: Int) throws -> Int {
        guard let n = Int(v), n >= 0 else { throw ControlError(path: path, line: line, "expected a whole number, found \"\(v)\"") }
        return n
    }

    /// `90s`, `10m`, `12h`, `1d`, or a bare number of minutes (SettingSyntax.seconds), as an error when malformed.
    public static func seconds(_ v: String, _ path: String = "", _ line: Int = 0) throws -> Int {
        guard let n = SettingSyntax.seconds(v) else {
            throw ControlError(path: path, line: line, "expected a duration like 90s, 10m, 12h or 1d, found \"\(v)\"")
        }
        return n
    }
}
