// swift-tools-version:6.0
// qsentry: layered spam and virus defence for qmail.
//
// The four per-connection programs (conn, smtpd, queue, local) import no
// Foundation and are built with `--static-swift-stdlib` (see install.sh), so a
// process starts in about the time a C program does. Each C library is a
// system-library target and is linked only into the modules that use it.
import PackageDescription

/// A system-library target for a Debian -dev package (headers in /usr/include).
func systemLibrary(_ name: String, pkgConfig: String? = nil, apt: String) -> Target {
    .systemLibrary(
        name: name,
        path: "Sources/\(name)",
        pkgConfig: pkgConfig,
        providers: [.apt([apt])]
    )
}

/// Release builds of these programs are fully static executables: no dynamic loader
/// work at all, which is most of a Swift program's start-up (bench/startup.sh). libspf2 is
/// linked in from Debian's static archive (see Sources/CSPF2/module.modulemap). libclamav (no
/// static archive, and a dozen dependencies) can only be dlopen'ed by a dynamic program: the
/// small helper qsentry-libclamav, which qsentry-queue runs only when `clamav-db` is configured.
///
/// Release builds link with lld, the toolchain's own linker: it links these static executables the
/// same, and does not repeat glibc's link-time notes about static linking ("Using 'getaddrinfo' in
/// statically linked applications requires at runtime the shared libraries from the glibc version
/// used for linking", some 45 of them from libcares, libcrypto, hiredis and SQLite), which gold prints
/// on every build and which are true of every static glibc program.
let releaseLinker: [String] = ["-use-ld=lld"]

/// Issue 24: the static programs' text laid out in the order of Sources/hot-functions.txt, every
/// function one typical run of each per-connection program calls (bench/hot-functions.sh writes
/// it). A process then faults its text in a few 64 KB runs instead of one run for each function it
/// calls. Page faults and CPU (perf stat --no-inherit, medians of 20, the builds interleaved) fell
/// for a qsentry-conn session from 164 to 138 and 2.42 to 2.15 ms, qsentry-smtpd 152 → 133 and
/// 2.07 → 1.95 ms, qsentry-queue 177 → 145 and 2.60 → 2.33 ms, qsentry-local 134 → 118 and
/// 1.90 → 1.78 ms. A name no program has any more is passed over silently: a stale list costs page
/// faults, never correctness. SwiftPM does not see the list as an input: bench/hot-functions.sh
/// removes the programs so that the next build links them again.
let hotFunctions: [String] = ["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/hot-functions.txt",
                              "-Xlinker", "--no-warn-symbol-ordering"]
let fullyStatic: [LinkerSetting] = [.unsafeFlags(["-static-executable"] + releaseLinker + hotFunctions, .when(configuration: .release))]
let dynamicGlibc: [LinkerSetting] = [.unsafeFlags(releaseLinker, .when(configuration: .release))]

let package = Package(
    name: "qsentry",
    products: [
        .executable(name: "qsentry-conn", targets: ["qsentry-conn"]),
        .executable(name: "qsentry-smtpd", targets: ["qsentry-smtpd"]),
        .executable(name: "qsentry-queue", targets: ["qsentry-queue"]),
        .executable(name: "qsentry-local", targets: ["qsentry-local"]),
        .executable(name: "qsentry-libclamav", targets: ["qsentry-libclamav"]),
        .executable(name: "qsentry-ocr", targets: ["qsentry-ocr"]),
        .executable(name: "qsentry", targets: ["qsentry"]),
        .executable(name: "qsentry-web", targets: ["qsentry-web"]),
        .library(name: "QSentryCore", targets: ["QSentryCore"]),
    ],
    dependencies: [
        // Admin CLI only; the per-connection programs depend on no package.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The web console only (qsentry-web, A3, A8): the one daemon of the suite.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // C libraries from Debian.
        systemLibrary("CCDB", pkgConfig: "libcdb", apt: "libcdb-dev"),
        systemLibrary("CAres", pkgConfig: "libcares", apt: "libc-ares-dev"),
        systemLibrary("CClamAV", apt: "libclamav-dev"),  // headers only: opened with dlopen (see its module map)
        systemLibrary("CSPF2", apt: "libspf2-dev"),
        // No pkg-config: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM refuses with a warning (the
        // shim includes <hiredis/hiredis.h>, so its -I is not needed either).
        systemLibrary("CHiredis", apt: "libhiredis-dev"),
        systemLibrary("CMaxMindDB", pkgConfig: "libmaxminddb", apt: "libmaxminddb-dev"),
        systemLibrary("COpenSSL", pkgConfig: "openssl", apt: "libssl-dev"),
        systemLibrary("CSQLite", pkgConfig: "sqlite3", apt: "libsqlite3-dev"),
        systemLibrary("CPSL", pkgConfig: "libpsl", apt: "libpsl-dev"),
        systemLibrary("CLMDB", pkgConfig: "lmdb", apt: "liblmdb-dev"),
        systemLibrary("COpenDKIM", apt: "libopendkim-dev"),
        systemLibrary("COpenDMARC", apt: "libopendmarc-dev"),
        systemLibrary("CTesseract", apt: "libtesseract-dev"),
        // libxcrypt: yescrypt hashes for the web console's administrators (crypt_gensalt_rn, crypt_r).
        systemLibrary("CCrypt", pkgConfig: "libxcrypt", apt: "libcrypt-dev"),

        // What install.sh builds in (the default qmail root, as qmail builds in conf-qmail), the few
        // glibc calls Swift cannot reach (getauxval, setresgid, pipe2), and argv for the Swift runtime
        // (arguments.c: without it the runtime reads /proc/self/maps at every start).
        // DWARF 4: valgrind 3.19 (Debian 12) gives up on a whole program whose DWARF 5 describes a
        // swiftcall function (arguments.c), and the benches count instructions with callgrind.
        .target(name: "CSystemSupport", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // Control files, lists, cdb, addresses, env contract, verdicts, logging.
        .target(name: "QSentryCore", dependencies: ["CCDB", "CSystemSupport"]),
        // The one resolver (c-ares): parallel queries under one deadline.
        .target(name: "QSentryDNS", dependencies: ["QSentryCore", "CAres"]),
        // Shared state: events, bans, reputation, Bayes tokens, quarantine index (SQLite or Redis).
        .target(name: "QSentryStore", dependencies: ["QSentryCore", "CSQLite", "CHiredis", "CLMDB"]),
        // E1: does a recipient exist here (qmail's delivery path, chkuser-style).
        .target(name: "QSentryRecipients", dependencies: ["QSentryCore"]),
        // The envelope rules of qsentry-smtpd (E1–E13, E16, C11 at RCPT), one file each under Rules/.
        .target(name: "QSentryEnvelope", dependencies: ["QSentryCore", "QSentryRecipients", "QSentryDNS", "QSentrySPF"]),
        // E11: SPF with libspf2, its DNS through the one resolver.
        .target(name: "QSentrySPF", dependencies: ["QSentryCore", "QSentryDNS", "CSPF2"]),
        // qsentry-smtpd's plumbing: client transport (TLS-ready), replies, the child qmail-smtpd, DATA, AUTH.
        .target(name: "QSentrySMTPD", dependencies: ["QSentryCore", "QSentryMessage", "QSentryEnvelope", "QSentryStore", "QSentryDNS", "QSentrySPF", "COpenSSL",
                                                     "CSystemSupport"]),
        // The connection layer's rules (C1–C11), shared by qsentry-conn and `qsentry explain`.
        .target(name: "QSentryConnection", dependencies: ["QSentryCore", "QSentryDNS", "QSentryStore", "CMaxMindDB"]),
        // M1–M5: the message read once: MIME structure, decoded text, attachment names, hosts in links.
        .target(name: "QSentryMIME", dependencies: ["QSentryCore", "COpenSSL"]),
        // A message between the programs: the spool, qmail-queue's envelope, the quarantine (M8) and
        // the X-QSentry-Session header (written by qsentry-smtpd, read by qsentry-queue and the CLI).
        .target(name: "QSentryMessage", dependencies: ["QSentryCore", "QSentryMIME"]),
        // M1: virus scanning through clamd, or libclamav in the process.
        .target(name: "QSentryScan", dependencies: ["QSentryCore", "CClamAV"]),
        // M11: DKIM (libopendkim), DMARC (libopendmarc), ARC (its own canonicalisation, OpenSSL's
        // signature checks), Authentication-Results, DKIM signing and keys.
        .target(name: "QSentryAuth", dependencies: ["QSentryCore", "QSentryDNS", "QSentryMIME", "QSentryMessage", "COpenDKIM", "COpenDMARC", "COpenSSL"]),
        // M7: the images of a message read by qsentry-ocr (its settings, frames and client); pure Swift.
        .target(name: "QSentryOCR", dependencies: ["QSentryCore"]),
        // M12: fuzzy signatures of message text (min-hashes of word shingles); pure Swift.
        .target(name: "QSentryFuzzy", dependencies: []),
        // The content layer of qsentry-queue (M1–M5, M8–M11): envelope, rules, quarantine, hand-off.
        .target(name: "QSentryContent", dependencies: ["QSentryCore", "QSentryMessage", "QSentryMIME", "QSentryScan", "QSentryDNS", "QSentryStore", "QSentryBayes", "QSentryAuth", "QSentryFuzzy", "QSentryOCR", "CPSL"]),
        // M6, D1: tokenizer, Robinson–Fisher classifier, token databases in the shared store.
        .target(name: "QSentryBayes", dependencies: ["QSentryCore", "QSentryMIME", "QSentryStore"]),
        // D1–D6: qsentry-local's delivery stage: preferences, spam tags, spamd, safe Maildir writes.
        .target(name: "QSentryDelivery", dependencies: ["QSentryCore", "QSentryMessage", "QSentryMIME", "QSentryBayes", "QSentryStore", "QSentryScan", "QSentryOCR"]),
        // What the admin CLI does, as a library so tests can call it.
        .target(name: "QSentryAdmin", dependencies: ["QSentryCore", "QSentryMessage", "QSentryStore", "QSentryDNS", "QSentryScan", "QSentryConnection", "QSentryAuth", "QSentryOCR",
                                                     "QSentrySMTPD", "QSentryDelivery", "QSentryEnvelope", "QSentryContent", "QSentryMIME",
                                                     "QSentryBayes", "CCrypt", "COpenSSL", "CSystemSupport"]),
        // A3, A8: the web console's HTTP side (Hummingbird, Mustache): routes, sessions, pages. What it
        // does to mail and lists is QSentryAdmin's Console/, shared with the CLI.
        .target(name: "QSentryWeb", dependencies: ["QSentryAdmin", "QSentryCore", "QSentryMessage", "QSentryStore", "QSentrySMTPD",
                                                   .product(name: "Hummingbird", package: "hummingbird"),
                                                   .product(name: "HummingbirdTLS", package: "hummingbird"),
                                                   .product(name: "Mustache", package: "swift-mustache"),
                                                   .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Thin executables.
        // qsentry-conn links qsentry-smtpd's session too: when that is its next program it runs the
        // session in its own process instead of exec'ing it (SMTPDProgram.handOver, issue 24).
        .executableTarget(name: "qsentry-conn", dependencies: ["QSentryConnection", "QSentrySMTPD", "QSentryCore"], linkerSettings: fullyStatic),
        .executableTarget(name: "qsentry-smtpd", dependencies: ["QSentrySMTPD", "QSentryEnvelope", "QSentryStore", "QSentryCore"], linkerSettings: fullyStatic),
        // Fully static since issue 24: in-process libclamav (clamav-db), which glibc cannot load into a
        // static executable, runs in qsentry-libclamav, the one dynamic helper, exec'd only in that mode.
        .executableTarget(name: "qsentry-queue", dependencies: ["QSentryContent", "QSentryBayes", "QSentryMIME", "QSentryStore", "QSentryCore"],
                          linkerSettings: fullyStatic),
        .executableTarget(name: "qsentry-libclamav", dependencies: ["QSentryScan", "QSentryCore"], linkerSettings: dynamicGlibc),
        // M7's helper: Tesseract and leptonica, exec'd by qsentry-queue only when control/qsentry/ocr turns OCR on.
        .executableTarget(name: "qsentry-ocr", dependencies: ["QSentryOCR", "QSentryCore", "CTesseract"], linkerSettings: dynamicGlibc),
        .executableTarget(name: "qsentry-local", dependencies: ["QSentryDelivery", "QSentryMessage", "QSentryBayes", "QSentryStore", "QSentryScan", "QSentryMIME", "QSentryCore"], linkerSettings: fullyStatic),
        // Fully static too: `qsentry score` and `learn` run in scripts, once per batch (bench/bayes.sh).
        .executableTarget(
            name: "qsentry",
            dependencies: [
                "QSentryAdmin", "QSentryCore", "QSentryStore", "QSentryMessage", "QSentryContent", "QSentryBayes", "QSentryDelivery", "QSentryAuth", "QSentryFuzzy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: fullyStatic
        ),

        // The web console's server, exec'd by `qsentry web`; dynamic (SwiftNIO, Foundation), never per connection.
        .executableTarget(name: "qsentry-web", dependencies: ["QSentryWeb", "QSentryCore"], linkerSettings: dynamicGlibc),

        // Issue 10: every parser of outside input as a fuzz target; qsentry-fuzz is libFuzzer's entry (bench/fuzz.sh).
        .target(name: "QSentryFuzz", dependencies: ["QSentryAdmin", "QSentryAuth", "QSentryOCR", "QSentryBayes", "QSentryConnection", "QSentryContent", "QSentryMessage",
                                                    "QSentryCore", "QSentryDNS", "QSentryMIME", "QSentrySMTPD"]),
        .executableTarget(name: "qsentry-fuzz", dependencies: ["QSentryFuzz"]),

        // Tests: unit tests per module, integration tests with real servers.
        .testTarget(name: "QSentryCoreTests", dependencies: ["QSentryCore"]),
        .testTarget(name: "QSentryDNSTests", dependencies: ["QSentryDNS", "QSentryCore", "TestHarness"]),
        .testTarget(name: "QSentryConnectionTests", dependencies: ["QSentryConnection", "QSentryCore", "QSentryDNS"]),
        .testTarget(name: "ConnIntegrationTests", dependencies: ["TestHarness"]),
        .testTarget(name: "QSentryStoreTests", dependencies: ["QSentryStore", "QSentryCore", "TestHarness"]),
        .testTarget(name: "QSentryRecipientsTests", dependencies: ["QSentryRecipients", "QSentryCore", "TestHarness"]),
        .testTarget(name: "QSentryEnvelopeTests", dependencies: ["QSentryEnvelope", "QSentryRecipients", "QSentryCore", "TestHarness"]),
        .testTarget(name: "QSentrySMTPDTests", dependencies: ["QSentrySMTPD", "TestHarness"]),
        .testTarget(name: "QSentrySPFTests", dependencies: ["QSentrySPF", "QSentryDNS", "QSentryCore", "TestHarness"]),
        .testTarget(name: "SMTPDIntegrationTests", dependencies: ["TestHarness", "QSentryCore"]),
        .testTarget(name: "QSentryMIMETests", dependencies: ["QSentryMIME"]),
        .testTarget(name: "QSentryFuzzyTests", dependencies: ["QSentryFuzzy", "QSentryMIME", "TestHarness"]),
        .testTarget(name: "QSentryBayesTests", dependencies: ["QSentryBayes", "QSentryStore", "QSentryCore", "TestHarness"]),
        .testTarget(name: "QueueIntegrationTests", dependencies: ["TestHarness"]),
        .testTarget(name: "BayesIntegrationTests", dependencies: ["TestHarness"]),
        .testTarget(name: "QSentryDeliveryTests", dependencies: ["QSentryDelivery", "QSentryCore", "QSentryMIME"]),
        .testTarget(name: "LocalIntegrationTests", dependencies: ["TestHarness"]),
        .testTarget(name: "QSentryAdminTests", dependencies: ["QSentryAdmin", "QSentryCore"]),
        .testTarget(name: "QSentryWebTests", dependencies: ["QSentryWeb", "QSentryAdmin", "QSentryMessage", "QSentryCore", "TestHarness",
                                                          .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .target(name: "TestHarness", dependencies: ["QSentryCore"], path: "Tests/TestHarness", exclude: ["exim.conf.in"]),
        // The admin CLI and its pages against real servers: check's probes, explain against the real
        // chain, stats, man pages, the programs' --help and exit codes.
        .testTarget(name: "AdminIntegrationTests", dependencies: ["TestHarness", "QSentryCore"]),
        // The harness itself: one real round trip through each server the other tests use.
        .testTarget(name: "TestHarnessTests", dependencies: ["TestHarness"]),
        .testTarget(name: "QSentryContentTests", dependencies: ["QSentryContent", "QSentryMessage", "QSentryMIME", "QSentryCore"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["QSentryFuzz"]),
        .testTarget(
            name: "SystemLibraryTests",
            dependencies: ["CCDB", "CAres", "CClamAV", "CSPF2", "CHiredis", "CMaxMindDB", "COpenSSL", "CSQLite", "CPSL", "CLMDB", "QSentrySPF", "QSentryScan"]
        ),
    ],
    swiftLanguageModes: [.v5]
)

// Issue 24: in release builds, the compiler reaches a concrete generic type's metadata through its
// accessor function, not through its mangled name. The mangled name is demangled at run time and
// its generic requirements looked up in every conformance record of the static binary, once per
// type and process: 40 % of a qsentry-smtpd session's instructions (callgrind), paid again by every
// connection. The accessors cost a little code size and none of that.
//
// And a section for each function (the standard library's Swift.o has one each already), so that
// the link order above can move ours too, and the linker's --gc-sections drop what is never called.
//
// And no type-layout lowering: with it, the compiler destroys a struct of several arrays (IPList,
// DomainList, a configuration) through the value witnesses of each field's type, so the runtime
// makes `[IPList.Entry]`'s or `CompiledList?`'s metadata only to release one pointer, some 10,000
// instructions a type as every connection starts (44,000 of qsentry-conn's start-up). Without it the
// same destroy is a swift_release.
let releaseCodeGeneration = SwiftSetting.unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors",
                                               "-Xfrontend", "-function-sections",
                                               "-Xfrontend", "-disable-type-layout"],
                                              .when(configuration: .release))
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [releaseCodeGeneration]
}
