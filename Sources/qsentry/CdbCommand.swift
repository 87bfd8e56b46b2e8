import ArgumentParser
import QSentryAdmin
import QSentryCore

/// A6: lists compiled to cdb, for lists too long to parse on every connection.
struct CdbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdb",
        abstract: "Compile lists to LIST.cdb, which the programs read instead of LIST while it is at least as new.",
        discussion: """
            LIST is a control file name (ipblock, ipallow, badmailfrom, rcptblock, honeypots, rcpthosts, …) \
            or the path of a list, such as a user's .qsentry/allow (--kind says what it holds when the name does \
            not). Without LIST, every list that has a LIST.cdb already is compiled again (a LIST.cdb without \
            LIST is left as it is). A list with a bad \
            line is not compiled: its problems are printed and the old LIST.cdb stays. Edit LIST, then run \
            qsentry cdb: until then the programs read the newer LIST.
            """
    )
    @OptionGroup var options: RootOption
    @Option(name: .long, help: "What a list given by path holds: ip, address or domain.") var kind: ListCompiler.ListKind?
    @Argument(help: "Lists: control file names or paths.") var lists: [String] = []

    func run() throws {
        let root = options.root
        var targets: [(path: String, kind: ListCompiler.ListKind)] = []
        if lists.isEmpty {
            targets = ListCompiler.lists(in: root).filter { FileBytes.exists($0.path) && FileBytes.exists($0.path + ".cdb") }
            if targets.isEmpty { print("qsentry cdb: no list has a .cdb yet; name the lists to compile"); return }
        }
        for name in lists {
            if !name.contains("/"), let spec = Catalog.files.first(where: { $0.name == name }) {
                guard let k = ListCompiler.kind(of: spec) else {
                    throw ValidationError("\(name) is not a list of addresses, domains or IP blocks")
                }
                targets.append((spec.path(in: root), kind ?? k))
            } else if let kind {
                targets.append((name, kind))
            } else if let k = Self.userListKind(name) {
                targets.append((name, k))
            } else {
                throw ValidationError("\(name): not a control file name; give --kind ip|address|domain for a path")
            }
        }
        var failed = false
        for t in targets {
            do {
                let n = try ListCompiler.compile(t.path, as: t.kind)
                print("qsentry cdb: \(t.path).cdb: \(n) entr\(n == 1 ? "y" : "ies")")
            } catch let f as ListCompiler.Failure {
                for p in f.problems { print(p) }
                print("qsentry cdb: \(t.path): not compiled (\(f.problems.count) problem\(f.problems.count == 1 ? "" : "s"))")
                failed = true
            } catch {
                print("qsentry cdb: \(t.path): \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(CommandExit.problems.rawValue) }
    }

    /// A user's own lists in .qsentry/ (D2) hold addresses.
    static func userListKind(_ path: String) -> ListCompiler.ListKind? {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base == "allow" || base == "block" ? .address : nil
    }
}

extension ListCompiler.ListKind: ExpressibleByArgument {}
