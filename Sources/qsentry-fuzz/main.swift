// qsentry-fuzz: libFuzzer's driver around FuzzTargets. bench/fuzz.sh builds it with
// `-sanitize=fuzzer,address -DQSENTRY_FUZZ`; a plain build makes a program that only says so.
// QSENTRY_FUZZ_TARGET names the target (smtp, envelope, mime, control, cdb, dns, p0f, log).
#if canImport(Glibc)
import Glibc
#endif
import QSentryFuzz

nonisolated(unsafe) var selected: ([UInt8]) -> Void = { _ in }

/// libFuzzer's callback (its runtime also wants it under this name).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

let name = getenv("QSENTRY_FUZZ_TARGET").map { String(cString: $0) } ?? ""
guard let target = FuzzTargets.all[name] else {
    fputs("qsentry-fuzz: set QSENTRY_FUZZ_TARGET to one of: \(FuzzTargets.all.keys.sorted().joined(separator: " "))\n", stderr)
    exit(100)
}
selected = target

#if QSENTRY_FUZZ
/// libFuzzer's entry for a program with its own main (SwiftPM names the executable's main).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv, fuzzOne))
#else
fputs("qsentry-fuzz: built without libFuzzer; use bench/fuzz.sh \(name) SECONDS\n", stderr)
exit(100)
#endif
