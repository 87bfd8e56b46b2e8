#if canImport(Glibc)
import Glibc
#endif
import QSentryAdmin
import QSentryCore
import QSentryMessage

/// What the console does to the quarantine, one request at a time (an actor: the index is one
/// shared cache, and a release must not race a delete of the same message). Every method takes
/// the session's identity and shows or touches only what that identity may see: a mailbox user's
/// message that is not addressed to them is answered exactly like one that does not exist.
public actor ConsoleState {
    public let root: QmailRoot
    let index: QuarantineIndex

    public init(root: QmailRoot) throws {
        self.root = root
        index = QuarantineIndex(Quarantine(directory: try Quarantine.configuredDirectory(root)))
    }

    var quarantine: Quarantine { index.quarantine }

    /// Reads the index and makes the default order (newest first), before anyone asks.
    public func warm() {
        index.refresh()
        _ = index.search(QuarantineIndex.Query())
    }

    public func search(_ query: QuarantineIndex.Query, for identity: Identity) -> QuarantineIndex.Page {
        index.refresh()
        return index.search(query, onlyFor: identity.addresses)
    }

    /// The entry when `identity` may see it.
    public func visible(_ id: String, for identity: Identity) -> QuarantineIndex.Summary? {
        index.refresh()
        guard let s = index.summary(id) else { return nil }
        guard let own = identity.addresses else { return s }
        return s.recipients.contains(where: { r in own.contains(r.lowercased()) }) ? s : nil
    }

    /// The entry and its first `limit` bytes (enough to show a larger one) when `identity` may see it.
    public func message(_ id: String, for identity: Identity, limit: Int) -> (QuarantineIndex.Summary, ArraySlice<UInt8>)? {
        guard let s = visible(id, for: identity), let head = try? quarantine.messageHeader(id, limit: limit) else { return nil }
        return (s, head[...])
    }

    public enum ActionResult: Sendable {
        case done(String)
        case failed(String)
    }

    /// Releases each message to the identity's own recipients (an administrator's: all),
    /// learning it as ham. With `allowSender`, the sender is allowed first: by an administrator
    /// for the whole site (mailfromallow), by a mailbox user for their own addresses only
    /// (ReleasedSenders, which qsentry-queue reads).
    public func release(_ ids: [String], for identity: Identity, allowSender: Bool, now: Int) -> [(String, ActionResult)] {
        var out: [(String, ActionResult)] = []
        for id in ids {
            guard let s = visible(id, for: identity) else { out.append((id, .failed("no such message"))); continue }
            do {
                if allowSender && !s.sender.isEmpty { try allow(sender: s.sender, for: identity, recipients: s.recipients, now: now) }
                let outcome = try QuarantineRelease.release(quarantine, id: id, root: root, only: identity.addresses, now: now)
                out.append((id, .done(outcome.learntIn.map { "released, learnt as ham in \($0)" } ?? "released")))
            } catch {
                out.append((id, .failed("\(error)")))
            }
            index.forget(id)
        }
        return out
    }

    /// Deletes each message (a mailbox user: their own copy only).
    public func delete(_ ids: [String], for identity: Identity) -> [(String, ActionResult)] {
        var out: [(String, ActionResult)] = []
        for id in ids {
            guard visible(id, for: identity) != nil else { out.append((id, .failed("no such message"))); continue }
            do {
                if let own = identity.addresses { try quarantine.remove(id, recipients: own) } else { try quarantine.delete(id) }
                out.append((id, .done("deleted")))
            } catch {
                out.append((id, .failed("\(error)")))
            }
            index.forget(id)
        }
        return out
    }

    /// A digest link's release: the link's own recipient, nobody else.
    public func release(link: ReleaseLink, now: Int) -> ActionResult {
        guard link.expires >= now else { return .failed("This link has expired; log in to release the message.") }
        guard let s = visible(link.id, for: .mailbox(login: link.recipient, addresses: [link.recipient.lowercased()])) else {
            return .failed("This message is no longer in quarantine for \(link.recipient): it was released or deleted.")
        }
        do {
            _ = try QuarantineRelease.release(quarantine, id: s.id, root: root, only: [link.recipient], now: now)
            index.forget(s.id)
            return .done("Released to \(link.recipient).")
        } catch {
            return .failed("Not released: \(error)")
        }
    }

    func allow(sender: String, for identity: Identity, recipients: [String], now: Int) throws {
        if let own = identity.addresses {
            for r in recipients where own.contains(r.lowercased()) { try releasedSenders.add(sender: sender, recipient: r, now: now) }
            return
        }
        let editor = ListEditor(root: root)
        let text = try editor.text("mailfromallow")
        let lines = text.split(separator: "\n").map { String($0).trimmed }
        if lines.contains(where: { $0.lowercased() == sender.lowercased() }) { return }
        _ = try editor.save("mailfromallow", text: text + (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + sender + "\n")
    }

    var releasedSenders: ReleasedSenders { ReleasedSenders(root: root) }

    /// The senders a mailbox user allowed, per address of theirs.
    public func allowedSenders(for identity: Identity) -> [(address: String, senders: [String])] {
        (identity.addresses ?? []).map { ($0, (try? releasedSenders.senders(of: $0)) ?? []) }
    }

    /// Takes back a mailbox user's allow: only a pair with one of their own addresses.
    public func disallow(sender: String, recipient: String, for identity: Identity) throws -> Bool {
        guard let own = identity.addresses, own.contains(recipient.lowercased()) else { return false }
        return try releasedSenders.remove(sender: sender, recipient: recipient)
    }
}
