#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Replaces this process with the next program of the chain (tcpserver's way: no fork, nothing resident).
public enum Exec {
    /// execvp(argv[0], argv); returns only on failure, with errno's text.
    public static func replace(with argv: [String]) -> String {
        guard let first = argv.first else { return "no program to run" }
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cargs.append(nil)
        execvp(first, &cargs)
        let e = errno
        for p in cargs { free(p) }
        return "unable to run \(first): \(String(cString: strerror(e)))"
    }

    public static func setEnvironment(_ name: String, _ value: String) { setenv(name, value, 1) }
    public static func unsetEnvironment(_ name: String) { unsetenv(name) }
}
