import Hummingbird
import QSentryAdmin
import QSentryCore
import QSentrySMTPD

/// A3: logging in and out. Administrators are checked against `web-users` (crypt hashes);
/// anyone else against `control/qsentry/checkpassword`, as SMTP AUTH checks them. The login
/// form has its own CSRF token (a cookie and a field that must agree), failures are paused and
/// counted per client and per name (LoginThrottle), and every attempt is in the audit log.
extension ConsoleServer {
    struct LoginForm: Decodable {
        var csrf: String?
        var name: String?
        var password: String?
    }

    struct CSRFForm: TokenForm {
        var csrf: String?
    }

    func addLoginRoutes(_ router: Router<ConsoleContext>) {
        router.get("/login") { request, context in
            let secure = client(request, context).secure
            let token = SessionStore.randomToken()
            var r = pages.page("login", title: "Log in", session: nil, data: ["csrf": token])
            r.setCookie(cookie(Self.loginCookie, token, secure: secure))
            return r
        }

        router.post("/login") { request, context in
            let (address, secure) = client(request, context)
            let form = try? await request.decode(as: LoginForm.self, context: context)
            guard let form, let token = form.csrf, let expected = request.cookies[Self.loginCookie]?.value,
                  SessionStore.same(token, expected), sameOrigin(request) else {
                AuditLog.record("-", "login", client: address, [("why", "csrf")], ok: false)
                return forbidden(nil, "The login form had expired or came from elsewhere: load the login page again.")
            }
            let name = (form.name ?? "").trimmed, password = Array((form.password ?? "").utf8)
            guard !name.isEmpty, name.utf8.count <= 254, !password.isEmpty, password.count <= 1024,
                  !name.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else {
                return loginAgain("Name and password, please.", name: "", secure: secure)
            }
            let wait = await throttle.wait(client: address, name: name, now: now())
            if wait > 0 {
                AuditLog.record("user:" + name, "login", client: address, [("why", "throttled")], ok: false)
                return loginAgain("Too many failed logins: try again in \((wait + 59) / 60) minutes.", name: name, secure: secure,
                                  status: .tooManyRequests)
            }
            guard let identity = authenticate(name: name, password: password) else {
                await throttle.failed(client: address, name: name, now: now())
                try? await Task.sleep(nanoseconds: UInt64(settings.failurePauseMilliseconds) * 1_000_000)
                AuditLog.record("user:" + name, "login", client: address, [("why", "bad password")], ok: false)
                return loginAgain("Wrong name or password.", name: name, secure: secure, status: .unauthorized)
            }
            await throttle.succeeded(name: name)
            let session = await sessions.create(identity, now: now())
            AuditLog.record(identity.name, "login", client: address)
            return PageRenderer.redirect("/quarantine", cookies: [cookie(Self.sessionCookie, session.token, secure: secure),
                                                                  cookie(Self.loginCookie, "", secure: secure, remove: true)])
        }

        router.post("/logout") { request, context in
            let (session, _, address) = try await posted(CSRFForm.self, request, context, action: "logout")
            let secure = client(request, context).secure
            await sessions.end(session.token)
            AuditLog.record(session.identity.name, "logout", client: address)
            return PageRenderer.redirect("/login", cookies: [cookie(Self.sessionCookie, "", secure: secure, remove: true)])
        }
    }

    func loginAgain(_ problem: String, name: String, secure: Bool, status: HTTPResponse.Status = .ok) -> Response {
        let token = SessionStore.randomToken()
        var r = pages.page("login", title: "Log in", session: nil, data: ["csrf": token, "name": name], problem: problem, status: status)
        r.setCookie(cookie(Self.loginCookie, token, secure: secure))
        return r
    }

    /// An administrator by `web-users`, else a mailbox user by checkpassword.
    func authenticate(name: String, password: [UInt8]) -> Identity? {
        let admins = (try? WebUsers.load(root)) ?? WebUsers()
        if admins.hash(of: name) != nil {
            return admins.verify(name: name, password: password) ? .administrator(name) : nil
        }
        guard let checker = (try? CheckPassword.load(root)) ?? nil else {
            _ = PasswordHash.verify(password, hash: PasswordHash.decoy)
            return nil
        }
        switch checker.check(user: name, password: password) {
        case .good:
            let addresses = Identity.addresses(forLogin: name, root: root)
            return addresses.isEmpty ? nil : .mailbox(login: name, addresses: addresses)
        case .bad, .temporary:
            return nil
        }
    }
}
