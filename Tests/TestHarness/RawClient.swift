import Foundation

/// A client that breaks the rules on purpose (talks before the greeting), which swaks will not do.
public enum RawClient {
    /// Connects, sends every line at once without waiting for the greeting, returns all it is told.
    /// - Parameter from: the loopback source address to connect from.
    public static func talkFirst(port: UInt16, lines: [String], from: String = "127.0.0.1",
                                 timeout: TimeInterval = 20) throws -> String {
        let fd = try connect(port: port, from: from, timeout: timeout)
        defer { close(fd) }
        let payload = Array(lines.map { $0 + "\r\n" }.joined().utf8)
        _ = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A lock-step session to "host:port": waits for the greeting, then sends each line and waits
    /// for its whole reply (a line "NNN text", or "334 …" in an AUTH exchange). Stops when the
    /// server closes. Returns the transcript, client lines marked "C: ".
    public static func session(_ address: String, _ lines: [String], from: String = "127.0.0.1",
                               timeout: TimeInterval = 20) throws -> String {
        let port = UInt16(address.split(separator: ":").last!)!
        let fd = try connect(port: port, from: from, timeout: timeout)
        defer { close(fd) }
        var pending = [UInt8]()
        var transcript = ""
        func readReply() -> Bool {
            while true {
                if let nl = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<nl], as: UTF8.self).trimmingCharacters(in: .newlines)
                    pending.removeSubrange(...nl)
                    transcript += line + "\n"
                    let b = Array(line.utf8)
                    if b.count < 4 || b[3] != UInt8(ascii: "-") { return true }
                    continue
                }
                var buf = [UInt8](repeating: 0, count: 4096)
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return false }
                pending += buf[0..<n]
            }
        }
        guard readReply() else { return transcript }
        for line in lines {
            transcript += "C: " + line + "\n"
            let bytes = Array((line + "\r\n").utf8)
            if bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) < 0 { break }
            if !readReply() { break }
        }
        return transcript
    }

    static func connect(port: UInt16, from: String, timeout: TimeInterval) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.startFailed("socket") }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(from)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); throw HarnessError.startFailed("bind \(from)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw HarnessError.startFailed("connect") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }
}
