/// A list of addresses and blocks (`ipblock`, `ipallow`): "does this IP match, and by which line".
///
/// Entries are kept in file order and the first matching line is reported, so
/// what an admin reads top-down is what the program does. Bad lines are kept
/// as `problems` (file:line messages) and skipped: one typo must not stop mail.
public struct IPList: Sendable {
    public struct Entry: Sendable {
        public let network: IPNetwork
        public let match: ListMatch
    }

    public private(set) var entries: [Entry] = []
    public private(set) var problems: [ControlError] = []

    public init() {}

    public init(lines: [ControlLine], path: String) {
        for line in lines {
            let text = line.text.trimmed
            switch IPNetwork.parse(text) {
            case .success(let net):
                entries.append(Entry(network: net, match: ListMatch(line: line.number, entry: text)))
            case .failure(let error):
                problems.append(ControlError(path: path, line: line.number, error.message))
            }
        }
    }

    /// Loads `path`; a missing file is an empty list.
    public static func load(_ path: String) throws -> IPList {
        guard let lines = try ControlFile.lines(path) else { return IPList() }
        return IPList(lines: lines, path: path)
    }

    public var isEmpty: Bool { entries.isEmpty }

    public func match(_ ip: IPAddress) -> ListMatch? {
        for e in entries where e.network.contains(ip) { return e.match }
        return nil
    }
}
