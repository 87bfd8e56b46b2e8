/* tinycdb (Debian libcdb-dev): constant databases, mmap'd reads. */
#include <cdb.h>
