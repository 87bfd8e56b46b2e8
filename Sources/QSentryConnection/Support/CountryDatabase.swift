import CMaxMindDB
import QSentryCore

/// A MaxMind-format country database (GeoLite2-Country, DB-IP's lite files …), mmap'd by libmaxminddb.
public final class CountryDatabase {
    private var db = MMDB_s()
    public let path: String

    public init(path: String) throws {
        self.path = path
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), &db)
        guard status == MMDB_SUCCESS else {
            throw ControlError(path: path, "cannot open country database: \(String(cString: MMDB_strerror(status)))")
        }
    }

    deinit { MMDB_close(&db) }

    /// The ISO 3166 code of `ip`'s country (else its registered country), or nil when unknown.
    public func country(of ip: IPAddress) -> String? {
        var gaiError: Int32 = 0
        var mmdbError: Int32 = 0
        var result = MMDB_lookup_string(&db, ip.description, &gaiError, &mmdbError)
        guard gaiError == 0, mmdbError == MMDB_SUCCESS, result.found_entry else { return nil }
        for top in ["country", "registered_country"] {
            if let code = isoCode(&result.entry, top) { return code }
        }
        return nil
    }

    private func isoCode(_ entry: inout MMDB_entry_s, _ top: String) -> String? {
        var data = MMDB_entry_data_s()
        let status: Int32 = top.withCString { t in
            "iso_code".withCString { k in
                var path: [UnsafePointer<CChar>?] = [t, k, nil]
                return MMDB_aget_value(&entry, &data, &path)
            }
        }
        guard status == MMDB_SUCCESS, data.has_data, data.type == UInt32(MMDB_DATA_TYPE_UTF8_STRING),
              let p = data.utf8_string, data.data_size == 2 else { return nil }
        let bytes = UnsafeRawBufferPointer(start: p, count: Int(data.data_size))
        return String(decoding: bytes, as: UTF8.self).uppercased()
    }
}
