#ifndef HEARTH_CLIBWEBSOCKETS_SHIM_H
#define HEARTH_CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>

/* What Swift cannot import from libwebsockets.h: macros and variadic functions. */
static inline size_t clws_pre(void) { return LWS_PRE; }
static inline int clws_to_kill_async(void) { return LWS_TO_KILL_ASYNC; }
static inline int clws_write_raw(void) { return LWS_WRITE_RAW; }
/* OpenSSL's options for a TLS 1.2 floor (SSL_OP_* are expression macros Swift does not import). */
static inline long clws_tls12_floor_options(void) {
    return (long)(SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_COMPRESSION);
}
#endif
