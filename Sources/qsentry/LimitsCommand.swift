#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import QSentryCore
import QSentryEnvelope
import QSentryStore

/// E19: what each authenticated user and relay client sent this hour and today, against their
/// limits (control/qsentry/sending-limits), and a reset for one of them.
struct LimitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Show the sending counts of authenticated users and relay clients (E19), or reset one.",
        discussion: "One line a sender who sent today: messages this hour/limit, today/limit, recipients the same. "
            + "Senders are AUTH names, or relay:IP for RELAYCLIENT clients. --reset SENDER forgets that sender's counts."
    )
    @OptionGroup var options: RootOption
    @Option(name: .long, help: "Forget this sender's counts (an AUTH name, or relay:IP).") var reset: String?

    func run() throws {
        let root = options.root
        let store = try StoreConfiguration.open(root)
        if let reset {
            try store.resetSending(reset, now: Int(time(nil)))
            print("reset \(reset)")
            return
        }
        let settings = try SendingLimit.Settings.load(root.qsentry("sending-limits"))
        if settings == nil { print("no control/qsentry/sending-limits: no limits apply (counts are kept only with it)") }
        for (who, c) in try store.sendingCounters(now: Int(time(nil))) {
            let l = settings?.limits(for: who)
            func pair(_ n: Int, _ limit: Int?) -> String { "\(n)/" + (limit.map { $0 == 0 ? "-" : String($0) } ?? "-") }
            print("\(who)\tmessages \(pair(c.messagesThisHour, l?.messagesPerHour)) this hour, \(pair(c.messagesToday, l?.messagesPerDay)) today"
                + "\trecipients \(pair(c.recipientsThisHour, l?.recipientsPerHour)) this hour, \(pair(c.recipientsToday, l?.recipientsPerDay)) today")
        }
    }
}
