#ifndef MAPPA_CMICROHTTPD_SHIM_H
#define MAPPA_CMICROHTTPD_SHIM_H
/* libmicrohttpd: https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html */
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdarg.h>
#include <microhttpd.h>

/* MHD_start_daemon is variadic: Swift cannot call it. All options go through one MHD_OPTION_ARRAY. */
static inline struct MHD_Daemon *mappa_mhd_start(unsigned int flags, uint16_t port,
        MHD_AccessHandlerCallback handler, void *handler_cls,
        struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}
#endif
