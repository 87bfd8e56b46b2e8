#if canImport(Glibc)
import Glibc
#endif
import CCrypt

/// A3: the web console administrators' passwords, as crypt(3) hashes made and checked by
/// libxcrypt: yescrypt (`$y$`) for new hashes, and whatever libxcrypt accepts (bcrypt `$2b$`,
/// sha512crypt `$6$`) for hashes an administrator brought from elsewhere.
public enum PasswordHash {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A new yescrypt hash of `password` with a random salt from libxcrypt (getrandom).
    public static func make(_ password: [UInt8]) throws(Failure) -> String {
        var salt = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        // nil entropy: libxcrypt reads the salt from the kernel itself. Count 0: its default cost.
        guard crypt_gensalt_rn("$y$", 0, nil, 0, &salt, Int32(salt.count)) != nil else {
            throw Failure(description: "crypt_gensalt_rn: \(String(cString: strerror(errno)))")
        }
        guard let hash = crypt(password, setting: salt), !hash.hasPrefix("*") else {
            throw Failure(description: "crypt_r: yescrypt is not available in this libxcrypt")
        }
        return hash
    }

    /// Whether `password` matches `hash`. The comparison takes the same time wherever they differ.
    public static func verify(_ password: [UInt8], hash: String) -> Bool {
        guard hash.hasPrefix("$"), let computed = crypt(password, setting: Array(hash.utf8CString)) else { return false }
        return ConstantTime.equal(Array(computed.utf8), Array(hash.utf8))
    }

    /// A hash that verifies nothing, checked against when the name is unknown, so that an unknown
    /// name costs the same time as a wrong password.
    public static let decoy: String = (try? make(Array("decoy \(UInt64.random(in: 0...UInt64.max))".utf8))) ?? "$y$"

    static func crypt(_ password: [UInt8], setting: [CChar]) -> String? {
        // crypt_r reads a C string: a password with a NUL in it is refused rather than cut short.
        guard !password.contains(0), password.count <= 1024 else { return nil }
        var data = crypt_data()
        let key = password.map { CChar(bitPattern: $0) } + [0]
        guard let out = crypt_r(key, setting, &data) else { return nil }
        let s = String(cString: out)
        return s.hasPrefix("*") ? nil : s
    }
}
