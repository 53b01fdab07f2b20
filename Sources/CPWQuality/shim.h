#ifndef MAPPA_CPWQUALITY_SHIM_H
#define MAPPA_CPWQUALITY_SHIM_H
/* libpwquality (Debian libpwquality-dev): https://github.com/libpwquality/libpwquality , API in pwquality.h.
 * The dictionary is cracklib's (Debian cracklib-runtime, /var/cache/cracklib/cracklib_dict.*). */
#include <pwquality.h>
#endif
