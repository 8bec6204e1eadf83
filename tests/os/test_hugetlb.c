/*
 * tests/os/test_hugetlb.c - hugetlb pools (os/hugetlb.c): boot-time filling
 * per node with exact buddy accounting, shortfall, mmap-time reservations
 * and ENOMEM, policy-directed dequeue with zonelist fallback, pages back to
 * the pool on munmap/exit/COW, the meminfo text, numa_maps, and a
 * randomised differential run against a naive model of Total/Free/Rsvd.
 */
#include "tests/os/os_fixture.h"
#include "os/hugetlb.h"
#include "sim/rng.h"

#define PROT_RW          3
#define MAP_PRIV_ANON    0x22
#define MAP_SHARED_ANON  0x21
#define MAP_FIXED_       0x10
#define MAP_NORESERVE_   0x4000
#define MAP_HUGETLB_     0x40000
#define HP               0x200000ULL
#define BASE             0x40000000ULL

static struct fx *fx_pool(unsigned nodes, const uint32_t *pool, unsigned n)
{
	struct os_cfg c = fx_os_cfg();
	for (unsigned i = 0; i < n; i++)
		c.nr_hugepages[i] = pool[i];
	c.nr_nr_hugepages = n;
	return fx_new_cfg(nodes, 64, 2, &c);
}

static uint64_t node_free(struct fx *f, unsigned nid)
{
	uint64_t n = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (!physmem_zone_info(fx_phys(f), nid, z, &zi))
			n += zi.nr_free + zi.pcp_pages;
	}
	return n;
}

static void expect_counts(struct fx *f, uint64_t total, uint64_t nfree, uint64_t rsvd)
{
	struct hugetlb_counts c;
	uint64_t r;
	hugetlb_counts(f->os, &c, &r);
	assert_int_equal(c.total, total);
	assert_int_equal(c.free, nfree);
	assert_int_equal(r, rsvd);
	assert_int_equal(c.surplus, 0);
}

static uint64_t node_pool_free(struct fx *f, unsigned nid)
{
	struct hugetlb_counts c;
	hugetlb_node_counts(f->os, nid, &c);
	return c.free;
}

static int hmap(struct fx *f, int pid, uint64_t addr, uint64_t len, uint64_t flags)
{
	return fx_sys6(f, pid, 0, OS_SYS_MMAP, addr, len, PROT_RW, flags | MAP_FIXED_ | MAP_HUGETLB_, (uint64_t)-1, 0,
		       FX_NONE, NULL);
}

static unsigned page_node(struct fx *f, int pid, uint64_t addr)
{
	uint64_t pte = fx_pte(f, pid, addr, NULL);
	assert_true(pte_present(pte));
	return pfn_to_page(fx_phys(f), pte_pfn(pte))->node;
}

/* Pools come out of each node's buddy allocator: exactly 512 frames per huge page leave the free counts. */
static void pool_fill_per_node(void **state)
{
	(void)state;
	struct fx *plain = fx_new(2, 64, 2);
	struct fx *f = fx_pool(2, (const uint32_t[]){ 3, 5 }, 2);

	assert_int_equal(node_free(plain, 0) - node_free(f, 0), 3 * 512);
	assert_int_equal(node_free(plain, 1) - node_free(f, 1), 5 * 512);
	expect_counts(f, 8, 8, 0);
	struct hugetlb_counts c;
	hugetlb_node_counts(f->os, 1, &c);
	assert_int_equal(c.requested, 5);
	assert_int_equal(c.total, 5);
	assert_int_equal(c.free, 5);
	/* one entry fills node 0 only */
	struct fx *g = fx_pool(2, (const uint32_t[]){ 2 }, 1);
	assert_int_equal(node_free(plain, 0) - node_free(g, 0), 2 * 512);
	assert_int_equal(node_free(plain, 1), node_free(g, 1));
	fx_free(g);
	fx_free(f);
	fx_free(plain);
}

/* A node that cannot supply its count keeps what it got; too many entries is a config error. */
static void pool_shortfall_and_bad_config(void **state)
{
	(void)state;
	struct fx *f = fx_pool(2, (const uint32_t[]){ 1, 100 }, 2);
	struct hugetlb_counts c;

	hugetlb_node_counts(f->os, 1, &c);
	assert_int_equal(c.requested, 100);
	assert_true(c.total >= 16 && c.total < 32);   /* 64 MiB: at most 32 huge pages, minus reserves */
	hugetlb_node_counts(f->os, 0, &c);
	assert_int_equal(c.total, 1);
	fx_free(f);

	struct fx bad = { .cfg = fx_os_cfg() };
	bad.cfg.nr_nr_hugepages = 3;
	fx_hw(&bad.hc, 2, 64, 1);
	fx_boot_fails(&bad, "os.nr_hugepages: 3 entries for a machine of 2 nodes");
}

/* mmap reserves the whole mapping; beyond free - rsvd it fails with ENOMEM; NORESERVE reserves nothing. */
static void mmap_reserves_and_fails(void **state)
{
	(void)state;
	struct fx *f = fx_pool(2, (const uint32_t[]){ 2, 2 }, 2);
	int pid = fx_proc(f, false);
	uint64_t free0 = fx_free_pages(f);

	assert_int_equal(hmap(f, pid, BASE, 3 * HP, MAP_PRIV_ANON), 0);
	expect_counts(f, 4, 4, 3);
	assert_int_equal(hmap(f, pid, BASE + 8 * HP, 2 * HP, MAP_PRIV_ANON), -SIM_EOOM);
	assert_int_equal(os_proc(f->os, pid)->mm.nr_vma, 1);   /* nothing mapped */
	expect_counts(f, 4, 4, 3);
	/* a length of 1 byte rounds up to one huge page: exactly the last one */
	assert_int_equal(hmap(f, pid, BASE + 8 * HP, 1, MAP_SHARED_ANON), 0);
	expect_counts(f, 4, 4, 4);
	/* faults consume reservations: Free and Rsvd drop together */
	assert_int_equal(fx_fault(f, pid, 0, BASE + HP + 0x1000, true, NULL), OS_FAULT_RETRY);
	expect_counts(f, 4, 3, 3);
	/* munmap returns the unconsumed reservations, the faulted page goes back to the pool */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, BASE, 3 * HP, 0, 0, 0), 0);
	expect_counts(f, 4, 4, 1);
	/* MAP_NORESERVE: no reservation, faults take unreserved pages until there are none (SIGBUS) */
	assert_int_equal(hmap(f, pid, BASE + 16 * HP, 8 * HP, MAP_PRIV_ANON | MAP_NORESERVE_), 0);
	expect_counts(f, 4, 4, 1);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(fx_fault(f, pid, 0, BASE + (16 + i) * HP, true, NULL), OS_FAULT_RETRY);
	expect_counts(f, 4, 1, 1);
	assert_int_equal(fx_fault(f, pid, 0, BASE + 19 * HP, true, NULL), OS_FAULT_SEGV);
	/* the reserved shared page is still there for its owner */
	assert_int_equal(fx_fault(f, pid, 0, BASE + 8 * HP, true, NULL), OS_FAULT_RETRY);
	expect_counts(f, 4, 0, 0);
	os_process_exit(f->os, pid);
	expect_counts(f, 4, 4, 0);
	/* the buddy allocator never saw any of it (only the exited process's page tables and root return) */
	assert_true(fx_free_pages(f) >= free0);
	fx_free(f);
}

/* Faults dequeue from the policy's node and fall back along the zonelist within its mask. */
static void fault_policy_nodes(void **state)
{
	(void)state;
	struct fx *f = fx_pool(2, (const uint32_t[]){ 2, 2 }, 2);
	int pid = fx_proc(f, false);

	assert_int_equal(hmap(f, pid, BASE, 4 * HP, MAP_PRIV_ANON), 0);
	/* interleave 0-1: huge page i goes to node i % 2 (index at 2 MiB granularity) */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, BASE, 4 * HP, MPOL_INTERLEAVE, 0x3, 0), 0);
	assert_int_equal(fx_fault(f, pid, 0, BASE + HP, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(fx_fault(f, pid, 0, BASE, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(page_node(f, pid, BASE), 0);
	assert_int_equal(page_node(f, pid, BASE + HP), 1);
	/* default (local) from CPU 2 on node 1 */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, BASE + 2 * HP, 2 * HP, MPOL_DEFAULT, 0, 0), 0);
	assert_int_equal(fx_fault(f, pid, 2, BASE + 2 * HP, true, NULL) == OS_FAULT_RETRY, 1);
	assert_int_equal(page_node(f, pid, BASE + 2 * HP), 1);
	assert_int_equal(node_pool_free(f, 1), 0);
	/* local node 1 is empty: the zonelist falls back to node 0 */
	assert_int_equal(fx_fault(f, pid, 2, BASE + 3 * HP, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(page_node(f, pid, BASE + 3 * HP), 0);
	expect_counts(f, 4, 0, 0);
	/* give node 1 back one page; bind to node 1 from node 0's CPU takes it */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, BASE + 2 * HP, HP, 0, 0, 0), 0);
	assert_int_equal(node_pool_free(f, 1), 1);
	assert_int_equal(hmap(f, pid, BASE + 8 * HP, 2 * HP, MAP_PRIV_ANON | MAP_NORESERVE_), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, BASE, HP, 0, 0, 0), 0);   /* node 0 has one free too */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, BASE + 8 * HP, 2 * HP, MPOL_BIND, 0x2, 0), 0);
	assert_int_equal(fx_fault(f, pid, 0, BASE + 8 * HP, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(page_node(f, pid, BASE + 8 * HP), 1);
	/* bind never falls back outside its mask: node 1 is empty, node 0's free page is off limits */
	assert_int_equal(node_pool_free(f, 0), 1);
	assert_int_equal(fx_fault(f, pid, 0, BASE + 9 * HP, true, NULL), OS_FAULT_SEGV);
	/* preferred node 1 falls back to node 0 */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, BASE + 8 * HP, 2 * HP, MPOL_PREFERRED, 0x2, 0), 0);
	assert_int_equal(fx_fault(f, pid, 2, BASE + 9 * HP, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(page_node(f, pid, BASE + 9 * HP), 0);
	os_process_exit(f->os, pid);
	expect_counts(f, 4, 4, 0);
	assert_int_equal(node_pool_free(f, 0), 2);
	assert_int_equal(node_pool_free(f, 1), 2);
	fx_free(f);
}

/* munmap, exit, COW and shared objects all return pages to the pool, never to the buddy allocator. */
static void pages_return_to_pool(void **state)
{
	(void)state;
	struct fx *f = fx_pool(2, (const uint32_t[]){ 4, 4 }, 2);
	uint64_t n0 = node_free(f, 0), n1 = node_free(f, 1);
	int pid = fx_proc(f, false), child;

	assert_int_equal(hmap(f, pid, BASE, 2 * HP, MAP_PRIV_ANON), 0);
	assert_int_equal(hmap(f, pid, BASE + 4 * HP, 2 * HP, MAP_SHARED_ANON), 0);
	expect_counts(f, 8, 8, 4);
	assert_int_equal(fx_fault(f, pid, 0, BASE, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(fx_fault(f, pid, 0, BASE + 4 * HP, true, NULL), OS_FAULT_RETRY);
	expect_counts(f, 8, 6, 2);
	/* the child owns no private reservation: its COW copy is an unreserved page */
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_int_equal(fx_fault(f, child, 0, BASE, true, NULL), OS_FAULT_RETRY);
	expect_counts(f, 8, 5, 2);
	assert_int_equal(fx_fault(f, child, 0, BASE + 4 * HP, false, NULL), OS_FAULT_RETRY);   /* shared: same page */
	expect_counts(f, 8, 5, 2);
	/* the parent leaves: its private reservation goes, the shared object lives on in the child */
	os_process_exit(f->os, pid);
	expect_counts(f, 8, 6, 1);
	os_process_exit(f->os, child);
	expect_counts(f, 8, 8, 0);
	/* node 0's buddy counts only got the page tables back: hugetlb pages stayed in the pool */
	assert_true(node_free(f, 0) >= n0 && node_free(f, 0) - n0 < 512);
	assert_int_equal(node_free(f, 1), n1);
	fx_free(f);
}

static char *meminfo(struct fx *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(os_dump(f->os, "meminfo-hugetlb", fp), 0);
	fclose(fp);
	return buf;
}

static void meminfo_text(void **state)
{
	(void)state;
	struct fx *f = fx_pool(2, (const uint32_t[]){ 3, 2 }, 2);
	int pid = fx_proc(f, false);
	char *s = meminfo(f);

	assert_string_equal(s, "HugePages_Total:       5\n"
			       "HugePages_Free:        5\n"
			       "HugePages_Rsvd:        0\n"
			       "HugePages_Surp:        0\n"
			       "Hugepagesize:       2048 kB\n"
			       "Hugetlb:           10240 kB\n");
	free(s);
	assert_int_equal(hmap(f, pid, BASE, 2 * HP, MAP_PRIV_ANON), 0);
	assert_int_equal(fx_fault(f, pid, 2, BASE, true, NULL), OS_FAULT_RETRY);
	s = meminfo(f);
	assert_string_equal(s, "HugePages_Total:       5\n"
			       "HugePages_Free:        4\n"
			       "HugePages_Rsvd:        1\n"
			       "HugePages_Surp:        0\n"
			       "Hugepagesize:       2048 kB\n"
			       "Hugetlb:           10240 kB\n");
	free(s);
	/* numa_maps: huge, counted in huge pages, kernelpagesize_kB=2048 */
	s = fx_numa_maps(f, pid);
	assert_string_equal(s, "40000000 default file=/anon_hugepage\\040(deleted) huge anon=1 dirty=1 N1=1 "
			       "kernelpagesize_kB=2048\n");
	free(s);
	fx_free(f);
}

/*
 * Differential: random mmap/munmap/fault/exit on private and shared,
 * reserved and NORESERVE mappings against a naive model that keeps one
 * flag pair per huge page (reserved, present).
 */
#define NSLOT 16
struct model_map {
	bool live, shared, noresv;
	unsigned n;               /* huge pages */
	bool resv[4], present[4];
};

static void differential(void **state)
{
	(void)state;
	struct fx *f = fx_pool(2, (const uint32_t[]){ 3, 3 }, 2);
	struct rng rng;
	rng_seed(&rng, 42, 0);
	int pid = fx_proc(f, false);
	struct model_map m[NSLOT] = { 0 };
	uint64_t total = 6;

	for (int step = 0; step < 3000; step++) {
		unsigned k = (unsigned)rng_below(&rng, NSLOT);
		uint64_t addr = BASE + (uint64_t)k * 8 * HP;
		uint64_t rsvd = 0, used = 0;
		for (unsigned i = 0; i < NSLOT; i++)
			for (unsigned j = 0; j < m[i].n && m[i].live; j++)
				rsvd += m[i].resv[j], used += m[i].present[j];
		unsigned op = (unsigned)rng_below(&rng, 10);
		if (!m[k].live && op < 4) {
			unsigned n = 1 + (unsigned)rng_below(&rng, 4);
			bool sh = rng_below(&rng, 2), nr = rng_below(&rng, 4) == 0;
			int rc = hmap(f, pid, addr, n * HP, (sh ? MAP_SHARED_ANON : MAP_PRIV_ANON) | (nr ? MAP_NORESERVE_ : 0));
			bool ok = nr || n <= total - used - rsvd;
			assert_int_equal(rc, ok ? 0 : -SIM_EOOM);
			if (ok) {
				m[k] = (struct model_map){ .live = true, .shared = sh, .noresv = nr, .n = n };
				for (unsigned j = 0; j < n; j++)
					m[k].resv[j] = !nr;
			}
		} else if (m[k].live && op < 2) {
			assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, addr, m[k].n * HP, 0, 0, 0), 0);
			m[k].live = false;
		} else if (m[k].live) {
			unsigned j = (unsigned)rng_below(&rng, m[k].n);
			unsigned cpu = (unsigned)rng_below(&rng, 4);
			bool ok = m[k].present[j] || m[k].resv[j] || total - used > rsvd;
			enum os_fault_result r = fx_fault(f, pid, cpu, addr + j * HP + 0x1000, true, NULL);
			assert_int_equal(r, ok ? OS_FAULT_RETRY : OS_FAULT_SEGV);
			if (ok && !m[k].present[j]) {
				m[k].present[j] = true;
				m[k].resv[j] = false;
			}
		} else if (op == 9) {
			os_process_exit(f->os, pid);
			pid = fx_proc(f, false);
			memset(m, 0, sizeof(m));
		}
		rsvd = used = 0;
		for (unsigned i = 0; i < NSLOT; i++)
			for (unsigned j = 0; j < m[i].n && m[i].live; j++)
				rsvd += m[i].resv[j], used += m[i].present[j];
		expect_counts(f, total, total - used, rsvd);
	}
	os_process_exit(f->os, pid);
	expect_counts(f, total, total, 0);
	fx_free(f);
}

static uint64_t surp(struct fx *f, unsigned nid)
{
	struct hugetlb_counts c;
	if (nid == UINT32_MAX)
		hugetlb_counts(f->os, &c, NULL);
	else
		hugetlb_node_counts(f->os, nid, &c);
	return c.surplus;
}

/*
 * Surplus pages (mm/hugetlb.c gather_surplus_pages, alloc_surplus_hugetlb_folio,
 * free_huge_folio, return_unused_surplus_pages; vm.nr_overcommit_hugepages):
 * an mmap the pool cannot cover takes the shortfall from the buddy allocator,
 * up to nr_overcommit_hugepages, as surplus pages in the pool (HugePages_Total
 * and _Surp count them, NR_HUGETLB too); beyond it mmap is ENOMEM and nothing
 * stays allocated.  A NORESERVE fault with no free page allocates a surplus
 * page on the policy's node.  Freed while the node has surplus, a page goes
 * back to the buddy allocator; unused reservations returned at munmap free
 * free surplus pages.
 */
static void surplus_pages(void **state)
{
	(void)state;
	struct os_cfg c = fx_os_cfg();
	c.nr_hugepages[0] = 1;
	c.nr_nr_hugepages = 1;
	c.nr_overcommit_hugepages = 3;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t free0 = fx_free_pages(f);

	/* 5 pages: pool 1 + surplus 3 = 4 < 5: ENOMEM, the gathered surplus goes back */
	assert_int_equal(hmap(f, pid, BASE, 5 * HP, MAP_PRIV_ANON), -SIM_EOOM);
	assert_int_equal(surp(f, UINT32_MAX), 0);
	assert_int_equal(fx_free_pages(f), free0);
	/* 3 pages: 2 surplus pages from the buddy allocator of the CPU's node 0 */
	assert_int_equal(hmap(f, pid, BASE, 3 * HP, MAP_PRIV_ANON), 0);
	assert_int_equal(surp(f, UINT32_MAX), 2);
	assert_int_equal(surp(f, 0), 2);
	assert_int_equal(fx_free_pages(f), free0 - 2 * HPAGE_NR);
	struct hugetlb_counts hc;
	uint64_t rsvd;
	hugetlb_counts(f->os, &hc, &rsvd);
	assert_int_equal(hc.total, 3);
	assert_int_equal(hc.free, 3);
	assert_int_equal(rsvd, 3);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_HUGETLB), 3 * HPAGE_NR);
	/* fault one; munmap: 2 unused reservations free 2 free surplus pages, the faulted page is freed
	 * while the node still has surplus (1 left): back to the buddy allocator, not to the pool */
	assert_int_equal(fx_fault(f, pid, 0, BASE, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, BASE, 3 * HP, 0, 0, 0), 0);
	hugetlb_counts(f->os, &hc, &rsvd);
	assert_int_equal(hc.total, 1);
	assert_int_equal(hc.free, 1);
	assert_int_equal(hc.surplus, 0);
	assert_int_equal(rsvd, 0);
	/* NORESERVE faults on CPU 2 (node 1): the pool page first (node 0 by fallback), then surplus on node 1 */
	assert_int_equal(hmap(f, pid, BASE, 8 * HP, MAP_PRIV_ANON | MAP_NORESERVE_), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(fx_fault(f, pid, 2, BASE + i * HP, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(surp(f, 1), 3);
	assert_int_equal(page_node(f, pid, BASE + 3 * HP), 1);
	/* nr_overcommit_hugepages reached: SIGBUS */
	assert_int_equal(fx_fault(f, pid, 2, BASE + 4 * HP, true, NULL), OS_FAULT_SEGV);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	hugetlb_report_meminfo(f->os, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "HugePages_Total:       4\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
				    "HugePages_Surp:        3\n"));
	free(buf);
	os_process_exit(f->os, pid);
	assert_int_equal(surp(f, UINT32_MAX), 0);
	hugetlb_counts(f->os, &hc, NULL);
	assert_int_equal(hc.total, 1);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_HUGETLB), 0);
	fx_free(f);
}

#define GP         (1ULL << 30)
#define MAP_HUGE_1GB_ (30u << 26)

/*
 * Gigantic pages stay out of CMA areas and are compound (mm/hugetlb.c:
 * boot pages come from memblock after the CMA areas were reserved; run-time
 * ones from alloc_contig_pages, whose alloc_contig_range without
 * ACR_FLAGS_CMA fails on CMA pageblocks -- only hugetlb_cma puts them
 * there; prep_compound_gigantic_folio makes every other page a tail).
 * Node 1 = [2, 4) GiB has a 64 MiB CMA area at its top, inside [3, 4) GiB:
 * of 2 requested pages only [2, 3) GiB can be one (before: 2, the second
 * covering the area), its 2^18 - 1 inner pages are PG_tail with the head's
 * pfn, and the area is still all free CMA.
 */
static void gigantic_avoids_cma_and_is_compound(void **state)
{
	(void)state;
	struct os_cfg c = fx_os_cfg();
	c.nr_hugepages_1g[1] = 2;
	c.nr_nr_hugepages_1g = 2;
	c.cma_pernuma = 64ULL << 20;
	struct fx *f = fx_new_cfg(2, 2048, 2, &c);
	struct hugetlb_counts g1;
	struct zone_info zi;

	hugetlb_size_node_counts(f->os, 30, 1, &g1);
	assert_int_equal(g1.requested, 2);
	assert_int_equal(g1.total, 1);
	assert_int_equal(physmem_zone_info(fx_phys(f), 1, ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.cma_pages, 16384);
	assert_int_equal(zi.nr_free_cma, 16384);
	const uint64_t head = 1ULL << 19;   /* 2 GiB */
	struct page *h = pfn_to_page(fx_phys(f), head);
	assert_true(page_test(h, PG_head) && page_test(h, PG_hugetlb));
	assert_int_equal(h->order, 18);
	const uint64_t probes[] = { 1, 511, 512, 1024, 12345, (1ULL << 18) - 1 };
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct page *t = pfn_to_page(fx_phys(f), head + probes[i]);
		assert_true(page_test(t, PG_tail));
		assert_false(page_test(t, PG_head));
		assert_int_equal(t->private, head);
	}
	fx_free(f);
}

/*
 * 1 GiB pages (mm/hugetlb.c: the gigantic hstate, alloc_gigantic_folio ->
 * alloc_contig_pages; MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT): each pool page
 * is a naturally aligned 1 GiB range of free frames taken from its node
 * (2^18 frames leave the free counts); a node holds at most as many as it
 * has free aligned ranges, the rest is a shortfall.  A MAP_HUGE_1GB mapping
 * reserves whole 1 GiB pages, a fault maps one as a PUD leaf (PS at level 3),
 * numa_maps says kernelpagesize_kB=1048576, /proc/meminfo's Hugetlb: counts
 * it, munmap returns it to the pool.  Gigantic pages are never surplus
 * (hugetlb_overcommit_handler refuses gigantic hstates), so a mapping
 * beyond the pool is ENOMEM whatever nr_overcommit_hugepages says.
 */
static void gigantic_pages(void **state)
{
	(void)state;
	struct os_cfg c = fx_os_cfg();
	c.nr_hugepages_1g[0] = 3;   /* a 2 GiB node has 2 aligned ranges at most */
	c.nr_hugepages_1g[1] = 1;
	c.nr_nr_hugepages_1g = 2;
	c.nr_overcommit_hugepages = 8;
	struct fx *f = fx_new_cfg(2, 2048, 2, &c);
	int pid = fx_proc(f, false);
	struct hugetlb_counts g0, g1, g;
	uint64_t rsvd;

	hugetlb_size_node_counts(f->os, 30, 0, &g0);
	hugetlb_size_node_counts(f->os, 30, 1, &g1);
	assert_int_equal(g0.requested, 3);
	/* node 0 has two aligned ranges; [0, 1G) holds the boot-time zero page (pfn 0): one page, shortfall 2 */
	assert_int_equal(os_zero_pfn(f->os), 0);
	assert_int_equal(g0.total, 1);
	assert_int_equal(g1.total, 1);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_HUGETLB), 1ULL << 18);
	assert_int_equal(node_free(f, 1), (1ULL << 19) - (1ULL << 18));   /* 2 GiB node, 1 GiB gone */

	/* the 2 MiB hstate is untouched */
	expect_counts(f, 0, 0, 0);
	/* CPU 2 is on node 1: its fault takes node 1's page */
	assert_int_equal(fx_sys6(f, pid, 2, OS_SYS_MMAP, 0x40000000, GP, PROT_RW,
				 MAP_PRIV_ANON | MAP_FIXED_ | MAP_HUGETLB_ | MAP_HUGE_1GB_, (uint64_t)-1, 0, FX_NONE, NULL), 0);
	hugetlb_size_counts(f->os, 30, &g, &rsvd);
	assert_int_equal(rsvd, 1);
	assert_int_equal(fx_fault(f, pid, 2, 0x40000000 + 12345 * 4096, true, NULL), OS_FAULT_RETRY);
	unsigned level;
	uint64_t pte = fx_pte(f, pid, 0x7fffffff, &level);
	assert_int_equal(level, 3);
	assert_true((pte & PTE_PS) && (pte & PTE_P));
	struct page *pg = pfn_to_page(fx_phys(f), pte_pfn(pte));
	assert_int_equal(pg->order, 18);
	assert_int_equal(pg->node, 1);
	/* node 1 = [2, 4) GiB has two free aligned ranges: the boot pool takes the top one, [3, 4) GiB,
	 * as memblock allocates top-down on x86 (mm/memblock.c memblock_find_in_range_node ->
	 * __memblock_find_range_top_down; __alloc_bootmem_huge_page -> memblock_alloc_try_nid_raw) */
	assert_int_equal(pte_pfn(pte), 3ULL << 18);
	assert_int_equal(os_proc(f->os, pid)->hugetlb_pages, 1ULL << 18);
	char *maps = fx_numa_maps(f, pid);
	assert_non_null(strstr(maps, "40000000 default file=/anon_hugepage\\040(deleted) huge anon=1 dirty=1 N1=1 "
				     "kernelpagesize_kB=1048576"));
	free(maps);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	hugetlb_report_meminfo(f->os, fp);
	fclose(fp);
	char want[64];
	snprintf(want, sizeof(want), "Hugetlb:        %8llu kB\n", (unsigned long long)((g0.total + 1) << 20));
	assert_non_null(strstr(buf, want));
	free(buf);
	/* beyond the pool: ENOMEM, no surplus for gigantic pages */
	uint64_t free_pool = g0.total;   /* node 0's pages are all free */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MMAP, 0x40000000ULL * 4, (free_pool + 1) * GP, PROT_RW,
				MAP_PRIV_ANON | MAP_FIXED_ | MAP_HUGETLB_ | MAP_HUGE_1GB_, (uint64_t)-1), -SIM_EOOM);
	hugetlb_size_counts(f->os, 30, &g, NULL);
	assert_int_equal(g.surplus, 0);
	/* munmap: back to node 1's pool */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, 0x40000000, GP, 0, 0, 0), 0);
	hugetlb_size_node_counts(f->os, 30, 1, &g1);
	assert_int_equal(g1.free, 1);
	hugetlb_size_counts(f->os, 30, &g, &rsvd);
	assert_int_equal(rsvd, 0);
	assert_int_equal(g.free, g.total);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pool_fill_per_node),
		cmocka_unit_test(pool_shortfall_and_bad_config),
		cmocka_unit_test(mmap_reserves_and_fails),
		cmocka_unit_test(fault_policy_nodes),
		cmocka_unit_test(pages_return_to_pool),
		cmocka_unit_test(meminfo_text),
		cmocka_unit_test(differential),
		cmocka_unit_test(surplus_pages),
		cmocka_unit_test(gigantic_pages),
		cmocka_unit_test(gigantic_avoids_cma_and_is_compound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
