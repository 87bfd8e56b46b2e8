/* SQLite (Debian libsqlite3-dev): the embedded store, WAL mode, many short-lived writers. */
#include <sqlite3.h>
