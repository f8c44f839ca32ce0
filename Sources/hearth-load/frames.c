/*
 * Reading hearthd's frames by substring search. Server JSON is compact and escapes every quote inside a string
 * (as \"), so a pattern that begins with a quote, such as "seq": or "type":", can only match a real key, never
 * text inside a message body or a name.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "load.h"

const char *frame_find(const char *p, size_t len, const char *needle) {
    return memmem(p, len, needle, strlen(needle));
}

/* The value of "type":"...". Keys come in alphabetical order, so "type" is near the end: search from there. */
const char *frame_type(const char *p, size_t len, size_t *type_len) {
    static const char key[] = "\"type\":\"";
    const size_t k = sizeof key - 1;
    if (len < k + 1) return NULL;
    for (size_t i = len - k; i-- > 0;) {
        if (p[i] == '"' && memcmp(p + i, key, k) == 0) {
            const char *start = p + i + k;
            const char *end = memchr(start, '"', (size_t)(p + len - start));
            if (!end) return NULL;
            *type_len = (size_t)(end - start);
            return start;
        }
    }
    return NULL;
}

/* The whole number after `key` (e.g. "\"seq\":"), or -1. */
int64_t frame_int(const char *p, size_t len, const char *key) {
    const char *at = frame_find(p, len, key);
    if (!at) return -1;
    at += strlen(key);
    int64_t v = 0;
    const char *end = p + len;
    if (at >= end || *at < '0' || *at > '9') return -1;
    while (at < end && *at >= '0' && *at <= '9') v = v * 10 + (*at++ - '0');
    return v;
}

/* A body hearth-load wrote: "r=<run id>;s=<sender's member index>;n=<number>;t=<send time in ns>;xxxx". Absent
 * fields are left alone; `sender` may be NULL. */
void body_fields(const char *body, const char *end, uint64_t *run, long *number, uint64_t *sent_ns, long *sender) {
    const char *p = body;
    while (p + 2 < end && p[1] == '=') {
        char key = p[0];
        p += 2;
        uint64_t v = 0;
        while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (uint64_t)(*p++ - '0');
        if (key == 'r') *run = v;
        else if (key == 'n') *number = (long)v;
        else if (key == 't') *sent_ns = v;
        else if (key == 's' && sender) *sender = (long)v;
        if (p >= end || *p != ';') break;
        p++;
    }
}

/*
 * A "joined" frame: {"members":[...],"messages":[{..."body":"..",..."seq":4,...},...],"more":false,...,"seq":9,...}.
 * Walks it once, tracking depth and skipping strings, so it can tell the page's own "seq" (depth 1) from each
 * message's (depth 3, inside the "messages" array), and calls `each` for every message.
 */
void scan_join_page(struct conn *c, const char *p, size_t len, struct join_page *page, page_message_fn each) {
    page->boundary = -1;
    page->max_seq = 0;
    page->more = 0;
    int depth = 0;
    /* Inside the page's "messages" array (not "pinned", whose messages are not part of the page). */
    int in_messages = 0;
    const char *body = NULL, *body_end = NULL;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '"') {
            const char *at = p + i;
            size_t left = len - i;
            if (depth == 1) in_messages = left > 11 && memcmp(at, "\"messages\":", 11) == 0;
            if (depth == 3 && !in_messages) {
                /* a pinned message's fields: skipped */
            } else if (depth == 3 && left > 8 && memcmp(at, "\"body\":\"", 8) == 0) {
                body = at + 8;
                body_end = body;
                while (body_end < p + len && *body_end != '"') body_end += (*body_end == '\\') ? 2 : 1;
            } else if (left > 6 && memcmp(at, "\"seq\":", 6) == 0) {
                int64_t v = frame_int(at, left, "\"seq\":");
                if (depth == 1) page->boundary = v;
                else if (depth == 3) {
                    if (v > page->max_seq) page->max_seq = v;
                    /* "body" sorts before "seq" in a message, so the body of this message is known here. */
                    if (each) each(c, v, body, body_end);
                    body = NULL;
                }
            } else if (depth == 1 && left > 11 && memcmp(at, "\"more\":true", 11) == 0) {
                page->more = 1;
            }
            /* Skip the string (key or value) that starts here. */
            for (i++; i < len && p[i] != '"'; i++)
                if (p[i] == '\\') i++;
            continue;
        }
        if (ch == '{' || ch == '[') depth++;
        else if (ch == '}' || ch == ']') depth--;
    }
}
