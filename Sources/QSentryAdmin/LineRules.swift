import QSentryCore
import QSentryStore

/// The per-kind line checks behind `ControlLint`, one small function a kind.
enum LineRules {
    static func check(_ kind: ControlFileSpec.Kind, lines: [ControlLine], path: String) -> [ControlError] {
        switch kind {
        case .ipList: return IPList(lines: lines, path: path).problems
        case .addressList: return AddressList(lines: lines, path: path).problems
        case .domainList: return DomainList(lines: lines, path: path).problems
        case .zoneList: return each(lines, path) { if case .failure(let e) = DNSBLZone.parse($0) { return e.message }; return nil }
        case .integer(let range): return integer(lines, path, range)
        case .keyValue(let keys): return each(lines, path) { keyValue($0, keys) }
        case .path: return each(lines, path) { FileBytes.exists($0.trimmed) ? nil : "\($0.trimmed) does not exist" }
        case .countryCodes: return each(lines, path) { countryCodes($0) }
        case .dnsServers: return each(lines, path) { dnsServer($0.trimmed) }
        case .socket: return each(lines, path) { socket($0.trimmed) }
        case .storeURL: return each(lines, path) { storeURL($0.trimmed) }
        case .virtualDomains: return each(lines, path) { virtualDomain($0.trimmed) }
        case .text: return []
        case .checkedBy(let check): return check(lines, path)
        case .directory: return []  // ControlLint.lint hands the directory over whole
        }
    }

    /// Runs `rule` on every line; a non-nil answer is that line's problem.
    static func each(_ lines: [ControlLine], _ path: String, _ rule: (String) -> String?) -> [ControlError] {
        lines.compactMap { line in rule(line.text).map { ControlError(path: path, line: line.number, $0) } }
    }

    static func integer(_ lines: [ControlLine], _ path: String, _ range: ClosedRange<Int>) -> [ControlError] {
        var problems: [ControlError] = []
        if let first = lines.first {
            let t = first.text.trimmed
            if Int(t).map(range.contains) != true {
                problems.append(ControlError(path: path, line: first.number,
                    "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(t)\""))
            }
        }
        for extra in lines.dropFirst() {
            problems.append(ControlError(path: path, line: extra.number, "only the first line is read; remove this one"))
        }
        return problems
    }

    static func keyValue(_ line: String, _ keys: [String: [String]?]) -> String? {
        guard let eq = line.firstIndex(of: "=") else { return "expected key=value, found \"\(line.trimmed)\"" }
        let key = line[..<eq].trimmed.asciiLowercased
        let value = line[line.index(after: eq)...].trimmed
        guard let allowed = keys[key] else {
            return "unknown key \"\(key)\" (known: \(keys.keys.sorted().joined(separator: ", ")))"
        }
        if let allowed {
            if !allowed.contains(value.asciiLowercased) {
                return "\(key): \"\(value)\" is not one of \(allowed.joined(separator: ", "))"
            }
        } else if SettingSyntax.seconds(value) == nil {
            return "\(key): expected a whole number or a duration (90s, 10m, 12h, 1d), found \"\(value)\""
        }
        return nil
    }

    static func countryCodes(_ line: String) -> String? {
        for code in line.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
            if code.count != 2 || !code.allSatisfy({ $0.isASCII && $0.isLetter }) {
                return "\"\(code)\" is not a two-letter ISO 3166 country code"
            }
        }
        return nil
    }

    static func dnsServer(_ s: String) -> String? {
        if case .failure(let e) = SettingSyntax.dnsServer(s) { return e.message }
        return nil
    }

    static func socket(_ s: String) -> String? {
        if s.hasPrefix("/") { return FileBytes.exists(s) ? nil : "socket \(s) does not exist (is the daemon running?)" }
        guard let colon = s.lastIndex(of: ":"), !s[..<colon].isEmpty, SettingSyntax.isPort(s[s.index(after: colon)...]) else {
            return "\"\(s)\" is neither a socket path nor host:port"
        }
        return nil
    }

    /// The store's own parser: what lints is what the programs read.
    static func storeURL(_ s: String) -> String? {
        if StoreConfiguration.isEmbedded(s) { return nil }
        do { _ = try RedisAddress(s) } catch {
            return "\(error) (see qsentry-control(5); or embedded)"
        }
        return nil
    }

    static func virtualDomain(_ s: String) -> String? {
        guard let colon = s.firstIndex(of: ":") else { return "expected domain:prefix, found \"\(s)\"" }
        let left = s[..<colon]
        let domain = left.lastIndex(of: "@").map { left[left.index(after: $0)...] } ?? left
        let d = DomainName.normalize(domain.hasPrefix(".") ? domain.dropFirst() : domain)
        if !d.isEmpty && !DomainName.isValid(d) { return "bad domain \"\(domain)\"" }
        return nil
    }
}
