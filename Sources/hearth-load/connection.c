/*
 * The client side: one lws context per worker thread, every connection's state machine, and the senders' timers.
 * Everything here runs on the connection's worker thread (inside lws callbacks), except worker_wake.
 *
 * A connection: connect -> ESTABLISHED -> write hello -> welcome -> write join (with after_seq once it has
 * joined before) -> joined (a page with "more":true asks again after the page) -> ST_JOINED. A lost connection
 * reconnects with the clients' backoff (0.25 s doubling to 4 s, jitter in the upper half), except in a storm:
 * connections lost while the server is down wait, and all reconnect at once when the main thread says so.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "load.h"

static void conn_connect(struct conn *c);

void samples_add(struct samples *s, uint64_t v) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) { fprintf(stderr, "hearth-load: out of memory\n"); exit(1); }
    }
    s->v[s->n++] = v;
}

static void want(struct conn *c, int bits) {
    c->want |= (uint8_t)bits;
    if (c->wsi) lws_callback_on_writable(c->wsi);
}

/* Appends a message number to a storm sender's queue. */
static void queue_push(struct conn *c, int number) {
    int cap = g.opt.messages * 2 + 1;
    if (c->qlen == cap) return; /* cannot happen: each number is queued at most twice */
    c->queue[(c->qhead + c->qlen++) % cap] = number;
}

static int queue_pop(struct conn *c) {
    int cap = g.opt.messages * 2 + 1;
    int number = c->queue[c->qhead];
    c->qhead = (c->qhead + 1) % cap;
    c->qlen--;
    return number;
}

static void reconnect_timer(lws_sorted_usec_list_t *sul) {
    conn_connect((struct conn *)sul);
}

/* The connection is gone: decide whether and when it comes back. */
static void conn_lost(struct conn *c, int code) {
    if (c->state == ST_IDLE) return; /* already handled (an error both reported and returned) */
    uint8_t was = c->state;
    c->state = ST_IDLE;
    c->wsi = NULL;
    c->want = 0;
    c->rx_len = 0;
    c->pending = 0;
    c->qlen = 0; /* what was queued and unacknowledged is queued again after the resume */
    atomic_fetch_sub(&g.open, 1);
    if (was == ST_JOINED) atomic_fetch_sub(&g.joined, 1);
    if (code == 4001) atomic_fetch_add(&g.closes_4001, 1);
    int phase = atomic_load(&g.phase);
    if (phase == PHASE_STOP) return;
    if (g.opt.mode == MODE_HELLO) {
        /* Each sample is its own connection: the next member connects when this one is done. */
        if (was != ST_CLOSING) atomic_fetch_add(&g.other_closes, 1);
        struct worker *w = c->w;
        if (w->next_sample < w->nconns)
            lws_sul_schedule(w->ctx, 0, &w->conns[w->next_sample++]->sul, reconnect_timer, 1);
        return;
    }
    if (phase == PHASE_DOWN && code != 4001) {
        c->lost_in_storm = 1; /* the kill: wait for PHASE_RESUME */
        return;
    }
    if (phase == PHASE_RESUME && c->lost_in_storm) {
        lws_sul_schedule(c->w->ctx, 0, &c->sul, reconnect_timer, 1); /* lost in the kill, noticed late */
        return;
    }
    if (was == ST_JOINED && code != 4001) atomic_fetch_add(&g.other_closes, 1);
    /* A client's backoff: 250 ms doubling, at most 4 s, jitter in the upper half. */
    unsigned shift = c->retries < 4 ? c->retries : 4;
    c->retries++;
    lws_usec_t base = (lws_usec_t)250000 << shift;
    lws_usec_t delay = base / 2 + (lws_usec_t)(rand() % (int)(base / 2 + 1));
    atomic_fetch_add(&g.reconnects, 1);
    lws_sul_schedule(c->w->ctx, 0, &c->sul, reconnect_timer, delay);
}

static void conn_connect(struct conn *c) {
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = c->w->ctx;
    ci.address = g.opt.host;
    ci.host = g.opt.host;
    ci.port = g.opt.port;
    ci.path = g.opt.path;
    ci.protocol = "hearth.v1";
    ci.ietf_version_or_minus_one = -1;
    ci.userdata = c;
    c->state = ST_CONNECTING;
    c->close_code = 0;
    c->lost_in_storm = 0;
    c->wsi = NULL;
    atomic_fetch_add(&g.open, 1);
    struct lws *wsi = lws_client_connect_via_info(&ci);
    if (c->state != ST_CONNECTING) return; /* it failed already, inside the call (reported and handled) */
    if (!wsi) {
        atomic_fetch_add(&g.failures, 1);
        conn_lost(c, 0);
        return;
    }
    c->wsi = wsi;
}

/* Writes the next frame this connection owes, one per WRITEABLE callback. */
static int conn_write(struct conn *c, struct lws *wsi) {
    struct worker *w = c->w;
    char *buf = (char *)w->tx + LWS_PRE;
    size_t cap = w->tx_cap - LWS_PRE;
    const struct member *m = &g.members[c->index];
    int n;
    if (c->want & WANT_CLOSE) {
        c->state = ST_CLOSING;
        lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"done", 4);
        return -1;
    }
    if (c->want & WANT_HELLO) {
        c->want &= (uint8_t)~WANT_HELLO;
        n = snprintf(buf, cap, "{\"type\":\"hello\",\"token\":\"%s\"}", m->token);
        c->hello_ns = now_ns();
    } else if (c->want & WANT_JOIN) {
        c->want &= (uint8_t)~WANT_JOIN;
        if (c->ever_joined) /* a resume, or the next page of one */
            n = snprintf(buf, cap, "{\"type\":\"join\",\"room\":\"%s\",\"after_seq\":%lld}", m->room,
                         (long long)c->last_seq);
        else
            n = snprintf(buf, cap, "{\"type\":\"join\",\"room\":\"%s\"}", m->room);
    } else if (c->pending > 0 || c->qlen > 0) {
        int number;
        if (c->qlen > 0) number = queue_pop(c);
        else { c->pending--; number = ++c->next; }
        /* The body: the run, the sender, its number and send time, padded with 'x' to the body size. */
        n = snprintf(buf, cap,
                     "{\"type\":\"send\",\"room\":\"%s\",\"client_id\":\"c%u-%d-%d\",\"body\":\"r=%u;s=%d;n=%d;t=%llu;",
                     m->room, g.run_id, c->index, number, g.run_id, c->index, number, (unsigned long long)now_ns());
        int body_start = (int)(strstr(buf, "\"body\":\"") - buf) + 8;
        while (n - body_start < g.opt.body_bytes && (size_t)n + 3 < cap) buf[n++] = 'x';
        buf[n++] = '"';
        buf[n++] = '}';
        atomic_fetch_add_explicit(&w->sent, 1, memory_order_relaxed);
    } else {
        return 0;
    }
    if (lws_write(wsi, (unsigned char *)buf, (size_t)n, LWS_WRITE_TEXT) < n) return -1;
    if (c->want || c->pending > 0 || c->qlen > 0) lws_callback_on_writable(wsi);
    return 0;
}

/* Storm bookkeeping for one numbered message that arrived (live or in a join page). */
static void saw_number(struct conn *c, long number) {
    if (!c->seen || number < 1 || number > g.opt.messages) return;
    if (c->seen[number]++ == 0 && ++c->seen_distinct == g.opt.messages) atomic_fetch_add(&g.watchers_done, 1);
}

static void page_message(struct conn *c, int64_t seq, const char *body, const char *end) {
    (void)seq;
    long number = 0;
    uint64_t sent = 0, run = 0;
    if (body) body_fields(body, end, &run, &number, &sent, NULL);
    if (run == g.run_id) saw_number(c, number);
}

static void on_joined(struct conn *c, const char *p, size_t len) {
    struct join_page page;
    scan_join_page(c, p, len, &page, c->seen ? page_message : NULL);
    if (page.max_seq > c->last_seq) c->last_seq = page.max_seq;
    if (page.more && c->ever_joined) {
        /* A resume page that was cut: ask for the next one after it. (On a first join, without after_seq,
         * "more" means older messages exist: nothing to fetch.) */
        want(c, WANT_JOIN);
        return;
    }
    if (page.boundary > c->last_seq) c->last_seq = page.boundary;
    if (c->state == ST_JOINED) return;
    c->state = ST_JOINED;
    c->ever_joined = 1;
    c->retries = 0;
    atomic_fetch_add(&g.joined, 1);
    atomic_store(&c->w->last_joined_ns, now_ns());
    if (atomic_load(&g.phase) == PHASE_RESUME) {
        if (!c->back) atomic_fetch_add(&g.resumed, 1);
        c->back = 1;
        /* A storm sender resends, with the same client_id, everything it sent that was not acknowledged. */
        if (c->acked)
            for (int k = 1; k <= c->next; k++)
                if (!c->acked[k]) queue_push(c, k);
        if (c->qlen) want(c, 0);
    }
}

/* Throughput: with `window` sends unacknowledged at most, each ack lets the next message go. */
static void throughput_top_up(struct conn *c) {
    int queued = c->next + c->pending; /* written or about to be */
    if (queued >= g.opt.messages || queued - c->acked_count >= g.opt.window) return;
    c->pending++;
    lws_callback_on_writable(c->wsi);
}

static void on_ack(struct conn *c, const char *p, size_t len) {
    atomic_fetch_add_explicit(&c->w->acks, 1, memory_order_relaxed);
    if (g.opt.mode == MODE_THROUGHPUT) {
        c->acked_count++;
        if (atomic_load(&g.phase) == PHASE_SEND) throughput_top_up(c);
        return;
    }
    if (!c->acked) return;
    /* client_id "c<run>-<member>-<number>": the number is after the last '-'. */
    const char *id = frame_find(p, len, "\"client_id\":\"");
    if (!id) return;
    const char *end = memchr(id + 13, '"', (size_t)(p + len - (id + 13)));
    if (!end) return;
    const char *dash = end;
    while (dash > id && dash[-1] != '-') dash--;
    long number = strtol(dash, NULL, 10);
    if (number >= 1 && number <= g.opt.messages && !c->acked[number]) {
        c->acked[number] = 1;
        if (++c->acked_count == g.opt.messages) atomic_fetch_add(&g.senders_done, 1);
    }
}

static void on_message(struct conn *c, const char *p, size_t len) {
    uint64_t at = now_ns();
    struct worker *w = c->w;
    atomic_fetch_add_explicit(&w->deliveries, 1, memory_order_relaxed);
    int64_t seq = frame_int(p, len, "\"seq\":");
    if (seq > c->last_seq) c->last_seq = seq;
    const char *body = frame_find(p, len, "\"body\":\"");
    if (!body) return;
    body += 8;
    long number = 0, sender = -1;
    uint64_t sent = 0, run = 0;
    body_fields(body, p + len, &run, &number, &sent, &sender);
    if (run != g.run_id) return; /* another run's message (same database) */
    if ((g.opt.mode == MODE_PACED || g.opt.mode == MODE_THROUGHPUT) && sent && sent <= at)
        samples_add(&w->msg_lat, at - sent);
    if (c->got) {
        /* Throughput: tally it under its sender (a room member) and number, for the lost/duplicate check. */
        atomic_store_explicit(&w->last_delivery_ns, at, memory_order_relaxed);
        if (sender >= 0 && sender < g.nmembers && number >= 1 && number <= g.opt.messages &&
            g.members[sender].room_index == g.members[c->index].room_index) {
            uint8_t *count = &c->got[(size_t)g.members[sender].slot * (size_t)g.opt.messages + (size_t)(number - 1)];
            if (*count < 255) (*count)++;
        }
    }
    saw_number(c, number);
}

static void on_error(struct conn *c, const char *p, size_t len) {
    (void)c;
    int n = atomic_fetch_add(&g.errors, 1);
    if (frame_find(p, len, "No hello within")) atomic_fetch_add(&g.hello_timeouts, 1);
    if (n < 3 || g.opt.verbose) fprintf(stderr, "hearth-load: error frame: %.*s\n", (int)(len > 300 ? 300 : len), p);
}

/* One whole server frame. */
static void conn_frame(struct conn *c, const char *p, size_t len) {
    size_t tlen = 0;
    const char *type = frame_type(p, len, &tlen);
    if (!type) return;
    if (tlen == 7 && memcmp(type, "message", 7) == 0) {
        on_message(c, p, len);
    } else if (tlen == 3 && memcmp(type, "ack", 3) == 0) {
        on_ack(c, p, len);
    } else if (tlen == 7 && memcmp(type, "welcome", 7) == 0) {
        uint64_t at = now_ns();
        if (c->hello_ns) samples_add(&c->w->hello_lat, at - c->hello_ns);
        c->hello_ns = 0;
        if (g.opt.mode == MODE_HELLO) {
            atomic_fetch_add(&g.hellos_done, 1);
            want(c, WANT_CLOSE);
        } else {
            want(c, WANT_JOIN);
        }
    } else if (tlen == 6 && memcmp(type, "joined", 6) == 0) {
        on_joined(c, p, len);
    } else if (tlen == 5 && memcmp(type, "error", 5) == 0) {
        on_error(c, p, len);
    }
}

/* A receive chunk. Most frames arrive whole in one chunk and are read in place; longer ones are gathered. */
static void conn_receive(struct conn *c, struct lws *wsi, const char *in, size_t len) {
    int complete = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    if (c->rx_len == 0 && complete) {
        conn_frame(c, in, len);
        return;
    }
    if (c->rx_len + len > c->rx_cap) {
        c->rx_cap = (c->rx_len + len) * 2;
        c->rx = realloc(c->rx, c->rx_cap);
        if (!c->rx) { fprintf(stderr, "hearth-load: out of memory\n"); exit(1); }
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (complete) {
        conn_frame(c, c->rx, c->rx_len);
        c->rx_len = 0;
    }
}

/* Paced: one message every `threads / rate` seconds from this worker, round robin over its joined connections,
 * on a fixed schedule from the start (a late tick does not delay the ones after it). */
static void paced_tick(lws_sorted_usec_list_t *sul) {
    struct worker *w = lws_container_of(sul, struct worker, tick);
    if (atomic_load(&g.phase) != PHASE_SEND) return;
    for (int tries = 0; tries < w->nconns; tries++) {
        struct conn *c = w->conns[w->rr++ % w->nconns];
        if (c->state == ST_JOINED) {
            c->pending++;
            atomic_fetch_add_explicit(&w->expected, g.room_size[g.members[c->index].room_index], memory_order_relaxed);
            lws_callback_on_writable(c->wsi);
            break;
        }
    }
    double period_ns = 1e9 * g.nworkers / g.opt.rate;
    uint64_t due = w->tick_start_ns + (uint64_t)(period_ns * (double)++w->ticks);
    uint64_t now = now_ns();
    lws_sul_schedule(w->ctx, 0, &w->tick, paced_tick, due > now ? (lws_usec_t)((due - now) / 1000) : 1);
}

/* Storm: every `interval_ms`, each joined sender on this worker queues its next numbered message. */
static void storm_tick(lws_sorted_usec_list_t *sul) {
    struct worker *w = lws_container_of(sul, struct worker, tick);
    int phase = atomic_load(&g.phase);
    if (phase != PHASE_SEND && phase != PHASE_DOWN && phase != PHASE_RESUME) return;
    for (int i = 0; i < w->nconns; i++) {
        struct conn *c = w->conns[i];
        if (!c->acked || c->state != ST_JOINED || c->next >= g.opt.messages) continue;
        queue_push(c, ++c->next);
        want(c, 0);
    }
    lws_sul_schedule(w->ctx, 0, &w->tick, storm_tick, (lws_usec_t)g.opt.interval_ms * 1000);
}

/* libuv: lws_service runs the loop until the context is destroyed from inside it. */
static void stop_timer(lws_sorted_usec_list_t *sul) {
    struct worker *w = lws_container_of(sul, struct worker, stop);
    lws_context_destroy(w->ctx);
}

/* The main thread changed the phase: do what the new phase asks of this worker. */
static void worker_sync(struct worker *w) {
    int phase = atomic_load(&g.phase);
    if (phase == w->acted_phase) return;
    w->acted_phase = phase;
    /* Hand the main thread the hello samples of the phase that ended; it reads them once every worker has
     * published this phase, and they stay unchanged until the next phase change. */
    free(w->hello_done.v);
    w->hello_done = w->hello_lat;
    memset(&w->hello_lat, 0, sizeof w->hello_lat);
    atomic_store(&w->synced_phase, phase);
    switch (phase) {
    case PHASE_SEND:
        w->tick_start_ns = now_ns();
        w->ticks = 0;
        if (g.opt.mode == MODE_PACED) lws_sul_schedule(w->ctx, 0, &w->tick, paced_tick, 1);
        if (g.opt.mode == MODE_STORM) lws_sul_schedule(w->ctx, 0, &w->tick, storm_tick, 1);
        if (g.opt.mode == MODE_THROUGHPUT) /* every joined member fills its window */
            for (int i = 0; i < w->nconns; i++) {
                struct conn *c = w->conns[i];
                if (c->state != ST_JOINED) continue;
                for (int k = 0; k < g.opt.window; k++) throughput_top_up(c);
            }
        break;
    case PHASE_RESUME:
        /* The storm: every connection the kill took reconnects now, all at once. */
        for (int i = 0; i < w->nconns; i++)
            if (w->conns[i]->state == ST_IDLE && w->conns[i]->lost_in_storm) conn_connect(w->conns[i]);
        break;
    case PHASE_STOP:
        if (g.opt.libuv) lws_sul_schedule(w->ctx, 0, &w->stop, stop_timer, 1);
        break;
    default:
        break;
    }
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    struct conn *c = user;
    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {
        struct worker *w = lws_context_user(lws_get_context(wsi));
        if (w) worker_sync(w);
        return 0;
    }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!c) return 0;
        if (g.opt.verbose) fprintf(stderr, "hearth-load: connect failed: %s\n", in ? (char *)in : "?");
        atomic_fetch_add(&g.failures, 1);
        conn_lost(c, 0);
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c) return -1;
        c->wsi = wsi;
        c->state = ST_OPEN;
        want(c, WANT_HELLO);
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return c ? conn_write(c, wsi) : 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (c) conn_receive(c, wsi, in, len);
        return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2) c->close_code = ((unsigned char *)in)[0] << 8 | ((unsigned char *)in)[1];
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c) conn_lost(c, c->close_code ? c->close_code : 1006);
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        /* The catch-all: lws drops a connection that never got its 101 (its own timeout) without
         * CLIENT_CONNECTION_ERROR. Only for the connection's current wsi, not one it replaced. */
        if (c && c->wsi == wsi && c->state != ST_IDLE) {
            if (c->state == ST_CONNECTING) atomic_fetch_add(&g.failures, 1);
            conn_lost(c, c->close_code ? c->close_code : 1006);
        }
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    /* 4 KiB receive chunks keep lws' per-connection buffer small; join pages are gathered in conn_receive. */
    { "hearth-load", callback, 0, 4096, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    if (g.opt.mode == MODE_HELLO) {
        for (int i = 0; i < g.opt.concurrency && w->next_sample < w->nconns; i++)
            conn_connect(w->conns[w->next_sample++]);
    } else {
        for (int i = 0; i < w->nconns; i++) conn_connect(w->conns[i]);
    }
    if (g.opt.libuv)
        lws_service(w->ctx, 0); /* returns once stop_timer destroyed the context */
    else
        while (atomic_load(&g.phase) != PHASE_STOP)
            if (lws_service(w->ctx, 0) < 0) break;
    /* The loop may have seen PHASE_STOP before its wake-up event: hand over this phase's samples anyway. */
    worker_sync(w);
    return NULL;
}

/* Creates the worker's context and starts its thread, which connects its share at once. */
int worker_start(struct worker *w) {
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.user = w;
    info.count_threads = 1;
    /* poll() costs O(connections) per wake-up: with thousands of sockets that alone can take a core. libuv waits
     * with epoll (Debian's libwebsockets-evlib-uv plugin). (libev cannot: two lws contexts in one process assert
     * on its SIGINT watcher.) */
    if (g.opt.libuv) info.options |= LWS_SERVER_OPTION_LIBUV;
    /* lws keeps an fd-indexed table per context: let it cover every fd number the process may open. */
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    info.fd_limit_per_thread = (unsigned)lim.rlim_cur;
    /* A busy server may take long to answer the upgrade: wait for it (each phase has its own bound) rather than
     * give up after lws' default 5 s. */
    info.timeout_secs = 60;
    info.connect_timeout_secs = 20;
    w->acted_phase = PHASE_CONNECT;
    w->tx_cap = LWS_PRE + 1024 + (size_t)g.opt.body_bytes;
    w->tx = malloc(w->tx_cap);
    w->ctx = lws_create_context(&info);
    if (!w->ctx || !w->tx) return -1;
    return pthread_create(&w->thread, NULL, worker_main, w);
}

void worker_wake(struct worker *w) {
    lws_cancel_service(w->ctx);
}

void worker_destroy(struct worker *w) {
    lws_context_destroy(w->ctx); /* libuv: the second destroy, after the one inside the loop, finishes the job */
    w->ctx = NULL;
}
