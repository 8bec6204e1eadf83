/*
 * os/hugetlb.c - per-node pools of 2 MiB and 1 GiB hugetlb pages, mmap-time
 * reservations, surplus pages and the fault-time dequeue (Linux 6.12
 * mm/hugetlb.c, one struct hstate per page size; the contract is in
 * os/hugetlb.h).
 *
 * Reservations are a sorted array of 64-bit keys, one per reserved huge
 * page: bit 63 clear for a private mapping, (pid, virtual huge page number),
 * set for a shared object, (inode number, page index).  Keys of one mapping
 * are consecutive, so reserving and releasing a range are one memmove each,
 * and the array can never exceed the pool size (a reservation needs a free
 * page behind it).  Keys are numbers, never pointers, so nothing depends on
 * host addresses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "os/hugetlb.h"
#include "sim/err.h"
#include "sim/stats.h"

#define KEY_SHARED    (1ULL << 63)
#define KEY_IDX_BITS  27          /* TASK_SIZE >> HPAGE_SHIFT < 2^26 */

#define HUGETLB_STATS(X)                                                                                       \
	X(HTLB_POOL_SHORTFALL, pool_shortfall, EVENT, "pages",                                                   \
	  "huge pages nr_hugepages asked for that the nodes could not supply at boot")                         \
	X(HTLB_RESV_FAIL, resv_fail, EVENT, "mmaps", "MAP_HUGETLB mmaps refused with ENOMEM (pool too small)")   \
	X(HTLB_ALLOC, alloc, EVENT, "pages", "huge pages dequeued from the pools for faults")                    \
	X(HTLB_ALLOC_RESERVED, alloc_reserved, EVENT, "pages", "of those, pages that consumed a reservation")    \
	X(HTLB_ALLOC_OTHER_NODE, alloc_other_node, EVENT, "pages",                                               \
	  "of those, pages from a node other than the policy's preferred one (zonelist fallback)")              \
	X(HTLB_FREE, free, EVENT, "pages", "huge pages returned to the pools (munmap, exit, COW)")               \
	X(HTLB_SIGBUS, sigbus, EVENT, "faults", "faults that found no pool page they could take (SIGBUS)")

enum hugetlb_stat { HUGETLB_STATS(STAT_ENUM) NR_HUGETLB_STATS };
static const struct stat_desc hugetlb_stat_desc[] = { HUGETLB_STATS(STAT_DESC) };
STAT_TABLE_CHECK(hugetlb_stat_desc, NR_HUGETLB_STATS);

/* The two hstates: 2 MiB (the default) and 1 GiB (gigantic). */
enum { HS_2M, HS_1G, NR_HSTATES };
static const unsigned hs_order[NR_HSTATES] = { HPAGE_ORDER, GPAGE_ORDER };

/* One node's pool: hugepage_freelists[nid] as a LIFO stack of head pfns. */
struct hpool {
	uint64_t *free;
	uint64_t nr_free, cap;
	uint64_t total;           /* nr_huge_pages_node (surplus included) */
	uint64_t surplus;         /* surplus_huge_pages_node */
	uint64_t requested;       /* os_cfg.nr_hugepages[nid] */
};

/* One page size's state (Linux's struct hstate). */
struct hstate {
	unsigned order, shift;    /* 9 / 21 or 18 / 30 */
	unsigned nr_nodes;
	struct hpool node[HW_MAX_NODES];
	uint64_t nr_free;         /* free_huge_pages */
	uint64_t surplus;         /* surplus_huge_pages */
	unsigned next_nid_to_free;/* hstate_next_node_to_free's round robin */
	uint64_t resv;            /* resv_huge_pages: equals nr_keys */
	uint64_t *keys;           /* sorted reservation keys */
	size_t nr_keys, cap_keys;
	uint64_t stat[NR_HUGETLB_STATS];
};

struct hugetlb {
	unsigned nr_nodes;
	struct hstate hs[NR_HSTATES];
};

static struct hstate *hstate_vma(struct os *os, const struct vma *v)
{
	return &os->htlb->hs[v->page_shift == PAGE_SHIFT + GPAGE_ORDER ? HS_1G : HS_2M];
}

/* ---- reservation keys ------------------------------------------------------------ */

static uint64_t priv_key(const struct hstate *h, int pid, uint64_t vaddr)
{
	SIM_BUG_ON(pid <= 0 || (vaddr >> h->shift) >= (1ULL << KEY_IDX_BITS));
	return ((uint64_t)pid << KEY_IDX_BITS) | (vaddr >> h->shift);
}

static uint64_t shared_key(uint64_t ino, uint64_t idx)
{
	SIM_BUG_ON(idx > (1ULL << KEY_IDX_BITS) || ino >= (1ULL << (63 - KEY_IDX_BITS)));
	return KEY_SHARED | (ino << KEY_IDX_BITS) | idx;
}

/* First index with keys[i] >= k. */
static size_t key_lower_bound(const struct hstate *h, uint64_t k)
{
	size_t lo = 0, hi = h->nr_keys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->keys[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Insert the n consecutive keys first..first+n-1 (none present).  @return 0 or -SIM_ENOMEM. */
static int keys_insert_range(struct hstate *h, uint64_t first, uint64_t n)
{
	if (h->nr_keys + n > h->cap_keys) {
		size_t cap = h->cap_keys ? h->cap_keys : 64;
		while (cap < h->nr_keys + n)
			cap *= 2;
		uint64_t *k = realloc(h->keys, cap * sizeof(*k));
		if (!k)
			return -SIM_ENOMEM;
		h->keys = k;
		h->cap_keys = cap;
	}
	size_t at = key_lower_bound(h, first);
	SIM_BUG_ON(at < h->nr_keys && h->keys[at] < first + n);   /* reserved twice */
	memmove(h->keys + at + n, h->keys + at, (h->nr_keys - at) * sizeof(*h->keys));
	for (uint64_t i = 0; i < n; i++)
		h->keys[at + i] = first + i;
	h->nr_keys += n;
	h->resv += n;
	return 0;
}

/* Remove every key in [lo, hi).  @return how many. */
static uint64_t keys_remove_range(struct hstate *h, uint64_t lo, uint64_t hi)
{
	size_t a = key_lower_bound(h, lo), b = key_lower_bound(h, hi);

	memmove(h->keys + a, h->keys + b, (h->nr_keys - b) * sizeof(*h->keys));
	h->nr_keys -= b - a;
	h->resv -= b - a;
	return b - a;
}

/* ---- pools -------------------------------------------------------------------------- */

static int pool_push(struct hpool *hp, uint64_t pfn)
{
	if (hp->nr_free == hp->cap) {
		uint64_t cap = hp->cap ? hp->cap * 2 : 16;
		uint64_t *f = realloc(hp->free, cap * sizeof(*f));
		if (!f)
			return -SIM_ENOMEM;
		hp->free = f;
		hp->cap = cap;
	}
	hp->free[hp->nr_free++] = pfn;
	return 0;
}

/*
 * alloc_buddy_hugetlb_folio: one order-9 page, htlb_alloc_mask (movable:
 * 2 MiB pages can migrate on x86), no OOM killer, preferring nid within
 * mask (NULL: any node); `extra` adds __GFP_THISNODE for pool filling.
 */
static int alloc_buddy_huge(struct os *os, unsigned nid, const nodemask_t *mask, gfp_t extra, uint64_t *pfn)
{
	struct alloc_ctx ac = {
		.order = HPAGE_ORDER,
		.gfp = GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_RETRY_MAYFAIL | __GFP_NOWARN | extra,
		.preferred_nid = (int)nid,
		.nodemask = mask,
		.cpu = 0,
		.now = os->now,
	};
	return page_alloc(os->phys, &ac, pfn, NULL);
}

/* alloc_pool_huge_folio for node nid: one order-9 page from that node's buddy allocator only. */
static int pool_grow_node(struct os *os, unsigned nid, uint64_t *pfn)
{
	nodemask_t only;
	nodes_clear(&only);
	node_set(nid, &only);
	return alloc_buddy_huge(os, nid, &only, __GFP_THISNODE, pfn);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/*
 * A boot-time gigantic page for node nid: a naturally aligned range of
 * 2^GPAGE_ORDER free frames.  Linux takes boot pools (hugepages= on the
 * command line) from memblock (__alloc_bootmem_huge_page ->
 * memblock_alloc_try_nid_raw), not from alloc_gigantic_folio ->
 * alloc_contig_pages, which serves run-time nr_hugepages writes (not
 * modelled), so os/contig.c's alloc_contig_range is not the model here:
 * at boot there is nothing to migrate.  numasim takes every free
 * MAX_PAGE_ORDER block of the node without reclaim or watermarks, keeps
 * the highest 1 GiB-aligned run of 256 adjacent ones (memblock allocates
 * top-down on x86) and returns the rest.  A run touching a
 * MIGRATE_CMA pageblock is not taken: CMA areas are memblock-reserved
 * before the hugetlb boot pools, and at run time alloc_contig_pages'
 * alloc_contig_range without ACR_FLAGS_CMA fails on CMA pageblocks
 * (has_unmovable_pages); only hugetlb_cma (not modelled) puts gigantic
 * pages in CMA.  The folio is compound (prep_compound_gigantic_folio):
 * every page but the head is PG_tail pointing at it.  @return 0 and
 * *pfn (the head: order GPAGE_ORDER, refcount 1), or -1 when no range is free.
 */
static bool range_has_cma(const physmem_t *pm, uint64_t start, uint64_t len)
{
	for (uint64_t pfn = start; pfn < start + len; pfn += PAGEBLOCK_NR_PAGES)
		if (get_pageblock_migratetype(pm, pfn) == MIGRATE_CMA)
			return true;
	return false;
}

static int alloc_gigantic(struct os *os, unsigned nid, uint64_t *pfn)
{
	const uint64_t per = 1ULL << (GPAGE_ORDER - MAX_PAGE_ORDER), span = 1ULL << GPAGE_ORDER;
	uint64_t *blk = NULL, n = 0, cap = 0, found = UINT64_MAX;
	nodemask_t only;
	nodes_clear(&only);
	node_set(nid, &only);
	struct alloc_ctx ac = {
		.order = MAX_PAGE_ORDER,
		/* no watermark: alloc_contig_range isolates its pageblocks first, so isolate_freepages_range's
		 * __isolate_free_page skips the MIN watermark check */
		.gfp = __GFP_MOVABLE | __GFP_HIGHMEM | __GFP_THISNODE | __GFP_NOWARN | __GFP_MEMALLOC,
		.preferred_nid = (int)nid,
		.nodemask = &only,
		.now = os->now,
	};
	for (;;) {
		uint64_t b;
		if (page_alloc(os->phys, &ac, &b, NULL))
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			uint64_t *nb = realloc(blk, cap * sizeof(*nb));
			if (!nb) {
				page_free(os->phys, b, MAX_PAGE_ORDER, 0);
				break;
			}
			blk = nb;
		}
		blk[n++] = b;
	}
	qsort(blk, n, sizeof(*blk), cmp_u64);
	/* highest run first: memblock allocates top-down on x86 (memblock_find_in_range_node) */
	for (uint64_t i = n >= per ? n - per + 1 : 0; i-- > 0 && found == UINT64_MAX;)
		if (!(blk[i] & (span - 1)) && blk[i + per - 1] == blk[i] + span - (1ULL << MAX_PAGE_ORDER) &&
		    !range_has_cma(os->phys, blk[i], span))
			found = i;
	for (uint64_t i = 0; i < n; i++)
		if (found == UINT64_MAX || i < found || i >= found + per)
			page_free(os->phys, blk[i], MAX_PAGE_ORDER, 0);
	if (found == UINT64_MAX) {
		free(blk);
		return -1;
	}
	*pfn = blk[found];
	free(blk);
	/* one compound folio: the head carries the order, every other page is its tail */
	for (uint64_t k = 1; k < span; k++) {
		struct page *t = pfn_to_page(os->phys, *pfn + k);
		t->flags = 1u << PG_tail;
		t->refcount = 0;
		t->mapcount = 0;
		t->order = 0;
		t->private = *pfn;
	}
	struct page *pg = pfn_to_page(os->phys, *pfn);
	pg->order = GPAGE_ORDER;
	page_set(pg, PG_head);
	return 0;
}

/*
 * alloc_surplus_hugetlb_folio: a fresh page from the buddy allocator,
 * preferring nid within mask (NULL: any node, zonelist fallback), while
 * surplus_huge_pages < nr_overcommit_hugepages.  Gigantic pages are never
 * surplus (Linux refuses nr_overcommit_hugepages for them).  The page joins
 * its node's pool counts as surplus and comes back free (refcount 0).
 * @return 0 or -1.
 */
static int alloc_surplus(struct os *os, struct hstate *h, unsigned nid, const nodemask_t *mask, uint64_t *pfn)
{
	if (h->order != HPAGE_ORDER || h->surplus >= os->cfg.nr_overcommit_hugepages ||
	    alloc_buddy_huge(os, nid, mask, 0, pfn))
		return -1;
	struct page *pg = pfn_to_page(os->phys, *pfn);
	pg->refcount = 0;
	page_set(pg, PG_hugetlb);
	h->node[pg->node].total++;
	h->node[pg->node].surplus++;
	h->surplus++;
	node_stat_mod(os->phys, pg->node, NR_HUGETLB, 1 << HPAGE_ORDER);
	return 0;
}

/* update_and_free_hugetlb_folio of a surplus page: back to the buddy allocator. */
static void free_surplus(struct os *os, struct hstate *h, struct page *pg)
{
	h->node[pg->node].total--;
	h->node[pg->node].surplus--;
	h->surplus--;
	node_stat_mod(os->phys, pg->node, NR_HUGETLB, -(1 << HPAGE_ORDER));
	pg->flags &= 1u << PG_head;
	pg->mapping = NULL;
	pg->index = 0;
	pg->refcount = 1;   /* page_free takes an allocated page */
	page_free(os->phys, pg->pfn, HPAGE_ORDER, 0);
}

/*
 * return_unused_surplus_pages: n reservations went away; free up to n free
 * surplus pages, one node after another (hstate_next_node_to_free).
 */
static void return_unused_surplus(struct os *os, struct hstate *h, uint64_t n)
{
	for (uint64_t tries = 0; n && h->surplus && tries < (uint64_t)h->nr_nodes * 2;) {
		unsigned nid = h->next_nid_to_free;
		struct hpool *hp = &h->node[nid];
		h->next_nid_to_free = (nid + 1) % h->nr_nodes;
		if (!hp->surplus || !hp->nr_free) {
			tries++;
			continue;
		}
		tries = 0;
		h->nr_free--;
		free_surplus(os, h, pfn_to_page(os->phys, hp->free[--hp->nr_free]));
		n--;
	}
}

/* Fill each node's pool of hstate h up to its requested count (boot, hugetlb_hstate_alloc_pages). */
static int pool_fill(struct os *os, struct hstate *h, const uint32_t *want, unsigned nr, char *err, size_t errlen)
{
	for (unsigned n = 0; n < nr; n++) {
		struct hpool *hp = &h->node[n];
		hp->requested = want[n];
		if (!node_isset(n, &os->sys.memory_nodes))
			continue;   /* a memoryless node supplies nothing */
		while (hp->total < hp->requested) {
			uint64_t pfn;
			if (h->order == HPAGE_ORDER ? pool_grow_node(os, n, &pfn) : alloc_gigantic(os, n, &pfn))
				break;
			struct page *pg = pfn_to_page(os->phys, pfn);
			pg->refcount = 0;   /* free pool pages hold no reference */
			page_set(pg, PG_hugetlb);
			if (pool_push(hp, pfn))
				return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
			hp->total++;
			h->nr_free++;
			node_stat_mod(os->phys, n, NR_HUGETLB, 1LL << h->order);   /* account_new_hugetlb_folio */
		}
	}
	for (unsigned n = 0; n < h->nr_nodes; n++)
		h->stat[HTLB_POOL_SHORTFALL] += h->node[n].requested - h->node[n].total;
	return 0;
}

int hugetlb_init(struct os *os, char *err, size_t errlen)
{
	struct hugetlb *h = calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
	h->nr_nodes = os->sys.nr_nodes;
	for (unsigned i = 0; i < NR_HSTATES; i++) {
		h->hs[i].order = hs_order[i];
		h->hs[i].shift = PAGE_SHIFT + hs_order[i];
		h->hs[i].nr_nodes = h->nr_nodes;
	}
	os->htlb = h;
	if (os->cfg.nr_nr_hugepages > h->nr_nodes)
		return sim_errf(err, errlen, SIM_ECONFIG, "os.nr_hugepages: %u entries for a machine of %u nodes",
				os->cfg.nr_nr_hugepages, h->nr_nodes);
	if (os->cfg.nr_nr_hugepages_1g > h->nr_nodes)
		return sim_errf(err, errlen, SIM_ECONFIG, "os.nr_hugepages_1g: %u entries for a machine of %u nodes",
				os->cfg.nr_nr_hugepages_1g, h->nr_nodes);
	/* gigantic pages first, while memory is least fragmented (boot order: hugepagesz=1G before 2M) */
	if ((rc = pool_fill(os, &h->hs[HS_1G], os->cfg.nr_hugepages_1g, os->cfg.nr_nr_hugepages_1g, err, errlen)))
		return rc;
	return pool_fill(os, &h->hs[HS_2M], os->cfg.nr_hugepages, os->cfg.nr_nr_hugepages, err, errlen);
}

void hugetlb_destroy(struct os *os)
{
	struct hugetlb *h = os->htlb;

	if (!h)
		return;
	for (unsigned i = 0; i < NR_HSTATES; i++) {
		for (unsigned n = 0; n < HW_MAX_NODES; n++)
			free(h->hs[i].node[n].free);
		free(h->hs[i].keys);
	}
	free(h);
	os->htlb = NULL;
}

/* ---- reservations ----------------------------------------------------------------------- */

/* allowed_mems_nr: free pool pages on the nodes a task MPOL_BIND allows (all nodes otherwise). */
static uint64_t allowed_free(const struct hstate *h, const struct process *p)
{
	uint64_t n = 0;

	for (unsigned nid = 0; nid < h->nr_nodes; nid++)
		if (p->pol.mode != MPOL_BIND || node_isset(nid, &p->pol.nodes))
			n += h->node[nid].nr_free;
	return n;
}

int hugetlb_reserve_vma(struct os *os, const struct process *p, const struct vma *v, char *err, size_t errlen)
{
	struct hstate *h = hstate_vma(os, v);
	uint64_t nr = (v->end - v->start) >> h->shift;

	SIM_BUG_ON(!(v->flags & VM_HUGETLB) || v->page_shift != h->shift);
	if (v->flags & VM_NORESERVE)
		return 0;
	/*
	 * hugetlb_acct_memory: every reservation needs a free page behind it;
	 * gather_surplus_pages makes up a shortfall from the buddy allocator
	 * (the faulting CPU's node first) within nr_overcommit_hugepages.
	 */
	uint64_t avail = h->nr_free - h->resv, gathered = 0;
	unsigned local = os_cpu_node(os, p->last_cpu);
	while (avail + gathered < nr) {
		uint64_t pfn;
		if (alloc_surplus(os, h, local, NULL, &pfn))
			break;
		struct page *pg = pfn_to_page(os->phys, pfn);
		if (pool_push(&h->node[pg->node], pfn)) {
			/* the page and those gathered before it go back: nothing is left raised */
			free_surplus(os, h, pg);
			return_unused_surplus(os, h, gathered);
			return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
		}
		h->nr_free++;
		gathered++;
	}
	uint64_t allowed = allowed_free(h, p);
	if (nr > avail + gathered || nr > allowed) {
		h->stat[HTLB_RESV_FAIL]++;
		return_unused_surplus(os, h, gathered);
		return sim_errf(err, errlen, SIM_EOOM,
				"ENOMEM: MAP_HUGETLB of %" PRIu64 " huge pages cannot be reserved: HugePages_Free %"
				PRIu64 " - HugePages_Rsvd %" PRIu64 " = %" PRIu64 " available%s (%s pages; surplus: %" PRIu64
				" of os.nr_overcommit_hugepages %" PRIu64 "%s)", nr, h->nr_free, h->resv, h->nr_free - h->resv,
				nr <= avail + gathered ? ", fewer on the task's MPOL_BIND nodes" : "",
				h->order == HPAGE_ORDER ? "2 MiB" : "1 GiB", h->surplus,
				os->cfg.nr_overcommit_hugepages, h->order == HPAGE_ORDER ? "" : "; never for 1 GiB pages");
	}
	uint64_t first = v->shm ? shared_key(v->shm->ino, (v->pgoff << PAGE_SHIFT) >> h->shift)
				: priv_key(h, p->pid, v->start);
	if (keys_insert_range(h, first, nr)) {
		return_unused_surplus(os, h, gathered);
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
	}
	return 0;
}

void hugetlb_vma_close(struct os *os, const struct process *p, const struct vma *v)
{
	if (!(v->flags & VM_HUGETLB) || v->shm)
		return;
	struct hstate *h = hstate_vma(os, v);
	return_unused_surplus(os, h, keys_remove_range(h, priv_key(h, p->pid, v->start), priv_key(h, p->pid, v->end)));
}

void hugetlb_shm_release(struct os *os, const struct shm_obj *o)
{
	for (unsigned i = 0; i < NR_HSTATES; i++) {
		struct hstate *h = &os->htlb->hs[i];
		if (o->page_shift == h->shift)
			return_unused_surplus(os, h, keys_remove_range(h, shared_key(o->ino, 0),
								       shared_key(o->ino, o->nr_slots)));
	}
}

/* ---- allocation and freeing ----------------------------------------------------------------- */

/*
 * dequeue_hugetlb_folio_nodemask: the first node of nid's zonelist, within
 * mask (NULL: any), with a free pool page.  @return the pfn, or UINT64_MAX.
 */
static uint64_t dequeue_nodemask(struct os *os, struct hstate *h, unsigned nid, const nodemask_t *mask)
{
	unsigned order[HW_MAX_NODES];
	unsigned n = physmem_node_order(os->phys, nid, order);

	for (unsigned i = 0; i < n; i++) {
		struct hpool *hp = &h->node[order[i]];
		if ((mask && !node_isset(order[i], mask)) || !hp->nr_free)
			continue;
		h->nr_free--;
		return hp->free[--hp->nr_free];
	}
	return UINT64_MAX;
}

int hugetlb_alloc_folio(struct os *os, struct process *p, const struct vma *v, uint64_t haddr, bool zero,
			unsigned cpu, sim_time_t *cost, uint64_t *pfn)
{
	struct hstate *h = hstate_vma(os, v);
	uint64_t key = v->shm ? shared_key(v->shm->ino, ((v->pgoff << PAGE_SHIFT) + (haddr - v->start)) >> h->shift)
			      : priv_key(h, p->pid, haddr);
	size_t at = key_lower_bound(h, key);
	bool reserved = at < h->nr_keys && h->keys[at] == key;

	SIM_BUG_ON(haddr & ((1ULL << h->shift) - 1));
	/* without a reservation only the unreserved free pages may be taken */
	bool may_dequeue = reserved || h->nr_free > h->resv;
	/* huge_node: the VMA policy, else the task policy, else local; interleave indexes huge pages */
	const struct mempolicy *pol = v->pol.mode != MPOL_DEFAULT ? &v->pol
				    : p->pol.mode != MPOL_DEFAULT ? &p->pol : NULL;
	int local = (int)os_cpu_node(os, cpu);
	struct mpol_target t = { .nid = local };
	if (pol)
		mpol_policy_nodemask(pol, &p->il, &os->sys, GFP_HIGHUSER_MOVABLE,
				     mpol_ilx(v->start, v->pgoff, haddr, h->order, 0), local, &t);
	const nodemask_t *mask = t.has_mask ? &t.mask : NULL;
	uint64_t got = UINT64_MAX;
	if (may_dequeue && t.preferred_many) {
		got = dequeue_nodemask(os, h, (unsigned)t.nid, mask);
		if (got == UINT64_MAX)
			got = dequeue_nodemask(os, h, (unsigned)t.nid, NULL);
	} else if (may_dequeue) {
		got = dequeue_nodemask(os, h, (unsigned)t.nid, mask);
	}
	/* alloc_buddy_hugetlb_folio_with_mpol: a surplus page under the same policy */
	if (got == UINT64_MAX && alloc_surplus(os, h, (unsigned)t.nid, mask, &got)) {
		h->stat[HTLB_SIGBUS]++;
		return -SIM_ESTATE;
	}
	if (reserved)
		keys_remove_range(h, key, key + 1);
	struct page *pg = pfn_to_page(os->phys, got);
	SIM_BUG_ON(pg->refcount != 0 || !page_test(pg, PG_hugetlb));
	pg->refcount = 1;
	h->stat[HTLB_ALLOC]++;
	h->stat[HTLB_ALLOC_RESERVED] += reserved;
	h->stat[HTLB_ALLOC_OTHER_NODE] += pg->node != t.nid;
	if (zero)
		*cost += os->cfg.zero_page_cost << h->order;
	*pfn = got;
	return 0;
}

void hugetlb_free_folio(struct os *os, struct page *pg)
{
	struct hstate *h = &os->htlb->hs[pg->order == GPAGE_ORDER ? HS_1G : HS_2M];

	SIM_BUG_ON(pg->refcount != 0 || pg->mapcount != 0 || pg->order != h->order);
	pg->flags &= 1u << PG_head;
	page_set(pg, PG_hugetlb);
	pg->mapping = NULL;
	pg->index = 0;
	h->stat[HTLB_FREE]++;
	/* free_huge_folio: while the node has surplus pages, a freed page goes back to the buddy allocator */
	if (h->node[pg->node].surplus) {
		free_surplus(os, h, pg);
		return;
	}
	if (pool_push(&h->node[pg->node], pg->pfn))
		SIM_BUG_ON(1);   /* cannot happen: the stack had room for this page when it was dequeued */
	h->nr_free++;
}

/* ---- counters and views ------------------------------------------------------------------------ */

static void hstate_node_counts(const struct hstate *h, unsigned nid, struct hugetlb_counts *out)
{
	*out = (struct hugetlb_counts){ 0 };
	if (nid >= h->nr_nodes)
		return;
	out->requested = h->node[nid].requested;
	out->total = h->node[nid].total;
	out->free = h->node[nid].nr_free;
	out->surplus = h->node[nid].surplus;
}

static void hstate_counts(const struct hstate *h, struct hugetlb_counts *out, uint64_t *rsvd)
{
	*out = (struct hugetlb_counts){ 0 };
	if (rsvd)
		*rsvd = h->resv;
	for (unsigned n = 0; n < h->nr_nodes; n++) {
		out->requested += h->node[n].requested;
		out->total += h->node[n].total;
		out->free += h->node[n].nr_free;
		out->surplus += h->node[n].surplus;
	}
}

static const struct hstate *hstate_of_shift(const struct os *os, unsigned shift)
{
	return os->htlb ? &os->htlb->hs[shift == PAGE_SHIFT + GPAGE_ORDER ? HS_1G : HS_2M] : NULL;
}

void hugetlb_size_node_counts(const struct os *os, unsigned shift, unsigned nid, struct hugetlb_counts *out)
{
	const struct hstate *h = hstate_of_shift(os, shift);

	*out = (struct hugetlb_counts){ 0 };
	if (h)
		hstate_node_counts(h, nid, out);
}

void hugetlb_size_counts(const struct os *os, unsigned shift, struct hugetlb_counts *out, uint64_t *rsvd)
{
	const struct hstate *h = hstate_of_shift(os, shift);

	*out = (struct hugetlb_counts){ 0 };
	if (rsvd)
		*rsvd = 0;
	if (h)
		hstate_counts(h, out, rsvd);
}

void hugetlb_node_counts(const struct os *os, unsigned nid, struct hugetlb_counts *out)
{
	hugetlb_size_node_counts(os, PAGE_SHIFT + HPAGE_ORDER, nid, out);
}

void hugetlb_counts(const struct os *os, struct hugetlb_counts *out, uint64_t *rsvd)
{
	hugetlb_size_counts(os, PAGE_SHIFT + HPAGE_ORDER, out, rsvd);
}

void hugetlb_report_meminfo(const struct os *os, FILE *fp)
{
	struct hugetlb_counts c, g;
	uint64_t rsvd;
	uint64_t kb = (1ULL << (PAGE_SHIFT + HPAGE_ORDER)) >> 10, gkb = (1ULL << (PAGE_SHIFT + GPAGE_ORDER)) >> 10;

	/* hugetlb_report_meminfo: HugePages_* of the default hstate, Hugetlb: every hstate's pages */
	hugetlb_counts(os, &c, &rsvd);
	hugetlb_size_counts(os, PAGE_SHIFT + GPAGE_ORDER, &g, NULL);
	fprintf(fp, "HugePages_Total:   %5" PRIu64 "\n", c.total);
	fprintf(fp, "HugePages_Free:    %5" PRIu64 "\n", c.free);
	fprintf(fp, "HugePages_Rsvd:    %5" PRIu64 "\n", rsvd);
	fprintf(fp, "HugePages_Surp:    %5" PRIu64 "\n", c.surplus);
	fprintf(fp, "Hugepagesize:   %8" PRIu64 " kB\n", kb);
	fprintf(fp, "Hugetlb:        %8" PRIu64 " kB\n", c.total * kb + g.total * gkb);
}

static void hstate_report(const struct hstate *h, rep_t *r, const char *name)
{
	struct hugetlb_counts c;
	uint64_t rsvd;

	hstate_counts(h, &c, &rsvd);
	rep_obj_begin(r, name);
	rep_u64(r, "page_size_kB", (1ULL << h->shift) >> 10);
	rep_u64(r, "HugePages_Total", c.total);
	rep_u64(r, "HugePages_Free", c.free);
	rep_u64(r, "HugePages_Rsvd", rsvd);
	rep_u64(r, "HugePages_Surp", c.surplus);
	rep_u64(r, "requested", c.requested);
	rep_arr_begin(r, "nodes");
	for (unsigned n = 0; n < h->nr_nodes; n++) {
		struct hugetlb_counts nc;
		hstate_node_counts(h, n, &nc);
		rep_obj_begin(r, NULL);
		rep_u64(r, "node", n);
		rep_u64(r, "requested", nc.requested);
		rep_u64(r, "HugePages_Total", nc.total);
		rep_u64(r, "HugePages_Free", nc.free);
		rep_u64(r, "HugePages_Surp", nc.surplus);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	struct stat_block sb = { hugetlb_stat_desc, h->stat, NR_HUGETLB_STATS };
	rep_stats(r, "counters", &sb);
	rep_obj_end(r);
}

void hugetlb_report(const struct os *os, rep_t *r)
{
	const struct hugetlb *h = os->htlb;

	if (!h)
		return;
	hstate_report(&h->hs[HS_2M], r, "hugetlb");
	/* the gigantic hstate only when it was asked for (reports of other runs stay as they were) */
	if (os->cfg.nr_nr_hugepages_1g)
		hstate_report(&h->hs[HS_1G], r, "hugetlb_1g");
}
