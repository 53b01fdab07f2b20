#ifndef MAPPA_CSQLITE_SHIM_H
#define MAPPA_CSQLITE_SHIM_H
/* SQLite C interface: https://www.sqlite.org/c3ref/intro.html */
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro Swift cannot import: tells SQLite to copy bound data.
   https://www.sqlite.org/c3ref/c_static.html */
static inline sqlite3_destructor_type mappa_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/* sqlite3_db_config is variadic; expose the single form we use. */
static inline int mappa_sqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
/* sqlite3_config is variadic; this form turns memory statistics off (SQLITE_CONFIG_MEMSTATUS). It must run
   before sqlite3_initialize. https://www.sqlite.org/c3ref/c_config_covering_index_scan.html#sqliteconfigmemstatus */
static inline int mappa_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
