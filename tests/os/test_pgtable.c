/*
 * tests/os/test_pgtable.c - page tables in pmem: table creation and entry
 * bits, lookups through huge leaves (2 MiB PMD, 1 GiB PUD), ordered walks,
 * and freeing by floor/ceiling as free_pgtables does.  Table frames come
 * from a bump allocator so every pfn is predictable.
 */
#include <string.h>
#include "tests/support/test.h"
#include "os/pgtable.h"
#include "sim/err.h"

struct bump {
	uint64_t next;
	unsigned allocated, freed;
	int fail_after;           /* -1: never */
	uint64_t freed_pfns[64];
};

static int bump_alloc(void *ctx, unsigned level, uint64_t vaddr, uint64_t *pfn, sim_time_t *cost)
{
	struct bump *b = ctx;
	(void)level, (void)vaddr;
	if (b->fail_after >= 0 && (int)b->allocated >= b->fail_after)
		return -SIM_EOOM;
	*pfn = b->next++;
	b->allocated++;
	if (cost)
		*cost += 10;
	return 0;
}

static void bump_free(void *ctx, uint64_t pfn)
{
	struct bump *b = ctx;
	if (b->freed < 64)
		b->freed_pfns[b->freed] = pfn;
	b->freed++;
}

#define ROOT 0x100

static void setup(pmem_t **pm, struct bump *b, struct pgtable_ops *ops)
{
	assert_int_equal(pmem_create(pm), 0);
	memset(b, 0, sizeof(*b));
	b->next = 0x200;
	b->fail_after = -1;
	*ops = (struct pgtable_ops){ .ctx = b, .alloc = bump_alloc, .free = bump_free };
}

/* A 4 KiB slot needs PUD, PMD and PTE tables; each parent entry is P|RW|US|A|D + pfn. */
static void builds_four_levels(void **state)
{
	pmem_t *pm;
	struct bump b;
	struct pgtable_ops ops;
	uint64_t slot;
	unsigned lvl;
	sim_time_t cost = 0;
	(void)state;

	setup(&pm, &b, &ops);
	uint64_t va = 0x00007f1234567000ULL;
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, va, 1, &ops, &slot, &lvl, &cost), 0);
	assert_int_equal(lvl, 1);
	assert_int_equal(b.allocated, 3);
	assert_int_equal(cost, 30);
	/* PML4 entry -> 0x200, PDPT entry -> 0x201, PD entry -> 0x202, slot in 0x202's table */
	uint64_t e4 = pmem_read64(pm, (ROOT << 12) + pt_index(va, 4) * 8);
	uint64_t e3 = pmem_read64(pm, (0x200ULL << 12) + pt_index(va, 3) * 8);
	uint64_t e2 = pmem_read64(pm, (0x201ULL << 12) + pt_index(va, 2) * 8);
	assert_int_equal(e4, (0x200ULL << 12) | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
	assert_int_equal(e3, (0x201ULL << 12) | PTE_TABLE);
	assert_int_equal(e2, (0x202ULL << 12) | PTE_TABLE);
	assert_int_equal(slot, (0x202ULL << 12) + pt_index(va, 1) * 8);
	assert_int_equal(pt_index(va, 4), 0xfe);
	assert_int_equal(pt_index(va, 1), 0x167);
	/* a neighbour in the same PTE table needs nothing new */
	uint64_t slot2;
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, va + 0x1000, 1, &ops, &slot2, NULL, NULL), 0);
	assert_int_equal(b.allocated, 3);
	assert_int_equal(slot2, slot + 8);
	/* lookup stops at the empty leaf with its slot */
	assert_int_equal(pgtable_lookup(pm, ROOT, va, &slot2), 1);
	assert_int_equal(slot2, slot);
	/* an address under an empty PML4 entry reports level 4 */
	assert_int_equal(pgtable_lookup(pm, ROOT, 0x1000, &slot2), 4);
	assert_int_equal(slot2, ROOT << 12);
	/* allocator failure propagates */
	b.fail_after = 3;
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, 0x1000, 1, &ops, &slot2, NULL, NULL), -SIM_EOOM);
	pmem_destroy(pm);
}

/* 2 MiB (PMD) and 1 GiB (PUD) leaves: slots at levels 2 and 3; a base-page slot under them faults. */
static void huge_leaves(void **state)
{
	pmem_t *pm;
	struct bump b;
	struct pgtable_ops ops;
	uint64_t slot, s2;
	unsigned lvl;
	(void)state;

	setup(&pm, &b, &ops);
	uint64_t va2m = 0x40200000ULL, va1g = 0x80000000ULL;
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, va2m, 2, &ops, &slot, NULL, NULL), 0);
	assert_int_equal(b.allocated, 2);   /* PUD and PMD tables only */
	pmem_write64(pm, slot, (0x1000ULL << 12) | PTE_P | PTE_RW | PTE_US | PTE_PS);
	assert_int_equal(pgtable_lookup(pm, ROOT, va2m + 0x12345, &s2), 2);
	assert_int_equal(s2, slot);
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, va2m + 0x3000, 1, &ops, &s2, &lvl, NULL), -SIM_EFAULT);
	assert_int_equal(lvl, 2);
	assert_int_equal(s2, slot);

	assert_int_equal(pgtable_slot_alloc(pm, ROOT, va1g, 3, &ops, &slot, NULL, NULL), 0);
	assert_int_equal(b.allocated, 2);   /* the PUD table exists already */
	pmem_write64(pm, slot, (0x40000ULL << 12) | PTE_P | PTE_US | PTE_PS);
	assert_int_equal(pgtable_lookup(pm, ROOT, va1g + 0x3fffffff, &s2), 3);
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, va1g + 0x200000, 2, &ops, &s2, &lvl, NULL), -SIM_EFAULT);
	assert_int_equal(lvl, 3);
	assert_int_equal(pgtable_level_size(3), 1ULL << 30);
	pmem_destroy(pm);
}

struct rec {
	uint64_t va[16];
	unsigned lvl[16];
	unsigned n;
};

static int record(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct rec *r = ctx;
	(void)slot, (void)pte;
	r->va[r->n] = va;
	r->lvl[r->n++] = level;
	return 0;
}

static void map4k(pmem_t *pm, struct pgtable_ops *ops, uint64_t va, uint64_t pfn)
{
	uint64_t slot;
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, va, 1, ops, &slot, NULL, NULL), 0);
	pmem_write64(pm, slot, (pfn << 12) | PTE_P | PTE_US);
}

/* Walks visit leaves in address order, clipped to the range, including a huge leaf covering start. */
static void walk_in_order(void **state)
{
	pmem_t *pm;
	struct bump b;
	struct pgtable_ops ops;
	struct rec r = { .n = 0 };
	uint64_t slot;
	(void)state;

	setup(&pm, &b, &ops);
	map4k(pm, &ops, 0x7f0000003000ULL, 1);
	map4k(pm, &ops, 0x10000, 2);
	map4k(pm, &ops, 0x7f0000001000ULL, 3);
	map4k(pm, &ops, 0x200000000ULL, 4);
	assert_int_equal(pgtable_slot_alloc(pm, ROOT, 0x40000000ULL, 2, &ops, &slot, NULL, NULL), 0);
	pmem_write64(pm, slot, (0x800ULL << 12) | PTE_P | PTE_PS);
	assert_int_equal(pgtable_walk(pm, ROOT, 0, 0x00007ffffffff000ULL, record, &r), 0);
	assert_int_equal(r.n, 5);
	const uint64_t want[5] = { 0x10000, 0x40000000ULL, 0x200000000ULL, 0x7f0000001000ULL, 0x7f0000003000ULL };
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(r.va[i], want[i]);
	assert_int_equal(r.lvl[1], 2);
	/* clipped: [0x40100000, 0x7f0000002000) sees the huge leaf and one 4K page */
	r.n = 0;
	pgtable_walk(pm, ROOT, 0x40100000ULL, 0x7f0000002000ULL, record, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.va[0], 0x40000000ULL);
	assert_int_equal(r.va[2], 0x7f0000001000ULL);
	pmem_destroy(pm);
}

/*
 * free_pgtables: after clearing the leaves of [0x200000, 0x400000), its PTE
 * table goes only if no VMA remains in its 2 MiB (floor/ceiling), and the
 * upper tables go when their whole span is free.
 */
static void free_by_floor_ceiling(void **state)
{
	pmem_t *pm;
	struct bump b;
	struct pgtable_ops ops;
	uint64_t slot;
	(void)state;

	setup(&pm, &b, &ops);
	map4k(pm, &ops, 0x200000, 1);        /* tables 0x200 PUD, 0x201 PMD, 0x202 PTE */
	map4k(pm, &ops, 0x400000, 2);        /* PTE table 0x203 */
	assert_int_equal(b.allocated, 4);
	/* clear the leaf of 0x200000, as munmap's zap does */
	assert_int_equal(pgtable_lookup(pm, ROOT, 0x200000, &slot), 1);
	pmem_write64(pm, slot, 0);
	/* a VMA still covers [0x300000, ...): ceiling inside the 2 MiB span keeps the table */
	assert_int_equal(pgtable_free_range(pm, ROOT, 0x200000, 0x300000, 0, 0x300000, &ops), 0);
	/* no VMA until 0x400000: the PTE table goes, the PMD table stays (0x400000 still mapped) */
	assert_int_equal(pgtable_free_range(pm, ROOT, 0x200000, 0x300000, 0, 0x400000, &ops), 1);
	assert_int_equal(b.freed_pfns[0], 0x202);
	assert_int_equal(pgtable_lookup(pm, ROOT, 0x200000, &slot), 2);
	assert_int_equal(pmem_read64(pm, slot), 0);
	/* unmapping the last page with nothing around frees PTE, PMD and PUD tables */
	assert_int_equal(pgtable_lookup(pm, ROOT, 0x400000, &slot), 1);
	pmem_write64(pm, slot, 0);
	assert_int_equal(pgtable_free_range(pm, ROOT, 0x400000, 0x401000, 0, UINT64_MAX, &ops), 3);
	assert_int_equal(b.freed, 4);
	assert_int_equal(pmem_read64(pm, ROOT << 12), 0);
	assert_int_equal(pmem_nr_pages(pm), 1);   /* the root's (now empty) frame; freed tables hold nothing */
	/* free_all frees the remaining tree and the root */
	map4k(pm, &ops, 0x7f0000000000ULL, 5);
	map4k(pm, &ops, 0x1000, 6);
	unsigned before = b.freed;
	assert_int_equal(pgtable_free_all(pm, ROOT, &ops), 7);
	assert_int_equal(b.freed - before, 7);
	assert_int_equal(pmem_nr_pages(pm), 0);
	pmem_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builds_four_levels),
		cmocka_unit_test(huge_leaves),
		cmocka_unit_test(walk_in_order),
		cmocka_unit_test(free_by_floor_ceiling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
