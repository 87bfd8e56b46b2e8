import QSentryCore
import QSentryMessage

/// M11 at delivery: what qsentry-queue's Authentication-Results says, weighed for the user. A
/// DKIM pass for a domain on the user's `allow` list (`@domain`) delivers at once, as an allowed
/// sender does, but cannot be forged by a MAIL FROM; a DMARC fail is reported as `DMARC_FAIL`
/// and, when qsentry-queue's `dmarc` file said `tag` for it, makes the message spam. Only the
/// field above every Received: with this host's authserv-id counts (qsentry-queue's own).
public struct AuthenticationWeight: DeliveryRule {
    public let name: RuleName = "authentication"
    public init() {}

    public static func load(_ root: QmailRoot, user: String, into stage: inout DeliveryStage) throws {
        stage.authservID = try ControlFile.value(root.control("me"))?.text.trimmed
    }

    public func evaluate(_ c: inout DeliveryContext) -> Verdict? {
        guard !c.settled, let id = c.stage.authservID, !id.isEmpty,
              let header = try? MessageHeader.read(c.fd).header,
              let results = AuthenticationResultsField.ours(in: header, authservID: id) else { return nil }
        for dkim in results.all("dkim") where dkim.result == "pass" {
            guard let d = dkim.properties["header.d"], !d.isEmpty else { continue }
            if (try? c.stage.preferences.allow.match("dkim@" + d)) ?? nil != nil {
                c.tag.tests = ["ALLOW_DKIM"]
                return Verdict(.accept, rule: "allow-dkim")
            }
        }
        if let dmarc = results.all("dmarc").first, dmarc.result == "fail" {
            c.tag.tests.append("DMARC_FAIL")
            if dmarc.comment.contains("action=tag") {
                c.tag.isSpam = true
            }
        }
        return nil
    }
}
