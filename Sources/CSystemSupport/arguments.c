/* The program's argv for Swift's CommandLine, taken as glibc hands it over instead of as the Swift
 * runtime finds it. The runtime's CommandLine.cpp has a global constructor that reads
 * /proc/self/maps with fgets and sscanf at every start, to find the stack and walk back from
 * environ to argv: some 57,000 instructions and an open, reads and a close in every process, more
 * than the rest of a C program's whole start (issue 24; bench/queue-instructions.sh).
 *
 * glibc calls each .init_array function with argc, argv and envp (Rust's standard library takes
 * its arguments the same way). Defining the runtime's two entry points here, in an object linked
 * before libswiftCore.a, keeps the linker from taking the archive's CommandLine.cpp.o at all, and
 * its constructor with it; a runtime whose CommandLine.cpp.o defines another symbol that is needed
 * makes the link fail on the duplicate, never a silent second copy. With a dynamic runtime (the
 * debug tests) the executable's definitions give the same answer as the library's. Only for glibc:
 * musl passes no arguments to these functions, and there the runtime's own code stays. */
#include <features.h> /* __GLIBC__ */

#if defined(__linux__) && defined(__GLIBC__)

static char **program_argv;
static int program_argc;
static char **override_argv;
static int override_argc;

static void capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    program_argc = argc;
    program_argv = argv;
}

__attribute__((section(".init_array"), used)) static void (*const capture_arguments_entry)(int, char **, char **) =
    capture_arguments;

/* The runtime's signatures (stdlib/public/CommandLineSupport/CommandLine.cpp): Swift's calling
 * convention, which for these arguments is the C one. */
__attribute__((swiftcall)) char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    if (override_argv) {
        *outArgLen = override_argc;
        return override_argv;
    }
    *outArgLen = program_argc;
    return program_argv;
}

__attribute__((swiftcall)) void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    override_argv = argv;
    override_argc = argc;
}

#endif
