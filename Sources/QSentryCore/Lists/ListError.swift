/// Why one list entry was not understood (the caller adds file and line).
public struct ListError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Which line of a list matched, and what it said.
public struct ListMatch: Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let entry: String
    public init(line: Int, entry: String) {
        self.line = line
        self.entry = entry
    }
    public var description: String { "line \(line) (\(entry))" }
}
