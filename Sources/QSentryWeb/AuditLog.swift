import QSentryCore

/// A3: one log line for every action in the console (who, what, which message or list, from
/// where), in the suite's log format, on standard error for the run script's multilog.
public enum AuditLog {
    public static func record(_ who: String, _ action: String, client: String, _ fields: [(String, String)] = [], ok: Bool = true) {
        var line = LogLine()
        line.add("audit", action)
        line.add("who", who)
        line.add("client", client)
        for (k, v) in fields { line.add(k, v) }
        if !ok { line.add("result", "refused") }
        line.emit()
    }
}
