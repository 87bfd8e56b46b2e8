// The Swift floor of an SMTP wrapper: what bench/passthrough.c does (the server on two pipes, bytes
// copied both ways, nothing else), written in Swift without Foundation and built as qsentry-smtpd
// is (a static executable with libcrypto linked in, bench/common.sh's static_swift). bench/smtpd.sh
// runs it beside both: passthrough.c against this is the cost of the language's start-up, this
// against qsentry-smtpd the cost of qsentry-smtpd's own work. posix_spawn, as qsentry-smtpd starts
// its child (a fork of a 20 MB static program would copy its page tables).
import Glibc

func run() -> Int32 {
    let args = CommandLine.arguments
    var toServer: [Int32] = [0, 0], fromServer: [Int32] = [0, 0]
    guard args.count > 1, pipe(&toServer) == 0, pipe(&fromServer) == 0 else { return 111 }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, toServer[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromServer[1], 1)
    for fd in toServer + fromServer { posix_spawn_file_actions_addclose(&actions, fd) }
    var argv: [UnsafeMutablePointer<CChar>?] = args.dropFirst().map { strdup($0) } + [nil]
    var pid: pid_t = 0
    guard let path = argv[0], posix_spawn(&pid, path, &actions, nil, &argv, environ) == 0 else { return 111 }
    close(toServer[0])
    close(fromServer[1])
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 16384, alignment: 16)
    var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
               pollfd(fd: fromServer[0], events: Int16(POLLIN), revents: 0)]
    while true {
        if poll(&fds, 2, -1) < 0 { return 111 }
        if fds[0].revents != 0 {
            let n = read(0, buffer, 16384)
            if n <= 0 {
                close(toServer[1])
                fds[0].fd = -1
            } else if write(toServer[1], buffer, n) != n { return 111 }
        }
        if fds[1].revents != 0 {
            let n = read(fromServer[0], buffer, 16384)
            if n <= 0 || write(1, buffer, n) != n {
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                return 0
            }
        }
    }
}

exit(run())
