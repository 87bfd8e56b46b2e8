import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QSentryAdmin
import QSentryCore
import QSentryMessage
import QSentryWeb
import TestHarness
import Testing

/// The console's server on loopback (Hummingbird's live test client, real HTTP), over a real
/// quarantine directory, a checkpassword program for the mailbox user and a recording
/// qmail-queue: who sees what, CSRF, escaping, list edits, the login throttle, digest links.
/// The browser test of the same paths against a real qmail is the deployment suite's.
@Suite struct WebConsoleTests {
    let root: TempQmailRoot
    let qmailRoot: QmailRoot

    init() throws {
        root = try TempQmailRoot()
        qmailRoot = QmailRoot(path: root.path)
        try root.write("control/me", "example.test\n")
        try root.write("control/locals", "example.test\n")
        try root.write("control/rcpthosts", "example.test\n")
        try WebUsers.setPassword(qmailRoot, name: "admin", password: Array("admin-pw".utf8))
        // djb's checkpassword interface: alice's password is good, everything else is not.
        let check = try root.write("bin/checkpassword", """
            #!/bin/bash
            IFS= read -r -d '' user <&3; IFS= read -r -d '' pass <&3
            [ "$user" = alice ] && [ "$pass" = alice-pw ] && exec "$@"
            exit 1

            """, mode: 0o755)
        try root.write("control/qsentry/checkpassword", "\(check) /bin/true\n")
        try root.write("control/qsentry/web-key", String(repeating: "ab", count: 32) + "\n")
        _ = try QueueRun.recordingQueue(in: root)
    }

    /// Writes a quarantined message in Quarantine's format; returns its ID.
    @discardableResult
    func quarantine(_ id: String, to recipients: [String], subject: String, body: String = "Hello.", rule: String = "bayes",
                    extraHeader: String = "") throws -> String {
        let envelope = QmailEnvelope(sender: "sender@elsewhere.test", recipients: recipients)
        var head = "QSentry-Quarantine: 1\nDate: 1700000000\nIP: 192.0.2.7\nRule: \(rule)\nText: spam\nSender: sender@elsewhere.test\n"
        for r in recipients { head += "Recipient: \(r)\n" }
        head += "Envelope: \(envelope.bytes.map { String(format2: $0) }.joined())\n\n"
        let message = "From: Sender <sender@elsewhere.test>\nTo: \(recipients[0])\nSubject: \(subject)\n\(extraHeader)\n\(body)\n"
        try root.write("qsentry/quarantine/\(id)", head + message, mode: 0o660)
        return id
    }

    func server() throws -> some ApplicationProtocol {
        var settings = ConsoleServer.Settings(root: qmailRoot)
        settings.port = 0
        settings.failurePauseMilliseconds = 0
        return try ConsoleServer(settings: settings).application()
    }

    /// Logs in; returns the session cookie and the page's CSRF token.
    func login(_ client: some TestClientProtocol, _ name: String, _ password: String) async throws -> (cookie: String, csrf: String)? {
        let (loginCookie, loginToken) = try await client.execute(uri: "/login", method: .get) { r in
            (Self.cookie(r, "qsentry_login"), Self.hidden(r.bodyText, "csrf"))
        }
        let response = try await client.execute(uri: "/login", method: .post,
                                                headers: [.cookie: "qsentry_login=\(loginCookie)", .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "csrf=\(loginToken)&name=\(name)&password=\(password)"))
        guard response.status == .seeOther else { return nil }
        let session = Self.cookie(response, "qsentry_session")
        let csrf = try await client.execute(uri: "/settings", method: .get, headers: [.cookie: "qsentry_session=\(session)"]) { Self.hidden($0.bodyText, "csrf") }
        return (session, csrf)
    }

    static func cookie(_ r: TestResponse, _ name: String) -> String {
        for value in r.headers[values: .setCookie] where value.hasPrefix(name + "=") {
            return String(value.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return ""
    }

    static func hidden(_ html: String, _ name: String) -> String {
        guard let r = html.range(of: "name=\"\(name)\" value=\"") else { return "" }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    func post(_ client: some TestClientProtocol, _ uri: String, _ session: String, _ form: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post,
                                 headers: [.cookie: "qsentry_session=\(session)", .contentType: "application/x-www-form-urlencoded"],
                                 body: ByteBuffer(string: form))
    }

    func get(_ client: some TestClientProtocol, _ uri: String, _ session: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: "qsentry_session=\(session)"])
    }

    @Test func passwordHashesAreYescryptAndVerify() throws {
        let hash = try PasswordHash.make(Array("secret".utf8))
        #expect(hash.hasPrefix("$y$"))
        #expect(PasswordHash.verify(Array("secret".utf8), hash: hash))
        #expect(!PasswordHash.verify(Array("Secret".utf8), hash: hash))
        let users = try WebUsers.load(qmailRoot)
        #expect(users.verify(name: "admin", password: Array("admin-pw".utf8)))
        #expect(!users.verify(name: "nobody", password: Array("admin-pw".utf8)))
        // The file's lint is qsentry check's.
        let (_, problems) = WebUsers.parse([ControlLine(number: 1, text: "bob:plaintext")], path: "web-users")
        #expect(problems.count == 1)
    }

    @Test func loginNeedsTheFormTokenAndTheRightPassword() async throws {
        try await server().test(.live) { client in
            // No login cookie: refused before any password is looked at.
            let forged = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "csrf=x&name=admin&password=admin-pw"))
            #expect(forged.status == .forbidden)
            #expect(try await login(client, "admin", "wrong") == nil)
            let admin = try #require(try await login(client, "admin", "admin-pw"))
            #expect(admin.cookie.count == 64)
            let alice = try #require(try await login(client, "alice", "alice-pw"))
            let page = try await get(client, "/quarantine", alice.cookie)
            #expect(page.bodyText.contains("user:alice"))
            // Cookies: HttpOnly and SameSite=Strict.
            let (loginCookie, token) = try await client.execute(uri: "/login", method: .get) { r in (Self.cookie(r, "qsentry_login"), Self.hidden(r.bodyText, "csrf")) }
            let r = try await client.execute(uri: "/login", method: .post,
                                             headers: [.cookie: "qsentry_login=\(loginCookie)", .contentType: "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: "csrf=\(token)&name=admin&password=admin-pw"))
            let setCookie = r.headers[values: .setCookie].first { $0.hasPrefix("qsentry_session=") } ?? ""
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        }
    }

    @Test func aMailboxUserSeesAndReleasesOnlyTheirOwnMail() async throws {
        let mine = try quarantine("1700000000.1.a", to: ["alice@example.test"], subject: "for alice")
        let theirs = try quarantine("1700000000.2.b", to: ["bob@example.test"], subject: "for bob only")
        let shared = try quarantine("1700000000.3.c", to: ["alice@example.test", "bob@example.test"], subject: "for both")
        try await server().test(.live) { client in
            let alice = try #require(try await login(client, "alice", "alice-pw"))
            let list = try await get(client, "/quarantine", alice.cookie).bodyText
            #expect(list.contains("for alice") && list.contains("for both"))
            #expect(!list.contains("for bob only") && !list.contains("bob@example.test"))
            // Bob's message does not exist for alice: not shown, not released, not deleted.
            #expect(try await get(client, "/quarantine/\(theirs)", alice.cookie).status == .notFound)
            for action in ["release", "delete"] {
                let r = try await post(client, "/quarantine/action", alice.cookie, "csrf=\(alice.csrf)&action=\(action)&ids[]=\(theirs)")
                #expect(r.status == .seeOther)
            }
            #expect(FileManager.default.fileExists(atPath: root.path + "/qsentry/quarantine/\(theirs)"))
            // Her own copy of the shared message: released to her alone, bob's copy stays.
            _ = try await post(client, "/quarantine/action", alice.cookie, "csrf=\(alice.csrf)&action=release&ids[]=\(shared)&ids[]=\(mine)")
            let queued = QueueRun.queued(in: root)
            #expect(queued.count == 2)
            for q in queued {
                #expect(String(decoding: q.envelope, as: UTF8.self).contains("Talice@example.test"))
                #expect(!String(decoding: q.envelope, as: UTF8.self).contains("bob@"))
            }
            let left = try Quarantine(directory: root.path + "/qsentry/quarantine").entry(shared)
            #expect(left.envelope.recipients == ["bob@example.test"])
            #expect(!FileManager.default.fileExists(atPath: root.path + "/qsentry/quarantine/\(mine)"))
            // The administrator sees bob's and the rest of the shared one.
            let admin = try #require(try await login(client, "admin", "admin-pw"))
            let all = try await get(client, "/quarantine", admin.cookie).bodyText
            #expect(all.contains("for bob only") && all.contains("for both"))
            #expect(try await get(client, "/lists", alice.cookie).status == .forbidden)
        }
    }

    /// Release and allow: a mailbox user's allow is for their own address only (ReleasedSenders,
    /// which qsentry-queue reads), shown on their settings page and taken back there; an
    /// administrator's goes into mailfromallow. The digest switch is saved per address.
    @Test func releaseAndAllowIsTheUsersOwnAndTheSettingsPageTakesItBack() async throws {
        let shared = try quarantine("1700000000.6.f", to: ["alice@example.test", "bob@example.test"], subject: "newsletter")
        let other = try quarantine("1700000000.7.g", to: ["bob@example.test"], subject: "for bob")
        let released = ReleasedSenders(root: qmailRoot)
        try released.add(sender: "sender@elsewhere.test", recipient: "carol@example.test", now: 1)
        try await server().test(.live) { client in
            let alice = try #require(try await login(client, "alice", "alice-pw"))
            #expect(try await get(client, "/quarantine/\(shared)", alice.cookie).bodyText.contains("Release and allow sender"))
            let r = try await post(client, "/quarantine/action", alice.cookie, "csrf=\(alice.csrf)&action=release-allow&ids[]=\(shared)")
            #expect(r.status == .seeOther)
            #expect(try released.allowAll(sender: "sender@elsewhere.test", recipients: ["alice@example.test"]))
            #expect(try !released.allowAll(sender: "sender@elsewhere.test", recipients: ["bob@example.test"]))
            #expect(!FileManager.default.fileExists(atPath: root.path + "/control/qsentry/mailfromallow"))
            #expect(QueueRun.queued(in: root).count == 1)
            let settings = try await get(client, "/settings", alice.cookie).bodyText
            #expect(settings.contains("sender@elsewhere.test") && !settings.contains("carol@"))
            // Carol's pair is not alice's to take back; her own is.
            _ = try await post(client, "/settings/allowed", alice.cookie, "csrf=\(alice.csrf)&sender=sender@elsewhere.test&recipient=carol@example.test")
            #expect(try released.allowAll(sender: "sender@elsewhere.test", recipients: ["carol@example.test"]))
            #expect(try await post(client, "/settings/allowed", alice.cookie, "sender=sender@elsewhere.test&recipient=alice@example.test").status == .forbidden)
            _ = try await post(client, "/settings/allowed", alice.cookie, "csrf=\(alice.csrf)&sender=sender@elsewhere.test&recipient=alice@example.test")
            #expect(try !released.allowAll(sender: "sender@elsewhere.test", recipients: ["alice@example.test"]))
            // The digest switch.
            #expect(try await get(client, "/settings", alice.cookie).bodyText.contains("<strong>on</strong>"))
            _ = try await post(client, "/settings", alice.cookie, "csrf=\(alice.csrf)&digest=off")
            #expect(QuarantineDigest(root: qmailRoot).optedOut().contains("alice@example.test"))
            #expect(try await get(client, "/settings", alice.cookie).bodyText.contains("<strong>off</strong>"))
            _ = try await post(client, "/settings", alice.cookie, "csrf=\(alice.csrf)&digest=on")
            #expect(!QuarantineDigest(root: qmailRoot).optedOut().contains("alice@example.test"))
            // The administrator's allow is the site's.
            let admin = try #require(try await login(client, "admin", "admin-pw"))
            _ = try await post(client, "/quarantine/action", admin.cookie, "csrf=\(admin.csrf)&action=release-allow&ids[]=\(other)")
            let allow = try String(contentsOfFile: root.path + "/control/qsentry/mailfromallow", encoding: .utf8)
            #expect(allow.split(separator: "\n").contains("sender@elsewhere.test"))
        }
    }

    /// Bans from the page: added (not for an ipallow address), seen in the reputation look-up, lifted.
    @Test func bansAreAddedLookedUpAndLifted() async throws {
        try root.write("control/qsentry/ipallow", "192.0.2.200\n")
        try await server().test(.live) { client in
            let admin = try #require(try await login(client, "admin", "admin-pw"))
            _ = try await post(client, "/bans", admin.cookie, "csrf=\(admin.csrf)&action=add&ip=192.0.2.9&duration=2h")
            #expect(try await get(client, "/bans", admin.cookie).bodyText.contains("192.0.2.9"))
            #expect(try await get(client, "/bans?ip=192.0.2.9", admin.cookie).bodyText.contains("banned until"))
            let refused = try await post(client, "/bans", admin.cookie, "csrf=\(admin.csrf)&action=add&ip=192.0.2.200")
            #expect(refused.headers[.location]?.contains("ipallow") == true)
            #expect(try await get(client, "/bans?ip=192.0.2.200", admin.cookie).bodyText.contains("accepted"))
            _ = try await post(client, "/bans", admin.cookie, "csrf=\(admin.csrf)&action=remove&ip=192.0.2.9")
            #expect(try await get(client, "/bans?ip=192.0.2.9", admin.cookie).bodyText.contains("accepted"))
            #expect(try await get(client, "/bans", admin.cookie).bodyText.contains("No bans in force."))
        }
    }

    /// One login over `client` with extra request headers; returns the response to the POST.
    func loginResponse(_ client: some TestClientProtocol, _ name: String, _ password: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        let (loginCookie, token) = try await client.execute(uri: "/login", method: .get, headers: headers) { r in
            (Self.cookie(r, "qsentry_login"), Self.hidden(r.bodyText, "csrf"))
        }
        var h = headers
        h[.cookie] = "qsentry_login=\(loginCookie)"
        h[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: "/login", method: .post, headers: h, body: ByteBuffer(string: "csrf=\(token)&name=\(name)&password=\(password)"))
    }

    /// Native TLS with one PEM file holding key and certificate (as qmail's servercert.pem): the
    /// pages are served over HTTPS and the cookies are Secure.
    @Test func nativeTLSServesThePagesWithSecureCookies() async throws {
        let cert = root.path + "/control/servercert.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                             "-keyout", cert, "-out", cert + ".crt"]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        // One file holding key and certificate, as qmail's servercert.pem does.
        let pem = try String(contentsOfFile: cert, encoding: .utf8) + String(contentsOfFile: cert + ".crt", encoding: .utf8)
        try pem.write(toFile: cert, atomically: true, encoding: .utf8)
        var settings = ConsoleServer.Settings(root: qmailRoot)
        settings.port = 0
        settings.failurePauseMilliseconds = 0
        settings.certificate = cert
        // AsyncHTTPClient (the HTTPS test client) follows redirects without cookies, so the
        // login form's own cookie is the one looked at, and a wrong password (no redirect).
        try await ConsoleServer(settings: settings).application().test(.ahc(.https)) { client in
            let page = try await client.execute(uri: "/login", method: .get)
            #expect(page.status == .ok && page.bodyText.contains("password"))
            let form = page.headers[values: .setCookie].first { $0.hasPrefix("qsentry_login=") } ?? ""
            #expect(form.contains("Secure") && form.contains("HttpOnly") && form.contains("SameSite=Strict"), "\(form)")
            #expect(try await loginResponse(client, "admin", "wrong").status == .unauthorized)
        }
        // The same server without the certificate: no Secure flag.
        try await server().test(.live) { client in
            let form = try await client.execute(uri: "/login", method: .get).headers[values: .setCookie].first { $0.hasPrefix("qsentry_login=") } ?? ""
            #expect(!form.isEmpty && !form.contains("Secure"))
        }
    }

    /// Behind a reverse proxy: X-Forwarded-For and -Proto count only from a web-proxies address.
    /// From the proxy, each forwarded client has its own login limit and HTTPS makes the cookie
    /// Secure; without the file the same headers change nothing.
    @Test func forwardedHeadersAreBelievedOnlyFromTheConfiguredProxies() async throws {
        let forwarded: (String) -> HTTPFields = { ip in
            [HTTPField.Name("X-Forwarded-For")!: "203.0.113.1, \(ip)", HTTPField.Name("X-Forwarded-Proto")!: "https"]
        }
        try await server().test(.live) { client in
            let r = try await loginResponse(client, "admin", "admin-pw", headers: forwarded("198.51.100.1"))
            #expect(r.headers[values: .setCookie].contains { $0.hasPrefix("qsentry_session=") && !$0.contains("Secure") })
            for i in 0..<10 { _ = try await loginResponse(client, "nobody\(i)", "guess", headers: forwarded("198.51.100.\(i + 2)")) }
            // Ten failures from "different" clients are ten from this peer: the next is refused.
            #expect(try await loginResponse(client, "admin", "admin-pw", headers: forwarded("198.51.100.99")).status == .tooManyRequests)
        }
        try root.write("control/qsentry/web-proxies", "127.0.0.1\n::1\n")
        try await server().test(.live) { client in
            let r = try await loginResponse(client, "admin", "admin-pw", headers: forwarded("198.51.100.1"))
            #expect(r.headers[values: .setCookie].contains { $0.hasPrefix("qsentry_session=") && $0.contains("Secure") })
            for i in 0..<10 { _ = try await loginResponse(client, "nobody\(i)", "guess", headers: forwarded("198.51.100.2")) }
            #expect(try await loginResponse(client, "alice", "alice-pw", headers: forwarded("198.51.100.2")).status == .tooManyRequests)
            #expect(try await loginResponse(client, "alice", "alice-pw", headers: forwarded("198.51.100.3")).status == .seeOther)
        }
    }

    @Test func everyStateChangeNeedsTheSessionsCSRFToken() async throws {
        let id = try quarantine("1700000000.4.d", to: ["alice@example.test"], subject: "keep me")
        try await server().test(.live) { client in
            let admin = try #require(try await login(client, "admin", "admin-pw"))
            for form in ["action=delete&ids[]=\(id)", "csrf=\(String(repeating: "0", count: 64))&action=delete&ids[]=\(id)"] {
                #expect(try await post(client, "/quarantine/action", admin.cookie, form).status == .forbidden)
            }
            #expect(try await post(client, "/lists/ipblock", admin.cookie, "text=192.0.2.1").status == .forbidden)
            #expect(try await post(client, "/bans", admin.cookie, "action=add&ip=192.0.2.1").status == .forbidden)
            // A form from another site is refused even with the token (Origin says where it came from).
            let cross = try await client.execute(uri: "/quarantine/action", method: .post,
                                                 headers: [.cookie: "qsentry_session=\(admin.cookie)", .origin: "http://evil.test",
                                                           .contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: "csrf=\(admin.csrf)&action=delete&ids[]=\(id)"))
            #expect(cross.status == .forbidden)
            #expect(FileManager.default.fileExists(atPath: root.path + "/qsentry/quarantine/\(id)"))
            #expect(!FileManager.default.fileExists(atPath: root.path + "/control/qsentry/ipblock"))
        }
    }

    @Test func aHostileMessageIsShownAsTextOnly() async throws {
        let id = try quarantine("1700000000.5.e", to: ["alice@example.test"], subject: "<script>alert(1)</script>",
                                body: "<script>alert(2)</script><a href=\"javascript:alert(3)\">x</a><img src=\"http://tracker.test/p.gif\">",
                                extraHeader: "Content-Type: text/html\nX-Evil: \"><script>alert(4)</script>\n")
        try await server().test(.live) { client in
            let admin = try #require(try await login(client, "admin", "admin-pw"))
            let page = try await get(client, "/quarantine/\(id)", admin.cookie)
            #expect(page.status == .ok)
            let html = page.bodyText
            #expect(!html.contains("<script"))
            #expect(!html.contains("<img") && !html.contains("href=\"javascript:"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(html.contains("&quot;&gt;&lt;script&gt;alert(4)"))
            let csp = page.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
            #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"))
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let list = try await get(client, "/quarantine?subject=script", admin.cookie).bodyText
            #expect(list.contains("&lt;script&gt;") && !list.contains("<script"))
        }
    }

    @Test func aListWithABadLineIsRefusedAndAGoodOneSavedAndCompiled() async throws {
        let ipblock = try root.write("control/qsentry/ipblock", "192.0.2.1\n", mode: 0o640)
        let cdb = ipblock + ".cdb"
        _ = try ListCompiler.compile(ipblock, as: .ip)
        try await server().test(.live) { client in
            let admin = try #require(try await login(client, "admin", "admin-pw"))
            let bad = try await post(client, "/lists/ipblock", admin.cookie, "csrf=\(admin.csrf)&text=192.0.2.1%0A999.1.2.3%0A")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.bodyText.contains("Nothing was saved") && bad.bodyText.contains("999.1.2.3"))
            #expect(try String(contentsOfFile: ipblock, encoding: .utf8) == "192.0.2.1\n")
            let good = try await post(client, "/lists/ipblock", admin.cookie, "csrf=\(admin.csrf)&text=192.0.2.1%0D%0A198.51.100.0%2F24")
            #expect(good.status == .seeOther)
            #expect(try String(contentsOfFile: ipblock, encoding: .utf8) == "192.0.2.1\n198.51.100.0/24\n")
            var st = stat()
            stat(ipblock, &st)
            #expect(st.st_mode & 0o777 == 0o640)
            // Compiled where a cdb exists: the programs read the new entry from it.
            let list = try IPList.load(ipblock)
            #expect(CompiledList.isPreferred(for: ipblock) && FileManager.default.fileExists(atPath: cdb))
            #expect(try list.match(IPAddress("198.51.100.9")!) != nil)
        }
    }

    @Test func failedLoginsAreLimitedPerName() async throws {
        try await server().test(.live) { client in
            for _ in 0..<5 { #expect(try await login(client, "admin", "guess") == nil) }
            // The sixth try is refused without a check, even with the right password.
            let (loginCookie, token) = try await client.execute(uri: "/login", method: .get) { r in (Self.cookie(r, "qsentry_login"), Self.hidden(r.bodyText, "csrf")) }
            let r = try await client.execute(uri: "/login", method: .post,
                                             headers: [.cookie: "qsentry_login=\(loginCookie)", .contentType: "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: "csrf=\(token)&name=admin&password=admin-pw"))
            #expect(r.status == .tooManyRequests)
            #expect(try await login(client, "alice", "alice-pw") != nil)
        }
    }

    @Test func aDigestLinkReleasesToItsRecipientAloneWithoutALogin() async throws {
        let id = try quarantine("1700000000.6.f", to: ["alice@example.test", "bob@example.test"], subject: "digest me")
        let key = try ReleaseLink.key(qmailRoot)
        let link = ReleaseLink(id: id, recipient: "alice@example.test", expires: Int(Date().timeIntervalSince1970) + 3600).path(key: key)
        let forged = ReleaseLink(id: id, recipient: "bob@example.test", expires: Int(Date().timeIntervalSince1970) + 3600).path(key: Array(repeating: 0x61, count: 64))
        let expired = ReleaseLink(id: id, recipient: "alice@example.test", expires: 1000).path(key: key)
        try await server().test(.live) { client in
            let page = try await client.execute(uri: link, method: .get)
            #expect(page.status == .ok && page.bodyText.contains("digest me"))
            #expect(QueueRun.queued(in: root).isEmpty)  // a GET releases nothing
            #expect(try await client.execute(uri: forged, method: .post).status == .notFound)
            #expect(try await client.execute(uri: expired, method: .post).bodyText.contains("expired"))
            let released = try await client.execute(uri: link, method: .post)
            #expect(released.bodyText.contains("Released to alice@example.test"))
            let queued = QueueRun.queued(in: root)
            #expect(queued.count == 1)
            #expect(String(decoding: queued[0].envelope, as: UTF8.self) == "Fsender@elsewhere.test\0Talice@example.test\0\0")
            // Used once: the same link finds nothing more to release.
            #expect(try await client.execute(uri: link, method: .post).bodyText.contains("no longer in quarantine"))
        }
        // The digest itself: one message per local recipient, with such a link.
        try root.write("control/qsentry/web-url", "https://mail.example.test:8025\n")
        try root.write("bin/qmail-inject", "#!/bin/sh\ncat > \"$(dirname \"$0\")/../queue/inject.$(echo \"$3\" | tr @ _)\"\n", mode: 0o755)
        let sent = try QuarantineDigest(root: qmailRoot).send(index: QuarantineIndex(Quarantine(directory: root.path + "/qsentry/quarantine")),
                                                              now: Int(Date().timeIntervalSince1970))
        #expect(sent.recipients == ["bob@example.test"])
        let digest = try String(contentsOfFile: root.path + "/queue/inject.bob_example.test", encoding: .utf8)
        #expect(digest.contains("Subject: Quarantine: 1 new message held for you") && digest.contains("https://mail.example.test:8025/release/\(id)/"))
        // The next run sends nothing new.
        #expect(try QuarantineDigest(root: qmailRoot).send(index: QuarantineIndex(Quarantine(directory: root.path + "/qsentry/quarantine")),
                                                           now: Int(Date().timeIntervalSince1970)).recipients.isEmpty)
    }

    /// A digest qmail-inject refuses for one recipient: the others get theirs, the one is owed
    /// and sent on the next run, and nobody gets a digest twice.
    @Test func aFailedDigestIsSentNextRunToThatRecipientAlone() throws {
        try quarantine("1700000000.8.h", to: ["bob@example.test"], subject: "for bob")
        try quarantine("1700000000.9.i", to: ["carol@example.test"], subject: "for carol")
        try root.write("control/qsentry/web-url", "https://mail.example.test:8025\n")
        // It reads the message first, as qmail-inject does: one that exits unread can close the pipe
        // before the digest is written, which is a failed digest (EPIPE), not a test of this one.
        let inject = "#!/bin/sh\ncat >/dev/null\n[ -e \"$(dirname \"$0\")/../fail.$3\" ] && exit 1\necho x >> \"$(dirname \"$0\")/../queue/inject.$3\"\n"
        try root.write("bin/qmail-inject", inject, mode: 0o755)
        try root.write("fail.carol@example.test", "")
        let digest = QuarantineDigest(root: qmailRoot)
        let index = QuarantineIndex(Quarantine(directory: root.path + "/qsentry/quarantine"))
        let now = Int(Date().timeIntervalSince1970)
        let first = try digest.send(index: index, now: now)
        #expect(first.recipients == ["bob@example.test"] && first.failed.map(\.0) == ["carol@example.test"])
        try FileManager.default.removeItem(atPath: root.path + "/fail.carol@example.test")
        #expect(try digest.send(index: index, now: now + 60).recipients == ["carol@example.test"])
        let third = try digest.send(index: index, now: now + 120)
        #expect(third.recipients.isEmpty && third.failed.isEmpty)
        for who in ["bob", "carol"] {
            #expect(try String(contentsOfFile: root.path + "/queue/inject.\(who)@example.test", encoding: .utf8) == "x\n")
        }
    }

    @Test func theIndexSearchesSortsAndPagesPerUser() throws {
        let dir = root.path + "/qsentry/quarantine"
        for i in 0..<2000 {
            try quarantine("17000\(String(format: "%05d", i)).1.a", to: [i % 2 == 0 ? "alice@example.test" : "bob@example.test"],
                           subject: i % 100 == 0 ? "rare \(i)" : "common \(i)")
        }
        let index = QuarantineIndex(Quarantine(directory: dir))
        index.refresh()
        #expect(index.count == 2000)
        var q = QuarantineIndex.Query()
        q.subject = "rare"
        #expect(index.search(q).total == 20)
        #expect(index.search(q, onlyFor: ["bob@example.test"]).total == 0)
        q = QuarantineIndex.Query()
        q.pageSize = 50
        q.page = 2
        let page = index.search(q, onlyFor: ["alice@example.test"])
        #expect(page.total == 1000 && page.pages == 20 && page.entries.count == 50)
        #expect(page.entries.allSatisfy { $0.recipients == ["alice@example.test"] })
        #expect(page.entries.first!.id > page.entries.last!.id)  // newest first
    }

    /// The kept sort orders stay right while files come, go and are rewritten (a partial
    /// release), and every sort key in both directions pages like a full sort would.
    @Test func theKeptOrdersFollowTheDirectory() throws {
        let dir = root.path + "/qsentry/quarantine"
        let subjects = ["Zebra offer", "apple news", "Ünïcode Prize", "meeting", "apple news", "invoice 42"]
        for i in 0..<300 {
            try quarantine("1700\(String(format: "%04d", i)).2.b", to: i % 3 == 0 ? ["carol@example.test", "dave@example.test"] : ["Carol@Example.test"],
                           subject: subjects[i % subjects.count] + " \(i % 7)", rule: ["bayes", "keywords", "uribl"][i % 3])
        }
        let q = Quarantine(directory: dir)
        let index = QuarantineIndex(q)
        index.refresh()
        // Every order made once, before the directory changes.
        for key in QuarantineIndex.SortKey.allCases { var query = QuarantineIndex.Query(); query.sort = key; _ = index.search(query) }
        try quarantine("1700zz.9.c", to: ["dave@example.test"], subject: "apple news late")
        try q.remove("17000003.2.b", recipients: ["dave@example.test"])  // rewritten: carol only
        try q.delete("17000004.2.b")
        index.refresh()
        #expect(index.count == 300)
        func all(_ key: QuarantineIndex.SortKey, descending: Bool, owner: [String]? = nil, subject: String = "") -> [String] {
            var ids: [String] = []
            var query = QuarantineIndex.Query()
            query.sort = key
            query.descending = descending
            query.subject = subject
            query.pageSize = 7
            while true {
                let page = index.search(query, onlyFor: owner)
                ids += page.entries.map(\.id)
                if query.page >= page.pages { break }
                query.page += 1
            }
            return ids
        }
        let fresh = QuarantineIndex(q)
        fresh.refresh()
        for key in QuarantineIndex.SortKey.allCases {
            for descending in [false, true] {
                let kept = all(key, descending: descending)
                #expect(kept.count == 300 && Set(kept).count == 300, "\(key)")
                // A new index builds its order from scratch: the kept one must agree with it.
                var query = QuarantineIndex.Query()
                query.sort = key
                query.descending = descending
                query.pageSize = 500
                #expect(kept == fresh.search(query).entries.map(\.id), "\(key) \(descending ? "desc" : "asc")")
            }
        }
        #expect(all(.time, descending: true, owner: ["dave@example.test"]).contains("1700zz.9.c"))
        #expect(!all(.time, descending: true, owner: ["dave@example.test"]).contains("17000003.2.b"))
        #expect(all(.time, descending: true, owner: ["carol@example.test"]).contains("17000003.2.b"))
        #expect(!all(.subject, descending: false).contains("17000004.2.b"))
        // Byte search over lower-cased UTF-8: any case, non-ASCII, the free text over IP and recipients.
        #expect(all(.time, descending: true, subject: "ÜNÏCODE").count == 50)
        var text = QuarantineIndex.Query()
        text.text = "192.0.2.7"
        #expect(index.search(text).total == 300)
        text.text = "DAVE@example"
        #expect(index.search(text).total == 100)
        text.text = "nobody-at-all"
        #expect(index.search(text).total == 0)
        var rule = QuarantineIndex.Query()
        rule.rule = "URIBL"
        #expect(index.search(rule).total == 100)
        // A page past the end shows the last one.
        var far = QuarantineIndex.Query()
        far.page = 99
        let last = index.search(far)
        #expect(last.page == 6 && last.entries.count == 50)
    }
}

extension TestResponse {
    var bodyText: String { String(buffer: body) }
}
