/*
 * tests/os/os_fixture.h - a small OS without hardware for the os-mm suites
 * (header only: each suite is its own binary).
 *
 * Machines are nr nodes of `mib` MiB each with `cpus` CPUs per node,
 * SLIT 10 local / 21 remote (the two-socket vectors of sources.md §5.6).
 * Allocator costs are 0 so fault costs are exact sums of the os_cfg and
 * TLB figures set here.
 */
#ifndef TESTS_OS_OS_FIXTURE_H
#define TESTS_OS_OS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "os/fault.h"
#include "sim/err.h"

#define FX_FAULT_PS   1000000ULL   /* 1 us */
#define FX_ZERO_PS    250000ULL
#define FX_COPY_PS    400000ULL
#define FX_SYSCALL_PS 150000ULL
#define FX_IPI_PS     2000000ULL
#define FX_INVLPG_PS  100000ULL

struct fx {
	os_t *os;
	pmem_t *pm;
	struct evq q;
	struct hw_cfg hc;
	struct os_cfg cfg;
};

static inline struct os_cfg fx_os_cfg(void)
{
	struct os_cfg c;
	char err[256];

	memset(&c, 0, sizeof(c));
	assert_int_equal(cfg_defaults(&os_cfg_table, &c, err, sizeof(err)), 0);
	c.thp = THP_NEVER;
	c.fault_cost = FX_FAULT_PS;
	c.zero_page_cost = FX_ZERO_PS;
	c.copy_page_cost = FX_COPY_PS;
	c.syscall_cost = FX_SYSCALL_PS;
	c.alloc_cost = 0;
	c.buddy_cost = 0;
	/*
	 * The suites count user frames exactly; the kernel's own objects (slab
	 * pages, kernel stacks) are tested in tests/os/test_slab.c, which turns
	 * them on.
	 */
	c.kernel_objects = false;
	return c;
}

/* Boot the OS of f from f->hc and f->cfg (filled by the caller). */
static inline struct fx *fx_boot(struct fx *f)
{
	char err[256] = "";

	assert_int_equal(pmem_create(&f->pm), 0);
	assert_int_equal(evq_init(&f->q), 0);
	int rc = os_create_with_cfg(&f->os, &f->cfg, &f->hc, f->pm, &f->q, 1, err, sizeof(err));
	if (rc)
		print_error("os_create_with_cfg: %s\n", err);
	assert_int_equal(rc, 0);
	/* the allocator checks its free lists after every operation the OS makes */
	physmem_set_debug_vm(os_physmem(f->os), true);
	return f;
}

/*
 * Booting f from f->hc and f->cfg must fail as a configuration error
 * (-SIM_ECONFIG, no OS) whose message contains want, the key at fault;
 * what the attempt created is freed again.
 */
static inline void fx_boot_fails(struct fx *f, const char *want)
{
	char err[256] = "";

	assert_int_equal(pmem_create(&f->pm), 0);
	assert_int_equal(evq_init(&f->q), 0);
	int rc = os_create_with_cfg(&f->os, &f->cfg, &f->hc, f->pm, &f->q, 1, err, sizeof(err));
	if (rc != -SIM_ECONFIG || !strstr(err, want))
		print_error("os_create_with_cfg: %d \"%s\", want %d naming \"%s\"\n", rc, err, -SIM_ECONFIG, want);
	assert_int_equal(rc, -SIM_ECONFIG);
	assert_null(f->os);
	assert_non_null(strstr(err, want));
	pmem_destroy(f->pm);
	evq_destroy(&f->q);
	f->pm = NULL;
}

/* nr_nodes nodes of mib MiB with cpus CPUs each, one socket per node, SLIT 10 local / 21 remote. */
static inline void fx_hw(struct hw_cfg *hc, unsigned nr_nodes, unsigned mib, unsigned cpus)
{
	hc->nr_nodes = nr_nodes;
	hc->cpu.mhz = 2000;
	hc->tlb.ipi = FX_IPI_PS;
	hc->tlb.invlpg = FX_INVLPG_PS;
	for (unsigned n = 0; n < nr_nodes; n++) {
		hc->nodes[n].cpus = cpus;
		hc->nodes[n].memory = (uint64_t)mib << 20;
		hc->nodes[n].socket = n;
		hc->nodes[n].nr_distance = nr_nodes;
		for (unsigned m = 0; m < nr_nodes; m++)
			hc->nodes[n].distance[m] = n == m ? 10 : 21;
	}
}

static inline struct fx *fx_new_cfg(unsigned nr_nodes, unsigned mib, unsigned cpus, const struct os_cfg *cfg)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cfg = *cfg;
	fx_hw(&f->hc, nr_nodes, mib, cpus);
	return fx_boot(f);
}

static inline struct fx *fx_new(unsigned nr_nodes, unsigned mib, unsigned cpus)
{
	struct os_cfg c = fx_os_cfg();
	return fx_new_cfg(nr_nodes, mib, cpus, &c);
}

static inline void fx_free(struct fx *f)
{
	os_destroy(f->os);
	pmem_destroy(f->pm);
	evq_destroy(&f->q);
	free(f);
}

static inline physmem_t *fx_phys(struct fx *f)
{
	return os_physmem(f->os);
}

/* Free frames in the whole machine, per-CPU lists included. */
static inline uint64_t fx_free_pages(struct fx *f)
{
	uint64_t n = 0;
	for (unsigned nid = 0; nid < f->hc.nr_nodes; nid++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(fx_phys(f), nid, z, &zi))
				n += zi.nr_free + zi.pcp_pages;
		}
	return n;
}

static inline int fx_proc(struct fx *f, bool implicit)
{
	int pid = -1;
	assert_int_equal(os_process_create(f->os, implicit, &pid), 0);
	return pid;
}

static inline enum os_fault_result fx_fault(struct fx *f, int pid, unsigned cpu, uint64_t addr, bool write,
					    sim_time_t *cost)
{
	sim_time_t c = 0;
	enum os_fault_result r = os_handle_fault(f->os, pid, 0, cpu, 0, addr, write, HW_FAULT_NOT_PRESENT, &c);
	if (cost)
		*cost = c;
	return r;
}

/* A system call; prints the error message when rc != want. */
static inline int fx_sys6(struct fx *f, int pid, unsigned cpu, enum os_sysno nr, uint64_t a0, uint64_t a1,
			  uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t ret, sim_time_t *cost)
{
	struct os_syscall sc = { .nr = nr, .args = { a0, a1, a2, a3, a4, a5 }, .ret = ret };
	char err[512] = "";
	sim_time_t c = 0;
	int rc = os_syscall(f->os, pid, 0, cpu, 0, &sc, &c, err, sizeof(err));
	if (rc)
		print_message("# syscall %d: %s\n", nr, err);
	if (cost)
		*cost = c;
	return rc;
}

#define FX_NONE UINT64_MAX
#define fx_sys(f, pid, nr, a0, a1, a2, a3, a4) fx_sys6(f, pid, 0, nr, a0, a1, a2, a3, a4, 0, FX_NONE, NULL)

/* mmap anonymous memory with the kernel choosing the address (rc must be 0). */
static inline void fx_mmap_at(struct fx *f, int pid, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags)
{
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MMAP, addr, len, prot, flags, (uint64_t)-1, 0, FX_NONE, NULL), 0);
}

/* Leaf entry mapping addr (0 if none) and its level. */
static inline uint64_t fx_pte(struct fx *f, int pid, uint64_t addr, unsigned *level)
{
	uint64_t slot;
	struct process *p = os_proc(f->os, pid);
	unsigned l = pgtable_lookup(f->pm, p->pgd_pfn, addr, &slot);
	if (level)
		*level = l;
	return pmem_read64(f->pm, slot);
}

static inline uint64_t fx_numa(struct fx *f, unsigned nid, enum numa_stat_item it)
{
	return node_numa_stat(fx_phys(f), nid, it);
}

/* An os_dump view into a malloc'd string (the view must exist). */
static inline char *fx_dump(struct fx *f, const char *view)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(os_dump(f->os, view, fp), 0);
	fclose(fp);
	return buf;
}

/* numa_maps of a process into a malloc'd string. */
static inline char *fx_numa_maps(struct fx *f, int pid)
{
	char view[32];
	snprintf(view, sizeof(view), "numa_maps-%d", pid);
	return fx_dump(f, view);
}

#endif
