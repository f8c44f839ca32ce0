/*
 * hearth-load: a load generator for hearthd, on libwebsockets' client API (bench-only; not a product users run).
 *
 * N worker threads, each with its own lws client context and its own share of the connections. Per frame the
 * work is small: find "type":"..." by substring search, then the one or two fields that type needs ("seq":,
 * "body":"n=..;t=.."), never a JSON parser. Message bodies carry their send time (CLOCK_MONOTONIC, which every
 * thread and process on the machine shares), so a receiver computes send-to-delivery latency by itself.
 *
 * Threads: the main thread parses options, starts the workers, then only reads atomics, writes result lines
 * and talks to whoever started it (stdin/stdout). Every lws call and every connection is the business of its
 * worker thread alone; the main thread changes `g.phase` and wakes the workers with lws_cancel_service (the
 * one lws call that is safe from another thread).
 */
#ifndef HEARTH_LOAD_H
#define HEARTH_LOAD_H

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

enum mode { MODE_CONNECT, MODE_HELLO, MODE_IDLE, MODE_STORM, MODE_PACED, MODE_THROUGHPUT };

/* What the run is doing. Set by the main thread only; workers act on a change when lws_cancel_service wakes
 * them (LWS_CALLBACK_EVENT_WAIT_CANCELLED). */
enum phase {
    PHASE_CONNECT, /* connecting, saying hello and joining */
    PHASE_HOLD,    /* all joined, idle: nothing is sent */
    PHASE_SEND,    /* paced: the senders' timers run (storm: numbered messages; throughput: every member sends) */
    PHASE_DOWN,    /* storm: the server is being killed; lost connections wait for PHASE_RESUME */
    PHASE_RESUME,  /* storm: the server is back; every lost connection reconnects at once */
    PHASE_DRAIN,   /* no new sends; deliveries still counted */
    PHASE_STOP,    /* workers leave their loops */
};

/* A connection's own state. */
enum conn_state { ST_IDLE, ST_CONNECTING, ST_OPEN, ST_JOINED, ST_CLOSING };

/* Frames a connection has yet to write (it writes one per WRITEABLE callback). */
enum { WANT_HELLO = 1, WANT_JOIN = 2, WANT_CLOSE = 4 };

struct options {
    enum mode mode;
    const char *host;
    int port;
    const char *path;
    const char *members_file; /* "token room" per line */
    int threads;
    int libuv;          /* lws' libuv event loop (epoll) instead of its poll() loop */
    int count;          /* members to use (0: all in the file) */
    int samples;        /* hello-latency: how many hellos */
    int concurrency;    /* hello-latency: connections at a time */
    double rate;        /* paced: messages per second, all members together */
    double seconds;     /* paced: how long to send */
    int body_bytes;     /* paced, storm, throughput: message body size */
    int senders;        /* storm: rooms with a sender */
    int messages;       /* storm: numbered messages per sender; throughput: messages per member */
    int window;         /* throughput: unacknowledged sends a member may have */
    int interval_ms;    /* storm: time between a sender's messages */
    int hold;           /* idle/storm: stop after joining and wait for a line on stdin ("wait=rss");
                         * paced/throughput: "wait=send" before sending and "wait=sent" once all is delivered */
    double timeout;     /* seconds allowed for each phase */
    int verbose;
};

/* One member of the load-test clinic. */
struct member {
    char *token;
    char *room;
    int room_index;
    int slot;       /* its place among its room's members (0 .. room size - 1) */
};

struct worker;

struct conn {
    lws_sorted_usec_list_t sul; /* reconnect timer: first, so the timer callback can cast it back */
    struct worker *w;
    struct lws *wsi;
    int index;                  /* into g.members */
    uint8_t state;              /* enum conn_state */
    uint8_t want;               /* WANT_* bits */
    uint8_t ever_joined;        /* a later join resumes with after_seq */
    uint8_t lost_in_storm;      /* dropped in PHASE_DOWN: reconnects when PHASE_RESUME starts */
    uint8_t back;               /* joined again since PHASE_RESUME (counted once in g.resumed) */
    uint16_t retries;           /* reconnect backoff exponent, reset on joined */
    int close_code;             /* from the server's close frame, else 1006 */
    int64_t last_seq;           /* highest seq seen in the room (what a resume sends as after_seq) */
    uint64_t hello_ns;          /* when hello was written */
    /* Sending. Paced: `pending` counts messages to write, numbered by `next`. Storm senders: `queue` holds the
     * numbers to write (resends first), `acked` marks the acknowledged ones. */
    int pending;
    int next;
    int *queue, qhead, qlen;
    uint8_t *acked;
    int acked_count;
    /* Storm, members of a room with a sender: how many times each numbered message arrived. */
    uint8_t *seen;
    int seen_distinct;
    /* Throughput: how many times message n of the room member in slot s arrived, at [s * messages + n - 1]. */
    uint8_t *got;
    /* Reassembly, only for server frames split over several receive chunks (join pages). */
    char *rx;
    size_t rx_len, rx_cap;
};

/* A growable array of nanosecond samples. */
struct samples {
    uint64_t *v;
    size_t n, cap;
};

struct worker {
    int id;
    pthread_t thread;
    struct lws_context *ctx;
    struct conn **conns;
    int nconns;
    int acted_phase;            /* the last phase this worker acted on */
    _Atomic int synced_phase;   /* the same, published for the main thread */
    lws_sorted_usec_list_t tick; /* paced and storm senders */
    lws_sorted_usec_list_t stop; /* libuv: destroys the context from inside its loop */
    uint64_t tick_start_ns;
    uint64_t ticks;
    int rr;                     /* paced: next connection to send from */
    int next_sample;            /* hello-latency: next member to try */
    unsigned char *tx;          /* LWS_PRE + frame */
    size_t tx_cap;
    struct samples hello_lat;   /* hello -> welcome, this phase */
    struct samples hello_done;  /* hello -> welcome, the phase before (see worker_sync) */
    struct samples msg_lat;     /* send -> delivery (paced, throughput) */
    _Atomic uint64_t last_joined_ns;
    _Atomic long deliveries;
    _Atomic long sent;
    _Atomic long acks;
    _Atomic long expected;      /* paced: deliveries the messages sent so far should make (room sizes) */
    _Atomic uint64_t last_delivery_ns; /* throughput: when this worker's latest message frame arrived */
};

/* State shared by all threads. The counters are atomics; everything else is written before the workers start. */
struct shared {
    struct options opt;
    struct member *members;
    int nmembers;
    int nrooms;
    int *room_size;           /* members per room */
    int *room_sender;         /* storm: the member index sending in the room, or -1 */
    int sender_rooms;         /* storm: rooms with a sender */
    int watchers;             /* storm: members of those rooms */
    struct worker *workers;
    int nworkers;
    unsigned run_id;          /* keeps client_ids unique across runs on one database */
    _Atomic int phase;
    _Atomic int joined;       /* connections in ST_JOINED now */
    _Atomic int open;         /* connections not ST_IDLE */
    _Atomic int resumed;      /* storm: connections joined again since PHASE_RESUME */
    _Atomic int hellos_done;  /* hello-latency samples taken */
    _Atomic int closes_4001;
    _Atomic int hello_timeouts; /* error frames "No hello within ..." */
    _Atomic int other_closes;   /* closes of joined connections other than 4001, outside the storm's kill */
    _Atomic int failures;       /* connection attempts that failed (refused, timed out) */
    _Atomic int reconnects;     /* reconnections scheduled with backoff */
    _Atomic int errors;         /* error frames */
    _Atomic int senders_done;   /* storm: senders with every message acknowledged */
    _Atomic int watchers_done;  /* storm: members who have seen every numbered message */
    long throughput_expected;   /* throughput: every member's messages x its room's size */
};

extern struct shared g;

/* connection.c */
int worker_start(struct worker *w);
void worker_wake(struct worker *w);
void worker_destroy(struct worker *w);
void samples_add(struct samples *s, uint64_t v);

/* frames.c: scanning server frames without a JSON parser */
const char *frame_type(const char *p, size_t len, size_t *type_len);
int64_t frame_int(const char *p, size_t len, const char *key);
const char *frame_find(const char *p, size_t len, const char *needle);
void body_fields(const char *body, const char *end, uint64_t *run, long *number, uint64_t *sent_ns, long *sender);
struct join_page {
    int64_t boundary; /* the joined frame's own "seq" */
    int64_t max_seq;  /* highest message seq in the page (0: none) */
    int more;
};
typedef void (*page_message_fn)(struct conn *c, int64_t seq, const char *body, const char *end);
void scan_join_page(struct conn *c, const char *p, size_t len, struct join_page *page, page_message_fn each);

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
