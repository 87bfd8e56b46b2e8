#if canImport(Glibc)
import Glibc
#endif
import QSentryBayes
import QSentryContent
import QSentryCore
import QSentryDelivery
import QSentryMIME
import QSentryScan
import QSentryStore

// qsentry-local: the .qmail delivery program: per-user spam tagging and Maildir delivery (D1–D6).
let usage = """
usage: in a .qmail file:  | qsentry-local [--user NAME] ./Maildir/

Run by qmail-local with the message on stdin. Scores it (the user's virus scan,
allow and block lists, Bayes with the global then the user's own tokens, spamd
when configured), tags it with X-Spam-Flag / X-Spam-Score / X-Spam-Status and a
[SPAM] subject prefix, and acts on the user's preferences (.qsentry/ beside the
Maildir): deliver, file into a folder, discard or bounce. Delivers safely into
the Maildir (tmp, fsync, new) and exits 99 (delivered; later .qmail lines are
skipped), 100 (bounce) or 111 (try again later).
--user NAME   the Bayes database and spamd user (default: $USER)
"""
if let code = Program.start("qsentry-local", usage: usage) { exit(code) }
// Installed setgid to the state group: held only around the state (StateGroup).
StateGroup.setAside()
Program.warnIfRoot(hint: "qmail-local runs deliveries as the user; call it from a user's .qmail")
signal(SIGPIPE, SIG_IGN)

var line = LogLine()

/// Ends the delivery with qmail-local's code; the text reaches qmail's log or the bounce.
func finish(_ code: DeliveryExit, _ verdict: String, say text: String? = nil) -> Never {
    line.add("verdict", verdict)
    line.emit()
    if let text { Program.writeOut(text + "\n") }
    exit(code.rawValue)
}

func temporary(_ why: String) -> Never {
    line.add("error", why)
    finish(.temporary, "defer", say: "qsentry-local: \(why) (will try again)")
}

// Arguments: a .qmail typo must not bounce mail, so every usage error is temporary.
var arguments = Array(CommandLine.arguments.dropFirst())
var userOption: String?
if arguments.first == "--user" || arguments.first == "-u" {
    guard arguments.count >= 2 else { temporary("--user needs a name") }
    userOption = arguments[1]
    arguments.removeFirst(2)
}
guard arguments.count == 1, !arguments[0].isEmpty else { temporary("usage: qsentry-local [--user NAME] ./Maildir/") }
let maildir = Maildir(arguments[0])

let env: DeliveryEnvironment
do { env = try DeliveryEnvironment.current() } catch { temporary(error.description) }
let user = userOption ?? env.user
// No user (USER unset): the global database alone.
guard user.isEmpty || BayesDatabase.isValidUserName(user) else { temporary("not a user name: \(user)") }
line.add("user", user)
line.add("from", env.sender)
line.add("to", env.recipient)
guard maildir.exists else { temporary("\(maildir.path) is not a Maildir (no tmp/ or new/)") }

let root = QmailRoot.fromEnvironment()
let preferences: DeliveryPreferences
do {
    preferences = try DeliveryPreferences.load(root, userDirectory: DeliveryPreferences.userDirectory(forMaildir: maildir.path))
} catch {
    temporary("\(error)")
}
for p in preferences.problems {
    var l = LogLine()
    l.add("warning", "user preferences: \(p)")
    l.emit()
}

// The message: qmail-local gives us the queue file itself, read in place; a pipe is spooled.
var limits = MIMELimits()
limits.fields = Tokenizer.headerFields
var parser = MIMEParser(limits: limits)
let spool: MessageSpool
do { spool = try MessageSpool.readInPlace(0, orSpoolIn: maildir.path + "/tmp", parser: &parser) } catch { temporary("\(error)") }
let facts = parser.finish()
line.add("size", spool.size)

// The store, the tokens and the quarantine with the state group; the Maildir without it.
StateGroup.resume()
let stage: DeliveryStage
do { stage = try DeliveryStage.configured(root, user: user, preferences: preferences) } catch { temporary("\(error)") }
let outcome = stage.run(fd: spool.fd, size: spool.size, facts: facts, sender: env.sender, log: &line)

switch outcome {
case .temporary(let why):
    temporary(why)
case .bounce(let text):
    finish(.permanent, "bounce", say: text)
case .virus(let signature):
    line.add("virus", signature)
    do {
        let id = try Quarantine(directory: try ContentConfiguration.quarantineDirectory(root))
            .store(message: spool, envelope: QmailEnvelope(sender: env.sender, recipients: [env.recipient]),
                   ip: "", rule: "virus", text: "virus at delivery: \(signature)", now: Int(time(nil)))
        line.add("quarantine", id)
    } catch {
        temporary("virus \(signature) found but not quarantined: \(error)")
    }
    finish(.okStop, "quarantine")
case .discard(let tag):
    line.add("tests", tag.tests.joined(separator: ","))
    finish(.okStop, "discard")
case .deliver(let tag, let folder):
    line.add("tests", tag.tests.joined(separator: ","))
    StateGroup.giveUp()
    var target = maildir
    if let folder {
        target = maildir.folder(folder)
        do { try target.create() } catch { temporary("\(error)") }
        line.add("folder", folder)
    }
    let copy = TaggedCopy(returnPath: env.returnPathLine, deliveredTo: env.deliveredToLine, tag: tag)
    do {
        let name = try target.deliver { copy.copy(from: spool.fd, to: $0) }
        line.add("file", name)
    } catch {
        temporary("\(error)")
    }
    finish(.okStop, tag.isSpam ? "spam" : "ham")
}
