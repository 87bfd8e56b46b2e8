#if canImport(Glibc)
import Glibc
#endif
import QSentryBayes
import QSentryCore
import QSentryMessage
import QSentryMIME
import QSentryOCR

/// What qsentry-local does with one delivery (D1–D6), from qmail-local's arguments, environment
/// and message to the exit code `main` ends with: the user's preferences, the message read in
/// place, the delivery stage, then the quarantine (a virus), a discard, or the tagged copy in the
/// Maildir or a folder. The state group (StateGroup) is held only around the store and the
/// quarantine. `qsentry explain` runs the same stage through `decide`.
public struct DeliveryProgram {
    public static let usage = """
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

    public let root: QmailRoot
    public let maildir: Maildir
    public let user: String
    public let environment: DeliveryEnvironment

    public init(root: QmailRoot, maildir: Maildir, user: String, environment: DeliveryEnvironment) {
        self.root = root
        self.maildir = maildir
        self.user = user
        self.environment = environment
    }

    /// How the delivery ends: qmail-local's code, the verdict for the log, and the text for
    /// qmail's log or the bounce.
    public struct Ending: Error {
        public let code: DeliveryExit
        public let verdict: String
        public let text: String?
        public var error: String?

        public static func temporary(_ why: String) -> Ending {
            Ending(code: .temporary, verdict: "defer", text: "qsentry-local: \(why) (will try again)", error: why)
        }
    }

    /// From the `.qmail` line's arguments and qmail-local's environment. A `.qmail` typo must not
    /// bounce mail, so every usage error is temporary.
    public static func configured(arguments: [String], root: QmailRoot, log: inout LogLine) -> Result<DeliveryProgram, Ending> {
        var args = arguments
        var userOption: String?
        if args.first == "--user" || args.first == "-u" {
            guard args.count >= 2 else { return .failure(.temporary("--user needs a name")) }
            userOption = args[1]
            args.removeFirst(2)
        }
        guard args.count == 1, !args[0].isEmpty else { return .failure(.temporary("usage: qsentry-local [--user NAME] ./Maildir/")) }
        let maildir = Maildir(args[0])
        let env: DeliveryEnvironment
        do { env = try DeliveryEnvironment.current() } catch { return .failure(.temporary(error.description)) }
        let user = userOption ?? env.user
        // No user (USER unset): the global database alone.
        guard user.isEmpty || BayesDatabase.isValidUserName(user) else { return .failure(.temporary("not a user name: \(user)")) }
        log.add("user", user)
        log.add("from", env.sender)
        log.add("to", env.recipient)
        guard maildir.exists else { return .failure(.temporary("\(maildir.path) is not a Maildir (no tmp/ or new/)")) }
        return .success(DeliveryProgram(root: root, maildir: maildir, user: user, environment: env))
    }

    /// The site's settings under the user's own (`.qsentry/` beside the Maildir), read as the user;
    /// a broken user file is a warning line, a broken site file a deferral.
    public func preferences() -> Result<DeliveryPreferences, Ending> {
        do {
            let p = try DeliveryPreferences.load(root, userDirectory: DeliveryPreferences.userDirectory(forMaildir: maildir.path))
            for problem in p.problems {
                LogLine.warning("user preferences: \(problem)")
            }
            return .success(p)
        } catch {
            return .failure(.temporary("\(error)"))
        }
    }

    /// The message: qmail-local gives us the queue file itself, read in place; a pipe is spooled
    /// into the Maildir's tmp/.
    public func receive(fd: Int32 = 0) -> Result<(MessageSpool, MessageFacts), Ending> {
        var limits = MIMELimits()
        limits.fields = ["x-qsentry-session", "x-qsentry-fuzzy"]
        limits.includeTokenizerFields()
        // M7 for installs without QMAILQUEUE: the images read here too, for the Bayes tokens. A
        // broken ocr file reads as no OCR (qsentry check says why): a delivery never waits on it.
        let ocr = (try? OCRSettings.load(root.qsentry("ocr"))) ?? nil
        if let ocr {
            limits.images = ocr.images
            limits.imageBytes = ocr.bytes
        }
        var parser = MIMEParser(limits: limits)
        do {
            let spool = try MessageSpool.readInPlace(fd, orSpoolIn: maildir.path + "/tmp", parser: &parser)
            var facts = parser.finish()
            if let ocr, !facts.images.isEmpty {
                // Run without the state group (set aside at start): the helper never holds it.
                for case .text(let t) in OCRReader(ocr).read(facts.images, spoolDirectory: maildir.path + "/tmp") {
                    facts.imageText += Array(t.utf8) + [0x0A]
                }
                facts.images = []
            }
            return .success((spool, facts))
        } catch {
            return .failure(.temporary("\(error)"))
        }
    }

    /// The delivery stage's outcome (the store and spamd asked, nothing written).
    public func decide(_ spool: MessageSpool, _ facts: MessageFacts, preferences: DeliveryPreferences, log: inout LogLine) -> DeliveryStage.Outcome {
        do {
            let stage = try DeliveryStage.configured(root, user: user, preferences: preferences)
            return stage.run(fd: spool.fd, size: spool.size, facts: facts, sender: environment.sender, log: &log)
        } catch {
            return .temporary("\(error)")
        }
    }

    /// Acts on the outcome: a virus to the quarantine (with the state group), the message into
    /// the Maildir (without it), or a discard or bounce.
    public func finish(_ outcome: DeliveryStage.Outcome, _ spool: MessageSpool, log: inout LogLine) -> Ending {
        switch outcome {
        case .temporary(let why):
            return .temporary(why)
        case .bounce(let text):
            return Ending(code: .permanent, verdict: "bounce", text: text)
        case .virus(let signature):
            log.add("virus", signature)
            do {
                let id = try Quarantine(directory: try Quarantine.configuredDirectory(root))
                    .store(message: spool, envelope: QmailEnvelope(sender: environment.sender, recipients: [environment.recipient]),
                           ip: "", rule: "virus", text: "virus at delivery: \(signature)", now: Int(time(nil)))
                log.add("quarantine", id)
            } catch {
                return .temporary("virus \(signature) found but not quarantined: \(error)")
            }
            return Ending(code: .okStop, verdict: "quarantine", text: nil)
        case .discard(let tag):
            log.add("tests", tag.tests.joined(with: ","))
            return Ending(code: .okStop, verdict: "discard", text: nil)
        case .deliver(let tag, let folder):
            log.add("tests", tag.tests.joined(with: ","))
            // Nothing the user controls is written with the state group.
            StateGroup.giveUp()
            var target = maildir
            if let folder {
                target = maildir.folder(folder)
                do { try target.create() } catch { return .temporary("\(error)") }
                log.add("folder", folder)
            }
            let copy = TaggedCopy(returnPath: environment.returnPathLine, deliveredTo: environment.deliveredToLine, tag: tag)
            do {
                let name = try target.deliver { copy.copy(from: spool.fd, to: $0) }
                log.add("file", name)
            } catch {
                return .temporary("\(error)")
            }
            return Ending(code: .okStop, verdict: tag.isSpam ? "spam" : "ham", text: nil)
        }
    }
}
