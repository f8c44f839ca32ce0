/*
 * The reference's protocol: requests found by substring search, frames written by hand with hearthd's keys in
 * hearthd's (alphabetical) order, and the loop turn's batch: commit, then ack and fan out. Service thread only.
 *
 * A pattern such as "room":" begins with a quote and ends with one after the colon, so it cannot match inside a
 * JSON string (where every quote is escaped as \"): it finds only a real key.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reference.h"

/* ---- Reading requests ---- */

/* The raw (still escaped) string value after `key` ("\"room\":\""), or NULL. */
static const char *string_field(const char *p, size_t len, const char *key, size_t *value_len) {
    size_t k = strlen(key);
    const char *at = memmem(p, len, key, k);
    if (!at) return NULL;
    const char *start = at + k, *end = p + len, *q = start;
    while (q < end && *q != '"') q += (*q == '\\') ? 2 : 1;
    if (q >= end) return NULL;
    *value_len = (size_t)(q - start);
    return start;
}

static int is(const char *s, size_t len, const char *word) { return len == strlen(word) && !memcmp(s, word, len); }

/* ---- Writing frames into ref.frame ---- */

static void put(const void *s, size_t n) {
    struct outbuf *f = &ref.frame;
    if (f->len + n > f->cap) {
        f->cap = (f->len + n) * 2;
        f->p = realloc(f->p, LWS_PRE + f->cap);
        if (!f->p) { fprintf(stderr, "hearth-reference: out of memory\n"); exit(1); }
    }
    memcpy(f->p + LWS_PRE + f->len, s, n);
    f->len += n;
}

static void puts_(const char *s) { put(s, strlen(s)); }

static void put_int(int64_t v) {
    char digits[24];
    put(digits, (size_t)snprintf(digits, sizeof digits, "%lld", (long long)v));
}

static void put_member(const struct member *m) {
    puts_("{\"id\":\"");
    puts_(m->id);
    puts_("\",\"name\":\"");
    puts_(m->name);
    puts_("\",\"role\":\"participant\"}");
}

/* "2026-11-22T08:40:52.461Z" (UTC, milliseconds), the date and time part formatted once a second. */
static void put_ts(int64_t ms) {
    static int64_t cached_second = -1;
    static char prefix[24];
    int64_t second = ms / 1000;
    if (second != cached_second) {
        time_t t = (time_t)second;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_second = second;
    }
    char out[32];
    int n = snprintf(out, sizeof out, "\"%s.%03dZ\"", prefix, (int)(ms % 1000));
    put(out, (size_t)n);
}

static void frame_start(void) { ref.frame.len = 0; }

static void frame_send(struct conn *c) { conn_send(c, ref.frame.p + LWS_PRE, ref.frame.len); }

static void send_error(struct conn *c, const char *code, const char *message) {
    frame_start();
    puts_("{\"code\":\"");
    puts_(code);
    puts_("\",\"message\":\"");
    puts_(message);
    puts_("\",\"type\":\"error\"}");
    frame_send(c);
}

/* ---- Requests ---- */

static void on_hello(struct conn *c, const char *p, size_t len) {
    size_t n;
    const char *token = string_field(p, len, "\"token\":\"", &n);
    if (c->member) return send_error(c, "bad_request", "This connection has already said hello.");
    if (!token) return send_error(c, "bad_request", "\\\"hello\\\" needs the field \\\"token\\\".");
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)token[i]) * 16777619u;
    for (int i = (int)(h % (unsigned)ref.ntoken_slots); ref.token_slots[i]; i = (i + 1) % ref.ntoken_slots) {
        struct member *m = &ref.members[ref.token_slots[i] - 1];
        if (strlen(m->token) == n && !memcmp(m->token, token, n)) {
            c->member = ref.token_slots[i];
            frame_start();
            puts_("{\"rooms\":[],\"server\":\"hearth-reference\",\"type\":\"welcome\",\"user\":");
            put_member(m);
            puts_("}");
            return frame_send(c);
        }
    }
    send_error(c, "unauthorized", "This token is not valid. Ask your counselor for a new invitation.");
    conn_close_after_send(c, 4001);
}

void room_leave(struct conn *c) {
    if (!c->room) return;
    struct room *r = &ref.rooms[c->room - 1];
    struct conn *last = r->conns[--r->nconns];
    r->conns[c->slot] = last;
    last->slot = c->slot;
    c->room = 0;
}

static void on_join(struct conn *c, const char *p, size_t len) {
    size_t n;
    const char *id = string_field(p, len, "\"room\":\"", &n);
    if (!c->member) return send_error(c, "unauthorized", "Say hello first.");
    if (!id) return send_error(c, "bad_request", "\\\"join\\\" needs the field \\\"room\\\".");
    int room = room_by_id(id, n);
    if (room < 0) return send_error(c, "not_found", "There is no such room.");
    if (ref.members[c->member - 1].room != room) return send_error(c, "forbidden", "You are not on the list for this session.");
    struct room *r = &ref.rooms[room];
    if (c->room != room + 1) {
        room_leave(c);
        if (r->nconns == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 16;
            r->conns = realloc(r->conns, (size_t)r->cap * sizeof *r->conns);
            if (!r->conns) { fprintf(stderr, "hearth-reference: out of memory\n"); exit(1); }
        }
        c->slot = r->nconns;
        r->conns[r->nconns++] = c;
        c->room = room + 1;
    }
    frame_start();
    puts_("{\"members\":[],\"messages\":[],\"more\":false,\"open\":true,\"paused\":false,\"role\":\"participant\",\"room\":\"");
    puts_(r->id);
    puts_("\",\"seq\":");
    put_int(r->seq);
    puts_(",\"type\":\"joined\"}");
    frame_send(c);
}

static void turn_ended(lws_sorted_usec_list_t *sul);

static size_t arena_add(const char *s, size_t n) {
    struct batch *b = &ref.batch;
    if (b->text_len + n > b->text_cap) {
        b->text_cap = (b->text_len + n) * 2;
        b->text = realloc(b->text, b->text_cap);
        if (!b->text) { fprintf(stderr, "hearth-reference: out of memory\n"); exit(1); }
    }
    memcpy(b->text + b->text_len, s, n);
    b->text_len += n;
    return b->text_len - n;
}

static void on_send(struct conn *c, const char *p, size_t len) {
    size_t room_len, client_id_len, body_len;
    const char *room = string_field(p, len, "\"room\":\"", &room_len);
    const char *client_id = string_field(p, len, "\"client_id\":\"", &client_id_len);
    const char *body = string_field(p, len, "\"body\":\"", &body_len);
    if (!c->member) return send_error(c, "unauthorized", "Say hello first.");
    if (!room || !client_id || !body) return send_error(c, "bad_request", "\\\"send\\\" needs room, client_id and body.");
    if (client_id_len < 1 || client_id_len > 128) return send_error(c, "bad_request", "\\\"client_id\\\" must be 1 to 128 bytes.");
    if (body_len == 0) return send_error(c, "bad_request", "A message cannot be empty.");
    if (!c->room || !is(room, room_len, ref.rooms[c->room - 1].id))
        return send_error(c, "forbidden", "Join the room before sending to it.");
    struct batch *b = &ref.batch;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->v = realloc(b->v, b->cap * sizeof *b->v);
        if (!b->v) { fprintf(stderr, "hearth-reference: out of memory\n"); exit(1); }
    }
    struct pending *e = &b->v[b->n++];
    memset(e, 0, sizeof *e);
    e->from = c;
    e->member = c->member - 1;
    e->room = c->room - 1;
    e->client_id = arena_add(client_id, client_id_len);
    e->client_id_len = client_id_len;
    e->body = arena_add(body, body_len);
    e->body_len = body_len;
    if (!ref.turn_end_scheduled) {
        /* 0 us: after the events lws is handling now (hearthd's group commit waits for the same moment). */
        ref.turn_end_scheduled = 1;
        lws_sul_schedule(ref.ctx, 0, &ref.turn_end, turn_ended, 0);
    }
}

void handle_request(struct conn *c, const char *p, size_t len) {
    size_t n;
    const char *type = string_field(p, len, "\"type\":\"", &n);
    if (!type) send_error(c, "bad_request", "A request needs \\\"type\\\".");
    else if (is(type, n, "send")) on_send(c, p, len);
    else if (is(type, n, "hello")) on_hello(c, p, len);
    else if (is(type, n, "join")) on_join(c, p, len);
    else send_error(c, "bad_request", "The reference server knows hello, join and send only.");
}

/* A closed connection's sends still get committed; only the ack has nowhere to go. */
void batch_forget(struct conn *c) {
    for (size_t i = 0; i < ref.batch.n; i++)
        if (ref.batch.v[i].from == c) ref.batch.v[i].from = NULL;
}

/* ---- The loop turn's batch ---- */

static void put_text(size_t offset, size_t len) { put(ref.batch.text + offset, len); }

static void send_ack(const struct pending *e) {
    frame_start();
    puts_("{\"client_id\":\"");
    put_text(e->client_id, e->client_id_len);
    puts_("\",\"id\":\"");
    puts_(e->id);
    puts_("\",\"room\":\"");
    puts_(ref.rooms[e->room].id);
    puts_("\",\"seq\":");
    put_int(e->seq);
    puts_(",\"ts\":");
    put_ts(e->sent_at_ms);
    puts_(",\"type\":\"ack\"}");
    frame_send(e->from);
}

/* The message frame, built once, copied to every connection in the room. */
static void fan_out(const struct pending *e) {
    struct room *r = &ref.rooms[e->room];
    frame_start();
    puts_("{\"body\":\"");
    put_text(e->body, e->body_len);
    puts_("\",\"client_id\":\"");
    put_text(e->client_id, e->client_id_len);
    puts_("\",\"from\":");
    put_member(&ref.members[e->member]);
    puts_(",\"id\":\"");
    puts_(e->id);
    puts_("\",\"room\":\"");
    puts_(r->id);
    puts_("\",\"seq\":");
    put_int(e->seq);
    puts_(",\"ts\":");
    put_ts(e->sent_at_ms);
    puts_(",\"type\":\"message\"}");
    for (int i = 0; i < r->nconns; i++) frame_send(r->conns[i]);
}

/* Commits the turn's sends in one transaction; only then acks and delivers them. */
static void turn_ended(lws_sorted_usec_list_t *sul) {
    (void)sul;
    struct batch *b = &ref.batch;
    ref.turn_end_scheduled = 0;
    if (b->n == 0) return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    int ok = store_begin() == 0;
    for (size_t i = 0; ok && i < b->n; i++) {
        struct pending *e = &b->v[i];
        e->seq = ref.rooms[e->room].seq + 1;
        e->sent_at_ms = ms;
        snprintf(e->id, sizeof e->id, "m_%08x%08x", ref.id_prefix, ref.id_counter++);
        int rc = store_insert(e, b->text);
        if (rc < 0) ok = 0;
        e->inserted = rc == 1;
        if (e->inserted) ref.rooms[e->room].seq = e->seq;
    }
    if (ok) ok = store_commit() == 0;
    if (!ok) {
        /* Nothing of this turn was stored: give the seqs back and tell the senders to send again. */
        store_rollback();
        for (size_t i = b->n; i-- > 0;) {
            struct pending *e = &b->v[i];
            if (e->inserted) ref.rooms[e->room].seq = e->seq - 1;
            if (e->from) send_error(e->from, "internal", "The message could not be saved. Send it again.");
        }
    } else {
        for (size_t i = 0; i < b->n; i++) {
            struct pending *e = &b->v[i];
            if (e->from) send_ack(e);
            if (e->inserted) fan_out(e);
        }
    }
    b->n = 0;
    b->text_len = 0;
}
