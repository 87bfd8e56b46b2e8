#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// M7 from qsentry-queue's side: the images of one message handed to qsentry-ocr (installed
/// beside it, the dynamic helper that holds Tesseract) in one run, under the message's time
/// budget. Past the budget the helper is killed and the images not read yet are skipped: OCR
/// never defers a message, and never fails one.
public struct OCRReader {
    public static let helperName = "qsentry-ocr"
    let settings: OCRSettings
    let helper: String

    public init(_ settings: OCRSettings, helper: String? = nil) {
        self.settings = settings
        self.helper = helper ?? Exec.besideThisProgram(Self.helperName)
    }

    /// One reading a given image, in order; `spoolDirectory` holds the request (an anonymous file).
    public func read(_ images: [[UInt8]], spoolDirectory: String) -> [ImageReading] {
        if images.isEmpty { return [] }
        let deadline = monotonicMilliseconds() + settings.milliseconds
        let request = Glibc.open(spoolDirectory, 0o20000000 | O_DIRECTORY | O_RDWR | O_CLOEXEC, 0o600)
        guard request >= 0 else { return images.map { _ in .skipped("no spool for the request: errno \(errno)") } }
        defer { close(request) }
        guard (try? FileBytes.writeAll(request, OCRFrames.request(images), path: "ocr request")) != nil, lseek(request, 0, SEEK_SET) == 0 else {
            return images.map { _ in .skipped("cannot write the request") }
        }
        guard let out = PipeEnds.make() else { return images.map { _ in .skipped("pipe: errno \(errno)") } }
        let pid: pid_t
        do {
            // One thread: OpenMP's would multiply the address space, and a message is one job.
            pid = try Exec.spawn([helper, settings.languages, String(settings.pixels), String(settings.memory)],
                                 environment: [("OMP_THREAD_LIMIT", "1")]) { actions in
                posix_spawn_file_actions_adddup2(&actions, request, 0)
                posix_spawn_file_actions_adddup2(&actions, out.write, 1)
            }
        } catch {
            out.closeBoth()
            return images.map { _ in .skipped("\(error)") }
        }
        close(out.write)
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var timedOut = false
        while answer.count < 4 << 20 {
            let left = deadline - monotonicMilliseconds()
            if left <= 0 { timedOut = true; break }
            var p = pollfd(fd: out.read, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { timedOut = ready == 0; break }
            let n = Glibc.read(out.read, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        close(out.read)
        if timedOut { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        var readings = OCRFrames.readings(answer)
        let why = timedOut ? "time budget of \(settings.milliseconds) ms spent"
            : status & 0x7f != 0 ? "\(Self.helperName) died of signal \(status & 0x7f)" : "\(Self.helperName): exit status \((status >> 8) & 0xff)"
        while readings.count < images.count { readings.append(.skipped(why)) }
        return Array(readings.prefix(images.count))
    }
}
