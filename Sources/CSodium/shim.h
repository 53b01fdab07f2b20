#ifndef MAPPA_CSODIUM_SHIM_H
#define MAPPA_CSODIUM_SHIM_H
/* libsodium: https://doc.libsodium.org/ — no variadic functions are used. */
#include <sodium.h>
#endif
