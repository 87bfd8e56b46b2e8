#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryAuth
import QSentryCore

/// M11: the signing keys of qsentry-queue.
struct DKIMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkim",
        abstract: "DKIM signing keys (M11).",
        subcommands: [Keygen.self]
    )

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen",
            abstract: "Make a signing key for DOMAIN and print the DNS record to publish.",
            discussion: """
                Writes $QMAIL/control/qsentry/dkim/DOMAIN/SELECTOR.private (root:qsentry 0640) and names \
                SELECTOR in DOMAIN/selector, so qsentry-queue signs the mail of authenticated users and \
                relay clients from DOMAIN (and its subdomains) with it from the next message on. The TXT \
                record for SELECTOR._domainkey.DOMAIN goes to standard output in zone-file form: publish it \
                before mail goes out. An older key stays where it is (rotation: a new selector, publish, \
                keygen, remove the old record later). SELECTOR defaults to the year and month (s202612).
                """
        )
        @OptionGroup var options: RootOption
        @Flag(name: .long, help: "An Ed25519 key (RFC 8463) instead of RSA 2048; few receivers check Ed25519 yet.") var ed25519 = false
        @Argument(help: "The signing domain (d=).") var domain: String
        @Argument(help: "The selector (s=).") var selector: String?

        func run() throws {
            var t = time(nil)
            var now = Glibc.tm()
            gmtime_r(&t, &now)
            let chosen = selector ?? "s\(now.tm_year + 1900)\(now.tm_mon + 1 < 10 ? "0" : "")\(now.tm_mon + 1)"
            do {
                let (path, record) = try KeyFile.generate(options.root, domain: domain, selector: chosen, ed25519: ed25519)
                // Zone-file TXT strings are at most 255 bytes each.
                var parts: [String] = []
                var rest = Substring(record)
                while !rest.isEmpty {
                    parts.append("\"" + rest.prefix(250) + "\"")
                    rest = rest.dropFirst(250)
                }
                print("\(chosen)._domainkey.\(domain.lowercased()). IN TXT \(parts.joined(separator: " "))")
                LogLine.warning("qsentry dkim keygen: key in \(path); publish the record above")
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }
}
