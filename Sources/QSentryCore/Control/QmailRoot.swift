import CSystemSupport

/// Where qmail keeps its files: `$QMAIL`, else the root install.sh built in (`QMAIL=… ./install.sh`,
/// default `/var/qmail`), as qmail itself builds in conf-qmail.
public struct QmailRoot: Sendable, Equatable {
    public let path: String
    /// `PATH/control/` and `PATH/control/qsentry/`, made once: a session names some 90 control
    /// files, and each name built from the parts cost three appends (some 1,200 instructions).
    private let controlPrefix: String, qsentryPrefix: String

    public init(path: String) {
        self.path = path.withoutTrailingSlashes
        controlPrefix = self.path + "/control/"
        qsentryPrefix = self.path + "/control/qsentry/"
        ControlListing.list(controlDirectory)
        ControlListing.list(qsentryControlDirectory)
    }

    /// The root from the environment: `$QMAIL` when set and non-empty (and the process not setgid),
    /// else the built-in one.
    public static func fromEnvironment() -> QmailRoot {
        // A setgid program (qsentry-local) must not let its caller pick the files it opens.
        if !StateGroup.isElevated, let q = Environment.get(EnvironmentContract.qmail.name), !q.isEmpty {
            return QmailRoot(path: q)
        }
        return builtIn
    }

    /// The root this build was made for (install.sh's `QMAIL`).
    public static var builtIn: QmailRoot { QmailRoot(path: String(cString: qsentry_build_qmail_root())) }

    /// `control/`: qmail's own control files.
    public var controlDirectory: String { path + "/control" }
    /// `control/qsentry/`: qsentry's settings, one file per list or setting.
    public var qsentryControlDirectory: String { path + "/control/qsentry" }
    /// qsentry's state (store, quarantine) under the qmail root.
    public var stateDirectory: String { path + "/qsentry" }

    /// A qmail control file: `control/NAME`.
    public func control(_ name: String) -> String { controlPrefix + name }
    /// A qsentry control file: `control/qsentry/NAME`.
    public func qsentry(_ name: String) -> String { qsentryPrefix + name }
    /// A file under the root: `users/cdb`, `bin/qmail-queue` …
    public func file(_ relative: String) -> String { path + "/" + relative }
}
