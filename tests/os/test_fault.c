/*
 * tests/os/test_fault.c - demand faults through the OS facade on a 2-node
 * machine without hardware: the zero page then a real page, the page-table
 * entries left in pmem, COW after fork (copy, then reuse at mapcount 1),
 * placement by every policy with the numastat increments of sources.md
 * §5.6 (worked vectors), bind failing vs preferred spilling over, implicit
 * mappings, hugetlb, exact costs, and the leak check.
 */
#include "tests/os/os_fixture.h"
#include "os/oom.h"

#define PROT_RW   3
#define PROT_R    1
#define MAP_PRIV_ANON  0x22
#define MAP_SHARED_ANON 0x21
#define MAP_FIXED_     0x10
#define MAP_HUGETLB_   0x40000

/* Take every free page of node nid (fast GFP_NOWAIT | __GFP_THISNODE allocations). */
static uint64_t fill_node(struct fx *f, unsigned nid)
{
	uint64_t n = 0, pfn;
	struct alloc_ctx ac = { .order = 0, .gfp = GFP_NOWAIT | __GFP_THISNODE, .preferred_nid = (int)nid,
				.cpu = 0 };
	while (!page_alloc(fx_phys(f), &ac, &pfn, NULL)) {
		assert_int_equal(pfn_to_nid(fx_phys(f), pfn), nid);
		n++;
	}
	return n;
}

static unsigned pte_node(struct fx *f, int pid, uint64_t addr)
{
	uint64_t pte = fx_pte(f, pid, addr, NULL);
	assert_true(pte & PTE_P);
	return pfn_to_nid(fx_phys(f), pte_pfn(pte));
}

static struct page *pte_page(struct fx *f, int pid, uint64_t addr)
{
	return pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, addr, NULL)));
}

/* do_anonymous_page: read maps the zero page read-only; the write replaces it with a zeroed page. */
static void zero_page_then_write(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	sim_time_t cost;
	unsigned lvl;
	(void)state;

	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0, 0x4000, PROT_RW, MAP_PRIV_ANON);
	uint64_t a = 0x7ffff7ffb000ULL, free0 = fx_free_pages(f);
	uint64_t hit0 = fx_numa(f, 0, NUMA_HIT);

	assert_int_equal(fx_fault(f, pid, 0, a + 0x10, false, &cost), OS_FAULT_RETRY);
	/* PUD, PMD and PTE tables allocated and zeroed; no data page */
	assert_int_equal(cost, FX_FAULT_PS + 3 * FX_ZERO_PS);
	assert_int_equal(fx_free_pages(f), free0 - 3);
	assert_int_equal(fx_numa(f, 0, NUMA_HIT), hit0 + 3);
	uint64_t pte = fx_pte(f, pid, a, &lvl);
	assert_int_equal(lvl, 1);
	assert_int_equal(pte, (f->os->zero_pfn << 12) | PTE_P | PTE_US | PTE_A | PTE_NX | PTE_SPECIAL);
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 0);

	/* a second read elsewhere in the VMA: zero page again, only the fault cost */
	assert_int_equal(fx_fault(f, pid, 0, a + 0x1000, false, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS);
	assert_int_equal(fx_pte(f, pid, a + 0x1000, NULL), fx_pte(f, pid, a, NULL));

	/* write: wp_page_copy of the zero page = zeroed page + flush of one page (no other CPU ran it) */
	assert_int_equal(fx_fault(f, pid, 0, a, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + FX_ZERO_PS + FX_INVLPG_PS);
	pte = fx_pte(f, pid, a, NULL);
	assert_int_equal(pte & ~PTE_ADDR_MASK, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_NX);
	assert_int_not_equal(pte_pfn(pte), f->os->zero_pfn);
	struct page *pg = pte_page(f, pid, a);
	assert_int_equal(pg->mapcount, 1);
	assert_int_equal(pg->refcount, 1);
	assert_true(page_test(pg, PG_anon));
	assert_int_equal(pg->index, a >> 12);
	assert_int_equal(pg->node, 0);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_MAPPED), 1);
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 1);
	assert_int_equal(fx_free_pages(f), free0 - 4);
	/* a first-touch write on an empty PTE: no flush needed */
	assert_int_equal(fx_fault(f, pid, 0, a + 0x2000, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + FX_ZERO_PS);
	assert_int_equal(vmstat_event(fx_phys(f), PGFAULT), 4);
	os_process_exit(f->os, pid);
	assert_int_equal(fx_free_pages(f), free0 + 1);   /* the root table too */
	fx_free(f);
}

/* The entries the hardware walker will read: table bits at each level, tables on the faulting CPU's node. */
static void page_table_entries(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	int pid = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(pfn_to_nid(fx_phys(f), p->pgd_pfn), 0);   /* created on CPU 0 */
	assert_int_equal(os_process_root(f->os, pid), p->pgd_pfn << 12);
	fx_mmap_at(f, pid, 0x40000000, 0x200000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	uint64_t va = 0x40000000ULL + 0x5000;
	assert_int_equal(fx_fault(f, pid, 2, va, true, NULL), OS_FAULT_RETRY);   /* CPU 2 is on node 1 */
	uint64_t table = p->pgd_pfn;
	for (unsigned l = 4; l > 1; l--) {
		uint64_t e = pmem_read64(f->pm, (table << 12) + pt_index(va, l) * 8);
		assert_int_equal(e & ~PTE_ADDR_MASK, PTE_TABLE);
		table = pte_pfn(e);
		assert_int_equal(pfn_to_nid(fx_phys(f), table), 1);
		assert_int_equal(pfn_to_page(fx_phys(f), table)->refcount, 1);
	}
	uint64_t leaf = pmem_read64(f->pm, (table << 12) + pt_index(va, 1) * 8);
	assert_int_equal(leaf & ~PTE_ADDR_MASK, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_NX);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(leaf)), 1);
	assert_int_equal(p->pgtables[0], 1);
	assert_int_equal(p->pgtables[1], 3);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_PAGETABLE), 3);
	/* an executable mapping has no NX */
	fx_mmap_at(f, pid, 0x50000000, 0x1000, 7, MAP_PRIV_ANON | MAP_FIXED_);
	fx_fault(f, pid, 0, 0x50000000, true, NULL);
	assert_false(fx_pte(f, pid, 0x50000000, NULL) & PTE_NX);
	/* page-table pages follow the task policy, not the VMA's: bind to node 1, fault on CPU 0 */
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 0x2, 0, 0, 0), 0);
	fx_mmap_at(f, pid, 0x80000000ULL, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, 0x80000000ULL, 0x1000, MPOL_BIND, 0x1, 0), 0);
	fx_fault(f, pid, 0, 0x80000000ULL, true, NULL);
	assert_int_equal(pte_node(f, pid, 0x80000000ULL), 0);        /* VMA policy */
	assert_int_equal(p->pgtables[1], 3 + 2);   /* new PMD + PTE tables for 0x8000_0000 on node 1 */
	assert_int_equal(p->pgtables[0], 2);       /* root, and the PTE table of 0x5000_0000 */
	fx_free(f);
}

/* COW: after fork both copies are read-only; the first writer copies, the last one reuses. */
static void cow_after_fork(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	sim_time_t cost;
	(void)state;

	uint64_t free0 = fx_free_pages(f);
	int parent = fx_proc(f, false);
	fx_mmap_at(f, parent, 0x10000000, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	uint64_t a = 0x10000000, b = a + 0x1000;
	fx_fault(f, parent, 0, a, true, NULL);
	fx_fault(f, parent, 0, b, true, NULL);
	uint64_t pa = pte_pfn(fx_pte(f, parent, a, NULL)), pb = pte_pfn(fx_pte(f, parent, b, NULL));

	int child;
	assert_int_equal(os_process_fork(f->os, parent, 0, &child), 0);
	assert_int_not_equal(os_process_asid(f->os, child), os_process_asid(f->os, parent));
	for (int k = 0; k < 2; k++) {
		uint64_t addr = k ? b : a;
		uint64_t pp = fx_pte(f, parent, addr, NULL), cp = fx_pte(f, child, addr, NULL);
		assert_false(pp & PTE_RW);
		assert_false(cp & PTE_RW);
		assert_true(cp & PTE_D);     /* private: dirty kept */
		assert_false(cp & PTE_A);    /* pte_mkold */
		assert_int_equal(pte_pfn(pp), pte_pfn(cp));
		struct page *pg = pte_page(f, parent, addr);
		assert_int_equal(pg->mapcount, 2);
		assert_int_equal(pg->refcount, 2);
	}
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_MAPPED), 2);
	assert_int_equal(os_proc(f->os, child)->rss_anon, 2);

	/* child writes a on CPU 1: copy + flush */
	uint64_t reuse0 = vmstat_event(fx_phys(f), PGREUSE);
	assert_int_equal(fx_fault(f, child, 1, a, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + FX_COPY_PS + FX_INVLPG_PS);
	uint64_t ca = pte_pfn(fx_pte(f, child, a, NULL));
	assert_int_not_equal(ca, pa);
	assert_true(fx_pte(f, child, a, NULL) & PTE_RW);
	assert_int_equal(pfn_to_page(fx_phys(f), pa)->mapcount, 1);
	assert_int_equal(pfn_to_page(fx_phys(f), pa)->refcount, 1);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_MAPPED), 3);
	/* parent writes a: mapcount 1, reuse in place, no copy */
	assert_int_equal(fx_fault(f, parent, 0, a, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS);
	assert_int_equal(pte_pfn(fx_pte(f, parent, a, NULL)), pa);
	assert_true(fx_pte(f, parent, a, NULL) & PTE_RW);
	assert_int_equal(vmstat_event(fx_phys(f), PGREUSE), reuse0 + 1);
	/* b the other way round: parent copies, child reuses */
	fx_fault(f, parent, 0, b, true, NULL);
	assert_int_not_equal(pte_pfn(fx_pte(f, parent, b, NULL)), pb);
	fx_fault(f, child, 1, b, true, NULL);
	assert_int_equal(pte_pfn(fx_pte(f, child, b, NULL)), pb);
	assert_int_equal(vmstat_event(fx_phys(f), PGREUSE), reuse0 + 2);
	/* a read of a COW-shared page does not break sharing */
	int child2;
	assert_int_equal(os_process_fork(f->os, child, 0, &child2), 0);
	assert_int_equal(fx_fault(f, child2, 0, b, false, NULL), OS_FAULT_RETRY);
	assert_int_equal(pte_pfn(fx_pte(f, child2, b, NULL)), pb);
	assert_int_equal(pfn_to_page(fx_phys(f), pb)->mapcount, 2);

	os_process_exit(f->os, child2);
	os_process_exit(f->os, parent);
	os_process_exit(f->os, child);
	assert_false(os_process_alive(f->os, child));
	assert_int_equal(fx_free_pages(f), free0);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_MAPPED), 0);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_PAGETABLE), 0);
	fx_free(f);
}

/* Build the tables for [a, a+len) with read faults so later writes allocate only the data page. */
static void prefault_tables(struct fx *f, int pid, uint64_t a)
{
	assert_int_equal(fx_fault(f, pid, 0, a, false, NULL), OS_FAULT_RETRY);
}

struct numa_snap {
	uint64_t v[2][NR_VM_NUMA_EVENT_ITEMS];
};

static struct numa_snap snap(struct fx *f)
{
	struct numa_snap s;
	for (unsigned n = 0; n < 2; n++)
		for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			s.v[n][i] = fx_numa(f, n, i);
	return s;
}

/* node n's counters moved by exactly hit, miss, foreign, interleave, local, other */
static void expect_delta(struct fx *f, const struct numa_snap *before, unsigned n, uint64_t hit, uint64_t miss,
			 uint64_t foreign, uint64_t il, uint64_t local, uint64_t other)
{
	const uint64_t want[NR_VM_NUMA_EVENT_ITEMS] = { hit, miss, foreign, il, local, other };
	for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		assert_int_equal(fx_numa(f, n, i) - before->v[n][i], want[i]);
}

/* sources.md §5.6 worked vectors, task on a node-0 CPU. */
static void numastat_vectors(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	struct numa_snap s;
	(void)state;

	int pid = fx_proc(f, false);
	/* default policy, anon write fault -> node 0: hit, local */
	fx_mmap_at(f, pid, 0x10000000, 0x10000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	prefault_tables(f, pid, 0x10000000);
	s = snap(f);
	fx_fault(f, pid, 0, 0x10000000, true, NULL);
	assert_int_equal(pte_node(f, pid, 0x10000000), 0);
	expect_delta(f, &s, 0, 1, 0, 0, 0, 1, 0);
	expect_delta(f, &s, 1, 0, 0, 0, 0, 0, 0);

	/* set_mempolicy(PREFERRED,{1}) -> node 1: hit, other */
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_PREFERRED, 0x2, 0, 0, 0), 0);
	s = snap(f);
	fx_fault(f, pid, 0, 0x10001000, true, NULL);
	assert_int_equal(pte_node(f, pid, 0x10001000), 1);
	expect_delta(f, &s, 0, 0, 0, 0, 0, 0, 0);
	expect_delta(f, &s, 1, 1, 0, 0, 0, 0, 1);
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_DEFAULT, 0, 0, 0, 0), 0);

	/* mbind(BIND,{1}) -> node 1 (preferred zone = node 1's): hit, other */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, 0x10002000, 0x1000, MPOL_BIND, 0x2, 0), 0);
	s = snap(f);
	fx_fault(f, pid, 0, 0x10002000, true, NULL);
	assert_int_equal(pte_node(f, pid, 0x10002000), 1);
	expect_delta(f, &s, 1, 1, 0, 0, 0, 0, 1);
	expect_delta(f, &s, 0, 0, 0, 0, 0, 0, 0);

	/* mbind(INTERLEAVE,{0,1}), faults at vpn 0x1000, 0x1001, 0x1002 -> 0, 1, 0 */
	fx_mmap_at(f, pid, 0x1000000, 0x3000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, 0x1000000, 0x3000, MPOL_INTERLEAVE, 0x3, 0), 0);
	prefault_tables(f, pid, 0x1000000);
	s = snap(f);
	for (unsigned i = 0; i < 3; i++)
		fx_fault(f, pid, 0, 0x1000000 + i * 0x1000ULL, true, NULL);
	assert_int_equal(pte_node(f, pid, 0x1000000), 0);
	assert_int_equal(pte_node(f, pid, 0x1001000), 1);
	assert_int_equal(pte_node(f, pid, 0x1002000), 0);
	expect_delta(f, &s, 0, 2, 0, 0, 2, 2, 0);
	expect_delta(f, &s, 1, 1, 0, 0, 1, 0, 1);

	/* set_mempolicy(INTERLEAVE,{0,1}), node 1 full, fault at odd vpn -> node 0 via node 1's zonelist */
	fx_mmap_at(f, pid, 0x2000000, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	prefault_tables(f, pid, 0x2000000);
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_INTERLEAVE, 0x3, 0, 0, 0), 0);
	assert_true(fill_node(f, 1) > 10000);
	s = snap(f);
	fx_fault(f, pid, 0, 0x2001000, true, NULL);
	assert_int_equal(pte_node(f, pid, 0x2001000), 0);
	expect_delta(f, &s, 0, 0, 1, 0, 0, 1, 0);
	expect_delta(f, &s, 1, 0, 0, 1, 0, 0, 0);
	fx_free(f);
}

/* §5.6 row 2: default policy with node 0 below LOW in all zones -> node 1: node0 foreign, node1 miss+other. */
static void default_spills_when_local_full(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0x10000000, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	prefault_tables(f, pid, 0x10000000);
	fill_node(f, 0);
	struct numa_snap s = snap(f);
	assert_int_equal(fx_fault(f, pid, 0, 0x10000000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(pte_node(f, pid, 0x10000000), 1);
	expect_delta(f, &s, 0, 0, 0, 1, 0, 0, 0);
	expect_delta(f, &s, 1, 0, 1, 0, 0, 0, 1);
	fx_free(f);
}

/* BIND never leaves its nodes: with node 1 full the fault fails (OOM kill); PREFERRED spills to node 0. */
static void bind_fails_preferred_spills(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	int pb = fx_proc(f, false), pp = fx_proc(f, false), pm = fx_proc(f, false);
	for (int pid = pb; pid <= pm; pid++) {
		fx_mmap_at(f, pid, 0x10000000, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
		prefault_tables(f, pid, 0x10000000);
	}
	assert_int_equal(fx_sys(f, pb, OS_SYS_MBIND, 0x10000000, 0x2000, MPOL_BIND, 0x2, 0), 0);
	assert_int_equal(fx_sys(f, pp, OS_SYS_SET_MEMPOLICY, MPOL_PREFERRED, 0x2, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pm, OS_SYS_SET_MEMPOLICY, MPOL_PREFERRED_MANY, 0x2, 0, 0, 0), 0);
	/* with room, all three land on node 1 */
	for (int pid = pb; pid <= pm; pid++) {
		assert_int_equal(fx_fault(f, pid, 0, 0x10000000, true, NULL), OS_FAULT_RETRY);
		assert_int_equal(pte_node(f, pid, 0x10000000), 1);
	}
	fill_node(f, 1);
	assert_int_equal(fx_fault(f, pp, 0, 0x10001000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(pte_node(f, pp, 0x10001000), 0);
	assert_int_equal(fx_fault(f, pm, 0, 0x10001000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(pte_node(f, pm, 0x10001000), 0);   /* second pass without the mask */
	uint64_t kills = vmstat_event(fx_phys(f), OOM_KILL);
	/*
	 * The OOM killer (os/oom.c) kills by badness: pm and pp (2 pages each,
	 * pm later on the tie) free too little of node 1 to lift it over its
	 * MIN watermark, so pb, the allocating process, goes last.
	 */
	assert_int_equal(fx_fault(f, pb, 0, 0x10001000, true, NULL), OS_FAULT_OOM);
	assert_false(os_process_alive(f->os, pb));
	assert_int_equal(vmstat_event(fx_phys(f), OOM_KILL), kills + 3);
	assert_int_equal(oom_nr_kills(f->os), 3);
	assert_int_equal(oom_kill_pid(f->os, 0), pm);
	assert_int_equal(oom_kill_pid(f->os, 1), pp);
	assert_int_equal(oom_kill_pid(f->os, 2), pb);
	assert_int_equal(fx_fault(f, pb, 0, 0x10001000, true, NULL), OS_FAULT_SEGV);
	fx_free(f);
}

/* Weighted interleave through faults: weights 0=3,1=1 over vpn 4k..4k+7 -> 0 0 0 1 0 0 0 1. */
static void weighted_interleave_faults(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	int pid = fx_proc(f, false);
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_WEIGHTS, 0, 3, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_WEIGHTS, 1, 1, 0, 0, 0), 0);
	assert_int_not_equal(fx_sys(f, pid, OS_SYS_SET_WEIGHTS, 2, 1, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_WEIGHTED_INTERLEAVE, 0x3, 0, 0, 0), 0);
	fx_mmap_at(f, pid, 0x30000000, 0x8000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	prefault_tables(f, pid, 0x30000000);
	struct numa_snap s = snap(f);
	const unsigned want[8] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	for (unsigned i = 0; i < 8; i++) {
		fx_fault(f, pid, 0, 0x30000000 + i * 0x1000ULL, true, NULL);
		assert_int_equal(pte_node(f, pid, 0x30000000 + i * 0x1000ULL), want[i]);
	}
	expect_delta(f, &s, 0, 6, 0, 0, 0, 6, 0);   /* no interleave_hit for weighted */
	expect_delta(f, &s, 1, 2, 0, 0, 0, 0, 2);
	fx_free(f);
}

/* Implicit mode: faults outside VMAs create granule-aligned RWX mappings that merge. */
static void implicit_mappings(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.implicit_vma = 1ULL << 21;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	(void)state;

	int pid = fx_proc(f, true), strict = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(fx_fault(f, pid, 0, 0x600123, false, NULL), OS_FAULT_RETRY);
	assert_int_equal(p->mm.nr_vma, 1);
	assert_int_equal(p->mm.vma[0].start, 0x600000);
	assert_int_equal(p->mm.vma[0].end, 0x800000);
	assert_true(p->mm.vma[0].flags & VM_IMPLICIT);
	assert_true((p->mm.vma[0].flags & VM_ACCESS_FLAGS) == VM_ACCESS_FLAGS);
	/* the neighbouring granule merges */
	assert_int_equal(fx_fault(f, pid, 0, 0x812345, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(p->mm.nr_vma, 1);
	assert_int_equal(p->mm.vma[0].end, 0xa00000);
	/* an implicit mapping stops at an explicit one */
	fx_mmap_at(f, pid, 0xb00000, 0x1000, PROT_R, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 0, 0xa80000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(p->mm.nr_vma, 2);
	assert_int_equal(p->mm.vma[0].end, 0xb00000);
	/* write to a read-only mapping, addresses beyond TASK_SIZE: SEGV, even in implicit mode */
	assert_int_equal(fx_fault(f, pid, 0, 0xb00000, true, NULL), OS_FAULT_SEGV);
	assert_int_equal(fx_fault(f, pid, 0, 0x800000000000ULL, false, NULL), OS_FAULT_SEGV);
	/* without implicit mode, a fault outside every VMA is SEGV (pgfault still counted) */
	uint64_t pf = vmstat_event(fx_phys(f), PGFAULT);
	assert_int_equal(fx_fault(f, strict, 0, 0x600000, false, NULL), OS_FAULT_SEGV);
	assert_int_equal(vmstat_event(fx_phys(f), PGFAULT), pf + 1);
	/* PROT_NONE: no access */
	fx_mmap_at(f, strict, 0x700000, 0x1000, 0, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, strict, 0, 0x700000, false, NULL), OS_FAULT_SEGV);
	fx_free(f);
}

/* Hugetlb 2 MiB: PMD leaves with PS, read faults allocate (no zero page), COW across fork. */
static void hugetlb_2m(void **state)
{
	struct os_cfg hc_ = fx_os_cfg();
	/* a 4-page hugetlb pool per node: MAP_HUGETLB reserves from it */
	hc_.nr_hugepages[0] = 4;
	hc_.nr_hugepages[1] = 4;
	hc_.nr_nr_hugepages = 2;
	struct fx *f = fx_new_cfg(2, 64, 2, &hc_);
	sim_time_t cost;
	unsigned lvl;
	(void)state;

	uint64_t free0 = fx_free_pages(f);
	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0, 0x300000, PROT_RW, MAP_PRIV_ANON | MAP_HUGETLB_);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->mm.nr_vma, 1);
	uint64_t a = p->mm.vma[0].start;
	assert_int_equal(a & 0x1fffff, 0);
	assert_int_equal(p->mm.vma[0].end - a, 0x400000);   /* length rounded to huge pages */
	assert_int_equal(fx_fault(f, pid, 0, a + 0x12345, false, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + 2 * FX_ZERO_PS + 512 * FX_ZERO_PS);   /* PUD+PMD tables, 2 MiB cleared */
	uint64_t pte = fx_pte(f, pid, a + 0x1000, &lvl);
	assert_int_equal(lvl, 2);
	assert_int_equal(pte & ~PTE_ADDR_MASK, PTE_P | PTE_US | PTE_A | PTE_PS | PTE_NX);
	assert_int_equal(pte_pfn(pte) & 511, 0);
	assert_int_equal(p->hugetlb_pages, 512);
	assert_int_equal(p->rss_anon, 0);
	/* write: the page is ours, reuse */
	assert_int_equal(fx_fault(f, pid, 0, a, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS);
	assert_true(fx_pte(f, pid, a, NULL) & PTE_RW);
	/* fork shares it read-only; the child's write copies 2 MiB */
	int child;
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_false(fx_pte(f, pid, a, NULL) & PTE_RW);
	assert_int_equal(fx_fault(f, child, 0, a + 0x100000, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + 512 * FX_COPY_PS + FX_INVLPG_PS * 33);
	assert_int_not_equal(pte_pfn(fx_pte(f, child, a, NULL)), pte_pfn(fx_pte(f, pid, a, NULL)));
	os_process_exit(f->os, child);
	os_process_exit(f->os, pid);
	assert_int_equal(fx_free_pages(f), free0);
	fx_free(f);
}

/* Shared anonymous memory (shmem): read faults allocate, fork shares the pages without COW. */
static void shared_anon(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	uint64_t free0 = fx_free_pages(f);
	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0x20000000, 0x2000, PROT_RW, MAP_SHARED_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 0, 0x20000000, false, NULL), OS_FAULT_RETRY);
	uint64_t pte = fx_pte(f, pid, 0x20000000, NULL);
	assert_false(pte & PTE_SPECIAL);
	assert_true(pte & PTE_RW);       /* shmem maps writable, clean */
	assert_false(pte & PTE_D);
	struct page *pg = pte_page(f, pid, 0x20000000);
	assert_false(page_test(pg, PG_anon));
	assert_int_equal(pg->refcount, 2);   /* object + mapping */
	assert_int_equal(node_stat(fx_phys(f), 0, NR_SHMEM), 1);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_FILE_MAPPED), 1);
	assert_int_equal(os_proc(f->os, pid)->rss_shmem, 1);
	int child;
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	/* shared VMAs are not copied at fork: the child refaults and finds the same page */
	assert_int_equal(fx_pte(f, child, 0x20000000, NULL), 0);
	assert_int_equal(fx_fault(f, child, 1, 0x20000000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(pte_pfn(fx_pte(f, child, 0x20000000, NULL)), pg->pfn);
	assert_int_equal(pg->mapcount, 2);
	/* munmap in the parent keeps the page for the child */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, 0x20000000, 0x2000, 0, 0, 0), 0);
	assert_int_equal(pg->mapcount, 1);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_SHMEM), 1);
	os_process_exit(f->os, child);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_SHMEM), 0);
	os_process_exit(f->os, pid);
	assert_int_equal(fx_free_pages(f), free0);
	fx_free(f);
}

/* Shootdowns cost an IPI once the process ran on another CPU (no hardware model: hw_cfg figures). */
static void shootdown_cost(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	sim_time_t cost;
	(void)state;

	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0x10000000, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_fault(f, pid, 0, 0x10000000, false, NULL);
	fx_fault(f, pid, 3, 0x10001000, false, NULL);    /* now it ran on CPUs 0 and 3 */
	assert_int_equal(fx_fault(f, pid, 0, 0x10000000, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + FX_ZERO_PS + FX_INVLPG_PS + FX_IPI_PS);
	fx_free(f);
}

/* Allocator cost is added to the fault's: alloc_cost per page_alloc call. */
static void allocator_cost_added(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.alloc_cost = 7000;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	sim_time_t cost;
	(void)state;

	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0x10000000, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_fault(f, pid, 0, 0x10000000, true, NULL);
	assert_int_equal(fx_fault(f, pid, 0, 0x10001000, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + FX_ZERO_PS + 7000);
	/* a COW copy: one allocation, no zeroing */
	int child;
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_int_equal(fx_fault(f, child, 0, 0x10001000, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS + 7000 + FX_COPY_PS + FX_INVLPG_PS);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zero_page_then_write),
		cmocka_unit_test(page_table_entries),
		cmocka_unit_test(cow_after_fork),
		cmocka_unit_test(numastat_vectors),
		cmocka_unit_test(default_spills_when_local_full),
		cmocka_unit_test(bind_fails_preferred_spills),
		cmocka_unit_test(weighted_interleave_faults),
		cmocka_unit_test(implicit_mappings),
		cmocka_unit_test(hugetlb_2m),
		cmocka_unit_test(shared_anon),
		cmocka_unit_test(shootdown_cost),
		cmocka_unit_test(allocator_cost_added),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
