// SPDX-License-Identifier: GPL-2.0
/*
 * The native reference of `npm run bench`: the record and migrate logic of "[RFC PATCH 2/4] mm: kpromoted"
 * (mm/kpromoted.c as posted, March 2025) in a small user-space harness, fed by a native CSV parser.
 * The kernel functions keep their names and bodies; what the kernel gets from elsewhere is stubbed below:
 *
 *   - the topology is kpromo's default preset 2s-cxl (SPEC 7): node 0 [0, 0x100000) and node 1
 *     [0x100000, 0x200000) DRAM with CPUs (top tier, a kpromoted daemon each), node 2 [0x200000, 0x400000)
 *     CXL memory without CPUs; no free-page budgets; every range LRU;
 *   - struct page is one byte per pfn of those ranges saying where a migrated page lives now;
 *   - jiffies is the trace's time; kpromoted%d runs every KPROMOTE_DELAY on the running-maximum clock of
 *     SPEC 2.3 (passes at T0 + k*D before the first record with time >= the pass, one final pass);
 *   - count_vm_event() increments a counter; mutexes are no-ops (one thread).
 *
 * Build: cc -O2 -o kpromoted-harness kpromoted-harness.c
 * Run:   ./kpromoted-harness TRACE.csv   (CSV pfn,nid,src,time with a header; pfn decimal or 0x hex;
 *        src hwhints, pgtscan or a number). Prints the vmstat counters on stdout, like
 *        `kpromo replay --format vmstat`, and "cpu_ms N maxrss_kib N minflt N" on stderr.
 *        ./kpromoted-harness TRACE.csv --engine-alone   parses the whole trace into arrays first, then runs
 *        the record and migrate code over them, and also prints "engine_ms N engine_cpu_ms N" (that part alone,
 *        CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID, in ms with three decimals) on stderr.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define HZ 250
#define MSEC_PER_SEC 1000
#define NUMA_NO_NODE (-1)
#define KPROMOTED_FREQ_WINDOW (5 * MSEC_PER_SEC)
#define KPRMOTED_FREQ_THRESHOLD 2
#define KPROMOTED_HASH_ORDER 16
#define KPROMOTE_DELAY MSEC_PER_SEC
#define HASH_SIZE (1UL << KPROMOTED_HASH_ORDER)
#define GOLDEN_RATIO_64 0x61C8864680B583EBull

/* ---- what the kernel provides ---------------------------------------------------------------- */

static unsigned long jiffies;

static unsigned long msecs_to_jiffies(unsigned int m) { return ((unsigned long)m * HZ + MSEC_PER_SEC - 1) / MSEC_PER_SEC; }

static inline uint32_t hash_64(uint64_t val, unsigned int bits) { return (uint32_t)((val * GOLDEN_RATIO_64) >> (64 - bits)); }
#define hash_min(val, bits) hash_64(val, bits)

enum vm_event_item {
	KPROMOTED_RECORDED_ACCESSES, KPROMOTED_RECORD_HWHINTS, KPROMOTED_RECORD_PGTSCANS, KPROMOTED_RECORD_TOPTIER,
	KPROMOTED_RECORD_ADDED, KPROMOTED_RECORD_EXISTS, KPROMOTED_MIG_RIGHT_NODE, KPROMOTED_MIG_NON_LRU,
	KPROMOTED_MIG_COLD_OLD, KPROMOTED_MIG_COLD_NOT_ACCESSED, KPROMOTED_MIG_CANDIDATE, KPROMOTED_MIG_PROMOTED,
	KPROMOTED_MIG_DROPPED, NUMA_PAGES_MIGRATED, NR_VM_EVENTS
};
static const char *const vmstat_text[NR_VM_EVENTS] = {
	"kpromoted_recorded_accesses", "kpromoted_recorded_hwhints", "kpromoted_recorded_pgtscans",
	"kpromoted_record_toptier", "kpromoted_record_added", "kpromoted_record_exists",
	"kpromoted_mig_right_node", "kpromoted_mig_non_lru", "kpromoted_mig_cold_old",
	"kpromoted_mig_cold_not_accessed", "kpromoted_mig_candidate", "kpromoted_mig_promoted",
	"kpromoted_mig_dropped", "numa_pages_migrated",
};
static unsigned long vm_events[NR_VM_EVENTS];
#define count_vm_event(item) (vm_events[item]++)

/* 2s-cxl: pfn ranges, and where each migrated page lives (0: its range's node, n + 1: node n). */
#define NR_NODES 3
#define MAX_PFN 0x400000UL
static const unsigned long node_start[NR_NODES] = { 0, 0x100000, 0x200000 };
static const unsigned long node_end[NR_NODES] = { 0x100000, 0x200000, 0x400000 };
static const int node_has_cpus[NR_NODES] = { 1, 1, 0 };
static uint8_t page_node[MAX_PFN];

static int pfn_valid(unsigned long pfn) { return pfn < MAX_PFN; }

static int pfn_to_nid(unsigned long pfn)
{
	if (!pfn_valid(pfn))
		return NUMA_NO_NODE;
	if (page_node[pfn])
		return page_node[pfn] - 1;
	for (int nid = 0; nid < NR_NODES; nid++)
		if (pfn >= node_start[nid] && pfn < node_end[nid])
			return nid;
	return NUMA_NO_NODE;
}

/* Tiers: DRAM (adistance 576, tier 4) holds the CPU nodes; CXL (2880, tier 22) is slower. */
static int node_is_toptier(int nid) { return nid == 0 || nid == 1; }

/* migrate_misplaced_folio_prepare() + migrate_misplaced_folio() without budgets: the target has memory. */
static int migrate_to(unsigned long pfn, int target)
{
	if (target < 0 || target >= NR_NODES)
		return 1;
	page_node[pfn] = (uint8_t)(target + 1);
	count_vm_event(NUMA_PAGES_MIGRATED);
	return 0;
}

struct hlist_node { struct hlist_node *next, **pprev; };
struct hlist_head { struct hlist_node *first; };

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;
	n->next = first;
	if (first)
		first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

static inline void hlist_del_init(struct hlist_node *n)
{
	struct hlist_node *next = n->next;
	struct hlist_node **pprev = n->pprev;
	*pprev = next;
	if (next)
		next->pprev = pprev;
	n->next = NULL;
	n->pprev = NULL;
}

/* ---- include/linux/kpromoted.h and mm/kpromoted.c as posted ------------------------------------ */

enum kpromoted_src { KPROMOTED_HW_HINTS, KPROMOTED_PGTABLE_SCAN };

struct page_hotness_info {
	unsigned long pfn;
	unsigned long last_update;
	int frequency;
	unsigned long recency;
	int hot_node;
	struct hlist_node hnode;
};

static struct hlist_head page_hotness_hash[HASH_SIZE];

static int kpromote_page(struct page_hotness_info *phi)
{
	if (!pfn_valid(phi->pfn))
		return 1;
	return migrate_to(phi->pfn, phi->hot_node);
}

static int page_should_be_promoted(struct page_hotness_info *phi)
{
	unsigned long now = jiffies;

	if (!pfn_valid(phi->pfn)) /* !page || is_zone_device_page(page) */
		return 0;
	/* folio_test_lru(): every 2s-cxl range is LRU */
	if (pfn_to_nid(phi->pfn) == phi->hot_node) {
		count_vm_event(KPROMOTED_MIG_RIGHT_NODE);
		return 0;
	}
	if ((now - phi->last_update) > 2 * msecs_to_jiffies(KPROMOTED_FREQ_WINDOW)) {
		count_vm_event(KPROMOTED_MIG_COLD_OLD);
		return 0;
	}
	if (phi->frequency < KPRMOTED_FREQ_THRESHOLD) {
		count_vm_event(KPROMOTED_MIG_COLD_NOT_ACCESSED);
		return 0;
	}
	return 1;
}

static void kpromoted_migrate(int nid)
{
	struct page_hotness_info *phi;
	struct hlist_node *pos, *tmp;

	for (unsigned long bkt = 0; bkt < HASH_SIZE; bkt++) {
		for (pos = page_hotness_hash[bkt].first; pos && (tmp = pos->next, 1); pos = tmp) {
			phi = (struct page_hotness_info *)((char *)pos - offsetof(struct page_hotness_info, hnode));
			if (phi->hot_node != nid)
				continue;
			if (page_should_be_promoted(phi)) {
				count_vm_event(KPROMOTED_MIG_CANDIDATE);
				if (!kpromote_page(phi)) {
					count_vm_event(KPROMOTED_MIG_PROMOTED);
					hlist_del_init(&phi->hnode);
					free(phi);
				}
			} else {
				count_vm_event(KPROMOTED_MIG_DROPPED);
				hlist_del_init(&phi->hnode);
				free(phi);
			}
		}
	}
}

static struct page_hotness_info *__kpromoted_lookup(unsigned long pfn, int bkt)
{
	struct hlist_node *pos;

	for (pos = page_hotness_hash[bkt].first; pos; pos = pos->next) {
		struct page_hotness_info *phi = (struct page_hotness_info *)((char *)pos - offsetof(struct page_hotness_info, hnode));
		if (phi->pfn == pfn)
			return phi;
	}
	return NULL;
}

static struct page_hotness_info *kpromoted_lookup(unsigned long pfn, int bkt, unsigned long now)
{
	struct page_hotness_info *phi = __kpromoted_lookup(pfn, bkt);

	if (!phi) {
		phi = calloc(1, sizeof(*phi)); /* kzalloc */
		if (!phi)
			return NULL;
		phi->pfn = pfn;
		phi->frequency = 1;
		phi->last_update = now;
		phi->recency = now;
		hlist_add_head(&phi->hnode, &page_hotness_hash[bkt]);
		count_vm_event(KPROMOTED_RECORD_ADDED);
	} else {
		count_vm_event(KPROMOTED_RECORD_EXISTS);
	}
	return phi;
}

int kpromoted_record_access(uint64_t pfn, int nid, int src, unsigned long now)
{
	struct page_hotness_info *phi;
	int bkt;

	count_vm_event(KPROMOTED_RECORDED_ACCESSES);
	switch (src) {
	case KPROMOTED_HW_HINTS:
		count_vm_event(KPROMOTED_RECORD_HWHINTS);
		break;
	case KPROMOTED_PGTABLE_SCAN:
		count_vm_event(KPROMOTED_RECORD_PGTSCANS);
		break;
	default:
		break;
	}
	if (node_is_toptier(pfn_to_nid(pfn))) {
		count_vm_event(KPROMOTED_RECORD_TOPTIER);
		return 0;
	}
	if (!pfn_valid(pfn)) /* pfn_to_online_page() NULL; every 2s-cxl range is LRU */
		return 0;

	bkt = hash_min(pfn, KPROMOTED_HASH_ORDER);
	phi = kpromoted_lookup(pfn, bkt, now);
	if (!phi)
		return 0;
	if ((phi->last_update - now) > msecs_to_jiffies(KPROMOTED_FREQ_WINDOW)) {
		phi->frequency = 1;
		phi->last_update = now;
	} else {
		phi->frequency++;
	}
	phi->recency = now;
	phi->hot_node = (nid == NUMA_NO_NODE) ? 1 : nid;
	return 0;
}

/* ---- the daemons' clock (SPEC 2.3) --------------------------------------------------------------- */

static int started;
static unsigned long next_pass;

static void kpromoted_pass(unsigned long when)
{
	jiffies = when;
	for (int nid = 0; nid < NR_NODES; nid++)
		if (node_has_cpus[nid])
			kpromoted_migrate(nid); /* kpromoted_do_work() of kpromoted%d */
}

static void record(uint64_t pfn, int nid, int src, unsigned long now)
{
	const unsigned long delay = msecs_to_jiffies(KPROMOTE_DELAY);

	if (!started) {
		started = 1;
		next_pass = now + delay;
	}
	while (next_pass <= now) {
		kpromoted_pass(next_pass);
		next_pass += delay;
	}
	kpromoted_record_access(pfn, nid, src, now);
}

/* ---- records held in memory (--engine-alone) ------------------------------------------------------- */

static int engine_alone;
static uint64_t *held_pfn;
static unsigned long *held_time;
static int *held_nid, *held_src;
static size_t held, held_cap;

static void hold(uint64_t pfn, int nid, int src, unsigned long now)
{
	if (held == held_cap) {
		held_cap = held_cap ? 2 * held_cap : 1 << 16;
		held_pfn = realloc(held_pfn, held_cap * sizeof *held_pfn);
		held_time = realloc(held_time, held_cap * sizeof *held_time);
		held_nid = realloc(held_nid, held_cap * sizeof *held_nid);
		held_src = realloc(held_src, held_cap * sizeof *held_src);
		if (!held_pfn || !held_time || !held_nid || !held_src) {
			fprintf(stderr, "out of memory holding %zu records\n", held_cap);
			exit(2);
		}
	}
	held_pfn[held] = pfn;
	held_time[held] = now;
	held_nid[held] = nid;
	held_src[held] = src;
	held++;
}

static double ms_of(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---- native CSV parser ----------------------------------------------------------------------------- */

static void die(const char *file, unsigned long line, const char *why)
{
	fprintf(stderr, "%s:%lu: %s\n", file, line, why);
	exit(2);
}

/* Parses an unsigned decimal or 0x hex integer at *p, moving *p past it; returns -1 on no digits. */
static int parse_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		const char *d = s;
		for (; s < end; s++) {
			int c = *s, x;
			if (c >= '0' && c <= '9') x = c - '0';
			else if (c >= 'a' && c <= 'f') x = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F') x = c - 'A' + 10;
			else break;
			v = v * 16 + (uint64_t)x;
		}
		if (s == d) return -1;
	} else {
		const char *d = s;
		for (; s < end && *s >= '0' && *s <= '9'; s++) v = v * 10 + (uint64_t)(*s - '0');
		if (s == d) return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

static void parse_line(const char *file, unsigned long lineno, const char *s, const char *end)
{
	uint64_t pfn, nidv, srcv, t;
	int neg = 0, src;
	if (s == end || *s == '#') return;
	if (parse_u64(&s, end, &pfn) || s >= end || *s++ != ',') die(file, lineno, "bad pfn");
	if (s < end && *s == '-') { neg = 1; s++; }
	if (parse_u64(&s, end, &nidv) || s >= end || *s++ != ',') die(file, lineno, "bad nid");
	const char *f = s;
	while (s < end && *s != ',') s++;
	size_t n = (size_t)(s - f);
	if (n == 7 && strncasecmp(f, "hwhints", 7) == 0) src = KPROMOTED_HW_HINTS;
	else if (n == 7 && strncasecmp(f, "pgtscan", 7) == 0) src = KPROMOTED_PGTABLE_SCAN;
	else {
		const char *q = f;
		if (parse_u64(&q, s, &srcv) || q != s) die(file, lineno, "bad src");
		src = (int)srcv;
	}
	if (s >= end || *s++ != ',') die(file, lineno, "missing time");
	if (parse_u64(&s, end, &t)) die(file, lineno, "bad time");
	if (s < end && *s == '\r') s++;
	if (s != end) die(file, lineno, "extra text");
	if (engine_alone)
		hold(pfn, neg ? -(int)nidv : (int)nidv, src, (unsigned long)t);
	else
		record(pfn, neg ? -(int)nidv : (int)nidv, src, (unsigned long)t);
}

int main(int argc, char **argv)
{
	engine_alone = argc == 3 && strcmp(argv[2], "--engine-alone") == 0;
	if (argc != 2 && !engine_alone) {
		fprintf(stderr, "usage: %s TRACE.csv [--engine-alone]\n", argv[0]);
		return 2;
	}
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 2;
	}
	size_t cap = 1 << 20, have = 0;
	char *buf = malloc(cap + 1);
	unsigned long lineno = 0;
	int header = 1;
	for (;;) {
		size_t got = fread(buf + have, 1, cap - have, in);
		have += got;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			if (!nl) break;
			lineno++;
			if (header) {
				header = 0;
				if (strncmp(buf + start, "pfn,nid,src,time", 16) != 0 && !isdigit((unsigned char)buf[start]))
					die(argv[1], lineno, "expected the header pfn,nid,src,time");
				if (isdigit((unsigned char)buf[start])) parse_line(argv[1], lineno, buf + start, nl);
			} else {
				parse_line(argv[1], lineno, buf + start, nl);
			}
			start = (size_t)(nl - buf) + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (got == 0) {
			if (have > 0) parse_line(argv[1], ++lineno, buf, buf + have);
			break;
		}
		if (have == cap) die(argv[1], lineno + 1, "line too long");
	}
	fclose(in);
	double wall0 = 0, cpu0 = 0;
	if (engine_alone) {
		wall0 = ms_of(CLOCK_MONOTONIC);
		cpu0 = ms_of(CLOCK_PROCESS_CPUTIME_ID);
		for (size_t i = 0; i < held; i++)
			record(held_pfn[i], held_nid[i], held_src[i], held_time[i]);
	}
	if (started)
		kpromoted_pass(next_pass); /* the final pass */
	if (engine_alone)
		fprintf(stderr, "engine_ms %.3f engine_cpu_ms %.3f\n", ms_of(CLOCK_MONOTONIC) - wall0, ms_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0);
	for (int i = 0; i < NR_VM_EVENTS; i++)
		printf("%s %lu\n", vmstat_text[i], vm_events[i]);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "cpu_ms %.0f maxrss_kib %ld minflt %ld\n",
		(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3, ru.ru_maxrss, ru.ru_minflt);
	return 0;
}
