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
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cargs.append(nil)
        execvp(first, &cargs)
        let e = errno
        for p in cargs { free(p) }
        return "unable to run \(first): \(String(cString: strerror(e)))"
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
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
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
        let added = overrides.map { strdup("\($0.0)=\($0.1)") }
        defer { added.forEach { free($0) } }
        for entry in added { envp[used] = entry; used += 1 }
        envp[used] = nil
        var pid: pid_t = 0
        let r = posix_spawn(&pid, argv[0], &actions, nil, cargs, envp)
        guard r == 0 else { throw SystemError("spawn", path: argv[0], errno: r) }
        return pid
    }

    public static func setEnvironment(_ name: String, _ value: String) { setenv(name, value, 1) }
    public static func unsetEnvironment(_ name: String) { unsetenv(name) }
}
