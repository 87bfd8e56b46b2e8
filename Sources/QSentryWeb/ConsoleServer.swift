#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import NIOSSL
import QSentryAdmin
import QSentryCore

/// A3, A8: `qsentry web`, the suite's one daemon. The routes are in the Routes+ files, one
/// area each; this file holds what they share: the settings, the session gate, the CSRF check.
public struct ConsoleServer: Sendable {
    public struct Settings: Sendable {
        public var root: QmailRoot
        public var host = "127.0.0.1"
        public var port = 8025
        /// multilog directories or log files for the statistics page.
        public var logs: [String] = []
        /// Native TLS: the certificate chain and key (PEM), e.g. STARTTLS's tls-cert and tls-key.
        public var certificate: String?
        public var key: String?
        public var idleSeconds = 1800
        public var absoluteSeconds = 12 * 3600
        /// How long a failed login's answer waits (the throttle's per-attempt cost).
        public var failurePauseMilliseconds = 1000

        public init(root: QmailRoot) { self.root = root }
    }

    public let settings: Settings
    let state: ConsoleState
    let sessions: SessionStore
    let throttle = LoginThrottle()
    let pages: PageRenderer
    let clients: ClientAddress

    public init(settings: Settings) throws {
        self.settings = settings
        state = try ConsoleState(root: settings.root)
        sessions = SessionStore(idle: settings.idleSeconds, absolute: settings.absoluteSeconds)
        pages = try PageRenderer()
        clients = try ClientAddress.load(settings.root)
    }

    var root: QmailRoot { settings.root }
    var nativeTLS: Bool { settings.certificate != nil }

    public func router() -> Router<ConsoleContext> {
        let router = Router(context: ConsoleContext.self)
        router.get("/style.css") { _, _ in PageRenderer.stylesheet() }
        router.get("/") { _, _ in PageRenderer.redirect("/quarantine") }
        addLoginRoutes(router)
        addQuarantineRoutes(router)
        addReleaseLinkRoutes(router)
        addAdministrationRoutes(router)
        return router
    }

    /// The application, listening as the settings say (TLS when a certificate is given).
    public func application() throws -> some ApplicationProtocol {
        let configuration = ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "qsentry")
        if let certificate = settings.certificate {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: settings.key ?? certificate, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return Application(router: router(), server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration)
        }
        return Application(router: router(), configuration: configuration)
    }

    // MARK: what every route shares

    func now() -> Int { Int(time(nil)) }

    func client(_ request: Request, _ context: ConsoleContext) -> (address: String, secure: Bool) {
        clients.client(peer: context.remoteAddress?.ipAddress, headers: request.headers, nativeTLS: nativeTLS)
    }

    static let sessionCookie = "qsentry_session"
    static let loginCookie = "qsentry_login"

    func cookie(_ name: String, _ value: String, secure: Bool, remove: Bool = false) -> Cookie {
        Cookie(name: name, value: value, maxAge: remove ? 0 : nil, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The request's live session, if any.
    func session(_ request: Request) async -> SessionStore.Session? {
        guard let token = request.cookies[Self.sessionCookie]?.value, token.utf8.count == 64 else { return nil }
        return await sessions.session(token, now: now())
    }

    /// The request's live session (an administrator's when `administrator`), or the refusal: the
    /// login page, or 403 for a mailbox user on an administrator's page.
    func signedIn(_ request: Request, administrator: Bool = false) async throws(Refusal) -> SessionStore.Session {
        guard let session = await session(request) else { throw Refusal(PageRenderer.redirect("/login")) }
        if administrator && !session.identity.isAdministrator {
            throw Refusal(forbidden(session, "Only administrators may open this page."))
        }
        return session
    }

    /// A state-changing request, checked the one way every route does: a live session (an
    /// administrator's when `administrator`), its form decoded with the session's CSRF token, and
    /// no foreign Origin. A refusal writes an audit line naming `action`.
    func posted<Form: TokenForm>(_ type: Form.Type, _ request: Request, _ context: ConsoleContext, action: String,
                                 administrator: Bool = false) async throws(Refusal) -> (session: SessionStore.Session, form: Form, client: String) {
        let session = try await signedIn(request, administrator: administrator)
        let address = client(request, context).address
        guard let form = try? await request.decode(as: Form.self, context: context), let csrf = form.csrf,
              SessionStore.same(csrf, session.csrf), sameOrigin(request) else {
            AuditLog.record(session.identity.name, action, client: address, [("why", "csrf")], ok: false)
            throw Refusal(forbidden(session, "Missing or wrong CSRF token: reload the page and try again."))
        }
        return (session, form, address)
    }

    /// A state-changing request is ours when its form carries the session's CSRF token and, if
    /// the browser says where the form came from, it came from this site.
    func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    func forbidden(_ session: SessionStore.Session?, _ why: String) -> Response {
        pages.page("empty", title: "Refused", session: session, data: [:], problem: why, status: .forbidden)
    }

    func notFound(_ session: SessionStore.Session?) -> Response {
        pages.page("empty", title: "Not found", session: session, data: [:], problem: "No such page or message.", status: .notFound)
    }
}

/// A form that changes state: it carries the session's CSRF token.
protocol TokenForm: Decodable {
    var csrf: String? { get }
}

/// A request refused before its route's work, thrown so each route's check is one line;
/// Hummingbird answers with the page as it is.
struct Refusal: HTTPResponseError {
    let page: Response
    init(_ page: Response) { self.page = page }
    var status: HTTPResponse.Status { page.status }
    func response(from request: Request, context: some RequestContext) throws -> Response { page }
}
