import Hummingbird
import QSentryAdmin
import QSentryCore

/// A8: the digest's one-click release links, honoured without a login. The link's MAC says
/// which message and which recipient; the GET shows the message and one button, the POST (to
/// the same signed path) releases it to that recipient alone. A link scanner that fetches every
/// link in a mail therefore releases nothing.
extension ConsoleServer {
    func addReleaseLinkRoutes(_ router: Router<ConsoleContext>) {
        router.get("/release/:id/:rcpt/:expires/:mac") { request, context in
            guard let link = verifiedLink(request) else { return linkPage(nil, reason: "This link is not valid.") }
            guard link.expires >= now() else { return linkPage(nil, reason: "This link has expired; log in to release the message.") }
            guard let s = await state.visible(link.id, for: .mailbox(login: link.recipient, addresses: [link.recipient.lowercased()])) else {
                return linkPage(nil, reason: "This message is no longer in quarantine for you: it was released or deleted.")
            }
            return linkPage(["subject": s.subject.isEmpty ? "(no subject)" : s.subject, "from": s.from.isEmpty ? s.sender : s.from,
                             "rule": s.rule, "date": LogTimestamp.format(s.time), "recipient": link.recipient, "action": request.uri.path],
                            reason: "")
        }

        router.post("/release/:id/:rcpt/:expires/:mac") { request, context in
            let address = client(request, context).address
            guard sameOrigin(request), let link = verifiedLink(request) else {
                AuditLog.record("link", "release", client: address, [("why", "bad link")], ok: false)
                return linkPage(nil, reason: "This link is not valid.")
            }
            switch await state.release(link: link, now: now()) {
            case .done(let what):
                AuditLog.record("link:" + link.recipient, "release", client: address, [("id", link.id)])
                return pages.page("empty", title: "Released", session: nil, data: [:], notice: what)
            case .failed(let why):
                AuditLog.record("link:" + link.recipient, "release", client: address, [("id", link.id), ("why", why)], ok: false)
                return linkPage(nil, reason: why)
            }
        }
    }

    func verifiedLink(_ request: Request) -> ReleaseLink? {
        guard let key = try? ReleaseLink.key(root) else { return nil }
        return ReleaseLink.parse(path: request.uri.path, key: key)
    }

    func linkPage(_ data: [String: Any]?, reason: String) -> Response {
        var d = data ?? [:]
        d["valid"] = data != nil
        d["reason"] = reason
        return pages.page("release", title: "Release from quarantine", session: nil, data: d, status: data == nil ? .notFound : .ok)
    }
}
