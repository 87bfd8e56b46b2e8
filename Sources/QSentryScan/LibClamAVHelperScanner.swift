#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// M1 with in-process libclamav (`control/qsentry/clamav-db`), for a static qsentry-queue.
///
/// libclamav has no static archive in Debian and a dozen shared libraries behind it, which glibc
/// cannot load into a static executable; so the scan runs in `qsentry-libclamav`, a small dynamic
/// program installed beside qsentry-queue and started only in this mode. The usual set-up (clamd)
/// then costs qsentry-queue no dynamic loading at all, and this mode, which loads the signatures for
/// every message anyway (seconds for the official database), pays one exec more.
public struct LibClamAVHelperScanner: VirusScanner {
    public var name: String { "libclamav" }
    public let helper: String
    public let databaseDirectory: String

    public static let helperName = "qsentry-libclamav"

    public init(databaseDirectory: String, helper: String? = nil) {
        self.databaseDirectory = databaseDirectory
        self.helper = helper ?? Exec.besideThisProgram(Self.helperName)
    }

    public func scan(fd: Int32, size: Int) -> ScanResult {
        guard lseek(fd, 0, SEEK_SET) == 0 else { return .failed("spool: lseek: errno \(errno)") }
        // Neither end is inherited as itself: the child gets the write end as its fd 1 only.
        guard let out = PipeEnds.make() else { return .failed("\(Self.helperName): pipe: errno \(errno)") }
        let pid: pid_t
        do {
            pid = try Exec.spawn([helper, databaseDirectory]) { actions in
                posix_spawn_file_actions_adddup2(&actions, fd, 0)
                posix_spawn_file_actions_adddup2(&actions, out.write, 1)
            }
        } catch {
            out.closeBoth()
            return .failed("\(error)")
        }
        close(out.write)
        let bytes = (try? FileBytes.readAll(out.read, limit: 4096, path: Self.helperName, expected: 256)) ?? []
        close(out.read)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let line = String(decoding: bytes, as: UTF8.self)
        if let result = ScanResult(line: line) { return result }
        let how = status & 0x7f == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
        return .failed("\(Self.helperName): \(how)\(line.isEmpty ? "" : ": " + line.trimmed)")
    }
}

/// The one line qsentry-libclamav answers with: `clean`, `virus NAME` or `failed TEXT`.
extension ScanResult {
    public var line: String {
        switch self {
        case .clean: return "clean\n"
        case .virus(let name): return "virus \(name)\n"
        case .failed(let text): return "failed \(text)\n"
        }
    }

    public init?(line: String) {
        guard line.hasSuffix("\n") else { return nil }
        let text = String(line.dropLast())
        if text == "clean" { self = .clean; return }
        if text.hasPrefix("virus "), text.count > 6 { self = .virus(String(text.dropFirst(6))); return }
        if text.hasPrefix("failed ") { self = .failed(String(text.dropFirst(7))); return }
        return nil
    }
}
