#ifndef MAPPA_CPOSTGRES_SHIM_H
#define MAPPA_CPOSTGRES_SHIM_H
/* libpq: https://www.postgresql.org/docs/15/libpq.html */
#include <postgresql/libpq-fe.h>
#endif
