/*
 * os/lru.h - the per-node LRU lists (Linux's classic two-list LRU,
 * mm/swap.c and the list helpers of mm/vmscan.c; sources.md §7.1-§7.3).
 *
 * Each node has five lists: inactive/active anon, inactive/active file,
 * unevictable.  A page on a list has PG_lru; PG_active says which of the
 * pair; PG_swapbacked (anon, shmem) selects the anon pair; PG_unevictable
 * the last list.  Lists are ordered: additions at the head, scanning from
 * the tail.  A folio of order n counts 2^n pages.  Sizes are mirrored in
 * the node stats nr_inactive_anon ... nr_unevictable and the zone stats
 * nr_zone_inactive_anon ... (os/vmstat.h), which list in the same order.
 *
 * Who adds: the fault path (new anonymous and shmem pages), the page cache
 * (os/filemap.c).  Who removes: the last put of a page (put_page),
 * reclaim (isolation), migration (isolate, then put back the new page).
 */
#ifndef OS_LRU_H
#define OS_LRU_H

#include "os/page.h"
#include "os/page_alloc.h"

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};
#define NR_EVICTABLE_LRU 4
extern const char *const lru_names[NR_LRU_LISTS];   /* "inactive_anon", ... */

static inline bool is_file_lru(enum lru_list l)
{
	return l == LRU_INACTIVE_FILE || l == LRU_ACTIVE_FILE;
}

static inline bool is_active_lru(enum lru_list l)
{
	return l == LRU_ACTIVE_ANON || l == LRU_ACTIVE_FILE;
}

/* Page kinds of the pages on a lruvec, for memory.stat (anon = PG_anon; file = the rest, shmem included). */
enum lruvec_stat { LRUVEC_ANON, LRUVEC_FILE, LRUVEC_SHMEM, LRUVEC_ANON_THP, NR_LRUVEC_STATS };

/* Per-(memcg, node) list set (Linux's lruvec); the root memcg's are the node lists. */
struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
	uint64_t nr[NR_LRU_LISTS];                   /* pages */
	uint64_t nr_zone[NR_LRU_LISTS][MAX_NR_ZONES];
	uint64_t anon_cost, file_cost;               /* lru_note_cost (§7.4) */
	uint64_t refaults[2];                        /* workingset_activate_{anon,file} at the last cycle */
	uint64_t nonresident_age;                    /* workingset clock: evictions + activations */
	/* memcg: the owner (0 root) and the memory.stat sizes of the pages on these lists */
	unsigned memcg;
	uint64_t nr_stat[NR_LRUVEC_STATS];           /* pages */
};

struct os;

void lruvec_init(struct lruvec *lv);
/* The lruvec of a node (NULL if the OS has no reclaim state). */
struct lruvec *node_lruvec(struct os *os, unsigned nid);
/*
 * workingset_age_nonresident: the workingset clock that evictions stamp and
 * refaults read is the node's (refault distances are per node, docs/os-memcg.md),
 * so activations advance that one too, also for a page charged to a memcg.
 */
void workingset_age_nonresident(struct os *os, const struct page *pg, uint64_t nr);

/* Pages of one list in zones <= highest (lruvec_lru_size). */
uint64_t lruvec_lru_size(const struct lruvec *lv, enum lru_list l, enum zone_type highest);

/* The list a page belongs on according to its flags (folio_lru_list). */
enum lru_list page_lru(const struct page *pg);
static inline uint64_t page_nr(const struct page *pg)
{
	return 1ULL << pg->order;
}

/*
 * folio_add_lru: put pg (not on a list) at the head of page_lru(pg) of its
 * node, set PG_lru, count the node and zone stats.  A no-op without
 * reclaim state.
 */
void lru_add(struct os *os, struct page *pg);
/* Take pg off its list (PG_lru cleared, stats counted).  A no-op if not on one. */
void lru_del(struct os *os, struct page *pg);
/* Move pg to the head (or tail) of its list (flags unchanged since it was linked). */
void lru_move(struct os *os, struct page *pg, bool tail);

/*
 * isolate_lru_page / putback_lru_page for migration and compaction:
 * isolation takes the page off its list and counts nr_isolated_{anon,file};
 * putback adds it back (or a replacement page with the same flags) and
 * uncounts.  @return false if pg was not on a list.
 */
bool lru_isolate(struct os *os, struct page *pg);
void lru_putback(struct os *os, struct page *pg);

/*
 * folio_mark_accessed (read()/write() on page cache): unreferenced ->
 * PG_referenced; referenced and inactive -> active (pgactivate);
 * active -> PG_referenced.
 */
void mark_page_accessed(struct os *os, struct page *pg);

/*
 * inactive_is_low (sources.md §7.3): gb = (inactive + active) >> 18,
 * ratio = gb ? int_sqrt(10 * gb) : 1, low iff inactive * ratio < active.
 */
bool inactive_is_low_pages(uint64_t inactive, uint64_t active);
bool inactive_is_low(const struct lruvec *lv, enum lru_list inactive_lru);

/*
 * lru_note_cost: reclaim of one type did nr_io I/Os and rotated nr_rotated
 * pages: cost += nr_io * 32 + nr_rotated; both costs halve when their sum
 * exceeds a quarter of the four evictable lists.
 */
void lru_note_cost(struct lruvec *lv, bool file, uint64_t nr_io, uint64_t nr_rotated);
/* The same with the four lists' size given (a memcg lruvec's hierarchical size). */
void lru_note_cost_size(struct lruvec *lv, bool file, uint64_t nr_io, uint64_t nr_rotated, uint64_t lrusize);
/*
 * lru_note_cost of reclaim in lv (node nid): the cost goes to lv and, as
 * Linux walks parent_mem_cgroup, to every ancestor's lruvec on the node.
 */
void memcg_note_cost(struct os *os, struct lruvec *lv, unsigned nid, bool file, uint64_t nr_io, uint64_t nr_rotated);

/*
 * Pages of list l under a node lruvec (the root memcg's): the node's
 * total, memory cgroups' lists included (lruvec_page_state of the root);
 * the list itself when there are no memcgs.  For the workingset checks.
 */
uint64_t lruvec_tree_size(const struct os *os, const struct lruvec *lv, enum lru_list l);

/* The lruvec of the page's memcg on its node (NULL without reclaim state). */
struct lruvec *page_lruvec(struct os *os, const struct page *pg);

/* Full check: list lengths and counters agree, flags match lists.  SIM_BUG_ON on a violation. */
void lru_check(struct os *os);

#endif
