#ifndef MAPPA_CMICROHTTPD_SHIM_H
#define MAPPA_CMICROHTTPD_SHIM_H
/* libmicrohttpd: https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html
   Swift cannot call C variadic functions, so each variadic call the server needs has a fixed-argument shim. */
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>
#include <signal.h>
#include <pthread.h>
#include <microhttpd.h>

/* MHD_start_daemon with the options the server uses (manual §"Starting and stopping the server"). */
static inline struct MHD_Daemon *mappa_mhd_start(unsigned int flags, uint16_t port,
        MHD_AccessHandlerCallback handler, void *handler_cls,
        MHD_RequestCompletedCallback completed, const struct sockaddr *bind_address,
        unsigned int connection_limit, unsigned int timeout_seconds) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, handler_cls,
                            MHD_OPTION_SOCK_ADDR, bind_address,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_END);
}

/* The port actually bound (useful with port 0). MHD_get_daemon_info is variadic. */
static inline uint16_t mappa_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/* The client's IP address as text into buffer; returns 0 on success. MHD_get_connection_info is variadic. */
static inline int mappa_mhd_client_address(struct MHD_Connection *connection, char *buffer, socklen_t length) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return -1;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET) {
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, buffer, length) ? 0 : -1;
    }
    if (address->sa_family == AF_INET6) {
        return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, buffer, length) ? 0 : -1;
    }
    return -1;
}

/* Fills an IPv4 socket address for MHD_OPTION_SOCK_ADDR; returns 0 when host parses. */
static inline int mappa_ipv4_address(const char *host, uint16_t port, struct sockaddr_in *out) {
    memset(out, 0, sizeof(*out));
    out->sin_family = AF_INET;
    out->sin_port = htons(port);
    return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

/* Blocks SIGINT and SIGTERM in the calling thread (and threads it starts later), so sigwait can take them. */
static inline void mappa_block_termination_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* Waits for SIGINT or SIGTERM (blocked beforehand) and returns which arrived. */
static inline int mappa_wait_termination_signal(void) {
    sigset_t set;
    int received = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &received);
    return received;
}
/* Caps glibc's malloc arenas (mallopt(3), M_ARENA_MAX): with a thread per connection, each busy thread would
   otherwise get an arena of its own and keep freed memory resident. */
#include <malloc.h>
static inline int mappa_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}
#endif
