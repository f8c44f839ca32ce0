/*
 * The reference's storage: one SQLite connection, WAL, synchronous=FULL, and the message table shaped like
 * hearthd's (primary key (room, seq), unique (room, sender, client_id)). Every statement is prepared once.
 * Runs on the service thread only.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "reference.h"

static sqlite3 *db;
static sqlite3_stmt *insert_stmt, *original_stmt, *last_seq_stmt, *begin_stmt, *commit_stmt, *rollback_stmt;

static int prepare(const char *sql, sqlite3_stmt **stmt) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) == SQLITE_OK) return 0;
    fprintf(stderr, "hearth-reference: %s: %s\n", sql, sqlite3_errmsg(db));
    return -1;
}

static int step_done(sqlite3_stmt *stmt) {
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_open(const char *path) {
    static const char schema[] =
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = FULL;"
        /* The same page cache as hearthd's writer connection (HearthDatabase.writerCacheKiB), so that the two are
           compared on the same storage settings. */
        "PRAGMA cache_size = -16384;"
        "CREATE TABLE IF NOT EXISTS message ("
        "  room TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, sender TEXT NOT NULL, body TEXT NOT NULL,"
        "  client_id TEXT NOT NULL, sent_at INTEGER NOT NULL, PRIMARY KEY (room, seq)) WITHOUT ROWID;"
        "CREATE UNIQUE INDEX IF NOT EXISTS message_client_id ON message (room, sender, client_id);";
    char *error = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "hearth-reference: cannot open %s: %s\n", path, error ? error : sqlite3_errmsg(db));
        return -1;
    }
    if (prepare("INSERT INTO message (room, seq, id, sender, body, client_id, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (room, sender, client_id) DO NOTHING", &insert_stmt) ||
        prepare("SELECT id, seq, sent_at FROM message WHERE room = ? AND sender = ? AND client_id = ?", &original_stmt) ||
        prepare("SELECT coalesce(max(seq), 0) FROM message WHERE room = ?", &last_seq_stmt) ||
        prepare("BEGIN IMMEDIATE", &begin_stmt) || prepare("COMMIT", &commit_stmt) ||
        prepare("ROLLBACK", &rollback_stmt))
        return -1;
    /* Say what the commits cost: synchronous 2 is FULL (an fsync of the WAL per commit). */
    sqlite3_stmt *check;
    if (prepare("PRAGMA synchronous", &check)) return -1;
    int mode = sqlite3_step(check) == SQLITE_ROW ? sqlite3_column_int(check, 0) : -1;
    sqlite3_finalize(check);
    if (mode != 2) {
        fprintf(stderr, "hearth-reference: SQLite refused synchronous=FULL (got %d)\n", mode);
        return -1;
    }
    return 0;
}

int64_t store_last_seq(const char *room) {
    sqlite3_bind_text(last_seq_stmt, 1, room, -1, SQLITE_STATIC);
    int64_t seq = sqlite3_step(last_seq_stmt) == SQLITE_ROW ? sqlite3_column_int64(last_seq_stmt, 0) : 0;
    sqlite3_reset(last_seq_stmt);
    return seq;
}

int store_begin(void) { return step_done(begin_stmt); }
int store_commit(void) { return step_done(commit_stmt); }
void store_rollback(void) { step_done(rollback_stmt); }

int store_insert(struct pending *p, const char *text) {
    const char *room = ref.rooms[p->room].id, *sender = ref.members[p->member].id;
    sqlite3_bind_text(insert_stmt, 1, room, -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert_stmt, 2, p->seq);
    sqlite3_bind_text(insert_stmt, 3, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_stmt, 4, sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_stmt, 5, text + p->body, (int)p->body_len, SQLITE_STATIC);
    sqlite3_bind_text(insert_stmt, 6, text + p->client_id, (int)p->client_id_len, SQLITE_STATIC);
    sqlite3_bind_int64(insert_stmt, 7, p->sent_at_ms);
    if (step_done(insert_stmt)) {
        fprintf(stderr, "hearth-reference: insert failed: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_changes(db) == 1) return 1;
    /* Nothing inserted: a repeat. Only now look the original up. */
    sqlite3_bind_text(original_stmt, 1, room, -1, SQLITE_STATIC);
    sqlite3_bind_text(original_stmt, 2, sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(original_stmt, 3, text + p->client_id, (int)p->client_id_len, SQLITE_STATIC);
    int found = sqlite3_step(original_stmt) == SQLITE_ROW;
    if (found) {
        snprintf(p->id, sizeof p->id, "%s", (const char *)sqlite3_column_text(original_stmt, 0));
        p->seq = sqlite3_column_int64(original_stmt, 1);
        p->sent_at_ms = sqlite3_column_int64(original_stmt, 2);
    }
    sqlite3_reset(original_stmt);
    return found ? 0 : -1;
}
