/* LMDB (Debian liblmdb-dev): the Bayes token database, memory-mapped, read without locks by many processes. */
#include <lmdb.h>
