/*
 * tests/os/test_slab.c - the kernel's own allocations (os/slab.c, os/vmalloc.c):
 * SLUB's cache geometry, node-local slabs, empty slabs given back beyond
 * min_partial, kernel stacks, per-process kernel objects and /proc/slabinfo.
 */
#include "tests/os/os_fixture.h"
#include "os/slab.h"
#include "os/meminfo.h"
#include "os/numa_balancing.h"

#define MMAP_ANON (0x02 | 0x20)   /* MAP_PRIVATE | MAP_ANONYMOUS */

static struct fx *fx_kmem(unsigned nodes, unsigned cpus)
{
	struct os_cfg c = fx_os_cfg();
	c.kernel_objects = true;
	return fx_new_cfg(nodes, 64, cpus, &c);
}

static uint64_t slab_pages(struct fx *f, unsigned nid)
{
	return node_stat(fx_phys(f), nid, NR_SLAB_UNRECLAIMABLE_B);
}

/* mm/slub.c calculate_order / calc_slab_order / order_objects, set_min_partial. */
static void geometry_follows_slub(void **state)
{
	struct slab_geometry g;
	(void)state;

	/* 8 CPUs: min_objects = 4 * (fls(8) + 1) = 20, capped by order_objects(3, size) */
	slab_calculate_geometry(10368, 8, 0, &g);   /* task_struct: 32768 / 10368 = 3, waste 1664 <= 32768/16 */
	assert_int_equal(g.order, 3);
	assert_int_equal(g.objects, 3);
	assert_int_equal(g.min_partial, 6);        /* ilog2(10368) / 2 */
	slab_calculate_geometry(1344, 8, 0, &g);    /* mm_struct: get_order(20 * 1344) = 3 */
	assert_int_equal(g.order, 3);
	assert_int_equal(g.objects, 24);
	slab_calculate_geometry(192, 8, 0, &g);     /* get_order(3840) = 0, 4096 % 192 = 64 <= 256 */
	assert_int_equal(g.order, 0);
	assert_int_equal(g.objects, 21);
	assert_int_equal(g.min_partial, 5);        /* ilog2(192) / 2 = 3, clamped to MIN_PARTIAL */
	slab_calculate_geometry(1024, 8, 0, &g);    /* get_order(20 * 1024) = 3 */
	assert_int_equal(g.order, 3);
	assert_int_equal(g.objects, 32);
	slab_calculate_geometry(1024, 1, 0, &g);    /* one CPU: min_objects 8 -> get_order(8192) = 1 */
	assert_int_equal(g.order, 1);
	assert_int_equal(g.objects, 8);
	slab_calculate_geometry(1024, 8, 4, &g);    /* slub_min_objects=4 -> order 0 */
	assert_int_equal(g.order, 0);
	assert_int_equal(g.objects, 4);
	/* 700 bytes, 1 CPU: min_objects 8 -> min_order get_order(5600) = 1; 8192 % 700 = 492 <= 8192/16 */
	slab_calculate_geometry(700, 1, 0, &g);
	assert_int_equal(g.order, 1);
	assert_int_equal(g.objects, 11);
}

/* kmem_cache_alloc with NUMA_NO_NODE: a new slab from alloc_pages on the CPU's node (local policy). */
static void slab_is_node_local(void **state)
{
	struct fx *f = fx_kmem(2, 2);   /* CPUs 0-1 on node 0, 2-3 on node 1 */
	struct process *p = os_proc(f->os, fx_proc(f, false));
	struct slab *a, *b;
	(void)state;

	uint64_t before0 = slab_pages(f, 0), before1 = slab_pages(f, 1);
	assert_int_equal(kmem_cache_alloc(f->os, KMEM_KMALLOC_64, p, 2, 0, &a, NULL), 0);
	assert_int_equal(slab_nid(a), 1);
	assert_int_equal(slab_pages(f, 1) - before1, 1);
	assert_int_equal(slab_pages(f, 0), before0);
	/* the next object from node 0's CPU takes a node-0 slab, not node 1's partial one */
	assert_int_equal(kmem_cache_alloc(f->os, KMEM_KMALLOC_64, p, 0, 0, &b, NULL), 0);
	assert_int_equal(slab_nid(b), 0);
	kmem_cache_free(f->os, a, 2);
	kmem_cache_free(f->os, b, 0);
	fx_free(f);
}

/* __slab_free: an empty slab is kept while the node has fewer than min_partial partial slabs. */
static void empty_slabs_beyond_min_partial_are_freed(void **state)
{
	struct fx *f = fx_kmem(1, 4);
	struct process *p = os_proc(f->os, fx_proc(f, false));
	struct slab *h[7 * 64];
	struct slab_geometry g;
	(void)state;

	slab_calculate_geometry(64, 4, 0, &g);
	unsigned n = 7 * g.objects;             /* seven full slabs */
	uint64_t base = slab_pages(f, 0), free0 = fx_free_pages(f);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(kmem_cache_alloc(f->os, KMEM_KMALLOC_64, p, 0, 0, &h[i], NULL), 0);
	assert_int_equal(slab_pages(f, 0) - base, 7u << g.order);
	assert_int_equal(free0 - fx_free_pages(f), 7u << g.order);   /* real frames */
	for (unsigned i = 0; i < n; i++)
		kmem_cache_free(f->os, h[i], 0);
	/*
	 * slab_empty when n->nr_partial >= min_partial, the emptying slab
	 * itself counted (it is on the partial list since its first free): the
	 * first four slabs to empty stay, the fifth to seventh are freed.
	 */
	assert_int_equal(g.min_partial, 5);
	assert_int_equal(slab_pages(f, 0) - base, 4u << g.order);
	assert_int_equal(free0 - fx_free_pages(f), 4u << g.order);
	fx_free(f);
}

/* A process's objects: mm_struct, task_struct + 16 KiB stack per thread, vm_area_struct per VMA. */
static void process_kernel_objects(void **state)
{
	struct fx *f = fx_kmem(2, 2);
	int pid = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	(void)state;

	assert_int_equal(kmem_proc_objects(p, KMEM_MM_STRUCT), 1);
	assert_int_equal(kmem_proc_objects(p, KMEM_TASK_STRUCT), 1);
	fx_mmap_at(f, pid, 0x10000000, 1 << 20, 3, MMAP_ANON);
	fx_mmap_at(f, pid, 0x20000000, 1 << 20, 1, MMAP_ANON);
	assert_int_equal(kmem_proc_objects(p, KMEM_VM_AREA), p->mm.nr_vma);
	assert_int_equal(p->mm.nr_vma, 2);
	/* mprotect of the middle splits one VMA into three */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, 0x10040000, 0x10000, 1, 0, 0), 0);
	assert_int_equal(kmem_proc_objects(p, KMEM_VM_AREA), 4);
	assert_int_equal(os_thread_clone(f->os, pid, 0, 7), 0);
	assert_int_equal(kmem_proc_objects(p, KMEM_TASK_STRUCT), 2);
	/* two stacks of THREAD_SIZE: NR_KERNEL_STACK_KB and VmallocUsed */
	assert_int_equal(node_stat(fx_phys(f), 0, NR_KERNEL_STACK_KB), 2 * 16);
	assert_int_equal(vmalloc_nr_pages(f->os), 2 * THREAD_SIZE_PAGES);
	os_process_exit(f->os, pid);
	assert_int_equal(kmem_proc_objects(p, KMEM_VM_AREA), 0);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_KERNEL_STACK_KB), 0);
	assert_int_equal(vmalloc_nr_pages(f->os), 0);
	fx_free(f);
}

/* alloc_pages_bulk_mempolicy: an interleaved task's stack is spread over the policy's nodes. */
static void stack_follows_interleave(void **state)
{
	struct fx *f = fx_kmem(2, 2);
	int pid = fx_proc(f, false);
	struct mpol_spec pol;
	char err[128];
	(void)state;

	assert_int_equal(mpol_spec_parse("interleave:0-1", 2, &pol, err, sizeof(err)), 0);
	assert_int_equal(os_set_process_policy(f->os, pid, &pol), 0);
	assert_int_equal(os_thread_clone(f->os, pid, 0, 1), 0);
	/* the first stack was local (node 0, 16 KiB); the new one is 2 pages on each node */
	assert_int_equal(node_stat(fx_phys(f), 0, NR_KERNEL_STACK_KB), 16 + 8);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_KERNEL_STACK_KB), 8);
	fx_free(f);
}

/* mm/slab_common.c print_slabinfo_header + cache_show, byte for byte. */
static void slabinfo_format(void **state)
{
	struct fx *f = fx_kmem(2, 2);   /* 4 CPUs: min_objects 16 */
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, 0x10000000, 1 << 20, 3, MMAP_ANON);
	char *buf = fx_dump(f, "slabinfo");
	const char *hdr = "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> "
			  "<objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
			  "<active_slabs> <num_slabs> <sharedavail>\n";
	assert_true(!strncmp(buf, hdr, strlen(hdr)));
	assert_non_null(strstr(buf, "\nvm_area_struct         1     21    192   21    1 : tunables    0    0    0 : "
				    "slabdata      1      1      0\n"));
	assert_non_null(strstr(buf, "\ntask_struct            1      3  10368    3    8 : tunables    0    0    0 : "
				    "slabdata      1      1      0\n"));
	free(buf);
	fx_free(f);
}

/* mpol_new / mpol_dup: one numa_policy object per VMA policy and per thread's task policy. */
static void policy_objects(void **state)
{
	struct fx *f = fx_kmem(2, 2);
	int pid = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	(void)state;

	fx_mmap_at(f, pid, 0x10000000, 1 << 20, 3, MMAP_ANON);
	assert_int_equal(kmem_proc_objects(p, KMEM_NUMA_POLICY), 0);
	/* mbind(MPOL_BIND, node 1) on the middle: three VMAs, the middle one with a policy */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, 0x10040000, 0x10000, 2, 2, 0), 0);
	assert_int_equal(p->mm.nr_vma, 3);
	assert_int_equal(kmem_proc_objects(p, KMEM_VM_AREA), 3);
	assert_int_equal(kmem_proc_objects(p, KMEM_NUMA_POLICY), 1);
	/* set_mempolicy(MPOL_INTERLEAVE, 0-1): the thread's own policy object */
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, 3, 3, 0, 0, 0), 0);
	assert_int_equal(kmem_proc_objects(p, KMEM_NUMA_POLICY), 2);
	/* munmap of the bound part frees its VMA and policy */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, 0x10040000, 0x10000, 0, 0, 0), 0);
	assert_int_equal(kmem_proc_objects(p, KMEM_NUMA_POLICY), 1);
	assert_int_equal(kmem_cache_objects(f->os, KMEM_NUMA_POLICY), 1);
	/*
	 * mbind of a whole VMA splits and merges nothing: only its policy
	 * changes, and that alone must bring the object (the count is kept
	 * between calls and redone only when a VMA or a VMA policy changed)
	 */
	fx_mmap_at(f, pid, 0x20000000, 1 << 16, 3, MMAP_ANON);
	size_t nr = p->mm.nr_vma;
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, 0x20000000, 1 << 16, 2, 2, 0), 0);
	assert_int_equal(p->mm.nr_vma, nr);
	assert_int_equal(kmem_proc_objects(p, KMEM_NUMA_POLICY), 2);
	/* calls that change no VMA keep the count */
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, 0, 0, 0, 0, 0), 0);
	assert_int_equal(kmem_proc_objects(p, KMEM_NUMA_POLICY), 1);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, 0x20000000, 1 << 16, 0, 0, 0), 0);
	assert_int_equal(kmem_proc_objects(p, KMEM_NUMA_POLICY), 0);
	fx_free(f);
}

/* task_numa_fault: the first hinting fault of a thread kzallocs its numa_faults (8 * 8 * 2 nodes = kmalloc-128). */
static void numa_faults_kmalloc(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.kernel_objects = true;
	c.numa_balancing = 1;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 8 * PAGE_SIZE, 3, MMAP_ANON);
	for (int i = 0; i < 8; i++)
		assert_int_equal(fx_fault(f, pid, 2, a + i * PAGE_SIZE, true, NULL), OS_FAULT_RETRY);
	struct process *p = os_proc(f->os, pid);
	assert_non_null(p->numab);
	assert_int_equal(kmem_cache_objects(f->os, KMEM_KMALLOC_128), 0);
	task_numa_work(f->os, p, 0);
	assert_int_equal(fx_fault(f, pid, 3, a, false, NULL), OS_FAULT_RETRY);   /* a hinting fault on node 1 */
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_HINT_FAULTS), 1);
	assert_int_equal(kmem_cache_objects(f->os, KMEM_KMALLOC_128), 1);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_SLAB_UNRECLAIMABLE_B), 1);   /* CPU 3's node */
	os_process_exit(f->os, pid);
	assert_int_equal(kmem_cache_objects(f->os, KMEM_KMALLOC_128), 0);
	fx_free(f);
}

/* The OOM killer's victim gives back its kernel objects; the survivor keeps its own. */
static void oom_victim_frees_its_objects(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.kernel_objects = true;
	struct fx *f = fx_new_cfg(1, 16, 2, &c);   /* 16 MiB, no swap */
	int small = fx_proc(f, false), hog = fx_proc(f, false);
	uint64_t a = 0x10000000, n = 8192;        /* 32 MiB */
	enum os_fault_result r = OS_FAULT_RETRY;
	(void)state;

	physmem_set_debug_vm(fx_phys(f), false);
	fx_mmap_at(f, small, a, PAGE_SIZE, 3, MMAP_ANON);
	assert_int_equal(fx_fault(f, small, 0, a, true, NULL), OS_FAULT_RETRY);
	fx_mmap_at(f, hog, a, n << PAGE_SHIFT, 3, MMAP_ANON);
	for (uint64_t i = 0; i < n && r == OS_FAULT_RETRY; i++)
		r = fx_fault(f, hog, 1, a + (i << PAGE_SHIFT), true, NULL);
	assert_int_equal(r, OS_FAULT_OOM);
	assert_false(os_process_alive(f->os, hog));
	assert_true(os_process_alive(f->os, small));
	assert_int_equal(kmem_proc_objects(os_proc(f->os, hog), KMEM_TASK_STRUCT), 0);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_KERNEL_STACK_KB), 16);
	assert_int_equal(vmalloc_nr_pages(f->os), THREAD_SIZE_PAGES);
	fx_free(f);
}

/* os.kernel_objects=false: no frame is taken for kernel objects. */
static void off_takes_nothing(void **state)
{
	struct fx *f = fx_new(1, 64, 2);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, 0x10000000, 1 << 20, 3, MMAP_ANON);
	assert_int_equal(slab_pages(f, 0), 0);
	assert_int_equal(vmalloc_nr_pages(f->os), 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(geometry_follows_slub),
		cmocka_unit_test(slab_is_node_local),
		cmocka_unit_test(empty_slabs_beyond_min_partial_are_freed),
		cmocka_unit_test(process_kernel_objects),
		cmocka_unit_test(stack_follows_interleave),
		cmocka_unit_test(slabinfo_format),
		cmocka_unit_test(policy_objects),
		cmocka_unit_test(numa_faults_kmalloc),
		cmocka_unit_test(oom_victim_frees_its_objects),
		cmocka_unit_test(off_takes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
