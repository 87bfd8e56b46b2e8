#if canImport(Glibc)
import Glibc
#endif
import CLMDB
import QSentryCore

/// The embedded store's Bayes tokens: one LMDB file, `bayes.lmdb` beside `store.sqlite`.
///
/// LMDB rather than SQLite because a message's score is hundreds of lookups and LMDB answers them
/// from a memory map with no query engine in between: 4.6 × faster than SQLite WAL for an open
/// plus 500 lookups (bench/tokenstore.sh), and no lock at all for readers, however many deliveries
/// run at once. Writers (learning) take turns on LMDB's writer lock; a process killed mid-write
/// leaves the previous commit intact.
///
/// A record's key is the namespace's key then the token's, 8 bytes each, big-endian (a namespace's
/// records sit together); its value the spam and ham counts (`decode` says how). Keys compare
/// as CLMDB's `qsentry_token_key_compare`, which orders them as LMDB's default does.
final class TokenDatabase {
    let path: String
    private var env: OpaquePointer?

    /// The map is sized from the database, not reserved up front: a delivery runs under the run
    /// script's `softlimit -m`, which counts address space, so a reader maps only the pages
    /// committed so far and a writer that fills its map doubles it and tries again.
    /// About 20 million tokens fit in each GiB.
    static let initialWriterMapSize = 8 << 20
    /// Processes that may read at once (LMDB's default is 126; a busy server delivers more).
    static let maxReaders: UInt32 = 1024
    private var mapSize: Int

    init(path: String) throws {
        self.path = path
        var e: OpaquePointer?
        try Self.check(mdb_env_create(&e), path, "create")
        // From here the environment is ours to close, once: in the catch, or in deinit.
        env = e
        // 1 byte: LMDB rounds a map smaller than the committed data up to exactly that data.
        mapSize = 1
        do {
            try check(mdb_env_set_mapsize(env, mapSize), "set map size")
            try check(mdb_env_set_maxreaders(env, Self.maxReaders), "set readers")
            // NOSUBDIR: a file (and its -lock file), not a directory. NOTLS: read slots belong to the
            // transaction, not the thread (the programs are single-threaded; tests are not).
            // 0660: the state directory's group shares it (StateFiles).
            try check(mdb_env_open(env, path, UInt32(MDB_NOSUBDIR | MDB_NOTLS), 0o660), "open")
            // LMDB opens its lock file close-on-exec but not the data file: qsentry-queue becomes
            // qmail-queue, which must not hold the token database open.
            var fd: Int32 = -1
            if mdb_env_get_fd(env, &fd) == MDB_SUCCESS { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            // Read slots of processes that died mid-read would otherwise stay taken.
            var dead: Int32 = 0
            _ = mdb_reader_check(env, &dead)
        } catch {
            mdb_env_close(env)
            env = nil
            throw error
        }
        var info = MDB_envinfo()
        if mdb_env_info(env, &info) == MDB_SUCCESS { mapSize = Int(info.me_mapsize) }
        StateFiles.adopt(path)
        StateFiles.adopt(path + "-lock")
    }

    deinit { if env != nil { mdb_env_close(env) } }

    /// Maps whatever another process committed since this one mapped the file.
    private func remap(atLeast size: Int = 1) throws {
        try check(mdb_env_set_mapsize(env, size), "resize map")
        var info = MDB_envinfo()
        if mdb_env_info(env, &info) == MDB_SUCCESS { mapSize = Int(info.me_mapsize) }
    }

    func check(_ rc: Int32, _ what: String) throws { try Self.check(rc, path, what) }

    static func check(_ rc: Int32, _ path: String, _ what: String) throws {
        guard rc == MDB_SUCCESS else {
            throw StoreError("\(path): \(what): \(String(cString: mdb_strerror(rc)))")
        }
    }
    /// The counts of each key, in order (nil: never learnt), from one snapshot.
    ///
    /// One cursor for all the keys: given them in ascending order (TokenKeys are), LMDB looks for
    /// each next key in the leaf page it is already on before it goes back to the root.
    func counts(namespace: UInt64, _ keys: [UInt64]) throws -> [TokenCounts?] {
        var out = [TokenCounts?](repeating: nil, count: keys.count)
        try withTransaction(readOnly: true) { txn, dbi in
            var cursor: OpaquePointer?
            try check(mdb_cursor_open(txn, dbi, &cursor), "open cursor")
            defer { mdb_cursor_close(cursor) }
            var record = Record(namespace: namespace)
            for (i, key) in keys.enumerated() {
                record.set(key)
                var value = MDB_val()
                let rc = record.withKey { mdb_cursor_get(cursor, &$0, &value, MDB_SET) }
                if rc == MDB_NOTFOUND { continue }
                try check(rc, "read")
                out[i] = Self.decode(value)
            }
        }
        return out
    }

    /// Deletes every record of `namespace`, in one write transaction.
    func clear(namespace: UInt64) throws {
        try withTransaction(readOnly: false) { txn, dbi in
            var cursor: OpaquePointer?
            try check(mdb_cursor_open(txn, dbi, &cursor), "open cursor")
            defer { mdb_cursor_close(cursor) }
            var record = Record(namespace: namespace)
            while true {
                // The first record at or after (namespace, 0); ours while its first 8 bytes are.
                var key = MDB_val(), value = MDB_val()
                let rc = record.withKey { start -> Int32 in
                    key = start
                    return mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
                }
                if rc == MDB_NOTFOUND { return }
                try check(rc, "read")
                guard key.mv_size == 16, let p = key.mv_data, UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)) == namespace else { return }
                try checkWrite(mdb_cursor_del(cursor, 0), "delete")
            }
        }
    }

    /// Adds each delta in one write transaction; a record whose counts both reach zero is deleted.
    func add(namespace: UInt64, _ deltas: [UInt64: TokenCounts]) throws {
        try withTransaction(readOnly: false) { txn, dbi in
            var record = Record(namespace: namespace)
            for (key, d) in deltas {
                record.set(key)
                var value = MDB_val()
                var counts = TokenCounts(spam: 0, ham: 0)
                let rc = record.withKey { mdb_get(txn, dbi, &$0, &value) }
                if rc != MDB_NOTFOUND {
                    try check(rc, "read")
                    counts = Self.decode(value)
                }
                counts = TokenCounts(spam: max(counts.spam + d.spam, 0), ham: max(counts.ham + d.ham, 0))
                if counts.spam == 0 && counts.ham == 0 {
                    if rc != MDB_NOTFOUND { try checkWrite(record.withKey { mdb_del(txn, dbi, &$0, nil) }, "delete") }
                    continue
                }
                if counts.spam <= Int(UInt32.max) && counts.ham <= Int(UInt32.max) {
                    var stored = (UInt32(counts.spam), UInt32(counts.ham))
                    try put(txn, dbi, &record, &stored)
                } else {
                    var stored = (Int64(counts.spam), Int64(counts.ham))
                    try put(txn, dbi, &record, &stored)
                }
            }
        }
    }

    private func withTransaction(readOnly: Bool, _ body: (OpaquePointer?, MDB_dbi) throws -> Void) throws {
        // A writer whose map fills up doubles it and runs the whole batch again; a reader (or
        // writer) that finds the file grew past its map by another process's commit maps it anew.
        while true {
            let rc = try attempt(readOnly: readOnly, body)
            switch rc {
            case MDB_SUCCESS:
                return
            case MDB_MAP_RESIZED:
                try remap()
            case MDB_MAP_FULL where mapSize < Int.max / 2:
                try remap(atLeast: max(mapSize * 2, Self.initialWriterMapSize))
            default:
                try check(rc, readOnly ? "read" : "write")
            }
        }
    }

    /// One transaction: MDB_SUCCESS, or the map condition `withTransaction` handles; other errors throw.
    private func attempt(readOnly: Bool, _ body: (OpaquePointer?, MDB_dbi) throws -> Void) throws -> Int32 {
        var txn: OpaquePointer?
        let begun = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if begun == MDB_MAP_RESIZED { return begun }
        try check(begun, readOnly ? "begin read" : "begin write")
        var finished = false
        defer { if !finished { mdb_txn_abort(txn) } }  // a read's end, or a write given up
        var dbi = MDB_dbi()
        try check(mdb_dbi_open(txn, nil, 0, &dbi), "open database")
        try check(mdb_set_compare(txn, dbi, qsentry_token_key_compare), "set key order")
        do {
            try body(txn, dbi)
        } catch let full as MapFull {
            return full.code
        }
        guard !readOnly else { return MDB_SUCCESS }
        finished = true  // a commit frees the transaction, whether it succeeds or not
        let rc = mdb_txn_commit(txn)
        if rc == MDB_MAP_FULL { return rc }
        try check(rc, "commit")
        return MDB_SUCCESS
    }

    /// A put that found the map full: the transaction is given up and tried again in a larger map.
    struct MapFull: Error { let code = MDB_MAP_FULL }

    /// `check` for a write inside a transaction: a full map is not an error but a retry.
    func checkWrite(_ rc: Int32, _ what: String) throws {
        if rc == MDB_MAP_FULL { throw MapFull() }
        try check(rc, what)
    }

    private func put<Value>(_ txn: OpaquePointer?, _ dbi: MDB_dbi, _ record: inout Record, _ value: inout Value) throws {
        try withUnsafeMutableBytes(of: &value) { bytes in
            var v = MDB_val(mv_size: bytes.count, mv_data: bytes.baseAddress)
            try checkWrite(record.withKey { mdb_put(txn, dbi, &$0, &v, 0) }, "write")
        }
    }

    /// A value is two native unsigned 32-bit counts (what every count fits in: 40 bytes a record
    /// with LMDB's node header become 32, a fifth fewer pages to read through), or two 64-bit ones
    /// (what qsentry wrote before, and what a count past 4 billion needs).
    static func decode(_ value: MDB_val) -> TokenCounts {
        guard let p = value.mv_data else { return TokenCounts(spam: 0, ham: 0) }
        switch value.mv_size {
        case 8: return TokenCounts(spam: Int(p.loadUnaligned(as: UInt32.self)), ham: Int(p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        case 16: return TokenCounts(spam: Int(p.loadUnaligned(as: Int64.self)), ham: Int(p.loadUnaligned(fromByteOffset: 8, as: Int64.self)))
        default: return TokenCounts(spam: 0, ham: 0)
        }
    }

    /// A record's 16-byte key: namespace then token, both big-endian.
    struct Record {
        var bytes: (UInt64, UInt64)
        init(namespace: UInt64) { bytes = (namespace.bigEndian, 0) }
        mutating func set(_ key: UInt64) { bytes.1 = key.bigEndian }
        mutating func withKey<T>(_ body: (inout MDB_val) -> T) -> T {
            withUnsafeMutableBytes(of: &bytes) { raw in
                var key = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
                return body(&key)
            }
        }
    }
}
