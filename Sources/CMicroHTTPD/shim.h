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

/* MHD_start_daemon with the options the server uses (manual §"Starting and stopping the server",
   §"Connection notifications", §"Suspending and resuming"). thread_pool_size above 1 adds that many polling
   threads (MHD_OPTION_THREAD_POOL_SIZE); 0 or 1 runs one internal polling thread. The listen backlog is large
   enough for a burst of connects to queue rather than be dropped (a dropped SYN is resent only after 1 s);
   listen(2) silently caps it at net.core.somaxconn. */
#define MAPPA_MHD_COMMON_OPTIONS \
    MHD_OPTION_NOTIFY_COMPLETED, completed, handler_cls, \
    MHD_OPTION_NOTIFY_CONNECTION, notify_connection, handler_cls, \
    MHD_OPTION_SOCK_ADDR, bind_address, \
    MHD_OPTION_CONNECTION_LIMIT, connection_limit, \
    MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds, \
    MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u
static inline struct MHD_Daemon *mappa_mhd_start(unsigned int flags, uint16_t port,
        MHD_AcceptPolicyCallback accept_policy, MHD_AccessHandlerCallback handler, void *handler_cls,
        MHD_RequestCompletedCallback completed, MHD_NotifyConnectionCallback notify_connection,
        const struct sockaddr *bind_address, unsigned int connection_limit, unsigned int timeout_seconds,
        unsigned int thread_pool_size) {
    if (thread_pool_size > 1) {
        return MHD_start_daemon(flags, port, accept_policy, handler_cls, handler, handler_cls,
                                MAPPA_MHD_COMMON_OPTIONS,
                                MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
                                MHD_OPTION_END);
    }
    return MHD_start_daemon(flags, port, accept_policy, handler_cls, handler, handler_cls,
                            MAPPA_MHD_COMMON_OPTIONS, MHD_OPTION_END);
}
#undef MAPPA_MHD_COMMON_OPTIONS

/* The connection's socket (MHD_CONNECTION_INFO_CONNECTION_FD), or -1. MHD_get_connection_info is variadic. */
static inline int mappa_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/* Ends a connection that missed its deadline: shutdown(2) wakes libmicrohttpd's poll with end-of-file, and
   libmicrohttpd then closes and frees the connection itself on its own thread (the descriptor stays its own). */
static inline void mappa_shutdown_socket(int fd) { shutdown(fd, SHUT_RDWR); }

/* Raises the soft limit on open descriptors to the hard limit (setrlimit(2)), so the connection limit is not
   cut short by the default 1,024; returns the soft limit now in force. */
#include <sys/resource.h>
static inline long mappa_raise_descriptor_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY ? 1048576 : (long)limit.rlim_cur;
}

/* A text IP address from a socket address into buffer; returns 0 on success. */
static inline int mappa_address_text(const struct sockaddr *address, char *buffer, socklen_t length) {
    if (address == NULL) return -1;
    if (address->sa_family == AF_INET) {
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, buffer, length) ? 0 : -1;
    }
    if (address->sa_family == AF_INET6) {
        return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, buffer, length) ? 0 : -1;
    }
    return -1;
}

/* True when text is an IPv4 or IPv6 address literal (inet_pton(3)). */
static inline int mappa_is_ip_address(const char *text) {
    unsigned char scratch[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, text, scratch) == 1 || inet_pton(AF_INET6, text, scratch) == 1;
}

/* The port actually bound (useful with port 0). MHD_get_daemon_info is variadic. */
static inline uint16_t mappa_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/* The client's IP address as text into buffer; returns 0 on success. MHD_get_connection_info is variadic. */
static inline int mappa_mhd_client_address(struct MHD_Connection *connection, char *buffer, socklen_t length) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL) return -1;
    return mappa_address_text(info->client_addr, buffer, length);
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
