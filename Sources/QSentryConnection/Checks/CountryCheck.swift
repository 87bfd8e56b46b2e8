import QSentryCore
import QSentryDNS

/// C5: the client's country from a MaxMind-format database, refused when listed in `countries`.
/// An address the database does not know is not refused.
public struct CountryCheck: ConnectionCheck {
    public static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? {
        let root = setup.root
        let countries = try loadCountries(root)
        guard !countries.isEmpty else { return nil }
        guard let path = try ControlFile.value(root.qsentry("geoip"))?.text.trimmed else {
            setup.problems.append(ControlError(path: root.qsentry("countries"), "countries are listed but control/qsentry/geoip names no database"))
            return nil
        }
        do {
            return CountryCheck(database: try CountryDatabase(path: path), refused: countries, messages: setup.messages)
        } catch let e as ControlError {
            setup.problems.append(e)
            return nil
        }
    }

    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    public static let texts: KeyValuePairs<String, String> = [
        "country": "Mail from your country is not accepted here",
    ]
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("geoip", .qsentry, .path, "MaxMind-format .mmdb country database (C5)"),
        .init("countries", .qsentry, .countryCodes, "refused countries, ISO 3166 codes (C5)"),
    ]
    public let name: RuleName = "country"
    let database: CountryDatabase
    let refused: Set<String>
    let messages: Messages

    public init(database: CountryDatabase, refused: Set<String>, messages: Messages) {
        self.database = database
        self.refused = refused
        self.messages = messages
    }

    public func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        guard let code = database.country(of: ip) else { return .pass(name, "unknown") }
        guard refused.contains(code) else { return .pass(name, code) }
        let text = messages.text(name, .init(ip: ip.description)) + " (\(code))"
        return RuleResult(name, Verdict(.refuse, rule: name, text: text), code)
    }

    /// Reads `control/qsentry/countries`: ISO codes, several a line; case-insensitive.
    public static func loadCountries(_ root: QmailRoot) throws -> Set<String> {
        var codes = Set<String>()
        for line in try ControlFile.lines(root.qsentry("countries")) ?? [] {
            for code in line.text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) where code.count == 2 {
                codes.insert(String(code).uppercased())
            }
        }
        return codes
    }
}
