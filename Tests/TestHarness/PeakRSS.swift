import Foundation

/// Watches the peak resident set (VmHWM) of the processes whose command line starts with a
/// marker (the program and its first arguments), by polling /proc while something runs. The kernel keeps VmHWM per process, so
/// an occasional poll still sees the true peak as long as the process is alive at one poll.
public final class PeakRSS: @unchecked Sendable {
    private let marker: String
    private let lock = NSLock()
    private var peakKB = 0
    private var running = true
    private var thread: Thread?

    public init(commandStartsWith marker: String) {
        self.marker = marker
        let t = Thread { [weak self] in
            while let s = self, s.isRunning {
                s.poll()
                usleep(5000)
            }
        }
        thread = t
        t.start()
    }

    private var isRunning: Bool { lock.withLock { running } }

    private func poll() {
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for pid in pids where pid.allSatisfy(\.isNumber) {
            guard let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: cmd.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).hasPrefix(marker),
                  let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                  let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { continue }
            lock.withLock { peakKB = max(peakKB, kb) }
        }
    }

    /// Stops watching; the highest VmHWM seen, in kB (0 when no process matched).
    public func stop() -> Int {
        poll()
        lock.withLock { running = false }
        return lock.withLock { peakKB }
    }
}
