import Testing
import CAres
import CCDB
import CHiredis
import CMaxMindDB
import COpenSSL
import CSPF2
import CPSL
import CLMDB
@testable import QSentrySPF
@testable import QSentryScan

/// Each system-library target compiles, links and answers a call into its library.
@Suite struct SystemLibraryTests {
    @Test func cAres() { #expect(String(cString: ares_version(nil)).hasPrefix("1.")) }
    /// libclamav is opened at run time too (no static archive): every function qsentry calls resolves.
    @Test func libclamav() throws { _ = try LibClamAVScanner.Library() }
    @Test func libpsl() { #expect(String(cString: psl_registrable_domain(psl_builtin(), "www.example.co.uk")) == "example.co.uk") }
    @Test func libmaxminddb() { #expect(String(cString: MMDB_lib_version()).hasPrefix("1.")) }
    @Test func openSSL() { #expect(String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))).hasPrefix("OpenSSL 3")) }
    @Test func hiredis() { #expect(HIREDIS_MAJOR >= 0 && redisReaderCreate() != nil) }
    @Test func lmdb() { #expect(String(cString: mdb_version(nil, nil, nil)).hasPrefix("LMDB 0.9")) }
    /// libspf2 is linked in (Debian's /usr/lib/libspf2.a): a server starts and its version is 1.2.
    @Test func libspf2() throws {
        let server = SPF_server_new(SPF_DNS_CACHE, 0)
        #expect(server != nil)
        SPF_server_free(server)
        #expect(SPF_LIB_VERSION_MAJOR == 1 && SPF_LIB_VERSION_MINOR == 2)
    }
    @Test func tinycdb() {
        var db = cdb()
        #expect(cdb_init(&db, -1) != 0)
    }
}
