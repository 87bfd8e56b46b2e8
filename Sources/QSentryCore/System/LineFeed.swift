#if canImport(Glibc)
import Glibc
#endif

extension ArraySlice where Element == UInt8 {
    /// The index of the first LF at or after `from`, nil when there is none: one memchr a line,
    /// where firstIndex(of:) walks byte by byte (6 to 12 instructions a byte of DATA or of a
    /// message being parsed).
    public func lineFeed(from: Int) -> Int? {
        withUnsafeBufferPointer { buffer -> Int? in
            let offset = from - startIndex
            guard let base = buffer.baseAddress, offset >= 0, offset < buffer.count,
                  let lf = memchr(base + offset, 0x0A, buffer.count - offset) else { return nil }
            return startIndex + UnsafeRawPointer(base).distance(to: lf)
        }
    }
}
