// The Swift floor of a QMAILQUEUE virus scanner with clamd: what bench/clamqueue.c does (the same
// settings, exit codes and hand-over; its header field says .swift), written in Swift without
// Foundation and built as qsentry-queue is (bench/common.sh's static_swift, libcrypto linked in).
// bench/chain.sh runs it in qsentry-queue's place beside the C one: clamqueue.c against this is
// what the language's start-up costs a message, this against qsentry-queue what qsentry-queue's
// own work costs.
//
//   QMAILQUEUE=swiftclamqueue CLAMD_SOCKET=path CLAMQUEUE_NEXT=/var/qmail/bin/qmail-queue [TMPDIR=dir]
import Glibc

let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 65536)
/// O_TMPFILE, a C macro Swift does not import: __O_TMPFILE | O_DIRECTORY on Linux.
let openTemporary: Int32 = 0o20000000 | O_DIRECTORY

func writeAll(_ fd: Int32, _ p: UnsafeRawPointer, _ count: Int) -> Bool {
    var done = 0
    while done < count {
        let n = write(fd, p + done, count - done)
        if n <= 0 { return false }
        done += n
    }
    return true
}

func run() -> Int32 {
    guard let socketPath = getenv("CLAMD_SOCKET"), let next = getenv("CLAMQUEUE_NEXT") else { return 71 }
    let flags = openTemporary | O_RDWR | O_CLOEXEC, spool: Int32
    if let dir = getenv("TMPDIR"), dir.pointee != 0 { spool = open(dir, flags, 0o600) } else { spool = open("/tmp", flags, 0o600) }
    guard spool >= 0 else { return 71 }
    let field: StaticString = "X-Virus-Scanned: ClamAV by clamqueue.swift\n"  // chain.sh tells the two apart by it
    guard writeAll(spool, field.utf8Start, field.utf8CodeUnitCount) else { return 71 }
    while true {
        let n = read(0, buffer, 65536)
        if n < 0 { return 71 }
        if n == 0 { break }
        guard writeAll(spool, buffer, n) else { return 71 }
    }

    let clamd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard clamd >= 0 else { return 71 }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { path in
        let length = min(strlen(socketPath), path.count - 1)
        path.copyMemory(from: UnsafeRawBufferPointer(start: socketPath, count: length))
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(clamd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0, writeAll(clamd, "zINSTREAM", 10), lseek(spool, 0, SEEK_SET) == 0 else { return 71 }
    while true {
        let n = read(spool, buffer + 4, 65536 - 4)
        if n < 0 { return 71 }
        buffer[0] = UInt8(truncatingIfNeeded: n >> 24)
        buffer[1] = UInt8(truncatingIfNeeded: n >> 16)
        buffer[2] = UInt8(truncatingIfNeeded: n >> 8)
        buffer[3] = UInt8(truncatingIfNeeded: n)
        guard writeAll(clamd, buffer, n + 4) else { return 71 }
        if n == 0 { break }
    }
    var got = 0
    while true {
        let n = read(clamd, buffer + got, 65536 - 1 - got)
        if n <= 0 { break }
        got += n
        if memchr(buffer, 0, got) != nil { break }
    }
    buffer[got] = 0
    let answer = UnsafeRawPointer(buffer).assumingMemoryBound(to: CChar.self)
    if strstr(answer, "FOUND") != nil { return 31 }
    guard got >= 3, strstr(answer, " OK") != nil else { return 71 }

    var envelopeLength = 0
    while true {
        let n = read(1, buffer + envelopeLength, 65536 - envelopeLength)
        if n < 0 { return 71 }
        if n == 0 { break }
        envelopeLength += n
        if envelopeLength == 65536 { return 71 }
    }
    var e: [Int32] = [0, 0]
    guard pipe(&e) == 0, writeAll(e[1], buffer, envelopeLength) else { return 71 }  // one pipe buffer holds 64 KB
    close(e[1])
    guard dup2(e[0], 1) >= 0, lseek(spool, 0, SEEK_SET) == 0, dup2(spool, 0) >= 0 else { return 71 }
    var argv: [UnsafeMutablePointer<CChar>?] = [next, nil]
    execv(next, &argv)
    return 71
}

exit(run())
