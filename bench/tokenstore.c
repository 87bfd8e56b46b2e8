/* The Bayes token store's two candidate engines side by side, same workload, same run:
 * SQLite in WAL mode (the schema EmbeddedStore uses) and LMDB. Per "delivery": open the
 * database, look up 500 tokens (half known), close: what qsentry-local does per message.
 * Per "learn": one write transaction adding 500 tokens. Prints microseconds per operation.
 *   cc -O2 -o tokenstore bench/tokenstore.c -lsqlite3 -llmdb && ./tokenstore DIR   (bench/tokenstore.sh) */
#include <lmdb.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { VOCAB = 100000, PER_MESSAGE = 500, DELIVERIES = 2000, LEARNS = 200 };

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void token(char *buf, unsigned i) { snprintf(buf, 64, "word%07u", i * 2654435761u % 1000003u); }
static void check(int ok, const char *what) { if (!ok) { fprintf(stderr, "tokenstore: %s failed\n", what); exit(1); } }

static void sqlite_run(const char *dir) {
    char path[512]; snprintf(path, sizeof path, "%s/state.sqlite", dir);
    sqlite3 *db; sqlite3_stmt *st; char t[64];
    check(sqlite3_open(path, &db) == SQLITE_OK, "sqlite open");
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE tokens(ns TEXT NOT NULL, token TEXT NOT NULL, "
                     "spam INTEGER NOT NULL, ham INTEGER NOT NULL, PRIMARY KEY(ns, token)) WITHOUT ROWID;", 0, 0, 0);
    sqlite3_exec(db, "BEGIN", 0, 0, 0);
    sqlite3_prepare_v2(db, "INSERT INTO tokens VALUES('bayes', ?1, ?2, ?3)", -1, &st, 0);
    for (unsigned i = 0; i < VOCAB; i += 2) {
        token(t, i); sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, i % 50); sqlite3_bind_int(st, 3, i % 30);
        sqlite3_step(st); sqlite3_reset(st);
    }
    sqlite3_finalize(st); sqlite3_exec(db, "COMMIT", 0, 0, 0); sqlite3_close(db);

    double t0 = now(); long found = 0;
    for (unsigned d = 0; d < DELIVERIES; d++) {
        check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, 0) == SQLITE_OK, "sqlite reopen");
        sqlite3_prepare_v2(db, "SELECT spam, ham FROM tokens WHERE ns='bayes' AND token=?1", -1, &st, 0);
        sqlite3_exec(db, "BEGIN", 0, 0, 0);
        for (unsigned k = 0; k < PER_MESSAGE; k++) {
            token(t, (d * 7919 + k * 104729) % VOCAB); sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) == SQLITE_ROW) found++;
            sqlite3_reset(st);
        }
        sqlite3_exec(db, "COMMIT", 0, 0, 0); sqlite3_finalize(st); sqlite3_close(db);
    }
    double t1 = now();
    check(sqlite3_open(path, &db) == SQLITE_OK, "sqlite reopen");
    sqlite3_prepare_v2(db, "INSERT INTO tokens VALUES('bayes', ?1, 1, 0) ON CONFLICT(ns, token) DO UPDATE SET spam=spam+1", -1, &st, 0);
    for (unsigned l = 0; l < LEARNS; l++) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        for (unsigned k = 0; k < PER_MESSAGE; k++) {
            token(t, (l * 31 + k * 7) % (VOCAB * 2)); sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
            sqlite3_step(st); sqlite3_reset(st);
        }
        sqlite3_exec(db, "COMMIT", 0, 0, 0);
    }
    double t2 = now();
    sqlite3_finalize(st); sqlite3_close(db);
    printf("sqlite-wal  open+%d lookups %7.1f us   learn %d tokens %7.1f us   (found %ld)\n", PER_MESSAGE,
           (t1 - t0) * 1e6 / DELIVERIES, PER_MESSAGE, (t2 - t1) * 1e6 / LEARNS, found);
}

static void lmdb_run(const char *dir) {
    char path[512]; snprintf(path, sizeof path, "%s/lmdb", dir); mkdir(path, 0700);
    MDB_env *env; MDB_txn *txn; MDB_dbi dbi; MDB_val k, v; char t[80]; unsigned counts[2];
    mdb_env_create(&env); mdb_env_set_mapsize(env, 1UL << 30);
    check(mdb_env_open(env, path, 0, 0600) == 0, "lmdb open");
    mdb_txn_begin(env, 0, 0, &txn); mdb_dbi_open(txn, 0, 0, &dbi);
    for (unsigned i = 0; i < VOCAB; i += 2) {
        token(t + 6, i); memcpy(t, "bayes", 6);
        k.mv_data = t; k.mv_size = 6 + strlen(t + 6); counts[0] = i % 50; counts[1] = i % 30; v.mv_data = counts; v.mv_size = 8;
        mdb_put(txn, dbi, &k, &v, 0);
    }
    mdb_txn_commit(txn); mdb_env_close(env);

    double t0 = now(); long found = 0;
    for (unsigned d = 0; d < DELIVERIES; d++) {
        mdb_env_create(&env); mdb_env_set_mapsize(env, 1UL << 30);
        check(mdb_env_open(env, path, MDB_RDONLY, 0600) == 0, "lmdb reopen");
        mdb_txn_begin(env, 0, MDB_RDONLY, &txn); mdb_dbi_open(txn, 0, 0, &dbi);
        for (unsigned q = 0; q < PER_MESSAGE; q++) {
            token(t + 6, (d * 7919 + q * 104729) % VOCAB); memcpy(t, "bayes", 6);
            k.mv_data = t; k.mv_size = 6 + strlen(t + 6);
            if (mdb_get(txn, dbi, &k, &v) == 0) found++;
        }
        mdb_txn_abort(txn); mdb_env_close(env);
    }
    double t1 = now();
    mdb_env_create(&env); mdb_env_set_mapsize(env, 1UL << 30);
    check(mdb_env_open(env, path, 0, 0600) == 0, "lmdb reopen");
    for (unsigned l = 0; l < LEARNS; l++) {
        mdb_txn_begin(env, 0, 0, &txn); mdb_dbi_open(txn, 0, 0, &dbi);
        for (unsigned q = 0; q < PER_MESSAGE; q++) {
            token(t + 6, (l * 31 + q * 7) % (VOCAB * 2)); memcpy(t, "bayes", 6);
            k.mv_data = t; k.mv_size = 6 + strlen(t + 6);
            counts[0] = counts[1] = 0;
            if (mdb_get(txn, dbi, &k, &v) == 0) memcpy(counts, v.mv_data, 8);
            counts[0]++; v.mv_data = counts; v.mv_size = 8;
            mdb_put(txn, dbi, &k, &v, 0);
        }
        mdb_txn_commit(txn);
    }
    double t2 = now();
    mdb_env_close(env);
    printf("lmdb        open+%d lookups %7.1f us   learn %d tokens %7.1f us   (found %ld)\n", PER_MESSAGE,
           (t1 - t0) * 1e6 / DELIVERIES, PER_MESSAGE, (t2 - t1) * 1e6 / LEARNS, found);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: tokenstore DIR (empty)\n"); return 100; }
    sqlite_run(argv[1]);
    lmdb_run(argv[1]);
    return 0;
}
