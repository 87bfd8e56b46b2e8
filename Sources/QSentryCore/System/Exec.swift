#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Replaces this process with the next program of the chain (tcpserver's way: no fork, nothing resident).
public enum Exec {
    /// execvp(argv[0], argv); returns only on failure, with errno's text.
    public static func replace(with argv: [String]) -> String {
        guard let first = argv.first else { return "no program to run" }
        let cargs = cArray(argv)
        execvp(first, cargs)
        let e = errno
        freeCArray(cargs, argv.count)
        return "unable to run \(first): \(String(cString: strerror(e)))"
    }

    /// The program `name` in this executable's own directory (the helpers, qsentry-libclamav and
    /// qsentry-ocr, are installed beside qsentry-queue; the tests' build directory holds them too);
    /// just `name` when /proc/self/exe cannot be read.
    public static func besideThisProgram(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return name }
        // The directory found on the bytes (String.lastIndex(of:) walks Characters).
        let path = buffer[0..<n].map { UInt8(bitPattern: $0) }
        guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return name }
        return String(decoding: path[...slash], as: UTF8.self) + name
    }

    /// argv as C wants it, NULL-terminated, in memory of its own: an Array of optional pointers
    /// would have the Swift runtime build that array type from its mangled name first, some 38,000
    /// instructions of a per-connection program's start (bench/conn.sh, callgrind).
    static func cArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { p[i] = strdup(s) }
        p[strings.count] = nil
        return p
    }

    static func freeCArray(_ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ count: Int) {
        for i in 0..<count { free(p[i]) }
        p.deallocate()
    }

    /// posix_spawn(argv[0]) with this process's environment, `overrides` set on top of it (for the
    /// child only: nothing a session sets for one child can leak into the next); `arrange` adds the
    /// descriptor plumbing (dup2, open). Returns the child's pid, or throws with posix_spawn's error.
    public static func spawn(_ argv: [String], environment overrides: [(String, String)] = [],
                             arrange: (inout posix_spawn_file_actions_t) -> Void) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        arrange(&actions)
        let cargs = cArray(argv)
        defer { freeCArray(cargs, argv.count) }
        // envp as a plain C array: environ's entries minus the overridden names, then the overrides.
        var count = 0
        while environ[count] != nil { count += 1 }
        let envp = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count + overrides.count + 1)
        defer { envp.deallocate() }
        var used = 0
        for i in 0..<count {
            let entry = environ[i]!
            let overridden = overrides.contains { name, _ in
                name.withCString { strncmp(entry, $0, strlen($0)) == 0 } && entry[name.utf8.count] == 0x3D  // "="
            }
            if !overridden { envp[used] = entry; used += 1 }
        }
        // The overrides straight into envp: an array of their strdup'd pointers would be an array
        // of optional pointers, the same metadata cArray keeps out of the way.
        let firstAdded = used
        for (name, value) in overrides {
            envp[used] = strdup(name + "=" + value)
            used += 1
        }
        defer { for i in firstAdded..<used { free(envp[i]) } }
        envp[used] = nil
        var pid: pid_t = 0
        let r = posix_spawn(&pid, argv[0], &actions, nil, cargs, envp)
        guard r == 0 else { throw SystemError("spawn", path: argv[0], errno: r) }
        return pid
    }

    public static func setEnvironment(_ name: String, _ value: String) { setenv(name, value, 1) }
    public static func unsetEnvironment(_ name: String) { unsetenv(name) }
}
