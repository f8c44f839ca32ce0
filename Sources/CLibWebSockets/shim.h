#ifndef HEARTH_CLIBWEBSOCKETS_SHIM_H
#define HEARTH_CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>

/* What Swift cannot import from libwebsockets.h: macros and variadic functions. */
static inline size_t clws_pre(void) { return LWS_PRE; }
static inline int clws_to_kill_async(void) { return LWS_TO_KILL_ASYNC; }
static inline int clws_write_raw(void) { return LWS_WRITE_RAW; }
#endif
