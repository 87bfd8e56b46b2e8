/* LMDB (Debian liblmdb-dev): the Bayes token database, memory-mapped, read without locks by many processes. */
#include <lmdb.h>

/* The token database's key order as two big-endian 64-bit words (namespace, token): the same order
 * as LMDB's default memcmp, so files written either way read alike, without a call to memcmp for
 * each of the dozen comparisons a lookup makes. Keys of another length compare as memcmp would. */
static inline int qsentry_token_key_compare(const MDB_val *a, const MDB_val *b) {
    if (a->mv_size == 16 && b->mv_size == 16) {
        const unsigned char *p = (const unsigned char *)a->mv_data, *q = (const unsigned char *)b->mv_data;
        for (int half = 0; half < 2; half++, p += 8, q += 8) {
            unsigned long long x = __builtin_bswap64(*(const unsigned long long *)(const void *)p);
            unsigned long long y = __builtin_bswap64(*(const unsigned long long *)(const void *)q);
            if (x != y) return x < y ? -1 : 1;
        }
        return 0;
    }
    size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = ((const unsigned char *)a->mv_data)[i], y = ((const unsigned char *)b->mv_data)[i];
        if (x != y) return x < y ? -1 : 1;
    }
    return a->mv_size < b->mv_size ? -1 : a->mv_size > b->mv_size ? 1 : 0;
}
