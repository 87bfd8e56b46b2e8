extension CDB {
    /// morercpthosts.cdb's lookup, as qmail-smtpd does it: the domain itself, then each
    /// `.parent` suffix (`.example.com` for `mail.example.com`).
    public func hasDomain(_ domain: String) throws -> Bool {
        if try find(domain) != nil { return true }
        var rest = Substring(domain)
        while let dot = rest.firstIndex(of: ".") {
            if try find(String(rest[dot...])) != nil { return true }
            rest = rest[rest.index(after: dot)...]
        }
        return false
    }
}
