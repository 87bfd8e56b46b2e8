import Foundation

/// Exim (Debian's exim4-daemon-light) as the SMTP server behind qsentry-smtpd: `exim4 -C CONF -bs`
/// speaks SMTP on stdin/stdout as qmail-smtpd does, accepts every recipient, and only queues
/// (queue_only) into a spool the test owns, where accepted messages can be counted and read.
public final class Exim: @unchecked Sendable {
    public let directory: String
    /// The command to put after qsentry-smtpd on the tcpserver line.
    public let command: String

    public init(root: TempQmailRoot) throws {
        directory = root.runDirectory + "/exim-\(UUID().uuidString.prefix(6))"
        for d in ["spool", "log"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + d, withIntermediateDirectories: true)
        }
        try HarnessFile.write(directory + "/exim.conf", """
        primary_hostname = downstream.test
        domainlist local_domains = *
        acl_smtp_rcpt = acl_check_rcpt
        queue_only = true
        spool_directory = \(directory)/spool
        log_file_path = \(directory)/log/%slog
        exim_user = root
        exim_group = root
        begin acl
        acl_check_rcpt:
          accept
        begin routers
        begin transports

        """)
        command = directory + "/smtpd"
        try HarnessFile.write(command, "#!/bin/sh\nexec \(try Run.tool("exim4")) -C \(directory)/exim.conf -bs\n", mode: 0o755)
    }

    /// Queued messages: each one's header file (envelope and headers) and body.
    public var messages: [(header: String, body: String)] {
        let input = directory + "/spool/input"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).filter { $0.hasSuffix("-H") }.sorted()
        return names.map { h in
            let id = String(h.dropLast(2))
            return ((try? String(contentsOfFile: "\(input)/\(id)-H", encoding: .utf8)) ?? "",
                    (try? String(contentsOfFile: "\(input)/\(id)-D", encoding: .utf8)) ?? "")
        }
    }
}
