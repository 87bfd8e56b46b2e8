/// A cdb that cannot be used: missing, unreadable, truncated or corrupt.
public struct CDBError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable { case notFound, unreadable, corrupt, writeFailed }
    public let kind: Kind
    public let path: String
    public let detail: String

    public init(_ kind: Kind, path: String, _ detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String { "\(path): \(detail)" }
}
