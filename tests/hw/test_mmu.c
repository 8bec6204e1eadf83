/*
 * tests/hw/test_mmu.c - the MMU against hand-built page tables in pmem.
 *
 * A fake load callback stands for the caches: it records each page-table
 * load (physical address, issue time) and returns a fixed latency, so walks
 * are checked load by load.  With cpu.mhz = 1000 one cycle is 1000 ps; the
 * tests use l1_latency 1, stlb_latency 8, pwc_latency 2 and 50 ns loads:
 *   L1 hit 1000 ps, STLB hit 9000 ps, walk 11000 ps + 50000 ps per load.
 * A differential test replays random accesses, remaps and invalidations
 * against a functional page-table walker.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "tests/support/test.h"
#include "hw/mmu.h"
#include "hw/hw.h"
#include "hw/pte.h"
#include "sim/err.h"
#include "sim/rng.h"

#define L1_PS   1000ULL
#define STLB_PS 9000ULL
#define WALK_PS 11000ULL
#define LOAD_PS 50000ULL

#define ROOT    0x10000ULL

struct fake {
	uint64_t pa[256];
	sim_time_t at[256];
	unsigned n;
	sim_time_t lat;
	const uint8_t *served;   /* cycled through; NULL: SRV_L1 */
	unsigned nr_served;
};

static sim_time_t fake_load(void *ctx, unsigned cpu, uint64_t paddr, sim_time_t now, uint8_t *served)
{
	struct fake *f = ctx;

	assert_int_equal(cpu, 3);
	if (f->n < ARRAY_SIZE(f->pa)) {
		f->pa[f->n] = paddr;
		f->at[f->n] = now;
	}
	*served = f->served ? f->served[f->n % f->nr_served] : SRV_L1;
	f->n++;
	return f->lat;
}

/* Page tables: table pages handed out upwards from a chosen physical address. */
struct pt {
	pmem_t *pm;
	uint64_t root;
	uint64_t next;
};

static uint64_t pt_table(struct pt *p)
{
	uint64_t a = p->next;

	p->next += 0x1000;
	return a;
}

/* Address of the level-`level` entry for va, creating missing tables above it. */
static uint64_t pt_slot(struct pt *p, uint64_t va, unsigned level)
{
	uint64_t table = p->root;

	for (unsigned l = PT_LEVELS; l > level; l--) {
		uint64_t epa = table + pt_index(va, l) * 8;
		uint64_t e = pmem_read64(p->pm, epa);
		if (!(e & PTE_P)) {
			e = pt_table(p) | PTE_P | PTE_RW | PTE_US;
			assert_int_equal(pmem_write64(p->pm, epa, e), 0);
		}
		table = e & PTE_ADDR_MASK;
	}
	return table + pt_index(va, level) * 8;
}

/* Map va to pa with a leaf at `level` (1: 4K, 2: 2M, 3: 1G).  @return the leaf entry's address. */
static uint64_t pt_map(struct pt *p, uint64_t va, uint64_t pa, unsigned level, uint64_t flags)
{
	uint64_t epa = pt_slot(p, va, level);

	assert_int_equal(pmem_write64(p->pm, epa, pa | flags | (level > 1 ? PTE_PS : 0)), 0);
	return epa;
}

#define RW_PAGE (PTE_P | PTE_RW | PTE_US)
#define RO_PAGE (PTE_P | PTE_US)

struct env {
	struct hw_cfg cfg;
	pmem_t *pm;
	struct pt pt;
	struct fake f;
	mmu_t *m;
	struct mmu_result res;
	sim_time_t now;
};

static void env_cfg(struct env *e)
{
	char err[256];

	memset(e, 0, sizeof(*e));
	e->cfg.cpu.mhz = 1000;
	e->cfg.cpu.arch = ARCH_X86_64;
	assert_int_equal(cfg_defaults(&tlb_cfg_table, &e->cfg.tlb, err, sizeof(err)), 0);
	e->cfg.tlb.l1_latency = 1;
	e->cfg.tlb.stlb_latency = 8;
	e->cfg.tlb.pwc_latency = 2;
}

static void env_start(struct env *e)
{
	char err[256] = "";

	assert_int_equal(pmem_create(&e->pm), 0);
	e->pt = (struct pt){ .pm = e->pm, .root = ROOT, .next = ROOT + 0x1000 };
	e->f.lat = LOAD_PS;
	int rc = mmu_create(&e->m, &e->cfg, 3, e->pm, fake_load, &e->f, 5, err, sizeof(err));
	if (rc)
		fail_msg("mmu_create: %s", err);
	e->now = 1000000;
}

static struct env *env_new(void)
{
	struct env *e = malloc(sizeof(*e));

	assert_non_null(e);
	env_cfg(e);
	env_start(e);
	return e;
}

static void env_free(struct env *e)
{
	mmu_destroy(e->m);
	pmem_destroy(e->pm);
	free(e);
}

/* Translate; @return the number of page-table loads it issued. */
static unsigned xl(struct env *e, uint64_t va, uint8_t op)
{
	unsigned before = e->f.n;

	mmu_translate(e->m, va, op, e->now, &e->res);
	e->now += 1000000;
	return e->f.n - before;
}

/* One counter of the report: path of object keys, NULL-terminated. */
static uint64_t stat(const mmu_t *m, ...)
{
	rep_t *r;
	va_list ap;
	const char *k;

	assert_int_equal(rep_create(&r), 0);
	mmu_report(m, r);
	json_t *j = rep_root(r);
	va_start(ap, m);
	while ((k = va_arg(ap, const char *))) {
		j = json_object_get(j, k);
		if (!j)
			fail_msg("report has no key %s", k);
	}
	va_end(ap);
	assert_true(json_is_integer(j));
	uint64_t v = (uint64_t)json_integer_value(j);
	rep_destroy(r);
	return v;
}

static void mmu_create_errors(void **state)
{
	struct env e;
	mmu_t *m = (mmu_t *)1;
	char err[256] = "";

	(void)state;
	env_cfg(&e);
	assert_int_equal(pmem_create(&e.pm), 0);
	e.cfg.tlb.l1d_2m.ways = 5;
	assert_int_equal(mmu_create(&m, &e.cfg, 0, e.pm, fake_load, NULL, 1, err, sizeof(err)), -SIM_ECONFIG);
	assert_null(m);
	assert_non_null(strstr(err, "tlb.l1d_2m"));
	e.cfg.tlb.l1d_2m.ways = 4;
	e.cfg.cpu.mhz = 0;
	assert_int_equal(mmu_create(&m, &e.cfg, 0, e.pm, fake_load, NULL, 1, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "cpu.mhz"));
	e.cfg.cpu.mhz = 1000;
	assert_int_equal(mmu_create(&m, &e.cfg, 0, e.pm, NULL, NULL, 1, err, sizeof(err)), -SIM_ECONFIG);
	/* absent arrays (0 entries) are fine */
	e.cfg.tlb.l1d_1g.entries = 0;
	e.cfg.tlb.pwc_l4 = 0;
	assert_int_equal(mmu_create(&m, &e.cfg, 0, e.pm, fake_load, NULL, 1, err, sizeof(err)), 0);
	mmu_destroy(m);
	mmu_destroy(NULL);
	pmem_destroy(e.pm);
}

static void mmu_identity(void **state)
{
	struct env *e = env_new();

	(void)state;
	assert_int_equal(xl(e, 0x123456789, MEM_STORE), 0);
	assert_int_equal(e->res.lat, 0);
	assert_int_equal(e->res.paddr, 0x123456789);
	assert_int_equal(e->res.fault, HW_FAULT_NONE);
	assert_int_equal(e->res.page_shift, 12);
	assert_int_equal(stat(e->m, "dtlb", "lookups", NULL), 0);
	assert_int_equal(stat(e->m, "walker", "untranslated", NULL), 1);
	env_free(e);
}

static void mmu_walk_4k(void **state)
{
	struct env *e = env_new();
	const uint64_t va = 0x00007f1234567abcULL;
	uint64_t leaf = pt_map(&e->pt, va, 0x80000000, 1, RW_PAGE);

	(void)state;
	assert_int_equal(leaf, 0x13000 + pt_index(va, 1) * 8);
	mmu_set_context(e->m, 1, ROOT);
	sim_time_t t0 = e->now;
	assert_int_equal(xl(e, va, MEM_LOAD), 4);
	/* four dependent loads, top level first, each issued when the previous completed */
	const uint64_t expect[4] = { ROOT + pt_index(va, 4) * 8, 0x11000 + pt_index(va, 3) * 8,
				     0x12000 + pt_index(va, 2) * 8, leaf };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(e->f.pa[i], expect[i]);
		assert_int_equal(e->f.at[i], t0 + WALK_PS + i * LOAD_PS);
		assert_true(pmem_read64(e->pm, expect[i]) & PTE_A);
	}
	assert_false(pmem_read64(e->pm, leaf) & PTE_D);
	assert_int_equal(e->res.lat, WALK_PS + 4 * LOAD_PS);
	assert_int_equal(e->res.paddr, 0x80000abc);
	assert_int_equal(e->res.page_shift, 12);
	assert_int_equal(e->res.fault, HW_FAULT_NONE);

	/* same page again: L1 DTLB hit */
	assert_int_equal(xl(e, va + 0x400, MEM_LOAD), 0);
	assert_int_equal(e->res.lat, L1_PS);
	assert_int_equal(e->res.paddr, 0x80000ebc);
	assert_int_equal(stat(e->m, "dtlb", "lookups", NULL), 2);
	assert_int_equal(stat(e->m, "dtlb", "hits_4k", NULL), 1);
	assert_int_equal(stat(e->m, "dtlb", "misses", NULL), 1);
	assert_int_equal(stat(e->m, "stlb", "misses", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "walks", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "loads", NULL), 4);
	assert_int_equal(stat(e->m, "walker", "walk_ps", NULL), 2000 + 4 * LOAD_PS);
	assert_int_equal(stat(e->m, "walker", "a_bits_set", NULL), 4);
	assert_int_equal(stat(e->m, "walker", "leaves_4k", NULL), 1);
	assert_int_equal(stat(e->m, "pwc", "misses", NULL), 1);
	env_free(e);
}

/* L1 and STLB evictions, and walks that start at each page-walk-cache level. */
static void mmu_stlb_and_pwc(void **state)
{
	struct env *e = malloc(sizeof(*e));
	const uint64_t base = 0x40000000;   /* PML4 0, PDPT 1, PD 0 */

	(void)state;
	env_cfg(e);
	e->cfg.tlb.l1d_4k = (struct tlb_array_cfg){ 4, 4 };
	e->cfg.tlb.stlb = (struct tlb_array_cfg){ 8, 8 };
	env_start(e);
	for (uint64_t i = 0; i < 16; i++)
		pt_map(&e->pt, base + i * 0x1000, 0x100000000ULL + i * 0x1000, 1, RW_PAGE);
	uint64_t pt_page = 0x13000;
	mmu_set_context(e->m, 1, ROOT);

	assert_int_equal(xl(e, base, MEM_LOAD), 4);
	/* another page of the same 2 MiB region: the PDE cache supplies the PT, one load */
	assert_int_equal(xl(e, base + 0x1000, MEM_LOAD), 1);
	assert_int_equal(e->f.pa[4], pt_page + 8);
	assert_int_equal(e->res.lat, WALK_PS + LOAD_PS);
	assert_int_equal(e->res.paddr, 0x100001000ULL);
	/* pages 2..4: L1 now holds 1..4; page 0 only in the STLB */
	for (uint64_t i = 2; i <= 4; i++)
		assert_int_equal(xl(e, base + i * 0x1000, MEM_LOAD), 1);
	assert_int_equal(xl(e, base + 0x10, MEM_LOAD), 0);
	assert_int_equal(e->res.lat, STLB_PS);
	assert_int_equal(e->res.paddr, 0x100000010ULL);
	assert_int_equal(xl(e, base + 0x20, MEM_LOAD), 0);   /* refilled into L1 */
	assert_int_equal(e->res.lat, L1_PS);
	/* pages 5..12 push page 0 out of L1 and of the 8-entry STLB: PDE cache, one load */
	for (uint64_t i = 5; i <= 12; i++)
		assert_int_equal(xl(e, base + i * 0x1000, MEM_LOAD), 1);
	unsigned n = e->f.n;
	assert_int_equal(xl(e, base, MEM_LOAD), 1);
	assert_int_equal(e->f.pa[n], pt_page);
	assert_int_equal(e->res.lat, WALK_PS + LOAD_PS);
	assert_int_equal(stat(e->m, "pwc", "l2_hits", NULL), 13);
	assert_int_equal(stat(e->m, "stlb", "hits_4k", NULL), 1);

	/* next 2 MiB region, same 1 GiB: the PDPTE cache supplies the PD, two loads */
	pt_map(&e->pt, base + 0x200000, 0x200000000ULL, 1, RW_PAGE);
	n = e->f.n;
	assert_int_equal(xl(e, base + 0x200000, MEM_LOAD), 2);
	assert_int_equal(e->f.pa[n], 0x12000 + 1 * 8);
	assert_int_equal(stat(e->m, "pwc", "l3_hits", NULL), 1);
	/* next 1 GiB region, same 512 GiB: the PML4E cache supplies the PDPT, three loads */
	pt_map(&e->pt, base + 0x40000000, 0x300000000ULL, 1, RW_PAGE);
	n = e->f.n;
	assert_int_equal(xl(e, base + 0x40000000, MEM_LOAD), 3);
	assert_int_equal(e->f.pa[n], 0x11000 + 2 * 8);
	assert_int_equal(e->res.paddr, 0x300000000ULL);
	assert_int_equal(stat(e->m, "pwc", "l4_hits", NULL), 1);
	assert_int_equal(stat(e->m, "pwc", "misses", NULL), 1);
	assert_int_equal(stat(e->m, "pwc", "lookups", NULL), 16);
	env_free(e);
}

static void mmu_huge_pages(void **state)
{
	struct env *e = env_new();
	const uint64_t va2m = 0x40000000, va1g = 1ULL << 40;

	(void)state;
	pt_map(&e->pt, va2m, 0x200000000ULL, 2, RW_PAGE);
	pt_map(&e->pt, va1g, 0xC0000000ULL, 3, RW_PAGE);
	mmu_set_context(e->m, 1, ROOT);

	assert_int_equal(xl(e, va2m + 0x12345, MEM_LOAD), 3);
	assert_int_equal(e->f.pa[2], 0x12000);                      /* the PDE itself is the leaf */
	assert_int_equal(e->res.lat, WALK_PS + 3 * LOAD_PS);
	assert_int_equal(e->res.paddr, 0x200012345ULL);
	assert_int_equal(e->res.page_shift, 21);
	assert_int_equal(xl(e, va2m + 0x1ff000, MEM_LOAD), 0);      /* another 4K of the 2M page */
	assert_int_equal(e->res.lat, L1_PS);
	assert_int_equal(e->res.paddr, 0x2001ff000ULL);
	assert_int_equal(e->res.page_shift, 21);

	assert_int_equal(xl(e, va1g + 0x3ffff123, MEM_LOAD), 2);   /* fresh PML4 slot: 2 loads */
	assert_int_equal(e->f.pa[3], ROOT + 2 * 8);
	assert_int_equal(e->f.pa[4], 0x13000);                      /* the PDPTE is the leaf */
	assert_int_equal(e->res.paddr, 0xC0000000ULL + 0x3ffff123);
	assert_int_equal(e->res.page_shift, 30);
	assert_int_equal(xl(e, va1g + 0x100, MEM_LOAD), 0);
	assert_int_equal(e->res.lat, L1_PS);

	assert_int_equal(stat(e->m, "dtlb", "hits_2m", NULL), 1);
	assert_int_equal(stat(e->m, "dtlb", "hits_1g", NULL), 1);
	assert_int_equal(stat(e->m, "dtlb", "arrays", "l1d_2m", "fills", NULL), 1);
	assert_int_equal(stat(e->m, "dtlb", "arrays", "l1d_1g", "fills", NULL), 1);
	assert_int_equal(stat(e->m, "dtlb", "arrays", "l1d_4k", "fills", NULL), 0);
	assert_int_equal(stat(e->m, "stlb", "arrays", "stlb", "fills", NULL), 1);
	assert_int_equal(stat(e->m, "stlb", "arrays", "stlb_1g", "fills", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "leaves_2m", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "leaves_1g", NULL), 1);
	/* the 2M leaf was not cached as a next table: no PDE-cache fill */
	assert_int_equal(stat(e->m, "pwc", "arrays", "pwc_l2", "fills", NULL), 0);
	assert_int_equal(stat(e->m, "pwc", "arrays", "pwc_l3", "fills", NULL), 1);
	assert_int_equal(stat(e->m, "pwc", "arrays", "pwc_l4", "fills", NULL), 2);
	env_free(e);
}

static void mmu_accessed_dirty(void **state)
{
	for (int arch = ARCH_X86_64; arch <= ARCH_ARM64; arch++) {
		struct env *e = malloc(sizeof(*e));
		const uint64_t va = 0x40000000;

		(void)state;
		env_cfg(e);
		e->cfg.cpu.arch = (uint32_t)arch;
		env_start(e);
		uint64_t leaf0 = pt_map(&e->pt, va, 0x5000000, 1, RW_PAGE);
		uint64_t leaf1 = pt_map(&e->pt, va + 0x1000, 0x5001000, 1, RW_PAGE);
		mmu_set_context(e->m, 1, ROOT);

		assert_int_equal(xl(e, va, MEM_LOAD), 4);
		assert_int_equal(pmem_read64(e->pm, leaf0), 0x5000000 | RW_PAGE | PTE_A);
		/* a store through the clean entry: the assist sets D (x86: one access to the leaf) */
		unsigned n = e->f.n;
		assert_int_equal(xl(e, va + 8, MEM_STORE), arch == ARCH_X86_64 ? 1 : 0);
		if (arch == ARCH_X86_64)
			assert_int_equal(e->f.pa[n], leaf0);
		assert_int_equal(e->res.lat, L1_PS + (arch == ARCH_X86_64 ? LOAD_PS : 0));
		assert_int_equal(e->res.fault, HW_FAULT_NONE);
		assert_int_equal(pmem_read64(e->pm, leaf0), 0x5000000 | RW_PAGE | PTE_A | PTE_D);
		assert_int_equal(xl(e, va + 16, MEM_MODIFY), 0);        /* entry now dirty */
		assert_int_equal(e->res.lat, L1_PS);
		/* a store that walks sets A and D together; only the new leaf's A was missing */
		assert_int_equal(xl(e, va + 0x1000, MEM_STORE), 1);
		assert_int_equal(pmem_read64(e->pm, leaf1), 0x5001000 | RW_PAGE | PTE_A | PTE_D);
		assert_int_equal(xl(e, va + 0x1008, MEM_STORE), 0);
		assert_int_equal(e->res.lat, L1_PS);
		assert_int_equal(stat(e->m, "walker", "d_assists", NULL), 1);
		assert_int_equal(stat(e->m, "walker", "d_bits_set", NULL), 2);
		assert_int_equal(stat(e->m, "walker", "a_bits_set", NULL), 5);
		env_free(e);
	}
}

/* The dirty-bit assist through an STLB hit, and through an entry whose PTE went away unannounced. */
static void mmu_assist_paths(void **state)
{
	struct env *e = malloc(sizeof(*e));
	const uint64_t a = 0x40000000, b = 0x40001000, c = 0x40002000;

	(void)state;
	env_cfg(e);
	e->cfg.tlb.l1d_4k = (struct tlb_array_cfg){ 1, 1 };
	env_start(e);
	uint64_t la = pt_map(&e->pt, a, 0x1000000, 1, RW_PAGE);
	pt_map(&e->pt, b, 0x1001000, 1, RW_PAGE);
	uint64_t lc = pt_map(&e->pt, c, 0x1002000, 1, RW_PAGE);
	mmu_set_context(e->m, 1, ROOT);

	xl(e, a, MEM_LOAD);
	xl(e, b, MEM_LOAD);                                   /* a now only in the STLB, clean */
	unsigned n = e->f.n;
	assert_int_equal(xl(e, a, MEM_STORE), 1);
	assert_int_equal(e->f.pa[n], la);
	assert_int_equal(e->res.lat, STLB_PS + LOAD_PS);
	assert_true(pmem_read64(e->pm, la) & PTE_D);
	assert_int_equal(xl(e, a + 8, MEM_STORE), 0);         /* the L1 copy was marked dirty */
	assert_int_equal(e->res.lat, L1_PS);
	xl(e, b, MEM_LOAD);
	assert_int_equal(xl(e, a + 16, MEM_STORE), 0);        /* so was the STLB copy */
	assert_int_equal(e->res.lat, STLB_PS);

	/* the OS unmapped c without a shootdown: the assist's re-walk faults and drops the entry */
	xl(e, c, MEM_LOAD);
	pmem_write64(e->pm, lc, 0);
	assert_int_equal(xl(e, c, MEM_LOAD), 0);              /* a stale load still translates */
	assert_int_equal(e->res.fault, HW_FAULT_NONE);
	assert_int_equal(xl(e, c, MEM_STORE), 0);
	assert_int_equal(e->res.fault, HW_FAULT_NOT_PRESENT);
	assert_int_equal(xl(e, c, MEM_LOAD), 1);
	assert_int_equal(e->res.fault, HW_FAULT_NOT_PRESENT);
	assert_int_equal(stat(e->m, "walker", "d_assists", NULL), 2);
	env_free(e);
}

static void mmu_faults(void **state)
{
	struct env *e = env_new();
	const uint64_t va = 0x40000000;

	(void)state;
	uint64_t leaf = pt_map(&e->pt, va, 0, 1, 0);            /* PT exists, entry P=0 */
	pt_map(&e->pt, va + 0x1000, 0x7000000, 1, RO_PAGE);
	uint64_t ro2 = pt_map(&e->pt, va + 0x2000, 0x7001000, 1, RO_PAGE);
	mmu_set_context(e->m, 1, ROOT);

	/* not present: no TLB fill, the retry walks again (from the PDE cache) */
	assert_int_equal(xl(e, va, MEM_LOAD), 4);
	assert_int_equal(e->res.fault, HW_FAULT_NOT_PRESENT);
	assert_int_equal(e->res.lat, WALK_PS + 4 * LOAD_PS);
	assert_int_equal(xl(e, va, MEM_LOAD), 1);
	assert_int_equal(e->res.fault, HW_FAULT_NOT_PRESENT);
	assert_int_equal(pmem_read64(e->pm, leaf), 0);          /* nothing written to a P=0 entry */
	pmem_write64(e->pm, leaf, 0x6000000 | RW_PAGE);         /* the OS maps it */
	assert_int_equal(xl(e, va + 4, MEM_LOAD), 1);
	assert_int_equal(e->res.fault, HW_FAULT_NONE);
	assert_int_equal(e->res.paddr, 0x6000004);
	/* a hole at the PDE level: the walk stops there */
	assert_int_equal(xl(e, va + 0x200000, MEM_LOAD), 1);  /* PDPTE cache hit, then the P=0 PDE */
	assert_int_equal(e->res.fault, HW_FAULT_NOT_PRESENT);

	/* write protection: a load fills, a store through the read-only entry faults and drops it */
	assert_int_equal(xl(e, va + 0x1000, MEM_LOAD), 1);
	assert_int_equal(xl(e, va + 0x1000, MEM_STORE), 0);
	assert_int_equal(e->res.fault, HW_FAULT_WRITE);
	assert_int_equal(e->res.lat, L1_PS);
	assert_int_equal(xl(e, va + 0x1000, MEM_LOAD), 1);     /* re-walk */
	assert_int_equal(e->res.fault, HW_FAULT_NONE);
	/* a store that walks to a read-only leaf: fault, no fill, leaf neither accessed nor dirty */
	assert_int_equal(xl(e, va + 0x2000, MEM_STORE), 1);
	assert_int_equal(e->res.fault, HW_FAULT_WRITE);
	assert_int_equal(pmem_read64(e->pm, ro2), 0x7001000 | RO_PAGE);
	/* COW resolved: the OS makes it writable; the retry walks and dirties it */
	pmem_write64(e->pm, ro2, 0x7002000 | RW_PAGE);
	assert_int_equal(xl(e, va + 0x2000, MEM_STORE), 1);
	assert_int_equal(e->res.fault, HW_FAULT_NONE);
	assert_int_equal(e->res.paddr, 0x7002000);
	assert_int_equal(pmem_read64(e->pm, ro2), 0x7002000 | RW_PAGE | PTE_A | PTE_D);

	/* write permission is the AND over all levels */
	uint64_t pde = pt_slot(&e->pt, 0x80000000, 2);
	pt_map(&e->pt, 0x80000000, 0x8000000, 1, RW_PAGE);
	pmem_write64(e->pm, pde, pmem_read64(e->pm, pde) & ~PTE_RW);
	assert_int_equal(xl(e, 0x80000000, MEM_STORE), 3);
	assert_int_equal(e->res.fault, HW_FAULT_WRITE);
	assert_int_equal(xl(e, 0x80000000, MEM_LOAD), 1);
	assert_int_equal(e->res.fault, HW_FAULT_NONE);

	assert_int_equal(stat(e->m, "walker", "faults_not_present", NULL), 3);
	assert_int_equal(stat(e->m, "walker", "faults_write", NULL), 3);
	env_free(e);
}

static void mmu_asid_switch(void **state)
{
	struct env *e = env_new();
	const uint64_t va = 0x7000000000ULL;
	struct pt p2;

	(void)state;
	pt_map(&e->pt, va, 0x1000000, 1, RW_PAGE);
	p2 = (struct pt){ .pm = e->pm, .root = 0x900000, .next = 0x901000 };
	pt_map(&p2, va, 0x2000000, 1, RW_PAGE);
	assert_false(mmu_may_hold(e->m, 1));

	mmu_set_context(e->m, 1, ROOT);
	assert_int_equal(xl(e, va, MEM_LOAD), 4);
	assert_int_equal(e->res.paddr, 0x1000000);
	mmu_set_context(e->m, 2, p2.root);
	assert_int_equal(xl(e, va, MEM_LOAD), 4);               /* PWCs are asid-tagged too */
	assert_int_equal(e->f.pa[4], 0x900000 + pt_index(va, 4) * 8);
	assert_int_equal(e->res.paddr, 0x2000000);
	mmu_set_context(e->m, 1, ROOT);
	assert_int_equal(xl(e, va + 1, MEM_LOAD), 0);           /* asid 1's entry survived */
	assert_int_equal(e->res.lat, L1_PS);
	assert_int_equal(e->res.paddr, 0x1000001);
	assert_true(mmu_may_hold(e->m, 1));
	assert_true(mmu_may_hold(e->m, 2));
	assert_false(mmu_may_hold(e->m, 3));

	/* flushing the running asid: it stays "held", its next access walks from the root */
	mmu_invalidate(e->m, 1, 0, 0);
	assert_true(mmu_may_hold(e->m, 1));
	assert_int_equal(xl(e, va, MEM_LOAD), 4);
	/* flushing an asid that is not running forgets it */
	mmu_set_context(e->m, 2, p2.root);
	mmu_invalidate(e->m, 1, 0, 0);
	assert_false(mmu_may_hold(e->m, 1));
	assert_true(mmu_may_hold(e->m, 2));
	assert_int_equal(xl(e, va, MEM_LOAD), 0);
	assert_int_equal(e->res.paddr, 0x2000000);
	env_free(e);
}

static void mmu_invalidate_ranges(void **state)
{
	struct env *e = env_new();
	const uint64_t va = 0x40000000;

	(void)state;
	for (uint64_t i = 0; i < 8; i++)
		pt_map(&e->pt, va + i * 0x1000, 0x3000000 + i * 0x1000, 1, RW_PAGE);
	mmu_set_context(e->m, 1, ROOT);
	for (uint64_t i = 0; i < 8; i++)
		xl(e, va + i * 0x1000, MEM_LOAD);
	assert_int_equal(stat(e->m, "walker", "walks", NULL), 8);

	/* one page: its L1 and STLB entries and every PWC entry whose region covers it */
	mmu_invalidate(e->m, 1, va + 0x3000, 0x1000);
	assert_int_equal(stat(e->m, "walker", "invalidated_entries", NULL), 5);
	assert_int_equal(xl(e, va + 0x2000, MEM_LOAD), 0);
	assert_int_equal(e->res.lat, L1_PS);
	assert_int_equal(xl(e, va + 0x3000, MEM_LOAD), 4);
	/* another asid's range leaves asid 1 alone */
	mmu_invalidate(e->m, 2, va, 0x8000);
	assert_int_equal(xl(e, va + 0x4000, MEM_LOAD), 0);
	/* a range: pages 4 and 5 (a byte of each) */
	mmu_invalidate(e->m, 1, va + 0x4fff, 2);
	assert_int_equal(xl(e, va + 0x6000, MEM_LOAD), 0);
	assert_int_equal(xl(e, va + 0x4000, MEM_LOAD), 4);
	assert_int_equal(xl(e, va + 0x5000, MEM_LOAD), 1);
	/* the whole asid */
	mmu_invalidate(e->m, 1, 0, 0);
	assert_int_equal(xl(e, va + 0x7000, MEM_LOAD), 4);
	assert_int_equal(xl(e, va + 0x7000, MEM_LOAD), 0);
	assert_int_equal(stat(e->m, "walker", "invalidations", NULL), 4);
	env_free(e);
}

static void mmu_itlb(void **state)
{
	struct env *e = env_new();
	const uint64_t code = 0x400000, big = 1ULL << 40;

	(void)state;
	pt_map(&e->pt, code, 0x9000000, 1, RO_PAGE);
	pt_map(&e->pt, big, 0x40000000, 3, RO_PAGE);
	mmu_set_context(e->m, 1, ROOT);

	assert_int_equal(xl(e, code, MEM_IFETCH), 4);
	assert_int_equal(xl(e, code + 4, MEM_IFETCH), 0);
	assert_int_equal(e->res.lat, L1_PS);
	assert_int_equal(stat(e->m, "itlb", "hits_4k", NULL), 1);
	assert_int_equal(stat(e->m, "dtlb", "lookups", NULL), 0);
	/* a data read of the code page: DTLB miss, STLB hit (filled by the fetch's walk) */
	assert_int_equal(xl(e, code + 8, MEM_LOAD), 0);
	assert_int_equal(e->res.lat, STLB_PS);

	/* a 1 GiB code page: the ITLB keeps the touched 2 MiB fragment */
	assert_int_equal(xl(e, big + 0x2345678, MEM_IFETCH), 2);
	assert_int_equal(e->res.page_shift, 30);
	assert_int_equal(xl(e, big + 0x2200000, MEM_IFETCH), 0);   /* same 2 MiB fragment */
	assert_int_equal(e->res.lat, L1_PS);
	assert_int_equal(e->res.paddr, 0x42200000);
	assert_int_equal(e->res.page_shift, 30);
	assert_int_equal(xl(e, big + 0x3ffffffc, MEM_IFETCH), 0);  /* another fragment: STLB */
	assert_int_equal(e->res.lat, STLB_PS);
	assert_int_equal(e->res.paddr, 0x7ffffffc);
	assert_int_equal(stat(e->m, "itlb", "hits_2m", NULL), 1);
	assert_int_equal(stat(e->m, "stlb", "hits_1g", NULL), 1);
	env_free(e);
}

static void mmu_served_breakdown(void **state)
{
	static const uint8_t srv[] = { SRV_DRAM_REMOTE, SRV_L2, SRV_L1, SRV_DRAM_LOCAL, SRV_C2C_REMOTE };
	struct env *e = env_new();

	(void)state;
	e->f.served = srv;
	e->f.nr_served = ARRAY_SIZE(srv);
	pt_map(&e->pt, 0x40000000, 0x1000000, 1, RW_PAGE);
	pt_map(&e->pt, 0x40001000, 0x1001000, 1, RW_PAGE);
	mmu_set_context(e->m, 1, ROOT);
	xl(e, 0x40000000, MEM_LOAD);
	xl(e, 0x40001000, MEM_LOAD);
	assert_int_equal(stat(e->m, "walker", "loads_dram_remote", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "loads_l2", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "loads_l1", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "loads_dram_local", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "loads_c2c_remote", NULL), 1);
	assert_int_equal(stat(e->m, "walker", "loads_l3", NULL), 0);
	assert_int_equal(stat(e->m, "walker", "loads", NULL), 5);
	assert_int_equal(stat(e->m, "walker", "walk_ps", NULL), 2 * 2000 + 5 * LOAD_PS);
	env_free(e);
}

/* ---- differential: random accesses against a functional walker ---- */

struct oracle {
	uint8_t fault;
	uint64_t paddr;
	unsigned shift;
	uint64_t leaf;
};

static struct oracle oracle_walk(pmem_t *pm, uint64_t root, uint64_t va, bool write)
{
	struct oracle o = { 0 };
	uint64_t table = root;
	bool rw = true;

	for (unsigned level = 4; level >= 1; level--) {
		uint64_t epa = table + ((va >> (12 + 9 * (level - 1))) & 511) * 8;
		uint64_t ent = pmem_read64(pm, epa);
		if (!(ent & PTE_P)) {
			o.fault = HW_FAULT_NOT_PRESENT;
			return o;
		}
		rw = rw && (ent & PTE_RW);
		if (level == 1 || (level <= 3 && (ent & PTE_PS))) {
			if (write && !rw) {
				o.fault = HW_FAULT_WRITE;
				return o;
			}
			o.shift = 12 + 9 * (level - 1);
			uint64_t mask = (1ULL << o.shift) - 1;
			o.paddr = (ent & PTE_ADDR_MASK & ~mask) | (va & mask);
			o.leaf = epa;
			return o;
		}
		table = ent & PTE_ADDR_MASK;
	}
	return o;
}

static void run_random(uint32_t repl, uint64_t seed)
{
	struct env *e = malloc(sizeof(*e));
	struct pt pts[3];
	struct rng r;
	uint64_t mapped[3][512];
	unsigned nmapped[3] = { 0 };
	unsigned nmapped_level[3][512];
	uint64_t frame = 0x100000000ULL;

	env_cfg(e);
	e->cfg.tlb.repl = repl;
	e->cfg.tlb.l1d_4k = (struct tlb_array_cfg){ 8, 2 };
	e->cfg.tlb.l1d_2m = (struct tlb_array_cfg){ 4, 2 };
	e->cfg.tlb.l1d_1g = (struct tlb_array_cfg){ 2, 2 };
	e->cfg.tlb.l1i_4k = (struct tlb_array_cfg){ 4, 4 };
	e->cfg.tlb.l1i_2m = (struct tlb_array_cfg){ 2, 2 };
	e->cfg.tlb.stlb = (struct tlb_array_cfg){ 32, 4 };
	e->cfg.tlb.stlb_1g = (struct tlb_array_cfg){ 2, 1 };
	e->cfg.tlb.pwc_l4 = 1;
	e->cfg.tlb.pwc_l3 = 2;
	e->cfg.tlb.pwc_l2 = 4;
	env_start(e);
	rng_seed(&r, seed, repl);
	/* asids 1 and 2: two PML4 slots, each with a 1G leaf, 2M leaves, 4K pages and holes */
	for (unsigned a = 1; a <= 2; a++) {
		pts[a] = (struct pt){ .pm = e->pm, .root = 0x1000000ULL * a, .next = 0x1000000ULL * a + 0x1000 };
		for (uint64_t g = 0; g < 4; g++) {
			uint64_t gva = (1ULL << 39) * (1 + g / 2) + ((g % 2) << 30);
			if (g == 0) {
				pt_map(&pts[a], gva, 0x40000000ULL * (4 + a), 3, RW_PAGE);
				mapped[a][nmapped[a]] = gva;
				nmapped_level[a][nmapped[a]++] = 3;
				continue;
			}
			for (uint64_t m2 = 0; m2 < 6; m2++) {
				uint64_t mva = gva + (m2 << 21);
				uint64_t kind = rng_below(&r, 4);
				if (kind == 0)
					continue;   /* hole */
				if (kind == 1) {
					frame = (frame + (1 << 21)) & ~((1ULL << 21) - 1);
					pt_map(&pts[a], mva, frame, 2, rng_below(&r, 4) ? RW_PAGE : RO_PAGE);
					frame += 1 << 21;
					mapped[a][nmapped[a]] = mva;
					nmapped_level[a][nmapped[a]++] = 2;
					continue;
				}
				for (uint64_t p = 0; p < 12; p++) {
					if (!rng_below(&r, 5))
						continue;
					pt_map(&pts[a], mva + (p << 12), frame, 1, rng_below(&r, 5) ? RW_PAGE : RO_PAGE);
					frame += 0x1000;
					mapped[a][nmapped[a]] = mva + (p << 12);
					nmapped_level[a][nmapped[a]++] = 1;
				}
			}
		}
	}
	unsigned asid = 1;
	mmu_set_context(e->m, 1, pts[1].root);
	for (int step = 0; step < 20000; step++) {
		uint64_t x = rng_below(&r, 1000);
		if (x < 5) {
			asid = 3 - asid;
			mmu_set_context(e->m, (uint16_t)asid, pts[asid].root);
			continue;
		}
		if (x < 25) {
			/* the OS changes a leaf (remap, protect, unprotect, unmap) then shoots it down */
			unsigned a = 1 + (unsigned)rng_below(&r, 2);
			unsigned i = (unsigned)rng_below(&r, nmapped[a]);
			unsigned level = nmapped_level[a][i];
			uint64_t slot = pt_slot(&pts[a], mapped[a][i], level);
			uint64_t ent = pmem_read64(e->pm, slot);
			uint64_t sz = 1ULL << (12 + 9 * (level - 1));
			switch (rng_below(&r, 4)) {
			case 0:
				frame = (frame + sz - 1) & ~(sz - 1);
				ent = (ent & ~PTE_ADDR_MASK) | frame;
				frame += sz;
				break;
			case 1:
				ent ^= PTE_RW;
				break;
			case 2:
				ent ^= PTE_P;
				break;
			default:
				ent &= ~(PTE_A | PTE_D);
				break;
			}
			pmem_write64(e->pm, slot, ent);
			if (rng_below(&r, 3))
				mmu_invalidate(e->m, (uint16_t)a, mapped[a][i], sz);
			else
				mmu_invalidate(e->m, (uint16_t)a, 0, 0);
			continue;
		}
		/* an access: mostly to mapped pages, sometimes to holes */
		unsigned i = (unsigned)rng_below(&r, nmapped[asid]);
		uint64_t va = mapped[asid][i];
		unsigned level = nmapped_level[asid][i];
		uint64_t span = level == 1 ? 0x1000 : level == 2 ? 1ULL << 21 : 1ULL << 30;
		va += rng_below(&r, span);
		if (rng_below(&r, 20) == 0)
			va = (1ULL << 39) + (rng_below(&r, 4) << 30) + (rng_below(&r, 8) << 21) + rng_below(&r, 1ULL << 21);
		static const uint8_t ops[] = { MEM_LOAD, MEM_LOAD, MEM_STORE, MEM_IFETCH, MEM_MODIFY };
		uint8_t op = ops[rng_below(&r, ARRAY_SIZE(ops))];
		bool write = op == MEM_STORE || op == MEM_MODIFY;
		struct oracle o = oracle_walk(e->pm, pts[asid].root, va, write);

		xl(e, va, op);
		assert_int_equal(e->res.fault, o.fault);
		if (o.fault)
			continue;
		assert_int_equal(e->res.paddr, o.paddr);
		assert_int_equal(e->res.page_shift, o.shift);
		assert_true(e->res.lat >= L1_PS);
		uint64_t leaf = pmem_read64(e->pm, o.leaf);
		assert_true(leaf & PTE_A || e->res.lat < WALK_PS);   /* A is set by walks only */
		if (write)
			assert_true(leaf & PTE_D);
	}
	assert_true(stat(e->m, "walker", "walks", NULL) > 1000);
	assert_true(stat(e->m, "dtlb", "hits_4k", NULL) > 100);
	assert_true(stat(e->m, "pwc", "l2_hits", NULL) > 100);
	env_free(e);
}

static void mmu_random_vs_functional(void **state)
{
	(void)state;
	for (uint32_t repl = 0; repl < NR_REPL; repl++)
		run_random(repl, 77 + repl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mmu_create_errors),
		cmocka_unit_test(mmu_identity),
		cmocka_unit_test(mmu_walk_4k),
		cmocka_unit_test(mmu_stlb_and_pwc),
		cmocka_unit_test(mmu_huge_pages),
		cmocka_unit_test(mmu_accessed_dirty),
		cmocka_unit_test(mmu_assist_paths),
		cmocka_unit_test(mmu_faults),
		cmocka_unit_test(mmu_asid_switch),
		cmocka_unit_test(mmu_invalidate_ranges),
		cmocka_unit_test(mmu_itlb),
		cmocka_unit_test(mmu_served_breakdown),
		cmocka_unit_test(mmu_random_vs_functional),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
