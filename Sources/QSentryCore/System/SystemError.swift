#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call: the call, the path it was about, and errno.
public struct SystemError: Error, CustomStringConvertible, Equatable {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// Whether the file simply is not there (qmail: a missing control file means the default).
    public var isNotFound: Bool { errno == ENOENT || errno == ENOTDIR }

    public var description: String {
        "\(path): \(operation): \(String(cString: strerror(errno)))"
    }
}
