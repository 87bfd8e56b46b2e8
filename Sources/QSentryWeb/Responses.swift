import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's pages, from the Mustache templates in Pages/ (every `{{value}}` escaped by
/// Mustache; only the layout's `{{{body}}}` and the statistics charts, which StatsPage escaped
/// itself, are put in as they are), with the headers that keep a browser from running,
/// fetching or framing anything.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        let templates: [(String, String)] = [
            ("layout", Layout.template), ("login", LoginPage.template), ("quarantine", QuarantinePage.template),
            ("message", MessagePage.template), ("lists", ListsPage.template), ("list", ListEditPage.template),
            ("bans", BansPage.template), ("stats", StatsConsolePage.template), ("check", CheckPage.template),
            ("settings", SettingsPage.template), ("release", ReleaseLinkPage.template), ("empty", ""),
        ]
        for (name, text) in templates { try library.register(text, named: name) }
        self.library = library
    }

    /// The no-script policy: styles from our own stylesheet only, no scripts, images, frames or
    /// form targets elsewhere.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func securityHeaders(contentType: String) -> HTTPFields {
        var h = HTTPFields()
        h[.contentType] = contentType
        h[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        h[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        h[HTTPField.Name("X-Frame-Options")!] = "DENY"
        // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with every form, and
        // sameOrigin could no longer tell our forms from anyone else's. Nothing is linked elsewhere anyway.
        h[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        h[.cacheControl] = "no-store"
        return h
    }

    func page(_ template: String, title: String, session: SessionStore.Session?, data: [String: Any],
              notice: String? = nil, problem: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let body = library.render(data, withTemplate: template) ?? ""
        var frame: [String: Any] = ["title": title, "body": body]
        if let session {
            frame["who"] = session.identity.name
            frame["admin"] = session.identity.isAdministrator
            frame["csrf"] = session.csrf
        }
        if let notice { frame["notice"] = notice }
        if let problem { frame["problem"] = problem }
        let html = library.render(frame, withTemplate: "layout") ?? ""
        return Response(status: status, headers: Self.securityHeaders(contentType: "text/html; charset=utf-8"),
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func stylesheet() -> Response {
        var h = securityHeaders(contentType: "text/css; charset=utf-8")
        h[.cacheControl] = "max-age=3600"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css)))
    }

    /// 303 to a path of ours (never to an address a form sent: only paths starting with one '/').
    static func redirect(_ path: String, cookies: [Cookie] = []) -> Response {
        let safe = path.hasPrefix("/") && !path.hasPrefix("//") && !path.contains("\\") && !path.contains("\r") && !path.contains("\n") ? path : "/"
        var h = securityHeaders(contentType: "text/plain; charset=utf-8")
        h[.location] = safe
        var r = Response(status: .seeOther, headers: h)
        for c in cookies { r.setCookie(c) }
        return r
    }
}

/// Query strings and forms, decoded by Hummingbird's form decoder.
enum Forms {
    static func query<T: Decodable>(_ type: T.Type, _ request: Request) -> T? {
        try? URLEncodedFormDecoder().decode(type, from: request.uri.query ?? "")
    }

    /// A path and query of ours with `changes` applied (nil removes a key), percent-encoded.
    static func link(_ path: String, _ parameters: [(String, String?)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        let pairs = parameters.compactMap { k, v -> String? in
            guard let v, !v.isEmpty else { return nil }
            return k + "=" + (v.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }
}
