import Hummingbird
import QSentryAdmin
import QSentryCore
import QSentryMIME
import QSentryMessage

/// A3: the quarantine pages: the list with search, sort and paging, one message shown as
/// text, the actions (release, release and allow the sender, delete; one or many), and a user's
/// digest setting.
extension ConsoleServer {
    struct SearchForm: Decodable {
        var q: String?
        var sender: String?
        var recipient: String?
        var rule: String?
        var subject: String?
        var from: String?
        var until: String?
        var sort: String?
        var order: String?
        var page: Int?
    }

    struct ActionForm: TokenForm {
        var csrf: String?
        var action: String?
        var ids: [String]?
        var back: String?
    }

    struct DigestForm: TokenForm {
        var csrf: String?
        var digest: String?
    }

    struct AllowedForm: TokenForm {
        var csrf: String?
        var sender: String?
        var recipient: String?
    }

    /// The text of a message shown is at most this many bytes.
    static let shownText = 256 * 1024

    func addQuarantineRoutes(_ router: Router<ConsoleContext>) {
        router.get("/quarantine") { request, _ in
            let session = try await signedIn(request)
            let form = Forms.query(SearchForm.self, request) ?? SearchForm()
            var query = QuarantineIndex.Query()
            query.text = String((form.q ?? "").prefix(200))
            query.sender = String((form.sender ?? "").prefix(200))
            query.recipient = session.identity.isAdministrator ? String((form.recipient ?? "").prefix(200)) : ""
            query.rule = String((form.rule ?? "").prefix(50))
            query.subject = String((form.subject ?? "").prefix(200))
            query.from = form.from.flatMap { LogTimestamp.when($0, now: now()) }
            query.until = form.until.flatMap { LogTimestamp.when($0, now: now()) }.map { $0 + 86400 }
            query.sort = form.sort.flatMap(QuarantineIndex.SortKey.init(rawValue:)) ?? .time
            query.descending = form.order != "asc"
            query.page = max(1, min(form.page ?? 1, 1_000_000))
            let result = await state.search(query, for: session.identity)
            let base: [(String, String?)] = [("q", form.q), ("sender", form.sender), ("recipient", form.recipient), ("rule", form.rule),
                                             ("subject", form.subject), ("from", form.from), ("until", form.until)]
            func link(sort: QuarantineIndex.SortKey, descending: Bool, page: Int?) -> String {
                Forms.link("/quarantine", base + [("sort", sort.rawValue), ("order", descending ? "desc" : "asc"), ("page", page.map(String.init))])
            }
            let columns: [(QuarantineIndex.SortKey, String, String)] = [(.time, "Date", ""), (.sender, "From", ""), (.recipient, "To", "wide"),
                                                                         (.subject, "Subject", ""), (.rule, "Rule", ""), (.size, "Size", "wide")]
            let data: [String: Any] = [
                "q": form.q ?? "", "sender": form.sender ?? "", "recipient": form.recipient ?? "", "rule": form.rule ?? "",
                "subject": form.subject ?? "", "from": form.from ?? "", "until": form.until ?? "",
                "sort": query.sort.rawValue, "order": query.descending ? "desc" : "asc",
                "admin": session.identity.isAdministrator, "csrf": session.csrf,
                "total": result.total, "one": result.total == 1, "page": result.page, "pages": result.pages,
                "filtered": !(query.text + query.sender + query.recipient + query.rule + query.subject).isEmpty || query.from != nil || query.until != nil,
                "expiry": expiryNote(),
                "back": link(sort: query.sort, descending: query.descending, page: result.page),
                "columns": columns.map { key, label, cls -> [String: Any] in
                    let current = key == query.sort
                    return ["label": label, "class": cls, "mark": current ? (query.descending ? " ▼" : " ▲") : "",
                            "href": link(sort: key, descending: current ? !query.descending : true, page: nil)]
                },
                "entries": result.entries.map { e -> [String: Any] in
                    ["id": e.id, "date": LogTimestamp.format(e.time), "sender": e.sender, "from": e.from,
                     "recipients": visibleRecipients(e.recipients, session.identity).joined(separator: ", "),
                     "subject": e.subject.isEmpty ? "(no subject)" : e.subject, "rule": e.rule, "size": e.size]
                },
                "previous": result.page > 1 ? link(sort: query.sort, descending: query.descending, page: result.page - 1) : "",
                "next": result.page < result.pages ? link(sort: query.sort, descending: query.descending, page: result.page + 1) : "",
            ]
            return pages.page("quarantine", title: "Quarantine", session: session, data: data,
                              notice: Forms.query(NoticeForm.self, request)?.done, problem: Forms.query(NoticeForm.self, request)?.failed)
        }

        router.get("/quarantine/:id") { request, context in
            let session = try await signedIn(request)
            guard let id = context.parameters.get("id"), Quarantine.isValidID(id),
                  let (s, raw) = await state.message(id, for: session.identity, limit: MailSourceLimit.bytes) else { return notFound(session) }
            AuditLog.record(session.identity.name, "view", client: client(request, context).address, [("id", id)])
            return pages.page("message", title: s.subject.isEmpty ? "(no subject)" : s.subject, session: session,
                              data: messageData(s, raw: raw, session: session))
        }

        router.post("/quarantine/action") { request, context in
            let (session, form, address) = try await posted(ActionForm.self, request, context, action: "quarantine")
            let ids = Array((form.ids ?? []).filter(Quarantine.isValidID).prefix(500))
            let back = (form.back ?? "/quarantine").hasPrefix("/quarantine") ? form.back ?? "/quarantine" : "/quarantine"
            if ids.isEmpty { return PageRenderer.redirect(Forms.link(noticeBase(back), [("failed", "Select a message first.")])) }
            let results: [(String, ConsoleState.ActionResult)]
            switch form.action {
            case "release": results = await state.release(ids, for: session.identity, allowSender: false, now: now())
            case "release-allow":
                results = await state.release(ids, for: session.identity, allowSender: true, now: now())
            case "delete": results = await state.delete(ids, for: session.identity)
            default: return forbidden(session, "Unknown action.")
            }
            var done = 0
            var failures: [String] = []
            for (id, result) in results {
                switch result {
                case .done(let what):
                    done += 1
                    AuditLog.record(session.identity.name, form.action ?? "", client: address, [("id", id), ("result", what)])
                case .failed(let why):
                    failures.append("\(id): \(why)")
                    AuditLog.record(session.identity.name, form.action ?? "", client: address, [("id", id), ("why", why)], ok: false)
                }
            }
            let verb = form.action == "delete" ? "deleted" : "released"
            return PageRenderer.redirect(Forms.link(noticeBase(back), [("done", done > 0 ? "\(done) message\(done == 1 ? "" : "s") \(verb)." : nil),
                                                                       ("failed", failures.isEmpty ? nil : failures.joined(separator: "; "))]))
        }

        router.get("/settings") { request, _ in
            let session = try await signedIn(request)
            let addresses = session.identity.addresses ?? []
            let off = QuarantineDigest(root: root).optedOut()
            let isOff = !addresses.isEmpty && addresses.allSatisfy { off.contains($0) }
            let allowed = await state.allowedSenders(for: session.identity).flatMap { own in
                own.senders.map { ["sender": $0, "recipient": own.address, "csrf": session.csrf] }
            }
            let notice = Forms.query(NoticeForm.self, request)
            return pages.page("settings", title: "Settings", session: session,
                              data: ["hasAddresses": !addresses.isEmpty, "addressList": addresses.joined(separator: ", "), "csrf": session.csrf,
                                     "state": isOff ? "off" : "on", "toggle": isOff ? "on" : "off", "allowed": allowed],
                              notice: notice?.done, problem: notice?.failed)
        }

        router.post("/settings") { request, context in
            let (session, form, address) = try await posted(DigestForm.self, request, context, action: "settings")
            let digest = QuarantineDigest(root: root)
            for a in session.identity.addresses ?? [] {
                do { try digest.setOptOut(a, form.digest == "off") } catch { return forbidden(session, "Not saved: \(error)") }
            }
            AuditLog.record(session.identity.name, "digest-" + (form.digest == "off" ? "off" : "on"), client: address)
            return PageRenderer.redirect(Forms.link("/settings", [("done", "Saved.")]))
        }

        router.post("/settings/allowed") { request, context in
            let (session, form, address) = try await posted(AllowedForm.self, request, context, action: "disallow")
            let sender = form.sender ?? "", recipient = form.recipient ?? ""
            let removed: Bool
            do { removed = try await state.disallow(sender: sender, recipient: recipient, for: session.identity) } catch {
                AuditLog.record(session.identity.name, "disallow", client: address, [("sender", sender), ("why", "\(error)")], ok: false)
                return PageRenderer.redirect(Forms.link("/settings", [("failed", "Not removed: \(error)")]))
            }
            AuditLog.record(session.identity.name, "disallow", client: address, [("sender", sender), ("recipient", recipient)], ok: removed)
            return PageRenderer.redirect(Forms.link("/settings", [removed ? ("done", "Removed \(sender).") : ("failed", "\(sender) was not on your list.")]))
        }
    }

    struct NoticeForm: Decodable {
        var done: String?
        var failed: String?
    }

    /// The list page to return to, without an older notice.
    func noticeBase(_ back: String) -> String {
        guard let q = back.firstIndex(of: "?") else { return back }
        let kept = back[back.index(after: q)...].split(separator: "&").filter { !$0.hasPrefix("done=") && !$0.hasPrefix("failed=") }
        return String(back[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// A mailbox user sees only their own addresses among the recipients.
    func visibleRecipients(_ recipients: [String], _ identity: Identity) -> [String] {
        guard let own = identity.addresses else { return recipients }
        return recipients.filter { own.contains($0.lowercased()) }
    }

    func expiryNote() -> String {
        if let days = try? ControlFile.integer(root.qsentry("quarantine-days"), range: 1...3650) {
            return "Messages are deleted \(days) days after they arrive (qsentry quarantine expire, from cron)."
        }
        return "No expiry is set (control/qsentry/quarantine-days)."
    }

    func messageData(_ s: QuarantineIndex.Summary, raw: ArraySlice<UInt8>, session: SessionStore.Session) -> [String: Any] {
        var limits = MIMELimits()
        limits.text = Self.shownText
        limits.attachmentSizes = true
        var parser = MIMEParser(limits: limits)
        parser.feed(raw)
        let facts = parser.finish()
        let header = MessageHeader(parsing: Array(raw.prefix(MessageHeader.maxBytes)))
        let headerText = String(decoding: raw.prefix(header.bodyOffset > 0 ? header.bodyOffset : min(raw.count, 65536)), as: UTF8.self)
        return [
            "id": s.id, "date": LogTimestamp.format(s.time), "ip": s.ip, "rule": s.rule, "text": s.text, "sender": s.sender,
            "recipients": visibleRecipients(s.recipients, session.identity).joined(separator: ", "), "size": s.size,
            "admin": session.identity.isAdministrator, "csrf": session.csrf,
            "attachments": facts.attachmentNames.enumerated().map { i, name -> [String: Any] in
                ["name": name, "size": i < facts.attachmentSizes.count ? String(facts.attachmentSizes[i]) : "?"]
            },
            "body": String(decoding: facts.text, as: UTF8.self), "truncated": facts.truncated, "limit": Self.shownText,
            "header": headerText,
        ]
    }
}

/// The largest message the console reads whole (the CLI's learning limit, MailSource.maxMessage).
enum MailSourceLimit {
    static let bytes = 16 << 20
}
