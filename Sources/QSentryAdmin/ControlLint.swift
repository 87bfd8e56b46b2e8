import QSentryCore

/// `qsentry check`'s first half: every control file the suite knows, linted line by line.
///
/// Each problem names file and line and says what to do. Nothing here needs a
/// network: live probes (DNS, clamd, store) are separate.
public struct ControlLint {
    public let root: QmailRoot

    public init(root: QmailRoot) { self.root = root }

    /// Every problem found, in catalog order, then unknown files.
    public func run() -> [ControlError] {
        var problems: [ControlError] = []
        for spec in Catalog.files {
            problems += lint(spec)
        }
        problems += unknownFiles()
        problems += lintCDB(root.control("morercpthosts.cdb"))
        return problems
    }

    func lint(_ spec: ControlFileSpec) -> [ControlError] {
        let path = spec.path(in: root)
        if case .directory(let check) = spec.kind { return check(path) }
        if spec.name.hasSuffix(".cdb") { return lintCDB(path) }
        let compiled = ListCompiler.kind(of: spec) != nil ? lintCompiled(path, name: spec.name) : []
        return compiled + lintText(spec, path)
    }

    /// LIST.cdb (qsentry cdb): readable, and not older than LIST, which would mean an edit was not compiled.
    func lintCompiled(_ path: String, name: String) -> [ControlError] {
        guard FileBytes.exists(path + ".cdb") else { return [] }
        let problems = lintCDB(path + ".cdb")
        if !problems.isEmpty { return problems }
        if !CompiledList.isPreferred(for: path) {
            return [ControlError(path: path + ".cdb", "older than \(name), so the programs read \(name): run qsentry cdb \(name)")]
        }
        return []
    }

    func lintText(_ spec: ControlFileSpec, _ path: String) -> [ControlError] {
        let lines: [ControlLine]
        do {
            guard let l = try ControlFile.lines(path) else { return [] }
            lines = l
        } catch let e as ControlError {
            return [e]
        } catch {
            return [ControlError(path: path, "\(error)")]
        }
        return LineRules.check(spec.kind, lines: lines, path: path) + ValueRules.check(spec.name, lines: lines, path: path)
    }

    func lintCDB(_ path: String) -> [ControlError] {
        do {
            _ = try CDB.ifPresent(path)
        } catch let e as CDBError {
            return [ControlError(path: path, e.detail + "; rebuild it")]
        } catch {
            return [ControlError(path: path, "\(error)")]
        }
        return []
    }

    /// Files in control/qsentry/ the suite does not read: most often a typo that silently disables a rule.
    func unknownFiles() -> [ControlError] {
        let dir = root.qsentryControlDirectory
        let names: [String]
        do {
            names = try Directory.names(dir)
        } catch let e as SystemError where e.isNotFound {
            return []
        } catch {
            return [ControlError(path: dir, "cannot list: \(error)")]
        }
        let known = Set(Catalog.files.filter { $0.location == .qsentry }.map(\.name))
        var problems: [ControlError] = []
        for name in names where !known.contains(name) {
            if name.hasSuffix(".cdb"), known.contains(String(name.dropLast(4))) { continue }
            if name.hasPrefix(".") { continue }
            var message = "unknown control file"
            if let guess = Self.closest(to: name, in: known) { message += "; did you mean \(guess)?" }
            problems.append(ControlError(path: dir + "/" + name, message))
        }
        return problems
    }

    /// The known name within edit distance 2, if any.
    static func closest(to name: String, in known: Set<String>) -> String? {
        var best: (String, Int)? = nil
        for k in known.sorted() {
            let d = editDistance(Array(name.utf8), Array(k.utf8))
            if d <= 2 && (best == nil || d < best!.1) { best = (k, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
