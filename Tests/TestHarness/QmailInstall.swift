import Foundation

/// A real qmail install named by `QSENTRY_TEST_QMAIL`; tests that need one are skipped without it.
public enum QmailInstall {
    public static var path: String? {
        guard let p = ProcessInfo.processInfo.environment["QSENTRY_TEST_QMAIL"], !p.isEmpty else { return nil }
        return p
    }
    public static var isAvailable: Bool {
        guard let p = path else { return false }
        return FileManager.default.isExecutableFile(atPath: p + "/bin/qmail-smtpd")
    }
}
