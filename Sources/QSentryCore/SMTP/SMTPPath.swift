/// The argument of `MAIL FROM:` or `RCPT TO:`, parsed as RFC 5321 describes and as qmail-smtpd accepts it.
///
/// Parsing never refuses a relay trick by itself: it records what it saw
/// (`%`, `!`, a source route, several `@`, a quoted local part with specials)
/// so that the envelope checks decide, and so `explain` can say why.
public struct SMTPPath: Equatable, Sendable {
    /// `local@domain` as the mailbox reads, source route removed; "" for the null path `<>`.
    public var mailbox: String
    /// The local part with quotes and backslash escapes removed.
    public var localPart: String
    /// The domain, ASCII-lowercased, trailing dot removed; "" when the mailbox has no `@`.
    public var domain: String
    /// Domains of an RFC 821 source route (`<@a,@b:user@c>`), which RFC 5321 says to ignore and relays abuse.
    public var sourceRoute: [String]
    /// ESMTP parameters after the path (`SIZE=1000`, `BODY=8BITMIME`).
    public var parameters: [String]
    /// `<...>` brackets were present (qmail also accepts a bare address).
    public var bracketed: Bool
    /// The local part was a quoted string.
    public var quotedLocalPart: Bool
    /// `@` outside quotes in the mailbox: more than one is the `user@other@local` trick.
    public var atSignCount: Int
    /// `%` in the local part (`user%other@local`, the percent hack).
    public var hasPercent: Bool
    /// `!` in the local part (UUCP bang path, `other!user@local`).
    public var hasBang: Bool
    /// `@` inside a quoted local part (`"user@other"@local`).
    public var hasQuotedAt: Bool

    public var isNull: Bool { mailbox.isEmpty }
    /// A domain literal such as `[192.0.2.1]`.
    public var isAddressLiteral: Bool { domain.hasPrefix("[") }
    /// Any of the tricks relays have been fooled by.
    public var hasRoutingTricks: Bool {
        !sourceRoute.isEmpty || atSignCount > 1 || hasPercent || hasBang || hasQuotedAt
    }

    /// The longest argument accepted (qmail-smtpd refuses addresses over about 900 bytes).
    public static let maxArgumentBytes = 1000
    /// The longest mailbox: RFC 5321 says 256 for a path; VERP and SRS addresses run longer in practice.
    public static let maxMailboxBytes = 512

    /// Parses the text after `FROM:` / `TO:` (leading spaces allowed).
    public static func parse(_ argument: String) -> Result<SMTPPath, SMTPPathError> {
        let bytes = Array(argument.utf8)
        if bytes.count > maxArgumentBytes { return .failure(.tooLong) }
        var i = 0
        while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }

        var pathBytes: ArraySlice<UInt8>
        var rest: ArraySlice<UInt8>
        var bracketed = false
        if i < bytes.count && bytes[i] == UInt8(ascii: "<") {
            bracketed = true
            guard let close = closingBracket(bytes, from: i + 1) else { return .failure(.unbalancedBrackets) }
            pathBytes = bytes[(i + 1)..<close]
            rest = bytes[(close + 1)...]
            if let first = rest.first, first != 0x20 { return .failure(.textAfterPath) }
        } else {
            var end = i
            while end < bytes.count && bytes[end] != 0x20 { end += 1 }
            pathBytes = bytes[i..<end]
            rest = bytes[end...]
            if pathBytes.contains(UInt8(ascii: ">")) || pathBytes.contains(UInt8(ascii: "<")) {
                return .failure(.unbalancedBrackets)
            }
        }
        if pathBytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) { return .failure(.controlCharacter) }
        let parameters = rest.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }

        // Source route: "@a,@b:" before the mailbox.
        var route: [String] = []
        if pathBytes.first == UInt8(ascii: "@") {
            guard let colon = firstUnquoted(UInt8(ascii: ":"), in: pathBytes) else { return .failure(.badSourceRoute) }
            for hop in pathBytes[pathBytes.startIndex..<colon].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                guard hop.first == UInt8(ascii: "@"), hop.count > 1 else { return .failure(.badSourceRoute) }
                route.append(DomainName.normalize(String(decoding: hop.dropFirst(), as: UTF8.self)))
            }
            pathBytes = pathBytes[(colon + 1)...]
        }
        if pathBytes.count > maxMailboxBytes { return .failure(.tooLong) }
        if pathBytes.isEmpty {
            if !route.isEmpty { return .failure(.badSourceRoute) }
            return .success(SMTPPath(mailbox: "", localPart: "", domain: "", sourceRoute: [], parameters: parameters,
                bracketed: bracketed, quotedLocalPart: false, atSignCount: 0, hasPercent: false, hasBang: false, hasQuotedAt: false))
        }

        // Local part: a quoted string or a dot-string; the domain follows the last unquoted "@".
        var local: [UInt8] = []
        var quoted = false
        var quotedAt = false
        var j = pathBytes.startIndex
        var atCount = 0
        var lastAt: Int? = nil
        var inQuotes = false
        while j < pathBytes.endIndex {
            let b = pathBytes[j]
            if b == UInt8(ascii: "\"") {
                inQuotes.toggle()
                quoted = true
            } else if b == UInt8(ascii: "\\") && inQuotes {
                j += 1
                guard j < pathBytes.endIndex else { return .failure(.unterminatedQuote) }
            } else if b == UInt8(ascii: "@") && !inQuotes {
                atCount += 1
                lastAt = j
            } else if b == UInt8(ascii: "@") && inQuotes {
                quotedAt = true
            } else if (b == 0x20 || b == 0x09) && !inQuotes {
                return .failure(.spaceInAddress)
            }
            j += 1
        }
        if inQuotes { return .failure(.unterminatedQuote) }

        let localRaw: ArraySlice<UInt8>
        var domain = ""
        if let at = lastAt {
            localRaw = pathBytes[pathBytes.startIndex..<at]
            domain = DomainName.normalize(String(decoding: pathBytes[(at + 1)...], as: UTF8.self))
            if domain.isEmpty { return .failure(.emptyDomain) }
        } else {
            localRaw = pathBytes
        }
        if hasUnquotedSpecial(localRaw) { return .failure(.invalidLocalPart) }
        // Unquote: drop quote characters, resolve backslash escapes inside quotes.
        var k = localRaw.startIndex
        var inQ = false
        while k < localRaw.endIndex {
            let b = localRaw[k]
            if b == UInt8(ascii: "\"") { inQ.toggle() } else if b == UInt8(ascii: "\\") && inQ {
                k += 1
                local.append(localRaw[k])
            } else {
                local.append(b)
            }
            k += 1
        }
        let localPart = String(decoding: local, as: UTF8.self)
        let mailbox = domain.isEmpty ? localPart : localPart + "@" + domain
        return .success(SMTPPath(
            mailbox: mailbox, localPart: localPart, domain: domain, sourceRoute: route, parameters: parameters,
            bracketed: bracketed, quotedLocalPart: quoted, atSignCount: atCount,
            hasPercent: local.contains(UInt8(ascii: "%")), hasBang: local.contains(UInt8(ascii: "!")),
            hasQuotedAt: quotedAt))
    }

    /// The index of the ">" that closes the path, skipping quoted strings.
    private static func closingBracket(_ bytes: [UInt8], from start: Int) -> Int? {
        var inQuotes = false
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\") && inQuotes { i += 2; continue }
            if b == UInt8(ascii: "\"") { inQuotes.toggle() } else if b == UInt8(ascii: ">") && !inQuotes { return i }
            i += 1
        }
        return nil
    }

    /// RFC 5321 atext excludes these outside quotes; a bare `,` or `:` is a mangled source route.
    private static func hasUnquotedSpecial(_ bytes: ArraySlice<UInt8>) -> Bool {
        var inQuotes = false
        var escaped = false
        for b in bytes {
            if escaped { escaped = false; continue }
            if b == UInt8(ascii: "\\") && inQuotes { escaped = true; continue }
            if b == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if !inQuotes && Array(",:;<>()[]\\".utf8).contains(b) { return true }
        }
        return false
    }

    private static func firstUnquoted(_ target: UInt8, in bytes: ArraySlice<UInt8>) -> Int? {
        var inQuotes = false
        for i in bytes.indices {
            if bytes[i] == UInt8(ascii: "\"") { inQuotes.toggle() } else if bytes[i] == target && !inQuotes { return i }
        }
        return nil
    }
}

/// Why a path could not be parsed; each maps to a `501 5.1.x` reply.
public enum SMTPPathError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLong, unbalancedBrackets, textAfterPath, controlCharacter, badSourceRoute
    case unterminatedQuote, spaceInAddress, emptyDomain, invalidLocalPart

    public var description: String {
        switch self {
        case .tooLong: return "address too long"
        case .unbalancedBrackets: return "unbalanced < >"
        case .textAfterPath: return "text after the closing >"
        case .controlCharacter: return "control character in address"
        case .badSourceRoute: return "malformed source route"
        case .unterminatedQuote: return "unterminated quoted local part"
        case .spaceInAddress: return "space in address"
        case .emptyDomain: return "empty domain after @"
        case .invalidLocalPart: return "invalid character in local part"
        }
    }
}
