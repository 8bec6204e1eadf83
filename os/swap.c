/*
 * os/swap.c - swap area, block-device timing, swap-out and swap-in (see swap.h).
 *
 * Slots are handed out next-fit from a cursor, as the cluster allocator
 * does within a cluster: consecutive swap-outs get consecutive slots, which
 * keeps the map deterministic and easy to read in tests.
 */
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/psi.h"
#include "os/rmap.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "sim/err.h"

struct swap_info {
	uint64_t nr_slots;        /* including the header slot 0 */
	uint64_t inuse;
	uint64_t cursor;
	uint8_t *map;             /* use count per slot (0: free) */
	uint64_t *shadow;         /* workingset eviction age per slot */
	struct blkdev dev;
};

sim_time_t blkdev_io(struct blkdev *d, sim_time_t now, uint64_t bytes, bool write)
{
	sim_time_t start = SIM_MAX(now, d->busy_until);
	sim_time_t xfer = d->bandwidth ? (sim_time_t)((unsigned __int128)bytes * 1000000000000ULL / d->bandwidth) : 0;

	d->busy_until = start + xfer;
	d->busy_ps += xfer;
	if (write) {
		d->writes++;
		d->write_bytes += bytes;
	} else {
		d->reads++;
		d->read_bytes += bytes;
	}
	return d->busy_until + d->latency;
}

int swap_create(struct swap_info **out, uint64_t bytes, sim_time_t latency, uint64_t bandwidth)
{
	struct swap_info *si = calloc(1, sizeof(*si));

	*out = NULL;
	if (!si)
		return -SIM_ENOMEM;
	si->nr_slots = bytes >> PAGE_SHIFT;
	if (si->nr_slots < 2)
		si->nr_slots = 0;
	si->cursor = 1;
	si->dev.latency = latency;
	si->dev.bandwidth = bandwidth;
	if (si->nr_slots) {
		si->map = calloc(si->nr_slots, 1);
		si->shadow = calloc(si->nr_slots, sizeof(*si->shadow));
		if (!si->map || !si->shadow) {
			swap_destroy(si);
			return -SIM_ENOMEM;
		}
		si->map[0] = 0xff;   /* the header is never handed out */
	}
	*out = si;
	return 0;
}

void swap_destroy(struct swap_info *si)
{
	if (!si)
		return;
	free(si->map);
	free(si->shadow);
	free(si);
}

uint64_t swap_total(const struct swap_info *si)
{
	return si && si->nr_slots ? si->nr_slots - 1 : 0;
}

uint64_t swap_used(const struct swap_info *si)
{
	return si ? si->inuse : 0;
}

uint64_t swap_alloc_slot(struct swap_info *si)
{
	if (!si || si->inuse >= swap_total(si))
		return 0;
	for (uint64_t i = 0; i < si->nr_slots; i++) {
		uint64_t off = si->cursor;
		si->cursor = si->cursor + 1 >= si->nr_slots ? 1 : si->cursor + 1;
		if (!si->map[off]) {
			si->map[off] = 1;
			si->shadow[off] = 0;
			si->inuse++;
			return off;
		}
	}
	SIM_BUG_ON(true);   /* inuse said there was a free slot */
	return 0;
}

void swap_dup(struct swap_info *si, uint64_t offset)
{
	SIM_BUG_ON(!si || !offset || offset >= si->nr_slots || !si->map[offset] || si->map[offset] >= 0xfe);
	si->map[offset]++;
}

unsigned swap_put(struct swap_info *si, uint64_t offset)
{
	SIM_BUG_ON(!si || !offset || offset >= si->nr_slots || !si->map[offset]);
	if (--si->map[offset] == 0)
		si->inuse--;
	return si->map[offset];
}

unsigned swap_count(const struct swap_info *si, uint64_t offset)
{
	return si && offset && offset < si->nr_slots ? si->map[offset] : 0;
}

void swap_set_shadow(struct swap_info *si, uint64_t offset, uint64_t age)
{
	if (si && offset && offset < si->nr_slots)
		si->shadow[offset] = age;
}

uint64_t swap_shadow(const struct swap_info *si, uint64_t offset)
{
	return si && offset && offset < si->nr_slots ? si->shadow[offset] : 0;
}

struct blkdev *swap_dev(struct swap_info *si)
{
	return &si->dev;
}

/* ---- swap-out ------------------------------------------------------------------------ */

static int count_swapent(void *ctx, const struct rmap_hit *h)
{
	(*(unsigned *)ctx)++;
	h->p->swapents++;
	return 0;
}

int swap_out_page(struct os *os, struct page *pg, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct swap_info *si = os->rcl->swap;
	uint64_t off = swap_alloc_slot(si);
	unsigned n = 0, unmapped = 0;

	SIM_BUG_ON(!page_test(pg, PG_anon) || pg->order);
	if (!off)
		return -SIM_EOOM;
	rmap_walk(os, pg, count_swapent, &n, NULL);
	SIM_BUG_ON(n != (unsigned)pg->mapcount);
	for (unsigned i = 1; i < n; i++)
		swap_dup(si, off);
	pg->refcount++;   /* try_to_unmap needs a reference beyond the mappings' */
	*cost += try_to_unmap(os, pg, swp_entry_to_pte(SWP_TYPE_SWAP, off), cpu, now, &unmapped);
	SIM_BUG_ON(unmapped != n || pg->mapcount != 0);
	pg->refcount--;
	if (!n)
		swap_put(si, off);   /* nobody maps it: nothing to keep */
	else {
		/* swap_writepage: asynchronous for the reclaimer; the device queues it */
		blkdev_io(&si->dev, now + *cost, PAGE_SIZE, true);
		vmstat_inc(os->phys, PSWPOUT, 1);
		vmstat_inc(os->phys, PGPGOUT, PAGE_SIZE >> 10);
		struct lruvec *lv = node_lruvec(os, pg->node);
		swap_set_shadow(si, off, lv->nonresident_age + 1);   /* +1: 0 means "no shadow" */
		lv->nonresident_age++;
	}
	return 0;
}

/* ---- swap-in ---------------------------------------------------------------------------- */

/* workingset_test_recent for an anon refault (mm/workingset.c). */
static bool anon_refault_recent(struct os *os, const struct lruvec *lv, uint64_t shadow)
{
	uint64_t distance = lv->nonresident_age - (shadow - 1);
	uint64_t ws = lv->nr[LRU_ACTIVE_FILE] + lv->nr[LRU_INACTIVE_FILE];

	if (can_reclaim_anon_pages(os))
		ws += lv->nr[LRU_ACTIVE_ANON];
	return distance <= ws;
}

int do_swap_page(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t slot, uint64_t pte,
		 bool write, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct swap_info *si = os->rcl->swap;
	uint64_t off = swp_offset(pte), addr = vaddr & ~(PAGE_SIZE - 1);
	struct page *pg;
	int rc;
	(void)write;

	if (swp_type(pte) != SWP_TYPE_SWAP || !swap_count(si, off))
		return -SIM_EFAULT;
	uint64_t shadow = swap_shadow(si, off);
	if ((rc = new_anon_page(os, p, v, addr, 0, false, cpu, now, &pg, cost)))
		return rc;
	/* swap_read_folio: the faulting CPU waits for the read */
	sim_time_t issue = now + *cost;
	sim_time_t done = blkdev_io(&si->dev, issue, PAGE_SIZE, false);
	*cost += done - issue;
	os->rcl->stat[RS_SWAPIN_PS] += done - issue;
	psi_memstall_add(os, cpu, issue, done - issue);
	vmstat_inc(os->phys, PSWPIN, 1);
	vmstat_inc(os->phys, PGPGIN, PAGE_SIZE >> 10);
	vmstat_inc(os->phys, PGMAJFAULT, 1);
	p->maj_flt++;
	struct lruvec *lv = node_lruvec(os, pg->node);
	if (shadow) {
		node_stat_mod(os->phys, pg->node, WORKINGSET_REFAULT_ANON, 1);
		if (anon_refault_recent(os, lv, shadow)) {
			lru_del(os, pg);
			page_set(pg, PG_active);
			page_set(pg, PG_workingset);
			lru_add(os, pg);
			node_stat_mod(os->phys, pg->node, WORKINGSET_ACTIVATE_ANON, 1);
			lv->nonresident_age++;
			lru_note_cost(lv, false, 1, 0);
		}
	}
	/* the page is ours alone (no swap cache): writable and dirty if the VMA allows (do_swap_page) */
	uint64_t npte = (pg->pfn << PAGE_SHIFT) | vma_leaf_bits(v);
	if (v->flags & VM_WRITE)
		npte |= PTE_RW | PTE_D;
	pmem_write64(os->pm, slot, npte);
	rmap_account_add(os, p, v, pg, 1);
	swap_put(si, off);
	SIM_BUG_ON(p->swapents == 0);
	p->swapents--;
	return 0;
}

void swap_entry_free(struct os *os, struct process *p, uint64_t pte)
{
	if (!os->rcl || swp_type(pte) != SWP_TYPE_SWAP)
		return;
	swap_put(os->rcl->swap, swp_offset(pte));
	SIM_BUG_ON(p->swapents == 0);
	p->swapents--;
}

void swap_entry_dup(struct os *os, struct process *child, uint64_t pte)
{
	if (!os->rcl || swp_type(pte) != SWP_TYPE_SWAP)
		return;
	swap_dup(os->rcl->swap, swp_offset(pte));
	child->swapents++;
}
