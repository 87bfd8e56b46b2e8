import QSentryCore

/// `qsentry cdb`: a list compiled to `LIST.cdb`, which the programs then read instead of LIST
/// (see CompiledList). Like tcprules, a list with a bad line is not compiled at all: the
/// problems are reported and the old cdb, if any, stays.
public enum ListCompiler {
    /// The list kinds that compile: the ones looked up by key.
    public enum ListKind: String, CaseIterable, Sendable {
        case ip, address, domain
    }

    public struct Failure: Error, CustomStringConvertible {
        public let problems: [ControlError]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// The kind of a catalog file, if it is a list.
    public static func kind(of spec: ControlFileSpec) -> ListKind? {
        switch spec.kind {
        case .ipList: return .ip
        case .addressList: return .address
        case .domainList: return .domain
        default: return nil
        }
    }

    /// Every catalog list under `root`, with its path.
    public static func lists(in root: QmailRoot) -> [(path: String, kind: ListKind)] {
        // A plain loop: Swift 6.3's optimizer crashes (CopyPropagation) on the compactMap form of this.
        var out: [(path: String, kind: ListKind)] = []
        for spec in Catalog.files {
            if let k = kind(of: spec) { out.append((spec.path(in: root), k)) }
        }
        return out
    }

    /// Compiles the list at `path` to `path.cdb`; returns the number of entries written.
    @discardableResult
    public static func compile(_ path: String, as kind: ListKind) throws -> Int {
        guard let lines = try ControlFile.lines(path) else {
            throw Failure(problems: [ControlError(path: path, "does not exist")])
        }
        let entries: [(key: String, match: ListMatch)]
        var meta: [(key: String, value: String)] = []
        let problems: [ControlError]
        switch kind {
        case .ip:
            let list = IPList(lines: lines, path: path)
            (entries, meta) = list.compiledEntries
            problems = list.problems
        case .address:
            let list = AddressList(lines: lines, path: path)
            entries = list.compiledEntries
            problems = list.problems
        case .domain:
            let list = DomainList(lines: lines, path: path)
            entries = list.compiledEntries
            problems = list.problems
        }
        guard problems.isEmpty else { throw Failure(problems: problems) }
        try CompiledList.write(entries, meta: meta, to: path + ".cdb")
        return entries.count
    }
}
