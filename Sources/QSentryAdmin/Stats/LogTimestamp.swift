#if canImport(Glibc)
import Glibc
#endif

/// The time at the start of a log line, in Unix seconds (UTC).
public enum LogTimestamp {
    /// `@` and 24 hex digits (multilog's TAI64N), or `YYYY-MM-DD HH:MM:SS[.frac]` (tai64nlocal's
    /// output, in the machine's local time).
    static func parse(_ text: Substring) -> Int? {
        if text.first == "@" { return tai64n(text.dropFirst()) }
        return localTime(text)
    }

    /// TAI64N: 16 hex digits of 2^62 + TAI seconds, then 8 of nanoseconds. TAI runs 37 s ahead
    /// of UTC since 2017; tai64nlocal takes 10 (the 1972 offset) and so does this, to agree with it.
    static func tai64n(_ hex: Substring) -> Int? {
        guard hex.count == 24, let label = UInt64(hex.prefix(16), radix: 16), label >= 1 << 62,
              label - (1 << 62) < 1 << 40 else { return nil }  // past the year 36,000: not a time
        return Int(label - (1 << 62)) - 10
    }

    static func localTime(_ text: Substring) -> Int? {
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        let clock = (parts[1].split(separator: ".").first ?? "").split(separator: ":").compactMap { Int($0) }
        guard var t = brokenDown(date, clock) else { return nil }
        t.tm_isdst = -1
        let seconds = mktime(&t)
        return seconds == -1 ? nil : Int(seconds)
    }

    /// A broken-down time from [year, month, day] and [hour, minute, second], or nil when any is
    /// out of its range (found by fuzzing: a huge year trapped).
    static func brokenDown(_ date: [Int], _ clock: [Int]) -> tm? {
        guard date.count == 3, clock.count == 3, (1970...9999).contains(date[0]), (1...12).contains(date[1]),
              (1...31).contains(date[2]), (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        var t = tm()
        t.tm_year = Int32(date[0] - 1900)
        t.tm_mon = Int32(date[1] - 1)
        t.tm_mday = Int32(date[2])
        t.tm_hour = Int32(clock[0])
        t.tm_min = Int32(clock[1])
        t.tm_sec = Int32(clock[2])
        return t
    }

    /// `24h`, `7d`, `90m`, `30s` before `now`, or a UTC date `YYYY-MM-DD` / `YYYY-MM-DDTHH:MM[:SS]`.
    public static func when(_ text: String, now: Int) -> Int? {
        if let unit = text.last, let n = Int(text.dropLast()), n >= 0, n < 1 << 32 {
            switch unit {
            case "s": return now - n
            case "m": return now - n * 60
            case "h": return now - n * 3600
            case "d": return now - n * 86400
            default: break
            }
        }
        let pieces = text.split(separator: "T", maxSplits: 1)
        guard let day = pieces.first else { return nil }
        let date = day.split(separator: "-").compactMap { Int($0) }
        guard date.count == 3, day.count == 10 else { return nil }
        var clock = [0, 0, 0]
        if pieces.count == 2 {
            let c = pieces[1].split(separator: ":").compactMap { Int($0) }
            guard c.count == 2 || c.count == 3 else { return nil }
            for (i, v) in c.enumerated() { clock[i] = v }
        }
        guard var t = brokenDown(date, clock) else { return nil }
        let seconds = timegm(&t)
        return seconds == -1 ? nil : Int(seconds)
    }

    /// `2026-11-30 10:00 UTC`.
    public static func format(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }
}
