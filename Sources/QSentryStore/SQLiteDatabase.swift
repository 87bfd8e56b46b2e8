#if canImport(Glibc)
import Glibc
#endif
import CSQLite
import QSentryCore

/// A thin, throwing wrapper over the SQLite C API: open, run, query with bound text and integers.
final class SQLiteDatabase {
    private(set) var handle: OpaquePointer?
    let path: String

    /// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    enum Value { case text(String), int(Int) }

    /// `durable: false`: no fsync at all (synchronous=OFF), for a file whose loss costs nothing
    /// (counters that expire within the hour): a power cut may corrupt it, and its owner makes it anew.
    init(path: String, busyTimeoutMilliseconds: Int32, durable: Bool = true) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw StoreError("\(path): \(message)")
        }
        // SQLite makes the -wal and -shm files with the database's owner and mode: adopt it first.
        for file in [path, path + "-wal", path + "-shm"] { StateFiles.adopt(file) }
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        self.busyDeadline = Int(busyTimeoutMilliseconds)
        // Keep the -wal file when the last connection closes: short-lived processes then never
        // race to delete and re-create it (a source of SQLITE_BUSY that the busy handler does not cover).
        var persist: Int32 = 1
        sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        // After the checkpoint the last connection does as it closes, the kept -wal file is cut to
        // nothing: otherwise every later process, reader or writer, checkpoints the same frames again
        // as it closes, with three fsyncs (the embedded ban check paid them on every connection).
        try execute("PRAGMA journal_size_limit=0")
        if !durable {
            try execute("PRAGMA synchronous=OFF")
            tunedForWriting = true
        }
    }

    let busyDeadline: Int

    /// Prepared statements by SQL text: a Bayes lookup runs the same statement for every token.
    private var statements: [String: OpaquePointer] = [:]

    deinit {
        for s in statements.values { sqlite3_finalize(s) }
        sqlite3_close_v2(handle)
    }

    func error(_ what: String) -> StoreError {
        StoreError("\(path): \(what): \(String(cString: sqlite3_errmsg(handle)))")
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw error(String(sql.prefix(40))) }
    }

    /// Runs a statement with bound values; calls `row` for each result row.
    func run(_ sql: String, _ values: [Value] = [], row: ((OpaquePointer) -> Void)? = nil) throws {
        let s: OpaquePointer
        if let cached = statements[sql] {
            s = cached
        } else {
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let prepared = stmt else { throw error("prepare") }
            statements[sql] = prepared
            s = prepared
        }
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            switch v {
            case .text(let t): sqlite3_bind_text(s, idx, t, -1, Self.transient)
            case .int(let n): sqlite3_bind_int64(s, idx, Int64(n))
            }
        }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_ROW { row?(s); continue }
            if rc == SQLITE_DONE { return }
            throw error("step")
        }
    }

    func int(_ sql: String, _ values: [Value] = []) throws -> Int {
        var result = 0
        try run(sql, values) { result = Int(sqlite3_column_int64($0, 0)) }
        return result
    }

    /// Runs `sql`, retrying while SQLite answers BUSY (some lock waits bypass the busy handler),
    /// with a short random back-off, until the busy deadline.
    func executeRetryingBusy(_ sql: String) throws {
        var waited = 0
        while true {
            let rc = sqlite3_exec(handle, sql, nil, nil, nil)
            if rc == SQLITE_OK { return }
            if (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED || waited >= busyDeadline { throw error(sql) }
            let pause = Int.random(in: 1...8)
            usleep(useconds_t(pause * 1000))
            waited += pause
        }
    }

    private var tunedForWriting = false

    /// Runs `body` in one IMMEDIATE transaction (takes the write lock at once, waiting up to the busy deadline).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        if !tunedForWriting {
            // WAL commits without fsync; a checkpoint syncs. Losing the last events to a power cut is
            // acceptable. Set only by writers: a reader (the connection check) does not pay for it.
            try execute("PRAGMA synchronous=NORMAL")
            tunedForWriting = true
        }
        try executeRetryingBusy("BEGIN IMMEDIATE")
        return try finishing(body)
    }

    /// Runs `body` in one read transaction: its statements see one snapshot under one read lock.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        return try finishing(body)
    }

    /// Runs `body` in the transaction just begun: COMMIT after it, ROLLBACK if it throws.
    private func finishing<T>(_ body: () throws -> T) throws -> T {
        do {
            let r = try body()
            try execute("COMMIT")
            return r
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    static func text(_ stmt: OpaquePointer, _ column: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, column) else { return "" }
        return String(cString: p)
    }

    static func int(_ stmt: OpaquePointer, _ column: Int32) -> Int { Int(sqlite3_column_int64(stmt, column)) }
}
