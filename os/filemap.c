/*
 * os/filemap.c - page cache, file faults, read/write, writeback (see filemap.h).
 *
 * A file's index maps page index -> entry in an open-addressing table
 * (linear probing, backward-shift deletion): entry (pfn << 1) for a cached
 * page, (age << 1) | 1 for a workingset shadow.  Dirty pages are queued in
 * dirtying order (a ring of pfns, checked when popped: a page cleaned or
 * freed since is skipped), which is the order the flusher writes them.
 */
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/memcontrol.h"
#include "os/filemap.h"
#include "os/lru.h"
#include "os/rmap.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "sim/err.h"

static const struct stat_desc filemap_stat_desc[] = { FILEMAP_STATS(STAT_DESC) };
STAT_TABLE_CHECK(filemap_stat_desc, NR_FILEMAP_STATS);

#define EMPTY_KEY UINT64_MAX

struct file_obj {
	int owner;                /* pid of the root of the process tree */
	int64_t fd;
	uint64_t *keys, *vals;    /* the index */
	size_t cap, used;         /* slots, slots in use (pages + shadows) */
	uint64_t nr_pages;        /* cached pages */
};

struct filemap {
	struct file_obj **files;
	size_t nr_files, cap_files;
	uint64_t *dirty;          /* ring of pfns in dirtying order */
	size_t dcap, dhead, dn;
	uint64_t stat[NR_FILEMAP_STATS];
};

int filemap_create(struct filemap **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -SIM_ENOMEM;
}

void filemap_destroy(struct filemap *fm)
{
	if (!fm)
		return;
	for (size_t i = 0; i < fm->nr_files; i++) {
		free(fm->files[i]->keys);
		free(fm->files[i]->vals);
		free(fm->files[i]);
	}
	free(fm->files);
	free(fm->dirty);
	free(fm);
}

static struct filemap *fm_of(const struct os *os)
{
	return os->rcl ? os->rcl->fm : NULL;
}

uint64_t filemap_stat(const struct os *os, enum filemap_stat s)
{
	const struct filemap *fm = fm_of(os);
	return fm ? fm->stat[s] : 0;
}

bool page_is_file_cache(const struct page *pg)
{
	return pg->mapping && !page_test(pg, PG_anon) && !page_test(pg, PG_swapbacked);
}

/* ---- the index ------------------------------------------------------------------------ */

static size_t slot_of(const struct file_obj *f, uint64_t index)
{
	uint64_t h = index * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 17) & (f->cap - 1);
}

static uint64_t *idx_find(const struct file_obj *f, uint64_t index)
{
	if (!f->cap)
		return NULL;
	for (size_t i = slot_of(f, index);; i = (i + 1) & (f->cap - 1)) {
		if (f->keys[i] == EMPTY_KEY)
			return NULL;
		if (f->keys[i] == index)
			return &f->vals[i];
	}
}

static int idx_grow(struct file_obj *f)
{
	size_t ncap = f->cap ? f->cap * 2 : 64;
	uint64_t *k = malloc(ncap * sizeof(*k)), *v = malloc(ncap * sizeof(*v));
	if (!k || !v) {
		free(k);
		free(v);
		return -SIM_ENOMEM;
	}
	for (size_t i = 0; i < ncap; i++)
		k[i] = EMPTY_KEY;
	uint64_t *ok = f->keys, *ov = f->vals;
	size_t ocap = f->cap;
	f->keys = k;
	f->vals = v;
	f->cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (ok[i] == EMPTY_KEY)
			continue;
		size_t j = slot_of(f, ok[i]);
		while (k[j] != EMPTY_KEY)
			j = (j + 1) & (ncap - 1);
		k[j] = ok[i];
		v[j] = ov[i];
	}
	free(ok);
	free(ov);
	return 0;
}

static int idx_set(struct file_obj *f, uint64_t index, uint64_t val)
{
	uint64_t *e = idx_find(f, index);
	if (e) {
		*e = val;
		return 0;
	}
	if ((f->used + 1) * 4 > f->cap * 3 && idx_grow(f))
		return -SIM_ENOMEM;
	size_t i = slot_of(f, index);
	while (f->keys[i] != EMPTY_KEY)
		i = (i + 1) & (f->cap - 1);
	f->keys[i] = index;
	f->vals[i] = val;
	f->used++;
	return 0;
}

/* The cached page of index (NULL if none); *shadow gets a shadow entry's age + 1 (0: none). */
static struct page *cache_page(struct os *os, struct file_obj *f, uint64_t index, uint64_t *shadow)
{
	uint64_t *e = idx_find(f, index);

	if (shadow)
		*shadow = 0;
	if (!e)
		return NULL;
	if (*e & 1) {
		if (shadow)
			*shadow = *e >> 1;
		return NULL;
	}
	return pfn_to_page(os->phys, *e >> 1);
}

struct page *filemap_lookup(struct os *os, struct file_obj *f, uint64_t index)
{
	return cache_page(os, f, index, NULL);
}

/* ---- files ---------------------------------------------------------------------------- */

static int tree_root(const struct os *os, const struct process *p)
{
	while (p->parent) {
		const struct process *q = os_proc(os, p->parent);
		if (!q)
			break;
		p = q;
	}
	return p->pid;
}

struct file_obj *filemap_file(struct os *os, struct process *p, int64_t fd)
{
	struct filemap *fm = fm_of(os);
	int owner = tree_root(os, p);

	if (!fm)
		return NULL;
	for (size_t i = 0; i < fm->nr_files; i++)
		if (fm->files[i]->owner == owner && fm->files[i]->fd == fd)
			return fm->files[i];
	if (fm->nr_files == fm->cap_files) {
		size_t cap = fm->cap_files ? fm->cap_files * 2 : 8;
		struct file_obj **n = realloc(fm->files, cap * sizeof(*n));
		if (!n)
			return NULL;
		fm->files = n;
		fm->cap_files = cap;
	}
	struct file_obj *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->owner = owner;
	f->fd = fd;
	fm->files[fm->nr_files++] = f;
	return f;
}

/* ---- dirty pages ------------------------------------------------------------------------- */

static void dirty_push(struct filemap *fm, uint64_t pfn)
{
	if (fm->dn == fm->dcap) {
		size_t cap = fm->dcap ? fm->dcap * 2 : 256;
		uint64_t *n = malloc(cap * sizeof(*n));
		if (!n)
			return;   /* the page is still dirty and counted; reclaim or a later write finds it */
		for (size_t i = 0; i < fm->dn; i++)
			n[i] = fm->dirty[(fm->dhead + i) % fm->dcap];
		free(fm->dirty);
		fm->dirty = n;
		fm->dcap = cap;
		fm->dhead = 0;
	}
	fm->dirty[(fm->dhead + fm->dn++) % fm->dcap] = pfn;
}

void filemap_mark_dirty(struct os *os, struct page *pg)
{
	if (page_test(pg, PG_dirty))
		return;
	page_set(pg, PG_dirty);
	if (!page_is_file_cache(pg))
		return;
	node_stat_mod(os->phys, pg->node, NR_FILE_DIRTY, 1);
	node_stat_mod(os->phys, pg->node, NR_DIRTIED, 1);
	zone_stat_mod(os->phys, pg->node, pg->zone, NR_ZONE_WRITE_PENDING, 1);
	if (fm_of(os))
		dirty_push(fm_of(os), pg->pfn);
}

static void clear_dirty(struct os *os, struct page *pg)
{
	if (!page_test(pg, PG_dirty))
		return;
	page_clear(pg, PG_dirty);
	if (!page_is_file_cache(pg))
		return;
	node_stat_mod(os->phys, pg->node, NR_FILE_DIRTY, -1);
	zone_stat_mod(os->phys, pg->node, pg->zone, NR_ZONE_WRITE_PENDING, -1);
}

struct mkclean_ctx {
	struct os *os;
	struct tlb_batch b;
	unsigned cpu;
	sim_time_t now;
};

static int mkclean_one(void *ctx, const struct rmap_hit *h)
{
	struct mkclean_ctx *c = ctx;
	if (!(h->pte & (PTE_RW | PTE_D)))
		return 0;
	pmem_write64(c->os->pm, h->slot, h->pte & ~(PTE_RW | PTE_D));
	tlb_batch_add(c->os, &c->b, h->p, h->vaddr, pgtable_level_size(h->level), c->cpu, c->now, NULL);
	return 0;
}

void filemap_writepage(struct os *os, struct page *pg, sim_time_t now)
{
	struct filemap *fm = fm_of(os);

	if (!page_test(pg, PG_dirty))
		return;
	if (pg->mapcount > 0) {
		/* folio_mkclean: the next store must fault to dirty the page again (flusher's time) */
		struct mkclean_ctx c = { .os = os, .cpu = 0, .now = now };
		rmap_walk(os, pg, mkclean_one, &c, NULL);
		(void)tlb_batch_flush(os, &c.b, c.cpu, now);
	}
	clear_dirty(os, pg);
	page_clear(pg, PG_reclaim);
	blkdev_io(os->rcl->disk, now, PAGE_SIZE, true);
	node_stat_mod(os->phys, pg->node, NR_WRITTEN, 1);
	vmstat_inc(os->phys, PGPGOUT, PAGE_SIZE >> 10);
	if (fm)
		fm->stat[FM_WRITEBACK]++;
}

static uint64_t total_dirty(struct os *os)
{
	uint64_t d = 0;
	for (unsigned n = 0; n < physmem_nr_nodes(os->phys); n++)
		d += node_stat(os->phys, n, NR_FILE_DIRTY);
	return d;
}

/* global_dirtyable_memory: free pages plus the file LRU. */
static uint64_t dirtyable(struct os *os)
{
	uint64_t m = 0;
	for (unsigned n = 0; n < physmem_nr_nodes(os->phys); n++) {
		m += node_stat(os->phys, n, NR_INACTIVE_FILE) + node_stat(os->phys, n, NR_ACTIVE_FILE);
		for (unsigned z = 0; z < MAX_NR_ZONES; z++)
			m += zone_stat(os->phys, n, z, NR_FREE_PAGES);
	}
	return m;
}

/* Write back the oldest dirty pages until at most `target` remain. */
static void writeback_until(struct os *os, uint64_t target, sim_time_t now)
{
	struct filemap *fm = fm_of(os);

	while (fm->dn && total_dirty(os) > target) {
		uint64_t pfn = fm->dirty[fm->dhead];
		fm->dhead = (fm->dhead + 1) % fm->dcap;
		fm->dn--;
		struct page *pg = pfn_to_page(os->phys, pfn);
		if (page_test(pg, PG_dirty) && page_is_file_cache(pg) && pg->refcount > 0)
			filemap_writepage(os, pg, now);
	}
}

void filemap_wakeup_flusher(struct os *os, sim_time_t now)
{
	struct filemap *fm = fm_of(os);
	if (!fm)
		return;
	uint64_t bg = dirtyable(os) * os->cfg.dirty_background_ratio / 100;
	fm->stat[FM_FLUSHER_RUNS]++;
	writeback_until(os, bg, now);
}

/* Pages queued on the disk and not yet transferred at `now`. */
static uint64_t in_flight(const struct blkdev *d, sim_time_t now)
{
	if (d->busy_until <= now || !d->bandwidth)
		return 0;
	return (uint64_t)((unsigned __int128)(d->busy_until - now) * d->bandwidth / 1000000000000ULL / PAGE_SIZE);
}

/* balance_dirty_pages after a write at `now`.  @return the writer's wait. */
static sim_time_t balance_dirty_pages(struct os *os, sim_time_t now)
{
	struct filemap *fm = fm_of(os);
	struct blkdev *d = os->rcl->disk;
	uint64_t m = dirtyable(os);
	uint64_t bg = m * os->cfg.dirty_background_ratio / 100, thresh = m * os->cfg.dirty_ratio / 100;

	if (bg >= thresh)
		bg = thresh / 2;
	if (total_dirty(os) > bg) {
		fm->stat[FM_FLUSHER_RUNS]++;
		writeback_until(os, bg, now);
	}
	uint64_t nr = total_dirty(os) + in_flight(d, now);
	if (nr <= thresh)
		return 0;
	uint64_t excess = nr - (bg + thresh) / 2;
	sim_time_t wait = (sim_time_t)((unsigned __int128)excess * PAGE_SIZE * 1000000000000ULL / d->bandwidth);
	fm->stat[FM_THROTTLED]++;
	fm->stat[FM_THROTTLE_PS] += wait;
	node_stat_mod(os->phys, 0, NR_THROTTLED_WRITTEN, (int64_t)excess);
	return wait;
}

/* ---- bringing pages in ----------------------------------------------------------------------- */

/* workingset_test_recent for a file refault. */
static bool file_refault_recent(struct os *os, const struct lruvec *lv, uint64_t shadow)
{
	uint64_t distance = lv->nonresident_age - (shadow - 1);
	uint64_t ws = lruvec_tree_size(os, lv, LRU_ACTIVE_FILE);

	if (can_reclaim_anon_pages(os))
		ws += lruvec_tree_size(os, lv, LRU_ACTIVE_ANON) + lruvec_tree_size(os, lv, LRU_INACTIVE_ANON);
	return distance <= ws;
}

/*
 * A new cache page for (f, index), allocated under p's policy (VMA v at
 * addr, or the task policy), added to the index and the file LRU with one
 * reference for the cache and one for the caller.
 */
static int add_cache_page(struct os *os, struct process *p, struct vma *v, uint64_t addr, struct file_obj *f,
			  uint64_t index, gfp_t gfp, unsigned cpu, sim_time_t now, struct page **out, sim_time_t *cost)
{
	uint64_t pfn, shadow;
	int rc;

	(void)cache_page(os, f, index, &shadow);
	if ((rc = alloc_policy_pages(os, p, v, addr, 0, gfp, cpu, now, &pfn, cost)))
		return rc;
	struct page *pg = pfn_to_page(os->phys, pfn);
	if ((rc = idx_set(f, index, pfn << 1))) {
		pg->refcount = 0;
		mem_cgroup_uncharge(os, pg);
		page_free(os->phys, pfn, 0, cpu);
		return rc;
	}
	f->nr_pages++;
	page_set(pg, PG_uptodate);
	pg->mapping = f;
	pg->index = index;
	pg->mapcount = 0;
	pg->refcount = 2;
	node_stat_mod(os->phys, pg->node, NR_FILE_PAGES, 1);
	struct lruvec *lv = node_lruvec(os, pg->node);
	if (shadow && lv) {
		node_stat_mod(os->phys, pg->node, WORKINGSET_REFAULT_FILE, 1);
		if (file_refault_recent(os, lv, shadow)) {
			page_set(pg, PG_active);
			page_set(pg, PG_workingset);
			node_stat_mod(os->phys, pg->node, WORKINGSET_ACTIVATE_FILE, 1);
			lv->nonresident_age++;
			memcg_note_cost(os, page_lruvec(os, pg), pg->node, true, 1, 0);   /* lru_note_cost_refault */
		}
	}
	lru_add(os, pg);
	*out = pg;
	return 0;
}

static void put_ref(struct os *os, struct page *pg, unsigned cpu)
{
	put_page(os, pg, cpu);
}

/*
 * Read [index, index + nr) from the disk where not cached, stopping at the
 * first cached page; the pages get the caller's reference only for the
 * first one (*first).  One request; the caller waits for it.
 * @return 0 or -SIM_EOOM if not even the first page could be allocated.
 */
static int read_in(struct os *os, struct process *p, struct vma *v, struct file_obj *f, uint64_t index, uint64_t nr,
		   gfp_t gfp, unsigned cpu, sim_time_t now, struct page **first, bool *major, sim_time_t *cost)
{
	struct filemap *fm = fm_of(os);
	struct page *batch[64];
	uint64_t n = 0;
	int rc = 0;

	*major = false;
	if (nr > ARRAY_SIZE(batch))
		nr = ARRAY_SIZE(batch);
	for (; n < nr; n++) {
		uint64_t addr = v ? v->start + ((index + n - v->pgoff) << PAGE_SHIFT) : 0;
		if (cache_page(os, f, index + n, NULL))
			break;
		if ((rc = add_cache_page(os, p, v, addr, f, index + n, gfp, cpu, now + *cost, &batch[n], cost)))
			break;
	}
	if (!n)
		return rc ? rc : 0;
	sim_time_t issue = now + *cost;
	sim_time_t done = blkdev_io(os->rcl->disk, issue, n * PAGE_SIZE, false);
	*cost += done - issue;
	fm->stat[FM_READ_WAIT_PS] += done - issue;
	fm->stat[FM_MISSES]++;
	fm->stat[FM_READAHEAD] += n - 1;
	vmstat_inc(os->phys, PGPGIN, (n * PAGE_SIZE) >> 10);
	*major = true;
	*first = batch[0];
	for (uint64_t i = 1; i < n; i++)
		put_ref(os, batch[i], cpu);   /* read-ahead pages keep only the cache's reference */
	return 0;
}

/* The cache page of index with a reference for the caller, read in if missing. */
static int get_page(struct os *os, struct process *p, struct vma *v, struct file_obj *f, uint64_t index,
		    uint64_t ra, gfp_t gfp, unsigned cpu, sim_time_t now, struct page **out, bool *major,
		    sim_time_t *cost)
{
	struct page *pg = cache_page(os, f, index, NULL);

	*major = false;
	if (pg) {
		pg->refcount++;
		fm_of(os)->stat[FM_HITS]++;
		*out = pg;
		return 0;
	}
	return read_in(os, p, v, f, index, ra ? ra : 1, gfp, cpu, now, out, major, cost);
}

/* ---- read() / write() ------------------------------------------------------------------------ */

static sim_time_t copy_cost(const struct os *os, uint64_t bytes)
{
	return (sim_time_t)((unsigned __int128)os->cfg.copy_page_cost * bytes / PAGE_SIZE);
}

int filemap_read(struct os *os, struct process *p, int64_t fd, uint64_t off, uint64_t len, unsigned cpu,
		 sim_time_t now, sim_time_t *cost)
{
	struct file_obj *f = filemap_file(os, p, fd);
	int rc;

	if (!f)
		return -SIM_ENOMEM;
	fm_of(os)->stat[FM_READ_CALLS]++;
	if (!len)
		return 0;
	uint64_t first = off >> PAGE_SHIFT, last = (off + len - 1) >> PAGE_SHIFT;
	for (uint64_t i = first; i <= last; i++) {
		struct page *pg;
		bool major;
		if ((rc = get_page(os, p, NULL, f, i, last - i + 1, GFP_HIGHUSER_MOVABLE, cpu, now, &pg, &major, cost)))
			return rc;
		mark_page_accessed(os, pg);
		put_ref(os, pg, cpu);
	}
	*cost += copy_cost(os, len);
	return 0;
}

int filemap_write(struct os *os, struct process *p, int64_t fd, uint64_t off, uint64_t len, unsigned cpu,
		  sim_time_t now, sim_time_t *cost)
{
	struct file_obj *f = filemap_file(os, p, fd);
	int rc;

	if (!f)
		return -SIM_ENOMEM;
	fm_of(os)->stat[FM_WRITE_CALLS]++;
	if (!len)
		return 0;
	uint64_t first = off >> PAGE_SHIFT, last = (off + len - 1) >> PAGE_SHIFT;
	for (uint64_t i = first; i <= last; i++) {
		struct page *pg = cache_page(os, f, i, NULL);
		if (pg) {
			pg->refcount++;
			fm_of(os)->stat[FM_HITS]++;
		} else if ((rc = add_cache_page(os, p, NULL, 0, f, i, GFP_HIGHUSER_MOVABLE | __GFP_WRITE, cpu, now,
						&pg, cost))) {
			return rc;
		}
		filemap_mark_dirty(os, pg);
		mark_page_accessed(os, pg);
		put_ref(os, pg, cpu);
	}
	*cost += copy_cost(os, len);
	*cost += balance_dirty_pages(os, now + *cost);
	return 0;
}

/* ---- faults ------------------------------------------------------------------------------------ */

#define FAULT_AROUND_PAGES 16

/* do_fault_around: map cached neighbours of the faulting page read-only. */
static void fault_around(struct os *os, struct process *p, struct vma *v, struct file_obj *f, uint64_t addr)
{
	uint64_t win = FAULT_AROUND_PAGES << PAGE_SHIFT;
	uint64_t lo = SIM_MAX(addr & ~(win - 1), v->start), hi = SIM_MIN((addr & ~(win - 1)) + win, v->end);
	struct filemap *fm = fm_of(os);

	for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
		uint64_t slot;
		if (a == addr || pgtable_lookup(os->pm, p->pgd_pfn, a, &slot) != 1 || pmem_read64(os->pm, slot))
			continue;
		struct page *pg = cache_page(os, f, v->pgoff + ((a - v->start) >> PAGE_SHIFT), NULL);
		if (!pg || !page_test(pg, PG_uptodate))
			continue;
		pg->refcount++;
		pmem_write64(os->pm, slot, (pg->pfn << PAGE_SHIFT) | vma_leaf_bits(v));
		rmap_account_add(os, p, v, pg, 1);
		fm->stat[FM_FAULTAROUND]++;
	}
}

int filemap_fault(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t slot, bool write,
		  unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct file_obj *f = v->file;
	uint64_t addr = vaddr & ~(PAGE_SIZE - 1);
	uint64_t index = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
	uint64_t ra = os->cfg.read_ahead_kb >> 2;
	struct page *pg;
	bool major;
	int rc;

	if (!f || !os->rcl)
		return -SIM_EFAULT;
	ra = SIM_MIN(SIM_MAX(ra, 1ULL), (v->end - addr) >> PAGE_SHIFT);
	if ((rc = get_page(os, p, v, f, index, ra, GFP_HIGHUSER_MOVABLE, cpu, now, &pg, &major, cost)))
		return rc;
	if (major) {
		vmstat_inc(os->phys, PGMAJFAULT, 1);
		p->maj_flt++;
		fm_of(os)->stat[FM_MAJOR_FAULTS]++;
	}
	if (write && !(v->flags & VM_SHARED)) {
		/* do_cow_fault: a private copy; the cache page stays unmapped here */
		struct page *anon;
		if ((rc = new_anon_page(os, p, v, addr, 0, false, cpu, now, &anon, cost))) {
			put_ref(os, pg, cpu);
			return rc;
		}
		*cost += oshw_copy(os, cpu, now + *cost, anon->pfn, pg->pfn, PAGE_SIZE);
		pmem_write64(os->pm, slot, (anon->pfn << PAGE_SHIFT) | vma_leaf_bits(v) | PTE_RW | PTE_D);
		rmap_account_add(os, p, v, anon, 1);
		put_ref(os, pg, cpu);
		return 0;
	}
	/* the caller's reference becomes the mapping's */
	uint64_t pte = (pg->pfn << PAGE_SHIFT) | vma_leaf_bits(v);
	if (write) {
		pte |= PTE_RW | PTE_D;
		filemap_mark_dirty(os, pg);
	}
	pmem_write64(os->pm, slot, pte);
	rmap_account_add(os, p, v, pg, 1);
	if (!write)
		fault_around(os, p, v, f, addr);
	return 0;
}

void filemap_replace_page(struct os *os, struct page *src, struct page *dst)
{
	struct file_obj *f = src->mapping;
	uint64_t *e = idx_find(f, src->index);
	(void)os;
	SIM_BUG_ON(!e || *e != src->pfn << 1);
	*e = dst->pfn << 1;
	if (page_test(src, PG_dirty) && fm_of(os))
		dirty_push(fm_of(os), dst->pfn);
}

/* ---- reclaim -------------------------------------------------------------------------------------- */

void filemap_evict(struct os *os, struct page *pg)
{
	struct file_obj *f = pg->mapping;
	struct lruvec *lv = node_lruvec(os, pg->node);

	SIM_BUG_ON(!page_is_file_cache(pg) || pg->mapcount || page_test(pg, PG_dirty));
	uint64_t age = lv ? ++lv->nonresident_age : 1;
	uint64_t *e = idx_find(f, pg->index);
	SIM_BUG_ON(!e || *e != pg->pfn << 1);
	*e = (age << 1) | 1;   /* the shadow: eviction age + 1 */
	f->nr_pages--;
	node_stat_mod(os->phys, pg->node, NR_FILE_PAGES, -1);
	pg->mapping = NULL;
	pg->index = 0;
	SIM_BUG_ON(pg->refcount <= 1);
	pg->refcount--;   /* the cache's reference */
}

void filemap_report(struct os *os, rep_t *r)
{
	struct filemap *fm = fm_of(os);
	if (!fm)
		return;
	rep_obj_begin(r, "page_cache");
	rep_u64(r, "files", fm->nr_files);
	uint64_t pages = 0;
	for (size_t i = 0; i < fm->nr_files; i++)
		pages += fm->files[i]->nr_pages;
	rep_u64(r, "pages", pages);
	struct stat_block sb = { filemap_stat_desc, fm->stat, NR_FILEMAP_STATS };
	rep_stats(r, "counters", &sb);
	rep_obj_end(r);
}
