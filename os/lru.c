/*
 * os/lru.c - per-node LRU lists (see lru.h).
 */
#include <string.h>
#include "os/fault.h"
#include "os/lru.h"
#include "os/memcontrol.h"
#include "os/mlock.h"
#include "os/vmscan.h"
#include "sim/err.h"

const char *const lru_names[NR_LRU_LISTS] = {
	"inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable",
};

_Static_assert(NR_INACTIVE_ANON + LRU_UNEVICTABLE == NR_UNEVICTABLE, "node LRU stats in list order");
_Static_assert(NR_ZONE_INACTIVE_ANON + LRU_UNEVICTABLE == NR_ZONE_UNEVICTABLE, "zone LRU stats in list order");

void lruvec_init(struct lruvec *lv)
{
	memset(lv, 0, sizeof(*lv));
	for (unsigned l = 0; l < NR_LRU_LISTS; l++)
		INIT_LIST_HEAD(&lv->lists[l]);
}

struct lruvec *node_lruvec(struct os *os, unsigned nid)
{
	if (!os->rcl || nid >= os->rcl->nr_nodes)
		return NULL;
	return &os->rcl->lru[nid];
}

void workingset_age_nonresident(struct os *os, const struct page *pg, uint64_t nr)
{
	struct lruvec *lv = node_lruvec(os, pg->node);

	if (lv)
		lv->nonresident_age += nr;
}

struct lruvec *page_lruvec(struct os *os, const struct page *pg)
{
	unsigned id = os->memcg ? page_memcg(os, pg) : 0;
	if (id)
		return mem_cgroup_lruvec(os, id, pg->node);
	return node_lruvec(os, pg->node);
}

uint64_t lruvec_tree_size(const struct os *os, const struct lruvec *lv, enum lru_list l)
{
	if (!os->memcg || lv->memcg)
		return lv->nr[l];
	return mem_cgroup_tree_lru(os, 0, (unsigned)(lv - os->rcl->lru), l);
}

uint64_t lruvec_lru_size(const struct lruvec *lv, enum lru_list l, enum zone_type highest)
{
	uint64_t n = 0;
	for (unsigned z = 0; z <= (unsigned)highest && z < MAX_NR_ZONES; z++)
		n += lv->nr_zone[l][z];
	return n;
}

enum lru_list page_lru(const struct page *pg)
{
	if (page_test(pg, PG_unevictable))
		return LRU_UNEVICTABLE;
	enum lru_list l = page_test(pg, PG_swapbacked) ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
	return page_test(pg, PG_active) ? l + 1 : l;
}

static void lru_account(struct os *os, struct lruvec *lv, const struct page *pg, enum lru_list l, int64_t sign)
{
	int64_t nr = sign * (int64_t)page_nr(pg);

	lv->nr[l] += (uint64_t)nr;
	lv->nr_zone[l][pg->zone] += (uint64_t)nr;
	if (page_test(pg, PG_anon)) {
		lv->nr_stat[LRUVEC_ANON] += (uint64_t)nr;
		if (pg->order)
			lv->nr_stat[LRUVEC_ANON_THP] += (uint64_t)nr;
	} else {
		lv->nr_stat[LRUVEC_FILE] += (uint64_t)nr;
		if (page_test(pg, PG_swapbacked))
			lv->nr_stat[LRUVEC_SHMEM] += (uint64_t)nr;
	}
	node_stat_mod(os->phys, pg->node, NR_INACTIVE_ANON + l, nr);
	zone_stat_mod(os->phys, pg->node, pg->zone, NR_ZONE_INACTIVE_ANON + l, nr);
}

static void lru_link(struct os *os, struct page *pg, bool tail)
{
	struct lruvec *lv = page_lruvec(os, pg);
	enum lru_list l = page_lru(pg);

	SIM_BUG_ON(page_test(pg, PG_lru) || page_test(pg, PG_tail));
	if (tail)
		list_add_tail(&pg->lru, &lv->lists[l]);
	else
		list_add(&pg->lru, &lv->lists[l]);
	page_set(pg, PG_lru);
	lru_account(os, lv, pg, l, +1);
}

void lru_add(struct os *os, struct page *pg)
{
	if (!page_lruvec(os, pg))
		return;
	mlock_cull_on_add(os, pg);
	lru_link(os, pg, false);
}

void lru_del(struct os *os, struct page *pg)
{
	struct lruvec *lv = page_lruvec(os, pg);

	if (!lv || !page_test(pg, PG_lru))
		return;
	list_del(&pg->lru);
	page_clear(pg, PG_lru);
	lru_account(os, lv, pg, page_lru(pg), -1);
}

void lru_move(struct os *os, struct page *pg, bool tail)
{
	/* unlink and uncount by the list the page is on, then link at the head or tail of it again */
	struct lruvec *lv = page_lruvec(os, pg);
	SIM_BUG_ON(!lv || !page_test(pg, PG_lru));
	list_del(&pg->lru);
	page_clear(pg, PG_lru);
	lru_account(os, lv, pg, page_lru(pg), -1);
	lru_link(os, pg, tail);
}

bool lru_isolate(struct os *os, struct page *pg)
{
	if (!page_lruvec(os, pg) || !page_test(pg, PG_lru))
		return false;
	lru_del(os, pg);
	node_stat_mod(os->phys, pg->node, page_test(pg, PG_swapbacked) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE,
		      (int64_t)page_nr(pg));
	return true;
}

void lru_putback(struct os *os, struct page *pg)
{
	if (!page_lruvec(os, pg))
		return;
	node_stat_mod(os->phys, pg->node, page_test(pg, PG_swapbacked) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE,
		      -(int64_t)page_nr(pg));
	mlock_cull_on_add(os, pg);
	lru_link(os, pg, false);
}

void mark_page_accessed(struct os *os, struct page *pg)
{
	if (page_test(pg, PG_unevictable))
		return;
	if (!page_test(pg, PG_referenced)) {
		page_set(pg, PG_referenced);
	} else if (!page_test(pg, PG_active)) {
		page_clear(pg, PG_referenced);
		if (page_test(pg, PG_lru)) {
			/* list_move by the list it is counted on, then flip */
			lru_del(os, pg);
			page_set(pg, PG_active);
			lru_add(os, pg);
		} else {
			page_set(pg, PG_active);
		}
		vmstat_inc(os->phys, PGACTIVATE, page_nr(pg));
		workingset_age_nonresident(os, pg, page_nr(pg));   /* workingset_activation */
	}
}


bool inactive_is_low_pages(uint64_t inactive, uint64_t active)
{
	uint64_t gb = (inactive + active) >> (30 - PAGE_SHIFT);
	uint64_t ratio = gb ? int_sqrt64(10 * gb) : 1;
	return inactive * ratio < active;
}

bool inactive_is_low(const struct lruvec *lv, enum lru_list inactive_lru)
{
	return inactive_is_low_pages(lv->nr[inactive_lru], lv->nr[inactive_lru + 1]);
}

void lru_note_cost(struct lruvec *lv, bool file, uint64_t nr_io, uint64_t nr_rotated)
{
	lru_note_cost_size(lv, file, nr_io, nr_rotated, lv->nr[0] + lv->nr[1] + lv->nr[2] + lv->nr[3]);
}

void lru_note_cost_size(struct lruvec *lv, bool file, uint64_t nr_io, uint64_t nr_rotated, uint64_t lrusize)
{
	uint64_t cost = nr_io * SWAP_CLUSTER_MAX + nr_rotated;

	if (file)
		lv->file_cost += cost;
	else
		lv->anon_cost += cost;
	if (lv->file_cost + lv->anon_cost > lrusize / 4) {
		lv->file_cost /= 2;
		lv->anon_cost /= 2;
	}
}

void memcg_note_cost(struct os *os, struct lruvec *lv, unsigned nid, bool file, uint64_t nr_io, uint64_t nr_rotated)
{
	if (!os->memcg) {
		lru_note_cost(lv, file, nr_io, nr_rotated);
		return;
	}
	for (const struct mem_cgroup *m = mem_cgroup_from_id(os, lv->memcg); m;
	     m = m->parent < 0 ? NULL : mem_cgroup_from_id(os, (unsigned)m->parent)) {
		uint64_t size = 0;
		for (unsigned l = 0; l < NR_EVICTABLE_LRU; l++)
			size += mem_cgroup_tree_lru(os, m->id, nid, l);
		lru_note_cost_size(mem_cgroup_lruvec(os, m->id, nid), file, nr_io, nr_rotated, size);
	}
}

void lru_check(struct os *os)
{
	if (!os->rcl)
		return;
	for (unsigned n = 0; n < os->rcl->nr_nodes; n++) {
		uint64_t node_cnt[NR_LRU_LISTS] = { 0 };
		for (int id = mem_cgroup_iter(os, 0, -1); id >= 0; id = mem_cgroup_iter(os, 0, id)) {
			struct lruvec *lv = mem_cgroup_lruvec(os, (unsigned)id, n);
			for (unsigned l = 0; l < NR_LRU_LISTS; l++) {
				uint64_t cnt = 0, zc[MAX_NR_ZONES] = { 0 };
				for (struct list_head *e = lv->lists[l].next; e != &lv->lists[l]; e = e->next) {
					struct page *pg = lru_to_page(e);
					SIM_BUG_ON(!page_test(pg, PG_lru));
					SIM_BUG_ON(page_lru(pg) != (enum lru_list)l);
					SIM_BUG_ON(pg->node != n);
					SIM_BUG_ON(page_memcg(os, pg) != (unsigned)id);
					SIM_BUG_ON(pg->refcount <= 0);
					cnt += page_nr(pg);
					zc[pg->zone] += page_nr(pg);
				}
				SIM_BUG_ON(cnt != lv->nr[l]);
				node_cnt[l] += cnt;
				for (unsigned z = 0; z < MAX_NR_ZONES; z++)
					SIM_BUG_ON(zc[z] != lv->nr_zone[l][z]);
			}
		}
		for (unsigned l = 0; l < NR_LRU_LISTS; l++)
			SIM_BUG_ON(node_cnt[l] != node_stat(os->phys, n, NR_INACTIVE_ANON + l));
	}
}
