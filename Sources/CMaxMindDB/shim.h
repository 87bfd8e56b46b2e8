/* libmaxminddb (Debian libmaxminddb-dev): country look-ups in .mmdb files. */
#include <maxminddb.h>
