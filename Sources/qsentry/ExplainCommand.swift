import ArgumentParser
import QSentryAdmin
import QSentryCore

/// A1: what every layer would do with this client, envelope and message.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Run every layer dry on a client, an envelope and a message, and say what each rule decides.",
        discussion: """
            Uses the current control files and the programs' own rule code: qsentry-conn on --ip, \
            qsentry-smtpd on --helo, --from and each --to, qsentry-queue on MESSAGE (when given), and \
            qsentry-local for --user (with --maildir, that user's own settings too). Prints each rule, its \
            input and its result, then the verdict and the reply the client would get. Dry: nothing is \
            reported, quarantined, queued or delivered, but the rules' questions (DNS, clamd, spamd, the \
            store) are asked for real. Exit 0 whatever the verdict; 111 when something could not be read.
            """
    )
    @OptionGroup var options: RootOption
    @Option(name: .long, help: "The client's address (TCPREMOTEIP).") var ip: String
    @Option(name: .long, help: "What the client says at HELO/EHLO.") var helo = "unknown"
    @Option(name: .long, help: "The envelope sender; \"\" for the null sender.") var from: String
    @Option(name: .long, help: "An envelope recipient (repeat for more).") var to: [String] = []
    @Option(name: .long, help: "As if the client authenticated as this user (SMTP AUTH).") var auth: String?
    @Flag(name: .long, help: "As if tcprules set RELAYCLIENT for the client.") var relayclient = false
    @Option(name: .long, help: "As if tcprules set RBLSMTPD to TEXT (\"\" skips qsentry-conn's rules, -TEXT refuses permanently).")
    var rblsmtpd: String?
    @Option(name: .long, help: "Also run qsentry-local for this user (its Bayes database).") var user: String?
    @Option(name: .long, help: "The Maildir of the user's .qmail line (their .qsentry/ settings beside it).") var maildir: String?
    @Flag(name: .long, help: "Print JSON instead of text.") var json = false
    @Argument(help: "A message file (headers and body) for the content and delivery layers.") var message: String?

    func validate() throws {
        if IPAddress(ip) == nil { throw ValidationError("--ip: not an IP address: \(ip)") }
        if to.isEmpty { throw ValidationError("give at least one --to") }
        if maildir != nil && user == nil { throw ValidationError("--maildir needs --user") }
    }

    func run() throws {
        var explainer = Explainer(root: options.root, ip: ip)
        explainer.helo = helo
        explainer.from = from
        explainer.to = to
        explainer.authUser = auth
        explainer.relayClient = relayclient
        explainer.rblsmtpd = rblsmtpd
        explainer.messagePath = message
        explainer.user = user
        explainer.maildir = maildir
        let e: Explanation
        do { e = try explainer.run() } catch {
            print("qsentry explain: \(error)")
            throw ExitCode(CommandExit.temporary.rawValue)
        }
        print(json ? e.json : e.text, terminator: "")
    }
}
