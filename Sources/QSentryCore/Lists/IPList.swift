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
    private var compiled: CompiledList?
    /// A compiled list's prefix lengths, longest first, per address family.
    private var lengths: (v4: [Int], v6: [Int]) = ([], [])

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

    /// Loads `path`, or `path.cdb` when that is at least as new; a missing file is an empty list.
    public static func load(_ path: String) throws -> IPList {
        if let compiled = try CompiledList.open(for: path) {
            var list = IPList()
            list.compiled = compiled
            list.lengths = (try prefixLengths(compiled, "4"), try prefixLengths(compiled, "6"))
            return list
        }
        guard let lines = try ControlFile.lines(path) else { return IPList() }
        return IPList(lines: lines, path: path)
    }

    public var isEmpty: Bool { compiled.map { $0.count == 0 } ?? entries.isEmpty }

    /// The first line that contains `ip`. A compiled list looks up each prefix length it holds,
    /// longest first, so it names the narrowest block that matches (the answer, match or not, is
    /// the text list's). Throws only for a compiled list whose file is damaged.
    public func match(_ ip: IPAddress) throws -> ListMatch? {
        guard let c = compiled else {
            for e in entries where e.network.contains(ip) { return e.match }
            return nil
        }
        for length in ip.isIPv4 ? lengths.v4 : lengths.v6 {
            if let m = try c.find("n" + IPNetwork(address: ip, prefixLength: length)!.masked.description) { return m }
        }
        return nil
    }

    /// The records `qsentry cdb` compiles this list to: one per block (its masked form), and the
    /// prefix lengths used per family, so a look-up tries only those.
    public var compiledEntries: (entries: [(key: String, match: ListMatch)], meta: [(key: String, value: String)]) {
        let records = entries.map { ("n" + $0.network.masked.description, $0.match) }
        func used(_ v4: Bool) -> String {
            Set(entries.filter { $0.network.address.isIPv4 == v4 }.map(\.network.prefixLength))
                .sorted(by: >).map(String.init).joined(separator: " ")
        }
        return (records, [("l4", used(true)), ("l6", used(false))])
    }

    private static func prefixLengths(_ c: CompiledList, _ family: String) throws -> [Int] {
        let text = try c.meta("l" + family) ?? ""
        let max = family == "4" ? 32 : 128
        return try text.split(separator: " ").map {
            guard let n = Int($0), (0...max).contains(n) else {
                throw CDBError(.corrupt, path: c.cdb.path, "bad prefix lengths; rebuild it with qsentry cdb")
            }
            return n
        }
    }
}
