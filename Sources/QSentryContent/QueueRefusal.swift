#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// How a refusal reaches the client. qmail-smtpd knows only qmail-queue's exit codes: 31 makes
/// "554 mail server permanently rejected message (#5.3.0)", 71 "451 mail server temporarily
/// rejected message (#4.3.0)". notqmail's qmail-smtpd also gives qmail-queue a pipe on fd 6 and,
/// for exit 82, answers with the text written there (`D…` permanent, `Z…` temporary). So: text
/// on fd 6 and 82 when fd 6 is a pipe, the plain codes otherwise.
public enum QueueRefusal {
    public static func exitCode(permanent: Bool, text: String, enhanced: String) -> Int32 {
        var st = stat()
        if fstat(6, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO {
            let line = (permanent ? "D" : "Z") + SMTPReply.sanitize(text) + " (#\(enhanced))"
            if (try? FileBytes.writeAll(6, Array(line.prefix(250).utf8), path: "fd 6")) != nil {
                return QueueExit.customError.rawValue
            }
        }
        return permanent ? QueueExit.permanentRefusal.rawValue : QueueExit.temporaryRefusal.rawValue
    }
}
