/*
 * tests/os/phys_fixture.h - building small physmem_t machines for the
 * os-phys suites (header only: each suite is its own binary).
 */
#ifndef TESTS_OS_PHYS_FIXTURE_H
#define TESTS_OS_PHYS_FIXTURE_H

#include <string.h>
#include "os/page_alloc.h"
#include "sim/err.h"

#define MiB_PAGES(x) ((uint64_t)(x) << 8)    /* MiB -> 4 KiB pages */
#define GiB_PAGES(x) ((uint64_t)(x) << 18)

/* Linux's defaults (os_cfg_table), THP off unless a test says otherwise. */
static inline struct os_cfg fx_cfg(void)
{
	struct os_cfg c;
	char err[256];

	memset(&c, 0, sizeof(c));
	assert_int_equal(cfg_defaults(&os_cfg_table, &c, err, sizeof(err)), 0);
	c.thp = THP_NEVER;
	return c;
}

/*
 * nr nodes laid out back to back from pfn 0 with pages[n] frames and
 * cpus[n] CPUs; distance 10 local, `remote` elsewhere (or dist if given).
 */
static inline void fx_layout(struct physmem_layout *l, unsigned nr, const uint64_t *pages, const unsigned *cpus,
			     uint32_t remote)
{
	uint64_t base = 0;
	unsigned cpu = 0;

	memset(l, 0, sizeof(*l));
	l->nr_nodes = nr;
	for (unsigned n = 0; n < nr; n++) {
		l->base_pfn[n] = base;
		l->pages[n] = pages[n];
		base += pages[n];
		for (unsigned m = 0; m < nr; m++)
			l->distance[n][m] = n == m ? 10 : remote;
		for (unsigned c = 0; c < cpus[n]; c++)
			l->cpu_node[cpu++] = (uint16_t)n;
	}
	l->nr_cpus = cpu;
}

static inline physmem_t *fx_create(const struct os_cfg *c, const struct physmem_layout *l)
{
	physmem_t *pm = NULL;
	char err[256] = "";
	int rc = physmem_create(&pm, c, l, err, sizeof(err));

	if (rc)
		print_error("physmem_create: %s\n", err);
	assert_int_equal(rc, 0);
	physmem_set_debug_vm(pm, true);
	return pm;
}

static inline struct alloc_ctx fx_ctx(unsigned order, gfp_t gfp, unsigned cpu)
{
	struct alloc_ctx a;

	memset(&a, 0, sizeof(a));
	a.order = order;
	a.gfp = gfp;
	a.preferred_nid = NUMA_NO_NODE;
	a.cpu = cpu;
	return a;
}

static inline void fx_verify(physmem_t *pm)
{
	char err[256] = "";
	int rc = buddy_verify(pm, err, sizeof(err));

	if (rc)
		print_error("buddy_verify: %s\n", err);
	assert_int_equal(rc, 0);
}

#endif
