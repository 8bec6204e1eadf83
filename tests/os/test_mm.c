/*
 * tests/os/test_mm.c - the VMA set: lookup, insert, split, merge rules
 * (is_mergeable_vma / is_mergeable_anon_vma), the top-down free-area
 * search, and a differential test against a page-granular bitmap model.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "os/mm.h"
#include "sim/err.h"
#include "sim/rng.h"

static struct vma anon(uint64_t start, uint64_t end, uint64_t flags)
{
	struct vma v = { .start = start, .end = end, .flags = flags, .pgoff = start >> 12, .page_shift = 12 };
	mpol_none(&v.pol);
	return v;
}

static void insert(struct mm_struct *mm, struct vma v)
{
	assert_true(mm_insert(mm, &v) >= 0);
}

static void lookup_and_insert(void **state)
{
	struct mm_struct mm;
	(void)state;

	mm_init(&mm);
	assert_null(find_vma(&mm, 0));
	insert(&mm, anon(0x30000, 0x40000, VM_READ));
	insert(&mm, anon(0x10000, 0x20000, VM_READ));
	insert(&mm, anon(0x50000, 0x60000, VM_READ));
	assert_int_equal(mm.nr_vma, 3);
	assert_int_equal(mm.vma[0].start, 0x10000);
	assert_int_equal(mm.vma[2].start, 0x50000);
	assert_null(vma_lookup(&mm, 0x28000));
	assert_int_equal(find_vma(&mm, 0x28000)->start, 0x30000);
	assert_int_equal(vma_lookup(&mm, 0x3ffff)->start, 0x30000);
	assert_null(vma_lookup(&mm, 0x40000));
	assert_null(find_vma(&mm, 0x60000));
	assert_true(mm_range_busy(&mm, 0x20000, 0x30001));
	assert_false(mm_range_busy(&mm, 0x20000, 0x30000));
	mm_release(&mm);
}

static void split_and_merge(void **state)
{
	struct mm_struct mm;
	(void)state;

	mm_init(&mm);
	insert(&mm, anon(0x100000, 0x200000, VM_READ | VM_WRITE));
	/* split the middle out, as mprotect does */
	assert_int_equal(mm_split_range(&mm, 0x140000, 0x180000), 0);
	assert_int_equal(mm.nr_vma, 3);
	assert_int_equal(mm.vma[1].start, 0x140000);
	assert_int_equal(mm.vma[1].end, 0x180000);
	assert_int_equal(mm.vma[1].pgoff, 0x140);
	assert_int_equal(mm.vma[2].pgoff, 0x180);
	/* change the middle: no merge */
	mm.vma[1].flags = VM_READ;
	mm_merge_range(&mm, 0x140000, 0x180000);
	assert_int_equal(mm.nr_vma, 3);
	/* restore: all three merge back */
	mm.vma[1].flags = VM_READ | VM_WRITE;
	mm_merge_range(&mm, 0x140000, 0x180000);
	assert_int_equal(mm.nr_vma, 1);
	assert_int_equal(mm.vma[0].start, 0x100000);
	assert_int_equal(mm.vma[0].end, 0x200000);
	/* splitting at an existing boundary or outside is a no-op */
	assert_int_equal(mm_split_range(&mm, 0x100000, 0x200000), 0);
	assert_int_equal(mm.nr_vma, 1);
	mm_release(&mm);
}

static void merge_rules(void **state)
{
	struct mm_struct mm;
	(void)state;

	/* policies must be equal */
	mm_init(&mm);
	struct vma a = anon(0x10000, 0x20000, VM_READ), b = anon(0x20000, 0x30000, VM_READ);
	b.pol.mode = MPOL_BIND;
	b.pol.nodes.bits[0] = 1;
	insert(&mm, a);
	insert(&mm, b);
	mm_merge_range(&mm, 0x10000, 0x30000);
	assert_int_equal(mm.nr_vma, 2);
	mm.vma[0].pol = mm.vma[1].pol;
	mm_merge_range(&mm, 0x10000, 0x30000);
	assert_int_equal(mm.nr_vma, 1);
	mm_release(&mm);

	/* anon_vma: one side unset merges (and the survivor keeps it), two different never */
	mm_init(&mm);
	a = anon(0x10000, 0x20000, VM_READ);
	b = anon(0x20000, 0x30000, VM_READ);
	b.anon_vma = 7;
	insert(&mm, a);
	insert(&mm, b);
	mm_merge_range(&mm, 0x10000, 0x30000);
	assert_int_equal(mm.nr_vma, 1);
	assert_int_equal(mm.vma[0].anon_vma, 7);
	struct vma c = anon(0x30000, 0x40000, VM_READ);
	c.anon_vma = 8;
	insert(&mm, c);
	mm_merge_range(&mm, 0x10000, 0x40000);
	assert_int_equal(mm.nr_vma, 2);
	mm_release(&mm);

	/* file offsets must be contiguous; different objects never merge */
	mm_init(&mm);
	a = anon(0x10000, 0x20000, VM_READ);
	b = anon(0x20000, 0x30000, VM_READ);
	b.pgoff = 0x99;
	insert(&mm, a);
	insert(&mm, b);
	mm_merge_range(&mm, 0x10000, 0x30000);
	assert_int_equal(mm.nr_vma, 2);
	mm_release(&mm);

	mm_init(&mm);
	struct shm_obj *o1 = shm_create(1, 12, 16), *o2 = shm_create(2, 12, 16);
	a = anon(0x10000, 0x20000, VM_READ | VM_SHARED);
	a.pgoff = 0;
	a.shm = o1;
	b = anon(0x20000, 0x30000, VM_READ | VM_SHARED);
	b.pgoff = 0x10;
	b.shm = o2;
	insert(&mm, a);
	insert(&mm, b);
	mm_merge_range(&mm, 0x10000, 0x30000);
	assert_int_equal(mm.nr_vma, 2);
	/* a split of a shared VMA takes a reference, the merge gives it back */
	assert_int_equal(mm_split_range(&mm, 0x18000, 0x20000), 0);
	assert_int_equal(o1->refs, 2);
	mm_merge_range(&mm, 0x10000, 0x20000);
	assert_int_equal(mm.nr_vma, 2);
	assert_int_equal(o1->refs, 1);
	shm_free(o1);
	shm_free(o2);
	mm_release(&mm);
}

/* Top-down placement below mmap_base, with alignment, and the bottom-up fallback. */
static void unmapped_area(void **state)
{
	struct mm_struct mm;
	(void)state;

	mm_init(&mm);
	assert_int_equal(mm.mmap_base, 0x7ffff7fff000ULL);
	uint64_t a = mm_get_unmapped_area(&mm, 0x4000, 0x1000);
	assert_int_equal(a, 0x7ffff7ffb000ULL);
	insert(&mm, anon(a, a + 0x4000, VM_READ));
	uint64_t b = mm_get_unmapped_area(&mm, 0x1000, 0x1000);
	assert_int_equal(b, 0x7ffff7ffa000ULL);
	insert(&mm, anon(b, b + 0x1000, VM_READ));
	/* 2 MiB aligned: highest 2 MiB boundary with room below b */
	uint64_t c = mm_get_unmapped_area(&mm, 0x400000, 0x200000);
	assert_int_equal(c, 0x7ffff7a00000ULL);
	insert(&mm, anon(c, c + 0x400000, VM_READ));
	/* a gap between b-... and c+len that fits a page is found first (highest gap) */
	uint64_t d = mm_get_unmapped_area(&mm, 0x1000, 0x1000);
	assert_int_equal(d, 0x7ffff7ff9000ULL);
	/* too large for anything below the base: bottom-up above mmap_base */
	mm.mmap_base = 0x20000;
	mm_release(&mm);
	mm_init(&mm);
	mm.mmap_base = 0x20000;
	insert(&mm, anon(0x10000, 0x20000, VM_READ));
	uint64_t e = mm_get_unmapped_area(&mm, 0x100000, 0x1000);
	assert_int_equal(e, 0x20000);
	assert_int_equal(mm_get_unmapped_area(&mm, TASK_SIZE, 0x1000), 0);
	mm_release(&mm);
}

static void shm_slots(void **state)
{
	struct shm_obj *o = shm_create(5, 12, 5000);
	(void)state;

	assert_non_null(o);
	assert_int_equal(shm_next(o, 0), 5000);
	assert_int_equal(shm_set(o, 4000, 77 + 1), 0);
	assert_int_equal(shm_set(o, 3, 9 + 1), 0);
	assert_int_equal(o->nr_pages, 2);
	assert_int_equal(shm_next(o, 0), 3);
	assert_int_equal(shm_next(o, 4), 4000);
	assert_int_equal(shm_get(o, 4000), 78);
	assert_int_equal(shm_get(o, 4001), 0);
	assert_int_equal(shm_set(o, 3, 0), 0);
	assert_int_equal(o->nr_pages, 1);
	shm_free(o);
}

/*
 * Differential: random inserts, splits, removals and merges against a
 * page-granular owner array.  Merging never changes which pages are mapped
 * with which flags, and the array stays sorted and disjoint.
 */
#define DPAGES 256
static void differential(void **state)
{
	struct rng r;
	struct mm_struct mm;
	uint64_t model[DPAGES];   /* flags of each page, 0 = unmapped */
	(void)state;

	rng_seed(&r, 7, 1);
	mm_init(&mm);
	memset(model, 0, sizeof(model));
	for (int it = 0; it < 3000; it++) {
		unsigned s = (unsigned)rng_below(&r, DPAGES), len = 1 + (unsigned)rng_below(&r, 16);
		unsigned e = SIM_MIN(DPAGES, s + len);
		uint64_t start = (uint64_t)s << 12, end = (uint64_t)e << 12;
		switch (rng_below(&r, 3)) {
		case 0: /* insert where free */
			if (mm_range_busy(&mm, start, end))
				break;
			insert(&mm, anon(start, end, 1 + rng_below(&r, 2)));
			for (unsigned i = s; i < e; i++)
				model[i] = mm.vma[mm_find_idx(&mm, start)].flags;
			break;
		case 1: /* remove [s, e) */
			assert_int_equal(mm_split_range(&mm, start, end), 0);
			for (size_t i = mm_find_idx(&mm, start); i < mm.nr_vma && mm.vma[i].start < end;)
				mm_remove(&mm, i);
			for (unsigned i = s; i < e; i++)
				model[i] = 0;
			break;
		default: { /* change flags on [s, e) */
			uint64_t fl = 1 + rng_below(&r, 2);
			assert_int_equal(mm_split_range(&mm, start, end), 0);
			for (size_t i = mm_find_idx(&mm, start); i < mm.nr_vma && mm.vma[i].start < end; i++) {
				mm.vma[i].flags = fl;
				for (uint64_t pg = mm.vma[i].start >> 12; pg < mm.vma[i].end >> 12; pg++)
					model[pg] = fl;
			}
			break;
		}
		}
		mm_merge_range(&mm, start, end);
		/* check */
		for (size_t i = 0; i < mm.nr_vma; i++) {
			assert_true(mm.vma[i].start < mm.vma[i].end);
			assert_int_equal(mm.vma[i].pgoff, mm.vma[i].start >> 12);
			if (i + 1 < mm.nr_vma) {
				assert_true(mm.vma[i].end <= mm.vma[i + 1].start);
				/* nothing mergeable left behind around the touched range */
				if (mm.vma[i + 1].start <= end + 0x1000 && mm.vma[i].end + 0x1000 >= start)
					assert_false(vma_can_merge(&mm.vma[i], &mm.vma[i + 1]));
			}
		}
		for (unsigned pg = 0; pg < DPAGES; pg++) {
			struct vma *v = vma_lookup(&mm, (uint64_t)pg << 12);
			assert_int_equal(v ? v->flags : 0, model[pg]);
		}
	}
	mm_release(&mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup_and_insert),
		cmocka_unit_test(split_and_merge),
		cmocka_unit_test(merge_rules),
		cmocka_unit_test(unmapped_area),
		cmocka_unit_test(shm_slots),
		cmocka_unit_test(differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
