/*
 * os/fault.c - demand faults, page mapping and unmapping, fork and exit.
 *
 * Follows Linux 6.12 mm/memory.c (sources.md §6): handle_pte_fault
 * dispatches an empty PTE to do_anonymous_page (read: the shared zero page
 * mapped read-only and special; write: a zeroed page placed by the memory
 * policy) or, for shared anonymous memory (shmem), to a lookup/allocation
 * in the shared object; a write to a present read-only PTE goes to
 * do_wp_page (reuse when the page is ours alone, else copy; the zero page
 * is always replaced by a fresh zeroed page).  Hugetlb VMAs fault whole
 * 2 MiB pages mapped by PMD leaves.
 *
 * Costs (§6.5, §13): os_cfg.fault_cost per fault, plus what the allocator
 * reports for every page it hands out (data pages and page-table pages),
 * plus zeroing or copying through the hardware model, plus a TLB shootdown
 * whenever a present PTE is replaced or downgraded.  Permission upgrades
 * (COW reuse, spurious faults) invalidate the stale translation without
 * charging it: x86 drops the faulting translation as part of the #PF.
 *
 * Reference counts follow Linux: a private anonymous page holds one
 * reference per mapping (refcount == mapcount); a shmem page holds one for
 * its object plus one per mapping.  The zero page is never counted.
 */
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/ksm.h"
#include "os/slab.h"
#include "os/memcontrol.h"
#include "os/rmap.h"
#include "os/filemap.h"
#include "os/hugetlb.h"
#include "os/lru.h"
#include "os/mlock.h"
#include "os/oom.h"
#include "os/swap.h"
#include "os/numa_balancing.h"
#include "os/thp.h"
#include "sim/err.h"

/* GFP_PGTABLE_USER: page-table pages are zeroed, unmovable kernel memory. */
#define GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ZERO)

/* ---- hardware layer ---------------------------------------------------------- */

unsigned os_cpu_node(const struct os *os, unsigned cpu)
{
	return physmem_cpu_node(os->phys, cpu);
}

sim_time_t oshw_zero(struct os *os, unsigned cpu, sim_time_t now, uint64_t pfn, uint64_t bytes)
{
	sim_time_t t = 0;

	if (!os->hw)
		return 0;
	for (uint64_t off = 0; off < bytes; off += PAGE_SIZE)
		t += hw_zero_page(os->hw, cpu, now + t, (pfn << PAGE_SHIFT) + off, SIM_MIN(bytes - off, PAGE_SIZE));
	return t;
}

sim_time_t oshw_copy(struct os *os, unsigned cpu, sim_time_t now, uint64_t dst_pfn, uint64_t src_pfn,
		     uint64_t bytes)
{
	sim_time_t t = 0;

	for (uint64_t off = 0; off < bytes; off += PAGE_SIZE) {
		if (os->hw)
			t += hw_copy_page(os->hw, cpu, now + t, (dst_pfn << PAGE_SHIFT) + off, (src_pfn << PAGE_SHIFT) + off,
					  SIM_MIN(bytes - off, PAGE_SIZE));
		t += os->cfg.copy_page_cost;
	}
	return t;
}

static bool ran_elsewhere(const struct process *p, unsigned cpu)
{
	for (unsigned i = 0; i < HW_MAX_CPUS / 64; i++) {
		uint64_t w = p->cpus_ran[i];
		if (i == cpu / 64)
			w &= ~(1ULL << (cpu % 64));
		if (w)
			return true;
	}
	return false;
}

sim_time_t oshw_flush(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t vaddr,
		      uint64_t len)
{
	if (os->hw)
		return hw_tlb_shootdown(os->hw, cpu, now, p->asid, vaddr, len);
	/*
	 * Without hardware: flush_tlb_range's rule, one INVLPG per page up to
	 * tlb_single_page_flush_ceiling (33) pages, and one IPI round trip if
	 * the mm ran on another CPU.
	 */
	uint64_t pages = len ? (len + PAGE_SIZE - 1) >> PAGE_SHIFT : 33;
	sim_time_t c = os->hwc->tlb.invlpg * SIM_MIN(pages, 33);
	if (ran_elsewhere(p, cpu))
		c += os->hwc->tlb.ipi;
	return c;
}

/* ---- page allocation under a policy ------------------------------------------------ */

/* The policy governing an allocation: VMA policy, else task policy, else NULL (local). */
static const struct mempolicy *policy_of(const struct process *p, const struct vma *v)
{
	if (v && v->pol.mode != MPOL_DEFAULT)
		return &v->pol;
	if (p->pol.mode != MPOL_DEFAULT)
		return &p->pol;
	return NULL;
}

/*
 * vma_alloc_folio / alloc_pages with the policy of (p, v) at addr:
 * policy_nodemask, then page_alloc (two passes for preferred-many).
 */
static int policy_alloc(struct os *os, struct process *p, const struct vma *v, uint64_t addr, unsigned order,
			gfp_t gfp, unsigned cpu, sim_time_t now, uint64_t *pfn, sim_time_t *cost)
{
	const struct mempolicy *pol = policy_of(p, v);
	int local = (int)os_cpu_node(os, cpu);
	struct mpol_target t = { .nid = local };
	struct alloc_ctx ac = { .order = order, .gfp = gfp, .cpu = cpu, .now = now };

	if (pol) {
		uint64_t ilx = NO_INTERLEAVE_INDEX;
		if (v) {
			uint64_t bias = v->shm && !(v->flags & VM_HUGETLB) ? v->shm->ino : 0;
			ilx = mpol_ilx(v->start, v->pgoff, addr, order, bias);
		}
		mpol_policy_nodemask(pol, &p->il, &os->sys, gfp, ilx, local, &t);
	}
	ac.preferred_nid = t.nid;
	ac.nodemask = t.has_mask ? &t.mask : NULL;
	ac.interleave = t.interleave;
	/*
	 * alloc_pages_mpol: a PMD-sized THP for a VMA, under a policy that is not
	 * interleave and allows the local (or preferred) node, is tried on that
	 * node alone first, without reclaim (__GFP_THISNODE | __GFP_NORETRY;
	 * one direct compaction if the caller may reclaim).  Only a caller that
	 * may reclaim directly (defrag "always", or MADV_HUGEPAGE under
	 * "madvise"/"defer+madvise") then tries other nodes: remote accesses
	 * would likely offset the THP's benefit.  Otherwise the fault falls
	 * back to local 4 KiB pages.
	 */
	if (v && order == HPAGE_PMD_ORDER && !t.interleave && !t.preferred_many &&
	    (!t.has_mask || node_isset((unsigned)t.nid, &t.mask))) {
		nodemask_t only;
		nodes_clear(&only);
		node_set((unsigned)t.nid, &only);
		struct alloc_ctx local_ac = ac;
		local_ac.gfp = gfp | __GFP_THISNODE | __GFP_NORETRY;
		local_ac.nodemask = &only;
		int rc = page_alloc(os->phys, &local_ac, pfn, cost);
		if (rc != -SIM_EOOM || !(gfp & __GFP_DIRECT_RECLAIM))
			return rc;
	}
	if (t.preferred_many) {
		/* alloc_pages_preferred_many: the mask without direct reclaim, then anywhere */
		ac.gfp = (gfp | __GFP_NOWARN) & ~(__GFP_DIRECT_RECLAIM | __GFP_NOFAIL);
		int rc = page_alloc(os->phys, &ac, pfn, cost);
		if (rc != -SIM_EOOM)
			return rc;
		ac.gfp = gfp;
		ac.nodemask = NULL;
	}
	return page_alloc(os->phys, &ac, pfn, cost);
}

/*
 * A user page (movable: not a page table) of a process in a memory cgroup
 * is charged to it (mem_cgroup_charge after vma_alloc_folio); a charge
 * that fails frees the page again.
 */
int alloc_policy_pages(struct os *os, struct process *p, const struct vma *v, uint64_t addr, unsigned order,
		       gfp_t gfp, unsigned cpu, sim_time_t now, uint64_t *pfn, sim_time_t *cost)
{
	int rc = policy_alloc(os, p, v, addr, order, gfp, cpu, now, pfn, cost);
	if (rc || !p || !p->memcg || !(gfp & __GFP_MOVABLE))
		return rc;
	struct page *pg = pfn_to_page(os->phys, *pfn);
	if ((rc = mem_cgroup_charge(os, p, pg, gfp, cpu, now + *cost, cost))) {
		pg->refcount = 0;
		page_free(os->phys, pg->pfn, pg->order, cpu);
	}
	return rc;
}

int fault_alloc_policy(struct os *os, struct process *p, const struct vma *v, uint64_t addr, unsigned order,
		       gfp_t gfp, unsigned cpu, sim_time_t now, uint64_t *pfn, sim_time_t *cost)
{
	return alloc_policy_pages(os, p, v, addr, order, gfp, cpu, now, pfn, cost);
}

void put_page(struct os *os, struct page *pg, unsigned cpu)
{
	SIM_BUG_ON(pg->refcount <= 0);
	if (--pg->refcount)
		return;
	SIM_BUG_ON(pg->mapcount != 0);
	lru_del(os, pg);
	mlock_page_freed(os, pg);
	pg->flags &= ~((1u << PG_active) | (1u << PG_referenced) | (1u << PG_workingset) | (1u << PG_reclaim));
	if (page_test(pg, PG_head) && page_test(pg, PG_anon) && !page_test(pg, PG_hugetlb))
		node_stat_mod(os->phys, pg->node, NR_ANON_THPS, -(int64_t)(1ULL << pg->order));
	if (page_test(pg, PG_hugetlb)) {
		hugetlb_free_folio(os, pg);   /* free_huge_folio: back to the pool, never to the buddy allocator */
		return;
	}
	if (page_test(pg, PG_ksm))
		ksm_page_free(os, pg);   /* its stable-tree node goes with it */
	page_clear(pg, PG_anon);
	page_clear(pg, PG_swapbacked);
	page_clear(pg, PG_uptodate);
	page_clear(pg, PG_dirty);
	pg->mapping = NULL;
	pg->index = 0;
	mem_cgroup_uncharge(os, pg);
	page_free(os->phys, pg->pfn, pg->order, cpu);
}

/* ---- page-table pages ----------------------------------------------------------------- */

struct pt_ctx {
	struct os *os;
	struct process *p;
	unsigned cpu;
	sim_time_t now;
};

static void account_pgtable(struct os *os, struct process *p, uint64_t pfn, int delta)
{
	unsigned nid = pfn_to_nid(os->phys, pfn);
	node_stat_mod(os->phys, nid, NR_PAGETABLE, delta);
	p->pgtables[nid] += (uint64_t)(int64_t)delta;
}

/*
 * __pte_alloc and friends: GFP_PGTABLE_USER through alloc_pages(), i.e.
 * the task policy without an interleave index (sources.md §6.2), zeroed.
 */
static int pt_alloc(void *ctx, unsigned level, uint64_t vaddr, uint64_t *pfn, sim_time_t *cost)
{
	struct pt_ctx *c = ctx;
	sim_time_t t = 0;
	(void)level, (void)vaddr;

	int rc = alloc_policy_pages(c->os, c->p, NULL, 0, 0, GFP_PGTABLE_USER, c->cpu, c->now, pfn, &t);
	if (rc)
		return rc;
	t += oshw_zero(c->os, c->cpu, c->now, *pfn, PAGE_SIZE);
	account_pgtable(c->os, c->p, *pfn, +1);
	if (cost)
		*cost += t;
	return 0;
}

static void pt_free(void *ctx, uint64_t pfn)
{
	struct pt_ctx *c = ctx;
	struct page *pg = pfn_to_page(c->os->phys, pfn);

	account_pgtable(c->os, c->p, pfn, -1);
	SIM_BUG_ON(pg->refcount != 1);
	pg->refcount = 0;
	page_free(c->os->phys, pfn, 0, c->cpu);
}

static struct pgtable_ops pt_ops(struct pt_ctx *c)
{
	return (struct pgtable_ops){ .ctx = c, .alloc = pt_alloc, .free = pt_free };
}

void fault_put_page(struct os *os, struct page *pg, unsigned cpu)
{
	put_page(os, pg, cpu);
}

int fault_pgtable_slot(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t vaddr, unsigned level,
		       uint64_t *slot, sim_time_t *cost)
{
	struct pt_ctx ptc = { .os = os, .p = p, .cpu = cpu, .now = now };
	struct pgtable_ops ops = pt_ops(&ptc);
	return pgtable_slot_alloc(os->pm, p->pgd_pfn, vaddr, level, &ops, slot, NULL, cost);
}

void fault_pgtable_free(struct os *os, struct process *p, uint64_t pfn, unsigned cpu)
{
	struct pt_ctx ptc = { .os = os, .p = p, .cpu = cpu, .now = os->now };
	pmem_clear_page(os->pm, pfn);
	pt_free(&ptc, pfn);
}

/* ---- mapping accounting -------------------------------------------------------------- */

static uint64_t leaf_pages(unsigned level)
{
	return pgtable_level_size(level) >> PAGE_SHIFT;
}

/* One mapping of pg in p goes away; drops the mapping's reference. */
static void unmap_page(struct os *os, struct process *p, const struct vma *v, struct page *pg, uint64_t nr,
		       unsigned cpu)
{
	rmap_account_remove(os, p, v, pg, nr);   /* munlocks it from a VM_LOCKED v */
	/* free_swap_cache: the last mapping of a swap-cache page whose slot nothing else uses takes it out */
	if (page_test(pg, PG_swapcache) && !pg->mapcount)
		swapcache_try_free(os, pg);
	put_page(os, pg, cpu);
}

/* Permission bits every leaf of v carries (vm_page_prot without RW). */
uint64_t vma_leaf_bits(const struct vma *v)
{
	uint64_t b = PTE_US | PTE_A;

	b |= (v->flags & VM_ACCESS_FLAGS) ? PTE_P : PTE_PROTNONE;
	if (!(v->flags & VM_EXEC))
		b |= PTE_NX;
	return b;
}

static void anon_vma_prepare(struct os *os, struct vma *v)
{
	if (!v->anon_vma)
		v->anon_vma = ++os->next_anon_vma;
}

/* A fresh private anonymous page (refcount 1 = the mapping's). */
int new_anon_page(struct os *os, struct process *p, struct vma *v, uint64_t addr, unsigned order, bool zero,
			 unsigned cpu, sim_time_t now, struct page **out, sim_time_t *cost)
{
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | (zero ? __GFP_ZERO : 0);
	uint64_t pfn;

	if (order)
		gfp |= __GFP_COMP | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
	int rc = v->flags & VM_HUGETLB ? hugetlb_alloc_folio(os, p, v, addr, zero, cpu, cost, &pfn)
				       : alloc_policy_pages(os, p, v, addr, order, gfp, cpu, now, &pfn, cost);
	if (rc)
		return rc;
	if (zero)
		*cost += oshw_zero(os, cpu, now, pfn, PAGE_SIZE << order);
	anon_vma_prepare(os, v);
	struct page *pg = pfn_to_page(os->phys, pfn);
	if (v->flags & VM_HUGETLB)
		page_set(pg, PG_hugetlb);
	page_set(pg, PG_anon);
	page_set(pg, PG_swapbacked);
	page_set(pg, PG_uptodate);
	pg->mapping = p;
	pg->index = addr >> PAGE_SHIFT;
	pg->mapcount = 0;
	if (!(v->flags & VM_HUGETLB))
		lru_add(os, pg);   /* folio_add_lru_vma: the inactive anon list */
	*out = pg;
	return 0;
}

/* Page `slot` of a shared object, allocated (zeroed) on first use. */
static int shm_page(struct os *os, struct process *p, struct vma *v, uint64_t addr, uint64_t slot, unsigned cpu,
		    sim_time_t now, struct page **out, sim_time_t *cost)
{
	struct shm_obj *o = v->shm;
	uint64_t pfn1 = shm_get(o, slot), pfn;
	unsigned order = o->page_shift - PAGE_SHIFT;

	if (pfn1) {
		*out = pfn_to_page(os->phys, pfn1 - 1);
		return 0;
	}
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_ZERO;
	if (order)
		gfp |= __GFP_COMP | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
	int rc = v->flags & VM_HUGETLB ? hugetlb_alloc_folio(os, p, v, addr, true, cpu, cost, &pfn)
				       : alloc_policy_pages(os, p, v, addr, order, gfp, cpu, now, &pfn, cost);
	if (rc)
		return rc;
	if ((rc = shm_set(o, slot, pfn + 1))) {
		struct page *pg = pfn_to_page(os->phys, pfn);
		put_page(os, pg, cpu);
		return rc;
	}
	*cost += oshw_zero(os, cpu, now, pfn, PAGE_SIZE << order);
	struct page *pg = pfn_to_page(os->phys, pfn);
	if (order)
		page_set(pg, PG_hugetlb);
	page_set(pg, PG_swapbacked);
	page_set(pg, PG_uptodate);
	pg->mapping = o;
	pg->index = slot;
	pg->mapcount = 0;
	if (!order) {
		node_stat_mod(os->phys, pg->node, NR_FILE_PAGES, 1);
		node_stat_mod(os->phys, pg->node, NR_SHMEM, 1);
		lru_add(os, pg);
	}
	*out = pg;
	return 0;
}

void shm_put(struct os *os, struct shm_obj *o, unsigned cpu)
{
	if (!o || --o->refs)
		return;
	hugetlb_shm_release(os, o);
	for (uint64_t s = shm_next(o, 0); s < o->nr_slots; s = shm_next(o, s + 1)) {
		struct page *pg = pfn_to_page(os->phys, shm_get(o, s) - 1);
		SIM_BUG_ON(pg->mapcount != 0);
		if (o->page_shift == PAGE_SHIFT) {
			node_stat_mod(os->phys, pg->node, NR_FILE_PAGES, -1);
			node_stat_mod(os->phys, pg->node, NR_SHMEM, -1);
		}
		put_page(os, pg, cpu);
	}
	shm_free(o);
}

/* ---- the fault handler ------------------------------------------------------------------ */

/* A fault below a VM_GROWSDOWN VMA: grow it (mm_expand_stack) within the configured limits. */
static struct vma *expand_stack(struct os *os, struct process *p, uint64_t vaddr)
{
	const struct stack_limits lim = {
		.rlimit_stack = os->cfg.stack_limit,
		.guard_gap = (uint64_t)os->cfg.stack_guard_gap << PAGE_SHIFT,
		.memlock = rlimit_memlock_pages(os),
	};
	return mm_expand_stack(&p->mm, vaddr, &lim);
}

/* A fault outside every VMA of an implicit process: an anonymous RWX mapping around it. */
static struct vma *implicit_vma(struct os *os, struct process *p, uint64_t vaddr)
{
	struct mm_struct *mm = &p->mm;
	uint64_t g = os->cfg.implicit_vma;
	uint64_t start = vaddr - vaddr % g, end = start + g;

	if (end > TASK_SIZE || end < start)
		end = TASK_SIZE;
	size_t i = mm_find_idx(mm, vaddr);
	if (i < mm->nr_vma && mm->vma[i].start < end)
		end = mm->vma[i].start;
	if (i > 0 && mm->vma[i - 1].end > start)
		start = mm->vma[i - 1].end;
	struct vma v = {
		.start = start,
		.end = end,
		.flags = VM_READ | VM_WRITE | VM_EXEC | VM_IMPLICIT,
		.pgoff = start >> PAGE_SHIFT,
		.page_shift = PAGE_SHIFT,
	};
	mpol_none(&v.pol);
	if (mm_insert(mm, &v) < 0)
		return NULL;
	mm_merge_range(mm, start, end);
	return vma_lookup(mm, vaddr);
}

/* The file behind implicit text: one per process tree, numbered out of any real descriptor's range. */
#define IMPLICIT_TEXT_FD (1LL << 40)

int fault_implicit_text(struct os *os, struct process *p, uint64_t vaddr)
{
	struct mm_struct *mm = &p->mm;
	uint64_t start = vaddr & ~(uint64_t)(PAGE_SIZE - 1), end = start + PAGE_SIZE, slot;
	struct vma *v = vma_lookup(mm, vaddr);

	if (!p->implicit || vaddr >= TASK_SIZE)
		return 0;
	if (v) {
		if (!(v->flags & VM_IMPLICIT) || v->file)
			return 0;
		unsigned lvl = pgtable_lookup(os->pm, p->pgd_pfn, vaddr, &slot);
		if (lvl && pmem_read64(os->pm, slot))
			return 0;          /* the page holds data already */
		if (mm_split_range(mm, start, end) < 0)
			return -SIM_ENOMEM;
		mm_remove(mm, mm_find_idx(mm, start));
	}
	struct file_obj *f = filemap_file(os, p, IMPLICIT_TEXT_FD);
	if (!f)
		return -SIM_ENOMEM;
	struct vma t = {
		.start = start,
		.end = end,
		.flags = VM_READ | VM_WRITE | VM_EXEC | VM_IMPLICIT,
		.pgoff = start >> PAGE_SHIFT,
		.page_shift = PAGE_SHIFT,
		.file = f,
	};
	mpol_none(&t.pol);
	if (mm_insert(mm, &t) < 0)
		return -SIM_ENOMEM;
	mm_merge_range(mm, start > PAGE_SIZE ? start - PAGE_SIZE : start, end + PAGE_SIZE);
	return 0;
}

/* do_wp_page / hugetlb_wp: write to a present read-only leaf. */
static int do_wp_page(struct os *os, struct process *p, struct vma *v, uint64_t addr, uint64_t slot, uint64_t pte,
		      unsigned level, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	uint64_t size = pgtable_level_size(level);
	uint64_t haddr = addr & ~(size - 1);
	unsigned order = (unsigned)ilog2_u64(size) - PAGE_SHIFT;
	struct page *old = NULL, *pg;
	int rc;

	if (!(pte & PTE_SPECIAL))
		old = pfn_to_page(os->phys, pte_pfn(pte));
	/* wp_can_reuse_anon_folio: a swap-cache page we alone map leaves the cache first (folio_free_swap) */
	if (old && !(v->flags & VM_SHARED) && page_test(old, PG_swapcache) && old->mapcount == 1 && old->refcount == 2)
		swapcache_try_free(os, old);
	/* wp_page_shared, and wp_page_reuse of a page only we hold (never a KSM page: wp_can_reuse_anon_folio) */
	bool ksm = old && page_test(old, PG_ksm);
	if (old && ((v->flags & VM_SHARED) || (old->mapcount == 1 && old->refcount == 1 && !ksm))) {
		pmem_write64(os->pm, slot, pte | PTE_RW | PTE_D | PTE_A);
		if (v->file)
			filemap_mark_dirty(os, old);   /* page_mkwrite */
		if (!(v->flags & VM_SHARED))
			vmstat_inc(os->phys, PGREUSE, 1);
		(void)oshw_flush(os, p, cpu, now, haddr, size);
		return 0;
	}
	/* wp_page_copy: a zeroed page for the zero page, else a copy; old is pinned against reclaim meanwhile */
	if (old)
		old->refcount++;
	rc = new_anon_page(os, p, v, haddr, order, old == NULL, cpu, now, &pg, cost);
	if (old)
		put_page(os, old, cpu);
	if (rc)
		return rc;
	if (old)
		*cost += oshw_copy(os, cpu, now, pg->pfn, old->pfn, size);
	if (ksm)
		vmstat_inc(os->phys, COW_KSM, 1);   /* do_wp_page: a KSM page is always copied */
	uint64_t npte = (pg->pfn << PAGE_SHIFT) | vma_leaf_bits(v) | PTE_RW | PTE_D | (level > 1 ? PTE_PS : 0);
	pmem_write64(os->pm, slot, npte);
	rmap_account_add(os, p, v, pg, size >> PAGE_SHIFT);
	pg->refcount = 1;
	*cost += oshw_flush(os, p, cpu, now, haddr, size);
	if (old)
		unmap_page(os, p, v, old, size >> PAGE_SHIFT, cpu);
	return 0;
}

/* Fault on an empty leaf: do_anonymous_page, shmem, or hugetlb_no_page. */
static int do_pte_missing(struct os *os, struct process *p, struct vma *v, uint64_t addr, uint64_t slot,
			  unsigned level, bool write, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	uint64_t size = pgtable_level_size(level);
	uint64_t haddr = addr & ~(size - 1);
	uint64_t bits = vma_leaf_bits(v) | (level > 1 ? PTE_PS : 0);
	struct page *pg;
	int rc;

	if (v->shm) {
		uint64_t idx = ((v->pgoff << PAGE_SHIFT) + (haddr - v->start)) >> v->shm->page_shift;
		if ((rc = shm_page(os, p, v, haddr, idx, cpu, now, &pg, cost)))
			return rc;
		pg->refcount++;
		bits |= (v->flags & VM_WRITE ? PTE_RW : 0) | (write ? PTE_D : 0);
	} else if (!write && level == 1) {
		/* do_anonymous_page, read: the zero page, read-only and special */
		return pmem_write64(os->pm, slot, (os->zero_pfn << PAGE_SHIFT) | bits | PTE_SPECIAL);
	} else {
		unsigned order = level > 1 ? (unsigned)ilog2_u64(size) - PAGE_SHIFT : 0;
		if ((rc = new_anon_page(os, p, v, haddr, order, true, cpu, now, &pg, cost)))
			return rc;
		/* hugetlb private read faults map the new page read-only (hugetlb_no_page) */
		bits |= write ? PTE_RW | PTE_D : 0;
	}
	rc = pmem_write64(os->pm, slot, (pg->pfn << PAGE_SHIFT) | bits);
	rmap_account_add(os, p, v, pg, size >> PAGE_SHIFT);
	return rc;
}

/* The allocation failed after reclaim and the OOM killer: the faulting process dies (oom.h). */
static enum os_fault_result oom_kill(struct os *os, struct process *p)
{
	oom_kill_process(os, p, 0, "allocation failed in the fault path");
	return OS_FAULT_OOM;
}

enum os_fault_result fault_handle(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t vaddr,
				  bool write, sim_time_t *cost)
{
	struct pt_ctx ptc = { .os = os, .p = p, .cpu = cpu, .now = now };
	struct pgtable_ops ops = pt_ops(&ptc);
	uint64_t slot, pte;
	unsigned level = 1;
	bool thp_ok = false;
	int rc;

	*cost += os->cfg.fault_cost;
	vmstat_inc(os->phys, PGFAULT, 1);
	if (vaddr >= TASK_SIZE)
		return OS_FAULT_SEGV;
	struct vma *v = vma_lookup(&p->mm, vaddr);
	if (!v)
		v = expand_stack(os, p, vaddr);
	if (!v && p->implicit)
		v = implicit_vma(os, p, vaddr);
	if (!v)
		return OS_FAULT_SEGV;
	if (!(v->flags & VM_ACCESS_FLAGS) || (write && !(v->flags & VM_WRITE)))
		return OS_FAULT_SEGV;
	if (v->flags & VM_HUGETLB) {
		level = v->page_shift == 30 ? 3 : 2;
	} else if ((thp_ok = thp_vma_suitable(os, v, vaddr)) || pgtable_lookup(os->pm, p->pgd_pfn, vaddr, &slot) == 2) {
		/* transparent huge page: an existing PMD leaf, or a chance to make one (os/thp.c) */
		uint64_t haddr = vaddr & ~(HPAGE_PMD_SIZE - 1);
		rc = pgtable_slot_alloc(os->pm, p->pgd_pfn, haddr, 2, &ops, &slot, NULL, cost);
		pte = rc ? 0 : pmem_read64(os->pm, slot);
		if (!rc && pte_present(pte) && (pte & PTE_PS)) {
			const struct page *hp = pfn_to_page(os->phys, pte_pfn(pte));
			if (write && (pte & PTE_SPECIAL))
				rc = thp_split_at(os, p, vaddr, cpu, now, cost);   /* huge zero page: split, then do_wp_page */
			else if (write && (pte & PTE_P) && !(pte & PTE_RW) && !(hp->mapcount == 1 && hp->refcount == 1))
				rc = thp_split_at(os, p, vaddr, cpu, now, cost);   /* COW of a THP: split, copy 4 KiB */
			else
				level = 2;
		} else if (!rc && !pte && thp_ok && thp_do_fault(os, p, v, vaddr, slot, write, cpu, now, cost)) {
			goto done;
		}
		if (rc < 0)
			goto out;
		rc = 0;
	}
	uint64_t addr = vaddr & ~(pgtable_level_size(level) - 1);
	rc = pgtable_slot_alloc(os->pm, p->pgd_pfn, addr, level, &ops, &slot, NULL, cost);
	if (!rc) {
		pte = pmem_read64(os->pm, slot);
		if (is_swap_pte(pte)) {
			rc = do_swap_page(os, p, v, vaddr, slot, pte, write, cpu, now, cost);
		} else if (!pte_present(pte) && v->file) {
			rc = filemap_fault(os, p, v, vaddr, slot, write, cpu, now, cost);
		} else if (!pte_present(pte)) {
			rc = do_pte_missing(os, p, v, vaddr, slot, level, write, cpu, now, cost);
		} else if (!(pte & PTE_P)) {
			/* only a NUMA-hinting entry is PROT_NONE in an accessible VMA (mprotect rewrites PTEs) */
			SIM_BUG_ON(!(pte & PTE_NUMA));
			rc = do_numa_page(os, p, v, vaddr, slot, pte, level, cpu, now, cost);
		} else if (write && !(pte & PTE_RW)) {
			rc = do_wp_page(os, p, v, vaddr, slot, pte, level, cpu, now, cost);
		} else {
			/* spurious: the translation was stale; mark young/dirty as handle_pte_fault does */
			pmem_write64(os->pm, slot, pte | PTE_A | (write ? PTE_D : 0));
			(void)oshw_flush(os, p, cpu, now, addr, pgtable_level_size(level));
		}
	}
out:
	if (rc == -SIM_EOOM)
		return oom_kill(os, p);
	SIM_BUG_ON(rc == -SIM_EFAULT);   /* a huge leaf outside a hugetlb VMA */
	if (rc)
		return OS_FAULT_SEGV;    /* host out of memory for pmem storage */
done:
	p->min_flt++;
	return OS_FAULT_RETRY;
}

int fault_populate(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start, uint64_t end,
		   bool write, sim_time_t *cost)
{
	/* *cost is the time spent since `now`: each fault starts when the one before it is done */
	for (uint64_t a = start; a < end;) {
		struct vma *v = vma_lookup(&p->mm, a);
		if (!v)
			return 0;
		uint64_t step = 1ULL << v->page_shift;
		uint64_t slot;
		unsigned lvl = pgtable_lookup(os->pm, p->pgd_pfn, a, &slot);
		uint64_t pte = pmem_read64(os->pm, slot);
		bool w = write && (v->flags & VM_WRITE);
		/* faultin_page only faults what is missing or needs a COW break */
		if (!(pte_present(pte) && pte_is_leaf(pte, lvl) && (!w || (pte & PTE_RW)))) {
			if (fault_handle(os, p, cpu, now + *cost, a, w, cost) == OS_FAULT_OOM)
				return -SIM_EOOM;
		}
		a = (a & ~(step - 1)) + step;
	}
	return 0;
}

/* ---- unmapping, protection, walks ------------------------------------------------------------ */

struct zap_ctx {
	struct os *os;
	struct process *p;
	const struct vma *v;
	unsigned cpu;
	uint64_t cleared;
};

static int zap_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct zap_ctx *z = ctx;
	(void)va;

	pmem_write64(z->os->pm, slot, 0);
	z->cleared++;
	if (is_swap_pte(pte))
		swap_entry_free(z->os, z->p, pte);
	if ((pte & PTE_SPECIAL) || !pte_present(pte))
		return 0;
	struct page *pg = pfn_to_page(z->os->phys, pte_pfn(pte));
	if ((pte & PTE_D) && !page_test(pg, PG_anon))
		filemap_mark_dirty(z->os, pg);   /* zap_present_pte: dirty file/shmem page */
	unmap_page(z->os, z->p, z->v, pg, leaf_pages(level), z->cpu);
	return 0;
}

uint64_t zap_range(struct os *os, struct process *p, const struct vma *v, uint64_t start, uint64_t end,
		   unsigned cpu)
{
	struct zap_ctx z = { .os = os, .p = p, .v = v, .cpu = cpu };
	pgtable_walk(os->pm, p->pgd_pfn, start, end, zap_one, &z);
	return z.cleared;
}

void free_pgtables(struct os *os, struct process *p, uint64_t start, uint64_t end, unsigned cpu)
{
	struct pt_ctx ptc = { .os = os, .p = p, .cpu = cpu, .now = os->now };
	struct pgtable_ops ops = pt_ops(&ptc);
	size_t i = mm_find_idx(&p->mm, start);
	uint64_t floor = i > 0 ? p->mm.vma[i - 1].end : 0;
	uint64_t ceiling = i < p->mm.nr_vma ? p->mm.vma[i].start : UINT64_MAX;

	SIM_BUG_ON(i < p->mm.nr_vma && p->mm.vma[i].start < end);
	pgtable_free_range(os->pm, p->pgd_pfn, start, end, floor, ceiling, &ops);
}

struct prot_ctx {
	struct os *os;
	const struct vma *v;
	uint64_t changed;
};

static int prot_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct prot_ctx *c = ctx;
	const struct vma *v = c->v;
	uint64_t npte = (pte & (PTE_ADDR_MASK | PTE_PS | PTE_A | PTE_D | PTE_SPECIAL)) | vma_leaf_bits(v);
	(void)va, (void)level;

	if (is_swap_pte(pte))
		return 0;   /* swap entries carry no permissions: the swap-in applies the VMA's */
	if ((v->flags & VM_WRITE) && (v->flags & VM_ACCESS_FLAGS) && !(pte & PTE_SPECIAL)) {
		/*
		 * pte_modify drops RW on private mappings (vm_page_prot is
		 * PAGE_COPY); can_change_pte_writable gives it back to pages
		 * we hold exclusively.  Shared mappings keep RW (shmem has no
		 * write notification).
		 */
		if (v->flags & VM_SHARED) {
			npte |= PTE_RW;
		} else if (!(v->flags & VM_HUGETLB)) {
			const struct page *pg = pfn_to_page(c->os->phys, pte_pfn(pte));
			if (pg->mapcount == 1 && pg->refcount == 1 && !page_test(pg, PG_ksm))
				npte |= PTE_RW;
		}
	}
	if (npte != pte) {
		pmem_write64(c->os->pm, slot, npte);
		c->changed++;
	}
	return 0;
}

uint64_t change_protection(struct os *os, struct process *p, const struct vma *v, uint64_t start, uint64_t end)
{
	struct prot_ctx c = { .os = os, .v = v };
	pgtable_walk(os->pm, p->pgd_pfn, start, end, prot_one, &c);
	return c.changed;
}

struct node_walk_ctx {
	struct os *os;
	page_node_fn fn;
	void *ctx;
};

static int node_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct node_walk_ctx *c = ctx;
	(void)va, (void)slot, (void)level;

	if ((pte & PTE_SPECIAL) || !pte_present(pte))
		return 0;
	const struct page *pg = pfn_to_page(c->os->phys, pte_pfn(pte));
	c->fn(c->ctx, pg, pg->node);
	return 0;
}

void for_each_mapped_page(struct os *os, struct process *p, const struct vma *v, uint64_t start, uint64_t end,
			  page_node_fn fn, void *ctx)
{
	struct node_walk_ctx c = { .os = os, .fn = fn, .ctx = ctx };
	(void)v;
	pgtable_walk(os->pm, p->pgd_pfn, start, end, node_one, &c);
}

/* ---- processes: creation, fork, exit ------------------------------------------------------- */

int proc_new(struct os *os, bool implicit, const struct mempolicy *pol, unsigned cpu, struct process **out)
{
	struct process *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -SIM_ENOMEM;
	if (os->nr_procs == os->cap_procs) {
		size_t cap = os->cap_procs ? os->cap_procs * 2 : 16;
		struct process **n = realloc(os->procs, cap * sizeof(*n));
		if (!n) {
			free(p);
			return -SIM_ENOMEM;
		}
		os->procs = n;
		os->cap_procs = cap;
		if (os->nr_procs == 0)
			os->procs[os->nr_procs++] = NULL;   /* pid 0 is not a process */
	}
	p->pid = (int)os->nr_procs;
	p->asid = (uint16_t)(os->next_asid++ % 0xffff + 1);
	p->alive = true;
	p->implicit = implicit;
	p->last_cpu = cpu;
	p->oom_score_adj = (int)os->cfg.oom_score_adj;
	mm_init(&p->mm);
	if (pol)
		p->pol = *pol;
	else
		mpol_none(&p->pol);
	mpol_task_reset(&p->il);
	/* pgd_alloc: one zeroed page under the creating task's policy */
	struct pt_ctx ptc = { .os = os, .p = p, .cpu = cpu, .now = os->now };
	if ((rc = pt_alloc(&ptc, PT_LEVELS, 0, &p->pgd_pfn, NULL))) {
		free(p);
		return rc;
	}
	pmem_clear_page(os->pm, p->pgd_pfn);
	os->procs[os->nr_procs++] = p;
	*out = p;
	return 0;
}

struct fork_ctx {
	struct os *os;
	struct process *parent, *child;
	const struct vma *v;
	struct pgtable_ops ops;
	uint64_t wrprotected;
	int err;
};

/* copy_present_pte / copy_hugetlb_page_range for one leaf. */
static int copy_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct fork_ctx *f = ctx;
	uint64_t cslot;
	int rc = pgtable_slot_alloc(f->os->pm, f->child->pgd_pfn, va, level, &f->ops, &cslot, NULL, NULL);

	if (rc) {
		f->err = rc;
		return rc;
	}
	if (!(pte & PTE_SPECIAL) && pte_present(pte)) {
		struct page *pg = pfn_to_page(f->os->phys, pte_pfn(pte));
		rmap_account_add(f->os, f->child, f->v, pg, leaf_pages(level));
		pg->refcount++;
	} else if (is_swap_pte(pte)) {
		swap_entry_dup(f->os, f->child, pte);
		return pmem_write64(f->os->pm, cslot, pte);
	}
	if (!(f->v->flags & VM_SHARED) && (pte & PTE_RW)) {
		pte &= ~PTE_RW;
		pmem_write64(f->os->pm, slot, pte);
		f->wrprotected++;
	}
	if (f->v->flags & VM_SHARED)
		pte &= ~PTE_D;
	return pmem_write64(f->os->pm, cslot, pte & ~PTE_A);
}

int fork_mm(struct os *os, struct process *parent, struct process *child)
{
	struct pt_ctx ptc = { .os = os, .p = child, .cpu = parent->last_cpu, .now = os->now };
	struct fork_ctx f = { .os = os, .parent = parent, .child = child, .ops = pt_ops(&ptc) };

	child->mm.mmap_base = parent->mm.mmap_base;
	child->mm.start_brk = parent->mm.start_brk;
	child->mm.brk = parent->mm.brk;
	child->mm.brk_init = parent->mm.brk_init;
	child->il = parent->il;
	if (pgc_copy(&child->pgc, &parent->pgc))
		return -SIM_ENOMEM;
	for (size_t i = 0; i < parent->mm.nr_vma; i++) {
		const struct vma *pv = &parent->mm.vma[i];
		if (pv->flags & VM_DONTCOPY)
			continue;
		struct vma cv = *pv;
		cv.flags &= ~VM_LOCKED_MASK;   /* dup_mmap: locks are not inherited */
		bool wipe = pv->flags & VM_WIPEONFORK;
		cv.anon_vma = pv->anon_vma && !wipe ? ++os->next_anon_vma : 0;
		long ci = mm_insert(&child->mm, &cv);
		if (ci < 0)
			return (int)ci;
		if (cv.shm)
			cv.shm->refs++;
		/* vma_needs_copy: only memory with anonymous pages is copied; shared memory refaults */
		if (!pv->anon_vma || wipe)
			continue;
		f.v = &child->mm.vma[ci];
		pgtable_walk(os->pm, parent->pgd_pfn, pv->start, pv->end, copy_one, &f);
		if (f.err)
			return f.err;
	}
	if (f.wrprotected)
		(void)oshw_flush(os, parent, parent->last_cpu, os->now, 0, 0);   /* flush_tlb_mm */
	return 0;
}

void exit_mm(struct os *os, struct process *p)
{
	struct pt_ctx ptc = { .os = os, .p = p, .cpu = p->last_cpu, .now = os->now };
	struct pgtable_ops ops = pt_ops(&ptc);

	if (p->pgd_pfn == NO_PGD)
		return;
	for (size_t i = 0; i < p->mm.nr_vma; i++) {
		struct vma *v = &p->mm.vma[i];
		zap_range(os, p, v, v->start, v->end, p->last_cpu);
		hugetlb_vma_close(os, p, v);
		shm_put(os, v->shm, p->last_cpu);
		v->shm = NULL;
	}
	pgtable_free_all(os->pm, p->pgd_pfn, &ops);
	p->pgd_pfn = NO_PGD;
	kmem_proc_release(os, p, p->last_cpu);   /* its mm_struct, VMAs, task_structs and stacks */
	(void)oshw_flush(os, p, p->last_cpu, os->now, 0, 0);
	mm_release(&p->mm);
	pgc_free(&p->pgc);
}
