import Foundation

/// Stand-ins for the program qsentry-conn execs (qmail-smtpd in production): they greet, answer,
/// and show what reached them in the environment, so a test can see the hand-over.
public enum Downstream {
    /// A small SMTP responder: `220 downstream`, HELO/EHLO answered with the conn verdict variables.
    public static func smtpd(in root: TempQmailRoot) throws -> String {
        try root.write("bin/downstream-smtpd", """
        #!/bin/sh
        printf '220 downstream ESMTP\\r\\n'
        while IFS= read -r line; do
          case "$line" in
            [Hh][Ee][Ll][Oo]*|[Ee][Hh][Ll][Oo]*)
              printf '250 downstream verdict=%s rule=%s\\r\\n' "${QSENTRY_CONN_VERDICT:-none}" "${QSENTRY_CONN_RULE:-none}";;
            [Qq][Uu][Ii][Tt]*) printf '221 downstream\\r\\n'; exit 0;;
            *) printf '250 downstream ok\\r\\n';;
          esac
        done
        """, mode: 0o755)
    }
}
