/*
 * hearth-reference: the physical limit of Hearth's stack on this machine, to measure hearthd against
 * (bench-only: `hearth-bench compare` runs it next to hearthd; nobody deploys it; docs/PERFORMANCE.md).
 *
 * What it is. One libwebsockets server context and one service thread, on the event loop hearthd uses by default
 * (libev; --event-loop poll|libev|libuv), speaking just enough of Hearth's wire protocol (docs/PROTOCOL.md) for
 * hearth-load's connect, paced and throughput modes:
 *   hello {token}                  -> welcome   (the token is looked up in the members file hearth-load reads)
 *   join {room[, after_seq]}       -> joined    (an empty page; "seq" is the room's last seq)
 *   send {room, client_id, body}   -> persist, then ack to the sender and message to every connection in the
 *                                     room, the sender's included (as hearthd does; the ack first)
 * Persist then deliver: the sends of one loop turn are committed in ONE SQLite transaction (WAL,
 * synchronous=FULL) when the turn's events are handled, by a prepared INSERT ... ON CONFLICT DO NOTHING against
 * UNIQUE(room, sender, client_id); a repeated client_id gets the original's ack and delivers nothing. Frames have
 * hearthd's keys, sorted, compact, so hearth-load reads them exactly as it reads hearthd's. A frame is built once
 * and copied, with its RFC 6455 header, into each recipient's send buffer; a connection asks lws for a writable
 * callback only when its buffer goes from empty to non-empty, and writes all it holds with one raw lws_write.
 *
 * What it is not: a Hearth server. No schedule, roles, access rules, rate limits, crisis scan, moderation,
 * history or resume pages (a join always answers an empty page), presence, `ref` echo, per-connection limits or
 * origin checks; a connection is in at most one room and everyone is a participant. Requests are not parsed as
 * JSON: fields are found by substring search (as hearth-load does), so requests must be compact JSON (no space
 * after a colon, as hearth-load writes them), and strings stay in their escaped JSON form, stored so too. SQLite runs on the service thread, so each commit's fsync blocks the loop (hearthd commits
 * on a writer thread). SIGTERM ends it at once; what was committed stays committed.
 */
#ifndef HEARTH_REFERENCE_H
#define HEARTH_REFERENCE_H

#include <libwebsockets.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes waiting for a socket: data is p[LWS_PRE .. LWS_PRE + len), with lws' headroom in front. */
struct outbuf {
    unsigned char *p;
    size_t len, cap;
};

/* A person of the members file ("token room" per line). Ids and names are made up, shaped like hearthd's. */
struct member {
    char *token;
    int room;
    char id[24];   /* "p_" + 20 digits */
    char name[32]; /* "Member R-M" */
};

struct conn;

struct room {
    char *id;
    int64_t seq;         /* the last committed seq */
    struct conn **conns; /* connections joined to it */
    int nconns, cap;
    int size;            /* members in the members file */
};

/* One WebSocket connection; lws allocates it (per_session_data_size) and zeroes it. */
struct conn {
    struct lws *wsi;
    int member;  /* index + 1 once it said hello; 0 before */
    int room;    /* index + 1 once joined; 0 before */
    int slot;    /* its place in room->conns */
    int close_code; /* set: close with it once the buffer is written */
    struct outbuf out;
    unsigned char *rx; /* a request split over several receive chunks, gathered */
    size_t rx_len, rx_cap;
};

/* A send accepted this loop turn, waiting for the turn's commit. Strings live in the batch's text arena. */
struct pending {
    struct conn *from; /* NULL once the connection closed: nobody to ack */
    int member, room;
    size_t client_id, client_id_len, body, body_len; /* offsets into the arena */
    int inserted;      /* stored by this commit (else a repeat: ack the original) */
    int64_t seq, sent_at_ms;
    char id[20];
};

struct batch {
    struct pending *v;
    size_t n, cap;
    char *text;
    size_t text_len, text_cap;
};

struct reference {
    struct member *members;
    int nmembers;
    struct room *rooms;
    int nrooms;
    int *token_slots, ntoken_slots; /* open addressing: member index + 1 by token */
    struct lws_context *ctx;
    lws_sorted_usec_list_t turn_end; /* fires once the current loop turn's events are handled */
    int turn_end_scheduled;
    struct batch batch;
    struct outbuf frame; /* the frame being built (its LWS_PRE headroom unused) */
    uint32_t id_prefix;  /* message ids: start time, then a counter */
    uint32_t id_counter;
};

extern struct reference ref;

/* main.c */
void conn_send(struct conn *c, const unsigned char *frame, size_t len);
void conn_close_after_send(struct conn *c, int code);
int room_by_id(const char *id, size_t len);

/* protocol.c */
void handle_request(struct conn *c, const char *p, size_t len);
void batch_forget(struct conn *c);
void room_leave(struct conn *c);

/* store.c */
int store_open(const char *path);
int64_t store_last_seq(const char *room);
int store_begin(void);
/* 1: inserted; 0: the (room, sender, client_id) was stored before, and p->id/seq/sent_at_ms now hold the
 * original's; -1: failed. */
int store_insert(struct pending *p, const char *text);
int store_commit(void);
void store_rollback(void);

#endif
