/// Where qmail keeps its files: `/var/qmail`, or `$QMAIL` (tests point it at a temporary tree).
public struct QmailRoot: Sendable, Equatable {
    public let path: String

    public init(path: String) {
        self.path = path.withoutTrailingSlashes
    }

    /// The root from the environment: `$QMAIL` when set and non-empty, else `/var/qmail`.
    public static func fromEnvironment() -> QmailRoot {
        if let q = Environment.get(EnvironmentContract.qmail.name), !q.isEmpty { return QmailRoot(path: q) }
        return QmailRoot(path: "/var/qmail")
    }

    /// `control/`: qmail's own control files.
    public var controlDirectory: String { path + "/control" }
    /// `control/qsentry/`: qsentry's settings, one file per list or setting.
    public var qsentryControlDirectory: String { path + "/control/qsentry" }
    /// qsentry's state (store, quarantine) under the qmail root.
    public var stateDirectory: String { path + "/qsentry" }

    /// A qmail control file: `control/NAME`.
    public func control(_ name: String) -> String { controlDirectory + "/" + name }
    /// A qsentry control file: `control/qsentry/NAME`.
    public func qsentry(_ name: String) -> String { qsentryControlDirectory + "/" + name }
    /// A file under the root: `users/cdb`, `bin/qmail-queue` …
    public func file(_ relative: String) -> String { path + "/" + relative }
}
