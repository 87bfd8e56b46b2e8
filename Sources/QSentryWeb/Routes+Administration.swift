#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import QSentryAdmin
import QSentryCore
import QSentryStore

/// A3: the administrator's pages: the lists of seed 003 (linted before saving, written keeping
/// owner and mode, compiled where a cdb exists), bans and reputation, statistics from the logs,
/// and `qsentry check`'s lint. A mailbox user gets 403 on every one of them.
extension ConsoleServer {
    struct ListForm: TokenForm {
        var csrf: String?
        var text: String?
    }

    struct BanForm: TokenForm {
        var csrf: String?
        var action: String?
        var ip: String?
        var duration: String?
    }

    struct BanQuery: Decodable {
        var ip: String?
        var done: String?
        var failed: String?
    }

    struct StatsQuery: Decodable {
        var sort: String?
        var order: String?
    }

    func addAdministrationRoutes(_ router: Router<ConsoleContext>) {
        router.get("/lists") { request, _ in
            let session = try await signedIn(request, administrator: true)
            let editor = ListEditor(root: root)
            let lists = ListEditor.editable.map { name -> [String: Any] in
                let lines = ((try? ControlFile.lines(editor.path(name))) ?? nil)?.count ?? 0
                return ["name": name, "purpose": editor.spec(name)?.summary ?? "", "lines": lines]
            }
            return pages.page("lists", title: "Lists", session: session, data: ["lists": lists])
        }

        router.get("/lists/:name") { request, context in
            let session = try await signedIn(request, administrator: true)
            let editor = ListEditor(root: root)
            guard let name = context.parameters.get("name"), editor.spec(name) != nil else { return notFound(session) }
            let text = (try? editor.text(name)) ?? ""
            return listPage(name, text: text, problems: [], session: session, notice: Forms.query(BanQuery.self, request)?.done)
        }

        router.post("/lists/:name") { request, context in
            let editor = ListEditor(root: root)
            let name = context.parameters.get("name") ?? ""
            let (session, form, address) = try await posted(ListForm.self, request, context, action: "list-edit", administrator: true)
            guard editor.spec(name) != nil else { return notFound(session) }
            let text = form.text ?? ""
            do {
                let saved = try editor.save(name, text: text)
                AuditLog.record(session.identity.name, "list-edit", client: address, [("list", name), ("lines", String(saved.lines))])
                let compiled = saved.compiled.map { ", \($0) entries compiled to \(name).cdb" } ?? ""
                return PageRenderer.redirect(Forms.link("/lists/\(name)", [("done", "Saved \(saved.lines) lines\(compiled).")]))
            } catch let rejected as ListEditor.Rejected {
                AuditLog.record(session.identity.name, "list-edit", client: address, [("list", name), ("why", "lint")], ok: false)
                return listPage(name, text: text, problems: rejected.problems.map(\.description), session: session, status: .unprocessableContent)
            } catch {
                AuditLog.record(session.identity.name, "list-edit", client: address, [("list", name), ("why", "\(error)")], ok: false)
                return listPage(name, text: text, problems: ["\(error)"], session: session, status: .internalServerError)
            }
        }

        router.get("/bans") { request, _ in
            let session = try await signedIn(request, administrator: true)
            let query = Forms.query(BanQuery.self, request) ?? BanQuery()
            return bansPage(session, query: query)
        }

        router.post("/bans") { request, context in
            let (session, form, address) = try await posted(BanForm.self, request, context, action: "ban", administrator: true)
            let result = changeBan(form)
            AuditLog.record(session.identity.name, "ban-" + (form.action ?? ""), client: address, [("ip", form.ip ?? "")], ok: result.ok)
            return PageRenderer.redirect(Forms.link("/bans", [(result.ok ? "done" : "failed", result.text)]))
        }

        router.get("/stats") { request, _ in
            let session = try await signedIn(request, administrator: true)
            return statsPage(session, query: Forms.query(StatsQuery.self, request) ?? StatsQuery())
        }

        router.get("/check") { request, _ in
            let session = try await signedIn(request, administrator: true)
            let problems = (ControlLint(root: root).run() + StateCheck(root: root).run()).map(\.description)
            return pages.page("check", title: "Check", session: session,
                              data: ["hasProblems": !problems.isEmpty, "problems": problems, "root": root.path])
        }
    }

    func listPage(_ name: String, text: String, problems: [String], session: SessionStore.Session, notice: String? = nil,
                  status: HTTPResponse.Status = .ok) -> Response {
        let editor = ListEditor(root: root)
        let spec = editor.spec(name)
        return pages.page("list", title: name, session: session,
                          data: ["name": name, "text": text, "path": editor.path(name), "purpose": spec?.summary ?? "",
                                 "cdb": spec.flatMap(ListCompiler.kind(of:)) != nil && FileBytes.exists(editor.path(name) + ".cdb"),
                                 "hasProblems": !problems.isEmpty, "problems": problems, "csrf": session.csrf],
                          notice: notice, problem: problems.isEmpty ? nil : "Nothing was saved: fix the lines below.", status: status)
    }

    func bansPage(_ session: SessionStore.Session, query: BanQuery) -> Response {
        var data: [String: Any] = ["csrf": session.csrf, "query": query.ip ?? ""]
        var problem = query.failed
        do {
            let store = try StoreConfiguration.open(root)
            let t = now()
            data["bans"] = try store.bans(now: t).map { b -> [String: Any] in
                ["ip": b.ip.description, "until": LogTimestamp.format(b.until), "source": b.source, "csrf": session.csrf]
            }
            if let text = query.ip, !text.isEmpty {
                if let ip = IPAddress(text) {
                    let (reporters, events) = try store.reputation(of: ip, now: t)
                    let status = try store.status(of: ip, now: t)
                    data["reputation"] = ["ip": ip.description, "events": events,
                                          "status": status.map { $0.reason == .ban ? "banned until \(LogTimestamp.format($0.until))" : "refused (reputation)" } ?? "accepted",
                                          "reporters": "\(reporters.count) of \(store.policy.reputationReporters): \(reporters.joined(separator: " "))"]
                } else {
                    problem = "\(text) is not an IP address."
                }
            }
        } catch {
            problem = "store: \(error)"
        }
        return pages.page("bans", title: "Bans and reputation", session: session, data: data, notice: query.done, problem: problem)
    }

    func changeBan(_ form: BanForm) -> (ok: Bool, text: String) {
        guard let text = form.ip?.trimmed, let ip = IPAddress(text) else { return (false, "\(form.ip ?? "") is not an IP address.") }
        do {
            let store = try StoreConfiguration.open(root)
            switch form.action {
            case "add":
                if try IPList.load(root.qsentry("ipallow")).match(ip) != nil {
                    return (false, "\(ip) is in control/qsentry/ipallow: allow-listed addresses are never banned.")
                }
                let duration = form.duration?.trimmed ?? ""
                let seconds = duration.isEmpty ? store.policy.banDuration : try StorePolicy.seconds(duration)
                try store.ban(ip, until: now() + seconds, source: "web")
                return (true, "Banned \(ip) for \(seconds / 60) min.")
            case "remove":
                try store.unban(ip)
                return (true, "Lifted the ban on \(ip).")
            default:
                return (false, "Unknown action.")
            }
        } catch {
            return (false, "\(error)")
        }
    }

    func statsPage(_ session: SessionStore.Session, query: StatsQuery) -> Response {
        var stats = LogStatistics(since: nil, until: nil)
        var problem: String?
        for log in settings.logs {
            do {
                for file in try LogReader.files(log) { try LogReader.forEachLine(path: file) { stats.add(line: $0) } }
            } catch {
                problem = "\(log): \(error)"
            }
        }
        let byCode = query.sort == "country"
        let ascending = query.order == "asc"
        let countries = stats.countries.sorted { a, b in
            let less = byCode ? a.key < b.key : (a.value, b.key) < (b.value, a.key)
            return ascending ? less : !less && a.key != b.key
        }
        func link(_ sort: String) -> String {
            let current = (query.sort ?? "count") == sort
            return Forms.link("/stats", [("sort", sort), ("order", current && !ascending ? "asc" : "desc")])
        }
        let data: [String: Any] = [
            "charts": StatsPage.sections(stats, top: 15),
            "logs": settings.logs.isEmpty ? "no logs given (qsentry web --log DIR)" : "from " + settings.logs.joined(separator: ", "),
            "countries": countries.map { ["code": $0.key, "count": $0.value] as [String: Any] },
            "byCountry": link("country"), "byCount": link("count"), "sort": query.sort ?? "count", "order": query.order ?? "desc",
        ]
        return pages.page("stats", title: "Statistics", session: session, data: data, problem: problem)
    }
}
