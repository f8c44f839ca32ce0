/*
 * hearth-reference --members FILE --db PATH [--host H] [--port P] [--event-loop libev|libuv|poll]
 *
 * The reference server of `hearth-bench compare` (see reference.h for what it is and is not): the members file,
 * the lws context, the connections and their send buffers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "reference.h"

struct reference ref;

static void fail(const char *what) {
    fprintf(stderr, "hearth-reference: %s\n", what);
    exit(1);
}

/* ---- Members and rooms ---- */

int room_by_id(const char *id, size_t len) {
    for (int r = 0; r < ref.nrooms; r++)
        if (strlen(ref.rooms[r].id) == len && !memcmp(ref.rooms[r].id, id, len)) return r;
    return -1;
}

/* "token room" per line, as hearth-bench writes it for hearth-load. */
static void load_members(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "hearth-reference: cannot read %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char line[1024], token[512], room[256];
    int cap = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%511s %255s", token, room) != 2) continue;
        if (ref.nmembers == cap) {
            cap = cap ? cap * 2 : 1024;
            ref.members = realloc(ref.members, (size_t)cap * sizeof *ref.members);
            ref.rooms = realloc(ref.rooms, (size_t)cap * sizeof *ref.rooms);
            if (!ref.members || !ref.rooms) fail("out of memory");
        }
        struct member *m = &ref.members[ref.nmembers];
        m->token = strdup(token);
        m->room = room_by_id(room, strlen(room)); /* a linear scan: a few hundred rooms, once at start */
        if (m->room < 0) {
            m->room = ref.nrooms++;
            memset(&ref.rooms[m->room], 0, sizeof ref.rooms[m->room]);
            ref.rooms[m->room].id = strdup(room);
        }
        /* Shaped like the load-test clinic's people: "p_" and 20 characters, "Member <room>-<member>". */
        snprintf(m->id, sizeof m->id, "p_%020d", ref.nmembers + 1);
        snprintf(m->name, sizeof m->name, "Member %d-%d", m->room + 1, ++ref.rooms[m->room].size);
        ref.nmembers++;
    }
    fclose(f);
    if (ref.nmembers == 0) fail("the members file lists no \"token room\" lines");
    ref.ntoken_slots = ref.nmembers * 2 + 1;
    ref.token_slots = calloc((size_t)ref.ntoken_slots, sizeof *ref.token_slots);
    for (int k = 0; k < ref.nmembers; k++) {
        unsigned h = 2166136261u;
        for (const char *p = ref.members[k].token; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
        int i = (int)(h % (unsigned)ref.ntoken_slots);
        while (ref.token_slots[i]) i = (i + 1) % ref.ntoken_slots;
        ref.token_slots[i] = k + 1;
    }
}

/* ---- Connections ---- */

/* Appends one text frame, with its RFC 6455 header (unmasked, final), to the connection's send buffer; asks for a
 * writable callback only when the buffer was empty (one is already pending otherwise). */
void conn_send(struct conn *c, const unsigned char *frame, size_t len) {
    if (c->close_code) return;
    struct outbuf *b = &c->out;
    size_t need = b->len + 10 + len;
    if (need > b->cap) {
        b->cap = need * 2 > 4096 ? need * 2 : 4096;
        b->p = realloc(b->p, LWS_PRE + b->cap);
        if (!b->p) fail("out of memory");
    }
    unsigned char *h = b->p + LWS_PRE + b->len;
    size_t header = 2;
    h[0] = 0x81;
    if (len < 126) {
        h[1] = (unsigned char)len;
    } else if (len <= 0xffff) {
        h[1] = 126, h[2] = (unsigned char)(len >> 8), h[3] = (unsigned char)len;
        header = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
        header = 10;
    }
    memcpy(h + header, frame, len);
    int was_empty = b->len == 0;
    b->len += header + len;
    if (was_empty) lws_callback_on_writable(c->wsi);
}

void conn_close_after_send(struct conn *c, int code) {
    c->close_code = code;
    lws_callback_on_writable(c->wsi);
}

/* Writes everything buffered in one raw write (whole frames only: lws keeps what the socket did not take and sends
 * it before the next writable callback). */
static int conn_writeable(struct conn *c) {
    struct outbuf *b = &c->out;
    if (b->len > 0) {
        if (lws_write(c->wsi, b->p + LWS_PRE, b->len, LWS_WRITE_RAW) < (int)b->len) return -1;
        b->len = 0;
        if (b->cap > 64 * 1024) { /* a burst made it large: give the memory back */
            free(b->p);
            b->p = NULL;
            b->cap = 0;
        }
    }
    if (c->close_code) {
        lws_close_reason(c->wsi, (enum lws_close_status)c->close_code, (unsigned char *)"unauthorized", 12);
        return -1;
    }
    return 0;
}

/* One receive chunk; a request split over several chunks is gathered first (requests are at most 64 KiB). */
static int conn_receive(struct conn *c, const char *in, size_t len) {
    int complete = lws_is_final_fragment(c->wsi) && lws_remaining_packet_payload(c->wsi) == 0;
    if (c->rx_len == 0 && complete) {
        handle_request(c, in, len);
        return 0;
    }
    if (c->rx_len + len > 64 * 1024) return -1;
    if (c->rx_len + len > c->rx_cap) {
        c->rx_cap = (c->rx_len + len) * 2;
        c->rx = realloc(c->rx, c->rx_cap);
        if (!c->rx) fail("out of memory");
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (complete) {
        handle_request(c, (const char *)c->rx, c->rx_len);
        c->rx_len = 0;
    }
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    struct conn *c = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        c->wsi = wsi;
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return c->close_code ? 0 : conn_receive(c, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return conn_writeable(c);
    case LWS_CALLBACK_CLOSED:
        room_leave(c);
        batch_forget(c);
        free(c->out.p);
        free(c->rx);
        memset(c, 0, sizeof *c);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols protocols[] = {
    /* 4 KiB receive chunks, as hearthd (WebSocketServer.receiveChunkBytes). */
    { "hearth.v1", callback, sizeof(struct conn), 4096, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

int main(int argc, char **argv) {
    const char *members = NULL, *db = NULL, *host = "127.0.0.1", *loop = "libev";
    int port = 8080;
    static const struct option longs[] = {
        {"members", 1, 0, 'm'}, {"db", 1, 0, 'd'}, {"host", 1, 0, 'h'}, {"port", 1, 0, 'p'},
        {"event-loop", 1, 0, 'e'}, {0, 0, 0, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (ch) {
        case 'm': members = optarg; break;
        case 'd': db = optarg; break;
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'e': loop = optarg; break;
        default: fail("usage: hearth-reference --members FILE --db PATH [--host H] [--port P] [--event-loop libev|libuv|poll]");
        }
    }
    if (!members || !db) fail("--members FILE and --db PATH are required");
    signal(SIGPIPE, SIG_IGN);
    load_members(members);
    if (store_open(db)) return 1;
    for (int r = 0; r < ref.nrooms; r++) ref.rooms[r].seq = store_last_seq(ref.rooms[r].id);
    ref.id_prefix = (uint32_t)time(NULL);

    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    getrlimit(RLIMIT_NOFILE, &lim);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = host;
    info.protocols = protocols;
    info.count_threads = 1;
    info.fd_limit_per_thread = (unsigned)lim.rlim_cur;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    if (!strcmp(loop, "libev")) info.options |= LWS_SERVER_OPTION_LIBEV;
    else if (!strcmp(loop, "libuv")) info.options |= LWS_SERVER_OPTION_LIBUV;
    else if (strcmp(loop, "poll")) fail("--event-loop is libev, libuv or poll");
    lws_set_log_level(LLL_ERR, NULL);
    ref.ctx = lws_create_context(&info);
    if (!ref.ctx) fail("cannot listen (port in use? for libev/libuv: is libwebsockets-evlib-ev/-uv installed?)");
    fprintf(stderr, "hearth-reference: %d members in %d rooms, %s:%d, event loop %s, %s (WAL, synchronous=FULL)\n",
            ref.nmembers, ref.nrooms, host, port, loop, db);
    if (strcmp(loop, "poll")) {
        lws_service(ref.ctx, 0); /* the event library runs its loop until the process ends */
    } else {
        while (lws_service(ref.ctx, 0) >= 0) {}
    }
    lws_context_destroy(ref.ctx);
    return 0;
}
