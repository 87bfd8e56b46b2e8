/// M1: one interface for clamd and in-process libclamav.
public protocol VirusScanner {
    /// Scans the whole file open on `fd` (read from offset 0; the offset is not restored).
    func scan(fd: Int32, size: Int) -> ScanResult
    /// For the X-Virus-Scanned header and the log: "clamd", "libclamav".
    var name: String { get }
}

public enum ScanResult: Equatable, Sendable {
    case clean
    case virus(String)
    /// The scanner could not give an answer (down, timeout, protocol trouble, limits).
    case failed(String)
}
