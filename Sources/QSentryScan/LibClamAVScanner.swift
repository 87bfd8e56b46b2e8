#if canImport(Glibc)
import Glibc
#endif
import CClamAV
import QSentryCore

/// M1 for small sites and tests: libclamav in the process, with the signatures in
/// `control/qsentry/clamav-db`. Every qsentry-queue process loads the database itself, which
/// for the official one takes seconds and hundreds of MB: production sites use clamd, which
/// loads it once. libclamav is opened with dlopen (no static archive in Debian; see CClamAV).
public final class LibClamAVScanner: VirusScanner {
    public var name: String { "libclamav" }
    let library: Library
    let engine: OpaquePointer

    struct Library {
        static let soname = "libclamav.so.12"
        let initialize: @convention(c) (UInt32) -> cl_error_t
        let engineNew: @convention(c) () -> OpaquePointer?
        let load: @convention(c) (UnsafePointer<CChar>?, OpaquePointer?, UnsafeMutablePointer<UInt32>?, UInt32) -> cl_error_t
        let compile: @convention(c) (OpaquePointer?) -> cl_error_t
        let engineFree: @convention(c) (OpaquePointer?) -> cl_error_t
        let scanDescriptor: @convention(c) (Int32, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                            UnsafeMutablePointer<UInt>?, OpaquePointer?, UnsafeMutablePointer<cl_scan_options>?) -> cl_error_t
        let errorText: @convention(c) (cl_error_t) -> UnsafePointer<CChar>?

        init() throws(DynamicLibrary.LoadError) {
            let library = try DynamicLibrary(Self.soname)
            func symbol<T>(_ name: String) throws(DynamicLibrary.LoadError) -> T { try library.symbol(name) }
            initialize = try symbol("cl_init")
            engineNew = try symbol("cl_engine_new")
            load = try symbol("cl_load")
            compile = try symbol("cl_engine_compile")
            engineFree = try symbol("cl_engine_free")
            scanDescriptor = try symbol("cl_scandesc")
            errorText = try symbol("cl_strerror")
        }

        func describe(_ e: cl_error_t) -> String { errorText(e).map { String(cString: $0) } ?? "error \(e.rawValue)" }
    }

    /// Loads and compiles the signatures in `databaseDirectory`.
    public init(databaseDirectory: String) throws(ScannerSetupError) {
        do { library = try Library() } catch { throw ScannerSetupError(description: error.description) }
        let lib = library
        let r = lib.initialize(0)  // CL_INIT_DEFAULT
        guard r == CL_SUCCESS else { throw ScannerSetupError(description: "cl_init: \(lib.describe(r))") }
        guard let e = lib.engineNew() else { throw ScannerSetupError(description: "cl_engine_new failed") }
        engine = e
        var signatures: UInt32 = 0
        let loaded = lib.load(databaseDirectory, e, &signatures, UInt32(CL_DB_PHISHING | CL_DB_PHISHING_URLS | CL_DB_BYTECODE))
        guard loaded == CL_SUCCESS else { throw ScannerSetupError(description: "\(databaseDirectory): \(lib.describe(loaded))") }
        let compiled = lib.compile(e)
        guard compiled == CL_SUCCESS else { throw ScannerSetupError(description: "cl_engine_compile: \(lib.describe(compiled))") }
    }

    deinit { _ = library.engineFree(engine) }

    public func scan(fd: Int32, size: Int) -> ScanResult {
        guard lseek(fd, 0, SEEK_SET) == 0 else { return .failed("spool: lseek: errno \(errno)") }
        var virus: UnsafePointer<CChar>? = nil
        var scanned: UInt = 0
        // Every parser on (archives, mail, HTML, PDF …): the message goes in as it came, MIME and all.
        var options = cl_scan_options(general: 0, parse: ~0, heuristic: 0, mail: 0, dev: 0)
        let r = library.scanDescriptor(fd, "message", &virus, &scanned, engine, &options)
        switch r {
        case CL_CLEAN: return .clean
        case CL_VIRUS: return .virus(virus.map { String(cString: $0) } ?? "unknown")
        default: return .failed("libclamav: \(library.describe(r))")
        }
    }
}

public struct ScannerSetupError: Error, CustomStringConvertible {
    public let description: String
}
