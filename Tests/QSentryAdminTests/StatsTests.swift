import Foundation
import Testing
@testable import QSentryAdmin

/// A5: a known log counted exactly.
@Suite struct StatsTests {
    /// TAI64N label for a Unix time, as multilog writes it.
    static func tai(_ unix: Int) -> String {
        "@" + String(format: "%016llx%08x", UInt64(unix + 10) + (1 << 62), 123456)
    }

    /// 2026-11-29 10:00:00 UTC and on.
    static let t0 = 1_795_946_400

    static var log: String {
        [
            tai(t0) + " qsentry-conn: pid=1 ip=192.0.2.7 country=DE dnsbl=1/1[bl.test:listed] verdict=refuse rule=dnsbl text=\"Listed by bl.test\"",
            tai(t0 + 60) + " qsentry-conn: pid=2 ip=192.0.2.7 country=DE verdict=refuse rule=dnsbl text=x",
            tai(t0 + 120) + " qsentry-conn: pid=3 ip=198.51.100.1 country=US verdict=accept",
            tai(t0 + 180) + " qsentry-conn: pid=4 ip=203.0.113.5 country=unknown verdict=defer rule=dns text=\"DNS trouble\"",
            tai(t0 + 3700) + " qsentry-conn: pid=5 ip=198.51.100.2 ipblock=line3 verdict=refuse rule=ipblock text=\"a = b\"",
            tai(t0 + 3800) + " qsentry-smtpd: pid=6 ip=198.51.100.1 from=a@example.org to=nobody@example.com verdict=refuse rule=unknown-recipient code=550",
            tai(t0 + 3810) + " qsentry-smtpd: pid=6 ip=198.51.100.1 from=a@example.org to=joe@example.com verdict=accept",
            tai(t0 + 3820) + " qsentry-smtpd: pid=7 ip=198.51.100.3 from=\"\" verdict=tag rule=empty-sender",
            tai(t0 + 3830) + " qsentry-smtpd: pid=8 warning=\"store: down\"",
            "2026-11-29 11:05:00.000000 qsentry-queue: pid=9 ip=198.51.100.1 from=a@example.org rcpts=1 size=100 checks=virus:hit verdict=refuse rule=virus quarantine=abc",
            "qsentry-queue: pid=10 ip=198.51.100.4 verdict=accept",
            "qsentry-local: pid=11 user=joe verdict=spam tests=BAYES_99",
            "qsentry-local: pid=12 user=joe verdict=ham",
            "qsentry-local: pid=13 user=joe verdict=bounce",
            "tcpserver: status: 1/40",
            "not a log line at all",
            "qsentry-conn: pid=14 broken=\"unterminated",
        ].joined(separator: "\n") + "\n"
    }

    static func count(_ text: String, since: Int? = nil) -> LogStatistics {
        var s = LogStatistics(since: since)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { s.add(line: line) }
        return s
    }

    @Test func aKnownLogIsCountedExactly() {
        let s = Self.count(Self.log)
        #expect(s.lines == 17)
        #expect(s.records == 14)  // the three foreign or broken lines are not records; the warning is
        #expect(s.warnings == 1)
        var conn = LogStatistics.Outcomes(); conn.decisions = 5; conn.refused = 3; conn.deferred = 1; conn.accepted = 1
        var smtpd = LogStatistics.Outcomes(); smtpd.decisions = 3; smtpd.refused = 1; smtpd.tagged = 1; smtpd.accepted = 1
        var queue = LogStatistics.Outcomes(); queue.decisions = 2; queue.refused = 1; queue.accepted = 1
        var local = LogStatistics.Outcomes(); local.decisions = 3; local.refused = 1; local.tagged = 1; local.accepted = 1
        #expect(s.outcomes["qsentry-conn"] == conn)
        #expect(s.outcomes["qsentry-smtpd"] == smtpd)
        #expect(s.outcomes["qsentry-queue"] == queue)
        #expect(s.outcomes["qsentry-local"] == local)
        #expect(s.ruleHits["qsentry-conn"] == ["dnsbl": 2, "dns": 1, "ipblock": 1])
        #expect(s.ruleHits["qsentry-smtpd"] == ["unknown-recipient": 1, "empty-sender": 1])
        #expect(s.refusedIPs == ["192.0.2.7": 2, "198.51.100.2": 1, "198.51.100.1": 2])
        #expect(s.countries == ["DE": 2, "US": 1])
        #expect(s.first == Self.t0)
        #expect(s.hours[Self.t0]?.decisions == 4 && s.hours[Self.t0]?.refused == 2)
        let rate = s.ruleRates.first { $0.rule == "dnsbl" }!
        #expect(rate.hits == 2 && rate.percent == 40)
    }

    @Test func theReportSaysIt() {
        let text = StatsReport.text(Self.count(Self.log), top: 2)
        #expect(text.contains("qsentry stats: 14 lines of qsentry's programs"))
        #expect(text.contains("\nconnection                  5          3          1          0          1\n"), "\(text)")
        #expect(text.contains("\n  connection  dnsbl                          2   40.0 %\n"), "\(text)")
        #expect(text.contains("\n  envelope    unknown-recipient              1   33.3 %\n"), "\(text)")
        #expect(text.contains("  192.0.2.7                 2\n  198.51.100.1              2\n\n"), "\(text)")  // top 2, ties by name
        #expect(text.contains("  DE                        2"))
    }

    @Test func aPeriodCountsOnlyTimedLinesInIt() {
        let s = Self.count(Self.log, since: Self.t0 + 3600)
        #expect(s.outcomes["qsentry-conn"]?.decisions == 1)
        #expect(s.outcomes["qsentry-smtpd"]?.decisions == 3)
        #expect(s.outcomes["qsentry-local"] == nil)  // no time: outside any period
        #expect(s.outsidePeriod == 4 + 4)
    }

    @Test func timesAndFieldsParse() {
        #expect(LogTimestamp.parse(Substring(Self.tai(Self.t0))) == Self.t0)
        #expect(LogTimestamp.when("2026-11-29T10:00", now: 0) == Self.t0)
        #expect(LogTimestamp.when("2h", now: Self.t0) == Self.t0 - 7200)
        #expect(LogTimestamp.when("yesterday", now: 0) == nil)
        // Found by the log fuzz target and its neighbours: out-of-range times are no times, not traps.
        for bad in ["", "T", "99999999999-01-01", "2026-13-01", "9999999999999999999d", "2026-11-29T99:00"] {
            #expect(LogTimestamp.when(bad, now: 0) == nil, "\(bad)")
        }
        #expect(LogTimestamp.parse("@ffffffffffffffff00000000") == nil)
        #expect(LogTimestamp.parse("99999999999999999-01-01 10:00:00.0") == nil)
        #expect(LogTimestamp.parse("2026-11-29 .") == nil)
        let r = LogRecord.parse("@400000006929c5aa00000000 qsentry-smtpd: pid=1 from=\"a \\\"b\\\" \\x01\" to=x")
        #expect(r?.fields["from"] == "a \"b\" \u{01}")
        #expect(r?.fields["to"] == "x")
        #expect(LogRecord.parse("somebody said qsentry-conn: pid=1 verdict=refuse") == nil)
    }
}
