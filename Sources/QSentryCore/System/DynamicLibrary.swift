#if canImport(Glibc)
import Glibc
#endif

/// A C library opened at run time (dlopen), for a Debian library without a static archive
/// (libclamav, in the qsentry-libclamav helper): only the processes whose configuration uses it pay for loading it.
public struct DynamicLibrary {
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let soname: String
    let handle: UnsafeMutableRawPointer

    public init(_ soname: String) throws(LoadError) {
        guard let h = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(description: "cannot open \(soname): \(dlerror().map { String(cString: $0) } ?? "unknown error")")
        }
        self.soname = soname
        handle = h
    }

    /// The function `name`, typed as the caller's property says (a `@convention(c)` function type).
    public func symbol<T>(_ name: String) throws(LoadError) -> T {
        guard let p = dlsym(handle, name) else { throw LoadError(description: "\(soname) lacks \(name)") }
        return unsafeBitCast(p, to: T.self)
    }
}
