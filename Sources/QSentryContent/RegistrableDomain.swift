import CPSL

/// Host names reduced to the domain someone registered (`www.shop.example.co.uk` →
/// `example.co.uk`), with libpsl and the Public Suffix List Debian's publicsuffix package
/// keeps current (libpsl's built-in copy if that file is missing).
public final class RegistrableDomain {
    let psl: OpaquePointer

    public init() {
        if let latest = psl_latest(nil) { psl = latest } else { psl = psl_builtin() }
    }

    /// nil when the name does not end in a real public suffix (`readme.txt`, `host.invalid`)
    /// or is itself one.
    public func of(_ host: String) -> String? {
        guard let dot = host.lastIndex(of: ".") else { return nil }
        let tld = String(host[host.index(after: dot)...])
        guard psl_is_public_suffix2(psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0 else { return nil }
        guard let r = psl_registrable_domain(psl, host) else { return nil }
        return String(cString: r)
    }
}
