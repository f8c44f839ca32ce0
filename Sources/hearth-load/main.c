/*
 * hearth-load MODE [options]: drives many hearthd connections from a few threads and prints one line of
 * key=value figures per measured phase. See load.h for the design; `hearth-bench scenarios` runs it.
 *
 * Modes:
 *   connect        every member connects at once, says hello, joins; time from the first connect to the last joined
 *   hello-latency  --samples members, --concurrency at a time: hello -> welcome on fresh connections
 *   idle           like connect, then prints "wait=hold" and keeps the connections until a line arrives on stdin
 *   storm          like connect (and "wait=rss" with --hold), then --senders members post numbered messages;
 *                  prints "wait=kill" while they post, and expects "go" on stdin once the server was killed and
 *                  restarted: every connection then reconnects at once and resumes with after_seq. Prints how
 *                  long until all are back, and whether every acknowledged message reached every member once.
 *   paced          like connect, then --rate messages a second (all members together) for --seconds;
 *                  send-to-delivery latency percentiles
 *   throughput     like connect, then every member sends --messages as fast as a --window of unacknowledged
 *                  sends allows; deliveries (each message reaching each member of its room, the sender's own
 *                  copy included, as hearthd delivers it) per second from the first send to the last delivery,
 *                  send-to-delivery latency percentiles, and every message checked to arrive once at every member
 * paced and throughput with --hold print "wait=send" before sending and "wait=sent" once everything arrived, and
 * wait for a line on stdin at each (so whoever started them can read the server's CPU time over the phase).
 *
 * The members file has one "token room" per line (hearth-bench writes it from the --demo-manifest).
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
#include <unistd.h>

#include "load.h"

struct shared g;

static void usage(void) {
    fprintf(stderr,
            "usage: hearth-load connect|hello-latency|idle|storm|paced|throughput --members FILE [options]\n"
            "  --members FILE      one \"token room\" per line\n"
            "  --host H --port P   the server (127.0.0.1:8080); --path /ws\n"
            "  --threads N         worker threads, one lws context each (2)\n"
            "  --event-loop L      uv (epoll, the default) or poll\n"
            "  --count N           use the first N members (all)\n"
            "  --timeout S         seconds allowed for each phase (60)\n"
            "  hello-latency: --samples N (200) --concurrency N (1)\n"
            "  paced:         --rate MSG_PER_S (150) --seconds S (20) --body-bytes N (100) --hold\n"
            "  throughput:    --messages N (200) --window W (2) --body-bytes N (100) --hold\n"
            "  storm:         --senders N (20) --messages N (20) --interval-ms N (50) --hold\n"
            "  --verbose       log every refused connect and error frame\n");
    exit(2);
}

static void fail(const char *what) {
    fprintf(stderr, "hearth-load: %s\n", what);
    exit(1);
}

static void parse_options(int argc, char **argv) {
    struct options *o = &g.opt;
    o->host = "127.0.0.1";
    o->port = 8080;
    o->path = "/ws";
    o->threads = 2;
    o->samples = 200;
    o->concurrency = 1;
    o->rate = 150;
    o->seconds = 20;
    o->body_bytes = 100;
    o->senders = 20;
    o->messages = 0; /* the mode's default: 20 (storm) or 200 (throughput) */
    o->window = 2;
    o->interval_ms = 50;
    o->timeout = 60;
    o->libuv = 1;
    if (argc < 2) usage();
    const char *mode = argv[1];
    if (!strcmp(mode, "connect")) o->mode = MODE_CONNECT;
    else if (!strcmp(mode, "hello-latency")) o->mode = MODE_HELLO;
    else if (!strcmp(mode, "idle")) o->mode = MODE_IDLE;
    else if (!strcmp(mode, "storm")) o->mode = MODE_STORM;
    else if (!strcmp(mode, "paced")) o->mode = MODE_PACED;
    else if (!strcmp(mode, "throughput")) o->mode = MODE_THROUGHPUT;
    else usage();
    static const struct option longs[] = {
        {"members", 1, 0, 'm'}, {"host", 1, 0, 'h'}, {"port", 1, 0, 'p'}, {"path", 1, 0, 'P'},
        {"threads", 1, 0, 't'}, {"count", 1, 0, 'n'}, {"samples", 1, 0, 's'}, {"concurrency", 1, 0, 'c'},
        {"rate", 1, 0, 'r'}, {"seconds", 1, 0, 'S'}, {"body-bytes", 1, 0, 'b'}, {"senders", 1, 0, 'x'},
        {"messages", 1, 0, 'M'}, {"interval-ms", 1, 0, 'i'}, {"hold", 0, 0, 'H'}, {"timeout", 1, 0, 'T'},
        {"verbose", 0, 0, 'v'}, {"event-loop", 1, 0, 'e'}, {"window", 1, 0, 'w'}, {0, 0, 0, 0},
    };
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (ch) {
        case 'm': o->members_file = optarg; break;
        case 'h': o->host = optarg; break;
        case 'p': o->port = atoi(optarg); break;
        case 'P': o->path = optarg; break;
        case 't': o->threads = atoi(optarg); break;
        case 'n': o->count = atoi(optarg); break;
        case 's': o->samples = atoi(optarg); break;
        case 'c': o->concurrency = atoi(optarg); break;
        case 'r': o->rate = atof(optarg); break;
        case 'S': o->seconds = atof(optarg); break;
        case 'b': o->body_bytes = atoi(optarg); break;
        case 'x': o->senders = atoi(optarg); break;
        case 'M': o->messages = atoi(optarg); break;
        case 'i': o->interval_ms = atoi(optarg); break;
        case 'H': o->hold = 1; break;
        case 'T': o->timeout = atof(optarg); break;
        case 'v': o->verbose = 1; break;
        case 'w': o->window = atoi(optarg); break;
        case 'e':
            if (!strcmp(optarg, "uv")) o->libuv = 1;
            else if (!strcmp(optarg, "poll")) o->libuv = 0;
            else fail("--event-loop is uv or poll");
            break;
        default: usage();
        }
    }
    if (!o->members_file) fail("--members FILE is required");
    if (o->threads < 1 || o->threads > 64) fail("--threads must be 1 to 64");
    if (o->port < 1 || o->port > 65535) fail("--port must be 1 to 65535");
    if (o->samples < 1 || o->concurrency < 1) fail("--samples and --concurrency must be at least 1");
    if (o->rate <= 0 || o->seconds <= 0 || o->timeout <= 0) fail("--rate, --seconds and --timeout must be positive");
    if (o->body_bytes < 24 || o->body_bytes > 2000) fail("--body-bytes must be 24 to 2000");
    if (o->messages == 0) o->messages = o->mode == MODE_THROUGHPUT ? 200 : 20;
    if (o->mode == MODE_THROUGHPUT && (o->messages < 1 || o->messages > 1000000 || o->window < 1))
        fail("throughput: --messages must be 1 to 1000000, --window at least 1");
    if (o->mode != MODE_THROUGHPUT && (o->senders < 1 || o->messages < 1 || o->messages > 400 || o->interval_ms < 1))
        fail("--senders must be at least 1, --messages 1 to 400 (one join page), --interval-ms at least 1");
}

/* Room ids to small numbers, with a tiny open-addressing table. */
static int room_index(char **names, int *slots, int nslots, const char *room) {
    unsigned h = 2166136261u;
    for (const char *p = room; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    for (int i = (int)(h % (unsigned)nslots);; i = (i + 1) % nslots) {
        if (slots[i] < 0) {
            slots[i] = g.nrooms;
            names[g.nrooms] = (char *)room;
            return g.nrooms++;
        }
        if (!strcmp(names[slots[i]], room)) return slots[i];
    }
}

static void load_members(void) {
    FILE *f = fopen(g.opt.members_file, "r");
    if (!f) {
        fprintf(stderr, "hearth-load: cannot read %s: %s\n", g.opt.members_file, strerror(errno));
        exit(1);
    }
    int cap = 1024;
    g.members = malloc((size_t)cap * sizeof *g.members);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char token[512], room[256];
        if (sscanf(line, "%511s %255s", token, room) != 2) continue;
        if (g.nmembers == cap) g.members = realloc(g.members, (size_t)(cap *= 2) * sizeof *g.members);
        g.members[g.nmembers].token = strdup(token);
        g.members[g.nmembers].room = strdup(room);
        g.nmembers++;
    }
    fclose(f);
    if (g.opt.count > 0 && g.opt.count < g.nmembers) g.nmembers = g.opt.count;
    if (g.nmembers == 0) fail("the members file lists no \"token room\" lines");
    int nslots = g.nmembers * 2 + 1;
    int *slots = malloc((size_t)nslots * sizeof *slots);
    char **names = malloc((size_t)g.nmembers * sizeof *names);
    for (int i = 0; i < nslots; i++) slots[i] = -1;
    for (int i = 0; i < g.nmembers; i++) g.members[i].room_index = room_index(names, slots, nslots, g.members[i].room);
    g.room_size = calloc((size_t)g.nrooms, sizeof *g.room_size);
    g.room_sender = malloc((size_t)g.nrooms * sizeof *g.room_sender);
    for (int i = 0; i < g.nmembers; i++) g.members[i].slot = g.room_size[g.members[i].room_index]++;
    for (int r = 0; r < g.nrooms; r++) g.room_sender[r] = -1;
    free(slots);
    free(names);
}

/* Storm: the first member of --senders rooms, spread over all rooms, sends; every member of those rooms counts
 * the numbered messages it receives. */
static void choose_senders(void) {
    int rooms = g.opt.senders < g.nrooms ? g.opt.senders : g.nrooms;
    int step = g.nrooms / rooms;
    for (int k = 0; k < rooms; k++) {
        int r = k * step;
        for (int i = 0; i < g.nmembers; i++)
            if (g.members[i].room_index == r) { g.room_sender[r] = i; break; }
        g.sender_rooms++;
        g.watchers += g.room_size[r];
    }
}

static struct conn *new_conn(struct worker *w, int index) {
    struct conn *c = calloc(1, sizeof *c);
    c->w = w;
    c->index = index;
    if (g.opt.mode == MODE_STORM) {
        int r = g.members[index].room_index;
        if (g.room_sender[r] >= 0) c->seen = calloc((size_t)g.opt.messages + 1, 1);
        if (g.room_sender[r] == index) {
            c->queue = calloc((size_t)g.opt.messages * 2 + 1, sizeof *c->queue);
            c->acked = calloc((size_t)g.opt.messages + 1, 1);
        }
    }
    if (g.opt.mode == MODE_THROUGHPUT)
        c->got = calloc((size_t)g.room_size[g.members[index].room_index] * (size_t)g.opt.messages, 1);
    w->conns[w->nconns++] = c;
    return c;
}

static void make_workers(void) {
    int total = g.opt.mode == MODE_HELLO ? g.opt.samples : g.nmembers;
    g.nworkers = g.opt.mode == MODE_HELLO ? 1 : g.opt.threads;
    if (g.nworkers > total) g.nworkers = total;
    g.workers = calloc((size_t)g.nworkers, sizeof *g.workers);
    for (int i = 0; i < g.nworkers; i++) {
        g.workers[i].id = i;
        g.workers[i].conns = calloc((size_t)total / (size_t)g.nworkers + 1, sizeof(struct conn *));
    }
    for (int k = 0; k < total; k++) {
        /* hello-latency: samples spread over the members, one per room where possible */
        int index = g.opt.mode == MODE_HELLO ? (int)((long)k * g.nmembers / total) : k;
        new_conn(&g.workers[k % g.nworkers], index);
    }
}

static double seconds_since(uint64_t t0) { return (double)(now_ns() - t0) / 1e9; }

/* Polls `done` every 2 ms for at most `timeout` seconds; says how it goes on stderr every 5 s. */
static int wait_for(int (*done)(void), double timeout, const char *what, int (*progress)(void), int total) {
    uint64_t t0 = now_ns(), next_note = t0 + 5000000000ull;
    struct timespec pause = {0, 2000000};
    while (!done()) {
        if (seconds_since(t0) > timeout) {
            fprintf(stderr, "hearth-load: %s: gave up after %.0f s (%d of %d)\n", what, timeout, progress(), total);
            return 0;
        }
        if (now_ns() > next_note) {
            fprintf(stderr, "hearth-load: %s: %d of %d after %.0f s\n", what, progress(), total, seconds_since(t0));
            next_note += 5000000000ull;
        }
        nanosleep(&pause, NULL);
    }
    return 1;
}

static int joined_now(void) { return atomic_load(&g.joined); }
static int all_joined(void) { return atomic_load(&g.joined) >= g.nmembers; }
static int hellos_now(void) { return atomic_load(&g.hellos_done); }
static int all_hellos(void) { return atomic_load(&g.hellos_done) >= g.opt.samples; }
static int resumed_now(void) { return atomic_load(&g.resumed); }
static int all_resumed(void) { return atomic_load(&g.resumed) >= g.nmembers; }
static int open_now(void) { return atomic_load(&g.open); }
static int none_open(void) { return atomic_load(&g.open) == 0; }
static int storm_checked_now(void) { return atomic_load(&g.senders_done) + atomic_load(&g.watchers_done); }
static int storm_checked(void) {
    return atomic_load(&g.senders_done) >= g.sender_rooms && atomic_load(&g.watchers_done) >= g.watchers;
}
/* Sums a per-worker counter (the workers' counters are atomics: each worker adds, only main reads). */
#define SUM_OF(field)                                                                                                  \
    static long sum_##field(void) {                                                                                    \
        long n = 0;                                                                                                    \
        for (int i = 0; i < g.nworkers; i++) n += atomic_load(&g.workers[i].field);                                    \
        return n;                                                                                                      \
    }
SUM_OF(sent)
SUM_OF(acks)
SUM_OF(deliveries)
SUM_OF(expected)
static int half_sent(void) { return sum_sent() * 2 >= (long)g.sender_rooms * g.opt.messages; }
static int all_delivered(void) { return sum_deliveries() >= sum_expected() && sum_acks() >= sum_sent(); }
static int sent_now(void) { return (int)sum_sent(); }
static int delivered_now(void) { return (int)sum_deliveries(); }

static uint64_t last_joined(void) {
    uint64_t t = 0;
    for (int i = 0; i < g.nworkers; i++) {
        uint64_t v = atomic_load(&g.workers[i].last_joined_ns);
        if (v > t) t = v;
    }
    return t;
}

/* Sets the phase, wakes every worker and waits until each has acted on it (at most 5 s). */
static void set_phase(int phase) {
    atomic_store(&g.phase, phase);
    for (int i = 0; i < g.nworkers; i++) worker_wake(&g.workers[i]);
    uint64_t t0 = now_ns();
    struct timespec pause = {0, 1000000};
    for (int i = 0; i < g.nworkers; i++)
        while (atomic_load(&g.workers[i].synced_phase) != phase && seconds_since(t0) < 5) nanosleep(&pause, NULL);
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Merges the workers' samples (hello: hello -> welcome of the phase that ended last; else send -> delivery) and
 * writes "<prefix>_p50_ms=... ". Called only while the workers leave these samples alone: after a phase change
 * every worker has acted on (hello_done), or after the workers stopped (msg_lat). */
static void print_percentiles(const char *prefix, int hello, int with_p999) {
    struct samples all = {0};
    for (int i = 0; i < g.nworkers; i++) {
        struct worker *w = &g.workers[i];
        struct samples *s = hello ? &w->hello_done : &w->msg_lat;
        for (size_t k = 0; k < s->n; k++) samples_add(&all, s->v[k]);
    }
    if (all.n == 0) {
        printf(" %s_samples=0", prefix);
        return;
    }
    qsort(all.v, all.n, sizeof *all.v, compare_u64);
#define AT(p) ((double)all.v[(size_t)((double)(all.n - 1) * (p) + 0.5)] / 1e6)
    printf(" %s_samples=%zu %s_p50_ms=%.3f %s_p99_ms=%.3f", prefix, all.n, prefix, AT(0.5), prefix, AT(0.99));
    if (with_p999) printf(" %s_p999_ms=%.3f", prefix, AT(0.999));
    printf(" %s_max_ms=%.3f", prefix, AT(1.0));
#undef AT
    free(all.v);
}

/* CPU seconds this process has used so far (all threads), to show the generator is not the bottleneck. */
static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void print_counts(void) {
    printf(" closes_4001=%d hello_timeouts=%d other_closes=%d reconnects=%d connect_failures=%d error_frames=%d",
           atomic_load(&g.closes_4001), atomic_load(&g.hello_timeouts), atomic_load(&g.other_closes),
           atomic_load(&g.reconnects), atomic_load(&g.failures), atomic_load(&g.errors));
}

/* Reads one line from whoever started us; EOF counts as "stop". */
static int await_line(const char *wait_name, char *line, size_t cap) {
    printf("wait=%s\n", wait_name);
    fflush(stdout);
    return fgets(line, (int)cap, stdin) != NULL;
}

/* The connect phase every mode but hello-latency starts with; prints its line. */
static int connect_phase(const char *name, uint64_t t0) {
    int ok = wait_for(all_joined, g.opt.timeout, name, joined_now, g.nmembers);
    set_phase(PHASE_HOLD);
    uint64_t last = last_joined();
    double seconds = ok && last > t0 ? (double)(last - t0) / 1e9 : seconds_since(t0);
    printf("mode=%s members=%d rooms=%d threads=%d event_loop=%s joined=%d complete=%d seconds=%.3f", name,
           g.nmembers, g.nrooms, g.nworkers, g.opt.libuv ? "uv" : "poll", atomic_load(&g.joined), ok, seconds);
    print_percentiles("hello", 1, 0);
    print_counts();
    printf(" load_cpu_s=%.2f\n", cpu_seconds());
    fflush(stdout);
    return ok;
}

static void storm(uint64_t t0) {
    char line[64];
    int joined = connect_phase("storm-join", t0);
    if (g.opt.hold && !await_line("rss", line, sizeof line)) return;
    if (!joined) return; /* a storm needs everyone in first */
    set_phase(PHASE_SEND);
    wait_for(half_sent, g.opt.timeout, "storm: first half of the numbered messages", sent_now,
             g.sender_rooms * g.opt.messages / 2);
    /* From here on a lost connection waits for "go". The senders keep posting until the kill takes them down. */
    set_phase(PHASE_DOWN);
    if (!await_line("kill", line, sizeof line)) return;
    wait_for(none_open, 5, "storm: connections still open after the kill", open_now, 0);
    long sent_before = sum_sent(), acked_before = sum_acks();
    int closes_before = atomic_load(&g.closes_4001), timeouts_before = atomic_load(&g.hello_timeouts);
    int reconnects_before = atomic_load(&g.reconnects), failures_before = atomic_load(&g.failures);
    uint64_t go = now_ns();
    set_phase(PHASE_RESUME);
    int back = wait_for(all_resumed, g.opt.timeout, "storm: members back", resumed_now, g.nmembers);
    uint64_t last = last_joined();
    double back_seconds = back && last > go ? (double)(last - go) / 1e9 : seconds_since(go);
    int checked = wait_for(storm_checked, back ? 10 : 1, "storm: numbered messages acknowledged and delivered",
                           storm_checked_now, g.sender_rooms + g.watchers);
    struct timespec settle = {0, 300000000}; /* a repeat would arrive right behind the first copy */
    nanosleep(&settle, NULL);
    set_phase(PHASE_STOP);
    for (int i = 0; i < g.nworkers; i++) worker_wake(&g.workers[i]);
    for (int i = 0; i < g.nworkers; i++) pthread_join(g.workers[i].thread, NULL);
    /* Every acknowledged message must have reached every member of its room exactly once. */
    long lost = 0, repeated = 0, acked = 0, unacked = 0;
    for (int i = 0; i < g.nworkers; i++)
        for (int k = 0; k < g.workers[i].nconns; k++) {
            struct conn *c = g.workers[i].conns[k];
            if (!c->seen) continue;
            int sender = g.room_sender[g.members[c->index].room_index];
            struct conn *s = NULL;
            for (int j = 0; j < g.nworkers && !s; j++)
                for (int q = 0; q < g.workers[j].nconns; q++)
                    if (g.workers[j].conns[q]->index == sender) { s = g.workers[j].conns[q]; break; }
            for (int n = 1; n <= g.opt.messages; n++) {
                if (c->seen[n] > 1) repeated += c->seen[n] - 1;
                if (s && s->acked[n] && c->seen[n] == 0) lost++;
            }
            if (c == s)
                for (int n = 1; n <= g.opt.messages; n++) s->acked[n] ? acked++ : unacked++;
        }
    printf("mode=storm members=%d back=%d complete=%d seconds=%.3f", g.nmembers, atomic_load(&g.resumed), back,
           back_seconds);
    print_percentiles("hello", 1, 0); /* PHASE_STOP handed over the resume's samples */
    printf(" closes_4001=%d hello_timeouts=%d reconnects=%d connect_failures=%d",
           atomic_load(&g.closes_4001) - closes_before, atomic_load(&g.hello_timeouts) - timeouts_before,
           atomic_load(&g.reconnects) - reconnects_before, atomic_load(&g.failures) - failures_before);
    printf(" senders=%d messages_each=%d watchers=%d sent_before_kill=%ld acked_before_kill=%ld acked=%ld unacked=%ld"
           " lost=%ld repeated=%ld verified=%d load_cpu_s=%.2f\n",
           g.sender_rooms, g.opt.messages, g.watchers, sent_before, acked_before, acked, unacked, lost, repeated,
           checked, cpu_seconds());
    fflush(stdout);
}

static void paced(uint64_t t0) {
    char line[64];
    if (!connect_phase("paced-join", t0)) return;
    if (g.opt.hold && !await_line("send", line, sizeof line)) return;
    uint64_t start = now_ns();
    set_phase(PHASE_SEND);
    struct timespec pause = {(time_t)g.opt.seconds, (long)((g.opt.seconds - (double)(time_t)g.opt.seconds) * 1e9)};
    nanosleep(&pause, NULL);
    set_phase(PHASE_DRAIN);
    double send_seconds = seconds_since(start);
    int drained = wait_for(all_delivered, 10, "paced: deliveries after the last send", delivered_now,
                           (int)sum_expected());
    if (g.opt.hold) await_line("sent", line, sizeof line); /* the connections stay open meanwhile */
    set_phase(PHASE_STOP);
    for (int i = 0; i < g.nworkers; i++) pthread_join(g.workers[i].thread, NULL);
    printf("mode=paced members=%d rate=%.1f seconds=%.2f sent=%ld acked=%ld deliveries=%ld expected=%ld complete=%d",
           g.nmembers, g.opt.rate, send_seconds, sum_sent(), sum_acks(), sum_deliveries(), sum_expected(), drained);
    print_percentiles("latency", 0, 1);
    print_counts();
    printf(" load_cpu_s=%.2f\n", cpu_seconds());
    fflush(stdout);
}

static int throughput_done(void) {
    return sum_deliveries() >= g.throughput_expected && sum_acks() >= (long)g.nmembers * g.opt.messages;
}

static uint64_t last_delivery(void) {
    uint64_t t = 0;
    for (int i = 0; i < g.nworkers; i++) {
        uint64_t v = atomic_load(&g.workers[i].last_delivery_ns);
        if (v > t) t = v;
    }
    return t;
}

static void throughput(uint64_t t0) {
    char line[64];
    if (!connect_phase("throughput-join", t0)) return;
    if (g.opt.hold && !await_line("send", line, sizeof line)) return;
    uint64_t start = now_ns();
    set_phase(PHASE_SEND);
    int done = wait_for(throughput_done, g.opt.timeout, "throughput: deliveries", delivered_now,
                        (int)g.throughput_expected);
    uint64_t last = last_delivery();
    double seconds = done && last > start ? (double)(last - start) / 1e9 : seconds_since(start);
    set_phase(PHASE_DRAIN);
    struct timespec settle = {0, 200000000}; /* a repeat would arrive right behind the first copy */
    nanosleep(&settle, NULL);
    if (g.opt.hold) await_line("sent", line, sizeof line);
    set_phase(PHASE_STOP);
    for (int i = 0; i < g.nworkers; i++) pthread_join(g.workers[i].thread, NULL);
    /* Every message a member wrote must have reached every member of its room exactly once. */
    int *written = calloc((size_t)g.nmembers, sizeof *written);
    for (int i = 0; i < g.nworkers; i++)
        for (int k = 0; k < g.workers[i].nconns; k++) written[g.workers[i].conns[k]->index] = g.workers[i].conns[k]->next;
    long lost = 0, duplicates = 0;
    for (int i = 0; i < g.nworkers; i++)
        for (int k = 0; k < g.workers[i].nconns; k++) {
            struct conn *c = g.workers[i].conns[k];
            for (int sender = 0; sender < g.nmembers; sender++) {
                if (g.members[sender].room_index != g.members[c->index].room_index) continue;
                const uint8_t *got = c->got + (size_t)g.members[sender].slot * (size_t)g.opt.messages;
                for (int n = 0; n < g.opt.messages; n++) {
                    if (got[n] > 1) duplicates += got[n] - 1;
                    if (n < written[sender] && got[n] == 0) lost++;
                }
            }
        }
    free(written);
    long deliveries = sum_deliveries();
    printf("mode=throughput members=%d rooms=%d messages_each=%d window=%d body_bytes=%d sent=%ld acked=%ld"
           " deliveries=%ld expected=%ld complete=%d seconds=%.3f deliveries_per_s=%.0f messages_per_s=%.0f",
           g.nmembers, g.nrooms, g.opt.messages, g.opt.window, g.opt.body_bytes, sum_sent(), sum_acks(), deliveries,
           g.throughput_expected, done, seconds, (double)deliveries / seconds, (double)sum_sent() / seconds);
    print_percentiles("latency", 0, 1);
    printf(" lost=%ld duplicates=%ld", lost, duplicates);
    print_counts();
    printf(" load_cpu_s=%.2f\n", cpu_seconds());
    fflush(stdout);
}

int main(int argc, char **argv) {
    parse_options(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    /* Thousands of sockets: raise the descriptor limit to the hard limit. */
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    getrlimit(RLIMIT_NOFILE, &lim);
    load_members();
    if ((rlim_t)g.nmembers + 64 > lim.rlim_cur) {
        fprintf(stderr, "hearth-load: %d connections need more file descriptors than the limit (%llu)\n", g.nmembers,
                (unsigned long long)lim.rlim_cur);
        return 1;
    }
    if (g.opt.mode == MODE_STORM) choose_senders();
    if (g.opt.mode == MODE_THROUGHPUT)
        for (int i = 0; i < g.nmembers; i++) g.throughput_expected += (long)g.opt.messages * g.room_size[g.members[i].room_index];
    g.run_id = (unsigned)(getpid() ^ (unsigned)time(NULL)) & 0x3fffffff;
    if (g.run_id == 0) g.run_id = 1;
    srand(g.run_id);
    lws_set_log_level(g.opt.verbose ? LLL_ERR | LLL_WARN : LLL_ERR, NULL);
    make_workers();
    atomic_store(&g.phase, PHASE_CONNECT);
    uint64_t t0 = now_ns();
    for (int i = 0; i < g.nworkers; i++)
        if (worker_start(&g.workers[i]))
            fail(g.opt.libuv ? "cannot create an lws client context on libuv (is libwebsockets-evlib-uv installed? "
                               "or use --event-loop poll)"
                             : "cannot create an lws client context or thread");

    char line[64];
    switch (g.opt.mode) {
    case MODE_CONNECT:
        connect_phase("connect", t0);
        break;
    case MODE_IDLE:
        connect_phase("idle", t0);
        await_line("hold", line, sizeof line); /* even when not all joined: the memory is still worth reading */
        break;
    case MODE_HELLO: {
        int ok = wait_for(all_hellos, g.opt.timeout, "hello-latency", hellos_now, g.opt.samples);
        set_phase(PHASE_HOLD);
        printf("mode=hello-latency members=%d samples_asked=%d concurrency=%d complete=%d seconds=%.3f", g.nmembers,
               g.opt.samples, g.opt.concurrency, ok, seconds_since(t0));
        print_percentiles("hello", 1, 0);
        print_counts();
        printf(" load_cpu_s=%.2f\n", cpu_seconds());
        fflush(stdout);
        break;
    }
    case MODE_STORM:
        storm(t0);
        break;
    case MODE_PACED:
        paced(t0);
        break;
    case MODE_THROUGHPUT:
        throughput(t0);
        break;
    }
    if (atomic_load(&g.phase) != PHASE_STOP) {
        set_phase(PHASE_STOP);
        for (int i = 0; i < g.nworkers; i++) pthread_join(g.workers[i].thread, NULL);
    }
    for (int i = 0; i < g.nworkers; i++) worker_destroy(&g.workers[i]);
    return 0;
}
