/*
 * tests/os/reclaim_fixture.h - helpers shared by the reclaim-side suites
 * (test_lru, test_vmscan, test_swap, test_oom, test_filemap): an OS with a
 * swap device, anonymous memory faulted in bulk, LRU queries.
 */
#ifndef TESTS_OS_RECLAIM_FIXTURE_H
#define TESTS_OS_RECLAIM_FIXTURE_H

#include "tests/os/os_fixture.h"
#include "os/filemap.h"
#include "os/lru.h"
#include "os/oom.h"
#include "os/psi.h"
#include "os/rmap.h"
#include "os/swap.h"
#include "os/vmscan.h"

#define PROT_RW        3
#define MAP_PRIV_ANON  0x22
#define MAP_SHARED_F   0x01
#define MAP_PRIVATE_F  0x02
#define MAP_FIXED_     0x10
#define RX_SWAP_LAT    10000000ULL   /* 10 us */
#define RX_SWAP_BW     4096000000ULL /* 4096 B/us: 1 us per page */

/* Swap of swap_mib MiB, 10 us + 1 us/page devices, reclaim costing 1 us per shrink_node only. */
static inline struct os_cfg rx_cfg(unsigned swap_mib)
{
	struct os_cfg c = fx_os_cfg();
	c.swap_size = (uint64_t)swap_mib << 20;
	c.swap_latency = RX_SWAP_LAT;
	c.swap_bandwidth = RX_SWAP_BW;
	c.disk_latency = RX_SWAP_LAT;
	c.disk_bandwidth = RX_SWAP_BW;
	c.reclaim_scan_cost = 0;
	c.reclaim_page_cost = 0;
	c.reclaim_unmap_cost = 0;
	c.reclaim_pass_cost = 1000000;   /* 1 us per shrink_node */
	return c;
}

/* nr nodes of mib MiB, `cpus` CPUs each, with rx_cfg(swap_mib). */
static inline struct fx *rx_new(unsigned nr, unsigned mib, unsigned cpus, unsigned swap_mib)
{
	struct os_cfg c = rx_cfg(swap_mib);
	return fx_new_cfg(nr, mib, cpus, &c);
}

/* An anonymous private mapping at addr, written page by page on cpu (all faults must succeed). */
static inline void rx_touch(struct fx *f, int pid, unsigned cpu, uint64_t addr, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++)
		assert_int_equal(fx_fault(f, pid, cpu, addr + (i << PAGE_SHIFT), true, NULL), OS_FAULT_RETRY);
}

static inline struct page *rx_page(struct fx *f, int pid, uint64_t addr)
{
	uint64_t pte = fx_pte(f, pid, addr, NULL);
	assert_true(pte & PTE_P);
	return pfn_to_page(fx_phys(f), pte_pfn(pte));
}

static inline uint64_t rx_ev(struct fx *f, enum vm_event_item e)
{
	return vmstat_event(fx_phys(f), e);
}

static inline uint64_t rx_node(struct fx *f, unsigned nid, enum node_stat_item it)
{
	return node_stat(fx_phys(f), nid, it);
}

/*
 * Isolate pg as reclaim does and swap it out; a clean result (a page zswap
 * or zram took) is freed at once, as shrink_folio_list frees a page whose
 * write completed synchronously.  *cost (may be NULL) gets swap_out_page's
 * time.  @return swap_out_page's result.
 */
static inline int rx_swap_out_sync(struct fx *f, struct page *pg, sim_time_t *cost)
{
	sim_time_t c = 0;
	assert_true(lru_isolate(f->os, pg));
	pg->refcount++;
	int rc = swap_out_page(f->os, pg, 0, 0, &c);
	if (rc == SWAPOUT_CLEAN) {
		swapcache_del(f->os, pg, true);
		lru_putback(f->os, pg);
		lru_del(f->os, pg);
		put_page(f->os, pg, 0);
	} else {
		pg->refcount--;
		lru_putback(f->os, pg);
	}
	if (cost)
		*cost = c;
	return rc;
}

/*
 * Run the next RX_RUN_PS of simulated time: kswapd's passes and naps, swap
 * writes and kcompactd's runs end within milliseconds.  Not "until the
 * queue is empty": kcompactd's proactive check (every 500 ms, while
 * os.compaction_proactiveness > 0) never lets it empty, and such a loop
 * ran 37 million checks, until the clock overflowed.
 */
#define RX_RUN_PS (60ULL * 1000000000000ULL)   /* 60 s */
static inline void rx_run_events(struct fx *f)
{
	evq_run_until(&f->q, f->q.now + RX_RUN_PS);
}

#endif
