#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads process environment variables without Foundation.
public enum Environment {
    /// The value, or nil when unset. An empty value is returned as "" (rblsmtpd gives it a meaning).
    public static func get(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }

    /// True when the variable is set to anything but "", "0" or "no".
    public static func flag(_ name: String) -> Bool {
        guard let v = get(name) else { return false }
        return !(v.isEmpty || v == "0" || v.lowercased() == "no")
    }
}
