/*
 * tests/hw/test_hw.c - the hardware facade end to end, untranslated
 * (HW_NO_PAGING): each level's exact latency and served level, local and
 * remote DRAM, cache-to-cache forwarding, upgrades and false sharing,
 * inclusion variants, write-backs, shootdown costs, bulk copies.
 *
 * Latency composition under test (hw.c): lookups in series, so an L2 hit
 * costs l1 + l2, an L3 hit l1 + l2 + l3, DRAM l1 + l2 + l3 + uncore +
 * T(req->home, msg) + dir + ddr + T(home->req, line).
 */
#include <string.h>
#include <jansson.h>
#include "tests/support/test.h"
#include "hw/hw.h"
#include "hw/hw_hit.h"
#include "hw/ddr.h"
#include "hw/link.h"
#include "hw/pte.h"
#include "sim/rng.h"

#define MHZ 2000         /* 500 ps per cycle */
#define UNCORE 10000
#define GAP 1000000      /* 1 us between scenario steps: links and banks idle again */

static char err[256];

static void base_cfg(struct hw_cfg *c, unsigned nodes, unsigned cpus_per_node)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(cfg_defaults(&cpu_cfg_table, &c->cpu, err, sizeof(err)), 0);
	assert_int_equal(cfg_defaults(&caches_cfg_table, &c->caches, err, sizeof(err)), 0);
	assert_int_equal(cfg_defaults(&tlb_cfg_table, &c->tlb, err, sizeof(err)), 0);
	assert_int_equal(cfg_defaults(&coherence_cfg_table, &c->coherence, err, sizeof(err)), 0);
	c->cpu.mhz = MHZ;
	c->uncore = UNCORE;
	c->nr_nodes = nodes;
	for (unsigned n = 0; n < nodes; n++) {
		assert_int_equal(cfg_defaults(&node_cfg_table, &c->nodes[n], err, sizeof(err)), 0);
		c->nodes[n].socket = n;
		c->nodes[n].cpus = cpus_per_node;
		c->nodes[n].memory = 1ULL << 30;
		c->nodes[n].ddr.tREFI = 0;
	}
	if (nodes == 2) {
		c->nr_links = 1;
		c->links[0] = (struct link_cfg){ .a = 0, .b = 1, .latency = 25000, .bandwidth = 20800 };
	}
}

static pmem_t *pm;

static int setup(void **state)
{
	(void)state;
	return pmem_create(&pm);
}

static int teardown(void **state)
{
	(void)state;
	pmem_destroy(pm);
	return 0;
}

static hw_t *make(struct hw_cfg *c)
{
	hw_t *hw;

	assert_int_equal(hw_cfg_finalize(c, err, sizeof(err)), 0);
	if (hw_create(&hw, c, pm, 1, err, sizeof(err)))
		fail_msg("hw_create: %s", err);
	for (unsigned i = 0; i < hw_nr_cpus(hw); i++)
		hw_set_context(hw, i, 0, HW_NO_PAGING);
	return hw;
}

static sim_time_t cyc(const struct hw_cfg *c, unsigned n)
{
	return hw_cycles_ps(c, n);
}

static struct hw_res go(hw_t *hw, unsigned cpu, sim_time_t now, uint64_t addr, uint8_t op)
{
	struct hw_req q = { .vaddr = addr, .size = 8, .op = op };
	struct hw_res r;

	hw_access(hw, cpu, now, &q, &r);
	assert_int_equal(r.fault, HW_FAULT_NONE);
	assert_int_equal(r.paddr, addr);
	return r;
}

static sim_time_t ddr_idle(const struct hw_cfg *c)
{
	ddr_t *d;
	sim_time_t t;

	assert_int_equal(ddr_create(&d, &c->nodes[0].ddr, 0, 0, err, sizeof(err)), 0);
	t = ddr_idle_latency(d);
	ddr_destroy(d);
	return t;
}

static sim_time_t link_idle(const struct hw_cfg *c, unsigned a, unsigned b, uint32_t bytes)
{
	linknet_t *ln;
	sim_time_t t;

	assert_int_equal(linknet_create(&ln, c, err, sizeof(err)), 0);
	t = link_idle_latency(ln, a, b, bytes);
	linknet_destroy(ln);
	return t;
}

/* Pointer chase confined to L1, to L2, to L3: each level's exact latency. */
static void hw_levels(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	struct hw_res r;
	sim_time_t t = 0, l1, l2, l3;
	const uint64_t A = 0x100000;

	(void)state;
	base_cfg(&c, 1, 1);
	hw = make(&c);
	l1 = cyc(&c, c.caches.l1d.latency);
	l2 = cyc(&c, c.caches.l2.latency);
	l3 = cyc(&c, c.caches.l3.latency);
	assert_int_equal(l1, 2000);              /* 4 cycles at 2 GHz */

	r = go(hw, 0, t += GAP, A, MEM_LOAD);
	assert_int_equal(r.served, SRV_DRAM_LOCAL);
	r = go(hw, 0, t += GAP, A, MEM_LOAD);
	assert_int_equal(r.served, SRV_L1);
	assert_int_equal(r.lat, l1);
	assert_int_equal(r.xlat, 0);
	/* 8 more lines in A's L1 set (64 sets x 64 B = 4 KiB apart) push A out of the 8-way L1 only */
	for (uint64_t k = 1; k <= 8; k++)
		go(hw, 0, t += GAP, A + k * 4096, MEM_LOAD);
	r = go(hw, 0, t += GAP, A, MEM_LOAD);
	assert_int_equal(r.served, SRV_L2);
	assert_int_equal(r.lat, l1 + l2);
	/* 16 more lines in A's L2 set (1024 sets: 64 KiB apart) push it out of the L2 too */
	for (uint64_t k = 1; k <= 16; k++)
		go(hw, 0, t += GAP, A + k * 65536, MEM_LOAD);
	r = go(hw, 0, t += GAP, A, MEM_LOAD);
	assert_int_equal(r.served, SRV_L3);
	assert_int_equal(r.lat, l1 + l2 + l3);
	assert_int_equal(r.hops, 0);
	/* an 8-byte access straddling two L1-resident lines is one access at L1 latency */
	struct hw_req q = { .vaddr = A + 60, .size = 8, .op = MEM_LOAD };
	go(hw, 0, t += GAP, A + 64, MEM_LOAD);
	hw_access(hw, 0, t += GAP, &q, &r);
	assert_int_equal(r.served, SRV_L1);
	assert_int_equal(r.lat, l1);
	hw_destroy(hw);
}

/* DRAM local vs remote, on fresh machines (row closed, links idle). */
static void hw_dram_local_remote(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	struct hw_res r;
	sim_time_t chain, ddr;

	(void)state;
	base_cfg(&c, 2, 1);
	hw = make(&c);
	chain = cyc(&c, c.caches.l1d.latency) + cyc(&c, c.caches.l2.latency) + cyc(&c, c.caches.l3.latency);
	ddr = ddr_idle(&c);
	r = go(hw, 0, GAP, 0x2000, MEM_LOAD);
	assert_int_equal(r.served, SRV_DRAM_LOCAL);
	assert_int_equal(r.hops, 0);
	assert_int_equal(r.lat, chain + UNCORE + c.coherence.dir_latency + ddr);
	hw_destroy(hw);

	hw = make(&c);
	uint64_t remote = hw_node_base(hw, 1) + 0x2000;
	r = go(hw, 0, GAP, remote, MEM_LOAD);
	assert_int_equal(r.served, SRV_DRAM_REMOTE);
	assert_int_equal(r.hops, 1);
	assert_int_equal(r.lat, chain + UNCORE + link_idle(&c, 0, 1, c.coherence.msg_bytes) + c.coherence.dir_latency +
				ddr + link_idle(&c, 1, 0, c.caches.l1d.line));
	assert_true(r.lat > chain + UNCORE + c.coherence.dir_latency + ddr + 2 * 25000);
	assert_int_equal(hw_paddr_node(hw, remote), 1);
	assert_int_equal(hw_paddr_node(hw, 0x2000), 0);
	assert_int_equal(hw_paddr_node(hw, 3ULL << 30), -1);
	hw_destroy(hw);
}

/* c2c forwarding on a socket and across sockets; S -> M upgrade cost. */
static void hw_coherence_paths(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	struct hw_res r;
	sim_time_t t = 0, l1, chain;
	const uint64_t A = 0x40000;

	(void)state;
	base_cfg(&c, 2, 2);                      /* CPUs 0,1 on node 0; 2,3 on node 1 */
	hw = make(&c);
	l1 = cyc(&c, c.caches.l1d.latency);
	chain = l1 + cyc(&c, c.caches.l2.latency) + cyc(&c, c.caches.l3.latency);

	go(hw, 0, t += GAP, A, MEM_STORE);                    /* CPU 0: M */
	r = go(hw, 1, t += GAP, A, MEM_LOAD);                 /* CPU 1 reads: forwarded, same socket */
	assert_int_equal(r.served, SRV_C2C_LOCAL);
	assert_int_equal(r.lat, chain + c.coherence.c2c_latency);
	/* CPU 0 stores again: its copy is S now: upgrade = dir + invalidate CPU 1 (c2c, same socket) */
	r = go(hw, 0, t += GAP, A, MEM_STORE);
	assert_int_equal(r.served, SRV_L1);
	assert_int_equal(r.lat, l1 + c.coherence.dir_latency + c.coherence.c2c_latency);
	/* CPU 2 on the other socket reads: home 0 is CPU 0's node */
	r = go(hw, 2, t += GAP, A, MEM_LOAD);
	assert_int_equal(r.served, SRV_C2C_REMOTE);
	assert_int_equal(r.hops, 1);
	assert_int_equal(r.lat, chain + UNCORE + link_idle(&c, 1, 0, c.coherence.msg_bytes) + c.coherence.dir_latency +
				c.coherence.c2c_latency + link_idle(&c, 0, 1, c.caches.l1d.line));
	/* CPU 1 (invalidated by the upgrade) reloads: no owner any more (CPU 0 and 2 share it), the L3 has it */
	r = go(hw, 1, t += GAP, A, MEM_LOAD);
	assert_int_equal(r.served, SRV_L3);
	hw_destroy(hw);
}

static json_t *jpath(json_t *o, const char *const *keys)
{
	for (; *keys; keys++) {
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(*keys)) : json_object_get(o, *keys);
		if (!o)
			fail_msg("report path missing at %s", *keys);
	}
	return o;
}

static uint64_t rep_get(hw_t *hw, const char *const *keys)
{
	rep_t *r;
	uint64_t v;

	assert_int_equal(rep_create(&r), 0);
	hw_report(hw, r);
	v = (uint64_t)json_integer_value(jpath(rep_root(r), keys));
	rep_destroy(r);
	return v;
}

/* Two CPUs alternately storing to one line: every store forwards and invalidates. */
static void hw_false_sharing(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	struct hw_res r;
	sim_time_t t = 0;
	static const char *const c2c[] = { "coherence", "stats", "c2c_same_socket", NULL };
	static const char *const inv[] = { "coherence", "stats", "invalidations_sent", NULL };
	static const char *const rcv1[] = { "coherence", "invalidations_received", "1", NULL };

	(void)state;
	base_cfg(&c, 1, 2);
	hw = make(&c);
	for (int i = 0; i < 20; i++) {
		/* different bytes of the same line: false sharing */
		r = go(hw, (unsigned)i & 1, t += GAP, 0x8000 + 8 * (uint64_t)(i & 1), MEM_STORE);
		if (i)
			assert_int_equal(r.served, SRV_C2C_LOCAL);
	}
	assert_int_equal(rep_get(hw, c2c), 19);
	assert_int_equal(rep_get(hw, inv), 19);
	assert_int_equal(rep_get(hw, rcv1), 9);
	/* now load-then-store on each CPU: every store is an upgrade of a Shared line */
	static const char *const upg[] = { "coherence", "stats", "upgrades", NULL };
	for (int i = 0; i < 10; i++) {
		unsigned cpu = (unsigned)i & 1;
		go(hw, cpu, t += GAP, 0x9000, MEM_LOAD);
		go(hw, cpu ^ 1, t += GAP, 0x9000, MEM_LOAD);
		go(hw, cpu, t += GAP, 0x9000, MEM_STORE);
	}
	assert_int_equal(rep_get(hw, upg), 10);
	hw_destroy(hw);
}

/* Small caches so one set overflows: L1 2-way, L2 4-way, L3 2-way, one set each in play. */
static void small_caches(struct hw_cfg *c, uint32_t incl)
{
	base_cfg(c, 1, 1);
	c->caches.l1d.size = 1024;   c->caches.l1d.ways = 2;   /* 8 sets */
	c->caches.l2.size = 4096;    c->caches.l2.ways = 4;    /* 16 sets */
	c->caches.l3.size = 8192;    c->caches.l3.ways = 2;    /* 64 sets */
	c->caches.l3.inclusion = incl;
}

/* Lines 4 KiB apart share set 0 in all three caches. */
static void hw_inclusion(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	sim_time_t t = 0;
	static const char *const binv[] = { "memory_system", "l3_back_invalidations", NULL };

	(void)state;
	/* A B C: the 2-way L3 drops A; inclusive takes it out of the L2 as well */
	small_caches(&c, INCL_INCLUSIVE);
	hw = make(&c);
	for (uint64_t k = 0; k < 3; k++)
		go(hw, 0, t += GAP, k * 4096, MEM_LOAD);
	assert_int_equal(go(hw, 0, t += GAP, 0, MEM_LOAD).served, SRV_DRAM_LOCAL);
	assert_int_equal(rep_get(hw, binv), 2);   /* A at C's fill, then B at A's refill */
	hw_destroy(hw);

	small_caches(&c, INCL_NONINCLUSIVE);
	hw = make(&c);
	for (uint64_t k = 0; k < 3; k++)
		go(hw, 0, t += GAP, k * 4096, MEM_LOAD);
	assert_int_equal(go(hw, 0, t += GAP, 0, MEM_LOAD).served, SRV_L2);
	/* A..E: A leaves the 4-way L2 and the 2-way L3 */
	for (uint64_t k = 1; k < 5; k++)
		go(hw, 0, t += GAP, k * 4096 + 65536, MEM_LOAD);
	for (uint64_t k = 0; k < 5; k++)
		go(hw, 0, t += GAP, 0x100000 + k * 4096, MEM_LOAD);
	assert_int_equal(go(hw, 0, t += GAP, 0, MEM_LOAD).served, SRV_DRAM_LOCAL);
	assert_int_equal(rep_get(hw, binv), 0);
	hw_destroy(hw);

	/* exclusive: DRAM fills skip the L3; the L2's victim A goes there and comes back up from it */
	small_caches(&c, INCL_EXCLUSIVE);
	hw = make(&c);
	for (uint64_t k = 0; k < 5; k++)
		go(hw, 0, t += GAP, k * 4096, MEM_LOAD);
	assert_int_equal(go(hw, 0, t += GAP, 0, MEM_LOAD).served, SRV_L3);
	static const char *const l3fills[] = { "l3", "0", "l3", "stats", "fills", NULL };
	assert_int_equal(rep_get(hw, l3fills), 2);   /* A (victim of E), B (victim of A's return) */
	assert_int_equal(go(hw, 0, t += GAP, 0, MEM_LOAD).served, SRV_L1);
	hw_destroy(hw);
}

/* A dirty line reaches DRAM exactly once when pushed out of every level. */
static void hw_writeback(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	sim_time_t t = 0;
	static const char *const wb[] = { "memory_system", "dram_writebacks", NULL };
	static const char *const wr[] = { "ddr", "0", "channels", "0", "writes", NULL };

	(void)state;
	small_caches(&c, INCL_NONINCLUSIVE);
	c.nodes[0].ddr.channels = 1;
	hw = make(&c);
	go(hw, 0, t += GAP, 0, MEM_STORE);
	for (uint64_t k = 1; k < 8; k++)
		go(hw, 0, t += GAP, k * 4096, MEM_LOAD);
	assert_int_equal(rep_get(hw, wb), 1);
	assert_int_equal(rep_get(hw, wr), 1);
	hw_destroy(hw);
}

static void hw_shootdown(void **state)
{
	struct hw_cfg c;
	hw_t *hw;

	(void)state;
	base_cfg(&c, 1, 2);
	hw = make(&c);
	hw_set_context(hw, 0, 5, HW_NO_PAGING);
	/* CPU 1 never ran asid 5: local only, 3 pages */
	assert_int_equal(hw_tlb_shootdown(hw, 0, 0, 5, 0x1000, 3 * 4096), 3 * c.tlb.invlpg);
	hw_set_context(hw, 1, 5, HW_NO_PAGING);
	assert_int_equal(hw_tlb_shootdown(hw, 0, 0, 5, 0x1800, 4096), 2 * c.tlb.invlpg + c.tlb.ipi);
	/* beyond 32 pages: a full flush, charged as the 32-page ceiling */
	assert_int_equal(hw_tlb_shootdown(hw, 0, 0, 5, 0, 1 << 20), 32 * c.tlb.invlpg + c.tlb.ipi);
	hw_destroy(hw);
}

/* A 4 KiB copy is pipelined: far less than 64 sequential line copies, at least the bytes at peak bandwidth. */
static void hw_bulk(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	sim_time_t one, page, z;

	(void)state;
	base_cfg(&c, 2, 1);
	hw = make(&c);
	one = hw_copy_page(hw, 0, GAP, hw_node_base(hw, 1), 0x10000, 64);
	page = hw_copy_page(hw, 0, 2 * GAP, hw_node_base(hw, 1) + 0x10000, 0x20000, 4096);
	assert_true(one > 2 * 25000);                /* crosses the link */
	assert_true(page > one);
	assert_true(page < 16 * one);
	/* the link carries 4096 B at 20800 MB/s: at least 196 ns */
	assert_true(page >= 4096ULL * 1000000 / 20800);
	z = hw_zero_page(hw, 0, 3 * GAP, 0x30000, 4096);
	assert_true(z > 0 && z < page);
	hw_destroy(hw);
}

/*
 * A page copy booked ahead (a NUMA-balancing migration resolved at fault
 * time is booked line by line up to hundreds of microseconds ahead) must not
 * hold back a read that reaches the same banks earlier: on the machine the
 * copy's later reads have not been issued yet.  Before the copy's reads were
 * bus-only, each set its bank's single "next free" time to its own late
 * slot, and a 1 us read of a source line waited until ~100 us.
 */
static void hw_copy_ahead_of_reads(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	struct hw_res r;
	sim_time_t chain, ddr, copy;

	(void)state;
	base_cfg(&c, 2, 1);
	hw = make(&c);
	chain = cyc(&c, c.caches.l1d.latency) + cyc(&c, c.caches.l2.latency) + cyc(&c, c.caches.l3.latency);
	ddr = ddr_idle(&c);
	/* 4 KiB from node 0 to node 1, booked to start at 100 us */
	copy = hw_copy_page(hw, 0, 100 * GAP, hw_node_base(hw, 1) + 0x10000, 0x10000, 4096);
	assert_true(copy > 0 && copy < 10 * GAP);
	/* a source line read at 1 us: the channel is idle then */
	r = go(hw, 0, GAP, 0x10040, MEM_LOAD);
	assert_int_equal(r.served, SRV_DRAM_LOCAL);
	assert_int_equal(r.lat, chain + UNCORE + c.coherence.dir_latency + ddr);
	hw_destroy(hw);
}

/* An L2 next-line prefetcher: the line after a miss is in the L2 when asked for. */
static void hw_prefetch(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	sim_time_t t = 0;
	struct hw_res r;
	static const char *const useful[] = { "cpus", "0", "caches", "l2", "stats", "prefetches_useful", NULL };

	(void)state;
	base_cfg(&c, 1, 1);
	c.caches.l2.prefetch = PF_NEXT_LINE;
	hw = make(&c);
	go(hw, 0, t += GAP, 0x5000, MEM_LOAD);
	r = go(hw, 0, t += GAP, 0x5040, MEM_LOAD);
	assert_int_equal(r.served, SRV_L2);
	assert_int_equal(r.lat, cyc(&c, c.caches.l1d.latency) + cyc(&c, c.caches.l2.latency));
	r = go(hw, 0, t += GAP, 0x5080, MEM_LOAD);   /* the useful hit triggered the next one */
	assert_int_equal(r.served, SRV_L2);
	assert_int_equal(rep_get(hw, useful), 2);
	/* the prefetcher stays inside the 4 KiB page */
	go(hw, 0, t += GAP, 0x7fc0, MEM_LOAD);
	assert_int_equal(go(hw, 0, t += GAP, 0x8000, MEM_LOAD).served, SRV_DRAM_LOCAL);
	hw_destroy(hw);
}

/* Page-walk loads go through the CPU's data caches as "walk" requests. */
static void hw_walk_through_caches(void **state)
{
	struct hw_cfg c;
	hw_t *hw;
	struct hw_req q = { .vaddr = 0x400008, .size = 8, .op = MEM_LOAD };
	struct hw_res r;
	static const char *const walks[] = { "cpus", "0", "counters", "walk_loads", NULL };
	static const char *const wmiss[] = { "cpus", "0", "caches", "l1d", "stats", "walk_misses", NULL };
	const uint64_t root = 0x10000, flags = PTE_P | PTE_RW | PTE_US;

	(void)state;
	base_cfg(&c, 1, 1);
	hw = make(&c);
	/* 0x400000: PML4[0] -> PDPT[0] -> PD[2] -> PT[0] -> frame 0x200000 */
	assert_int_equal(pmem_write64(pm, root, 0x11000 | flags), 0);
	assert_int_equal(pmem_write64(pm, 0x11000, 0x12000 | flags), 0);
	assert_int_equal(pmem_write64(pm, 0x12000 + 2 * 8, 0x13000 | flags), 0);
	assert_int_equal(pmem_write64(pm, 0x13000, 0x200000 | flags), 0);
	hw_set_context(hw, 0, 1, root);
	hw_access(hw, 0, GAP, &q, &r);
	assert_int_equal(r.fault, HW_FAULT_NONE);
	assert_int_equal(r.paddr, 0x200008);
	assert_int_equal(r.page_shift, 12);
	assert_int_equal(r.served, SRV_DRAM_LOCAL);
	assert_true(r.xlat > 0 && r.xlat < r.lat);
	assert_int_equal(rep_get(hw, walks), 4);
	assert_int_equal(rep_get(hw, wmiss), 4);
	hw_access(hw, 0, 2 * GAP, &q, &r);              /* TLB hit, L1 hit */
	assert_int_equal(r.served, SRV_L1);
	assert_int_equal(r.xlat, 0);
	assert_int_equal(r.lat, cyc(&c, c.caches.l1d.latency));
	/* an unmapped page faults, with the walk's latency so far */
	q.vaddr = 0x401000;
	hw_access(hw, 0, 3 * GAP, &q, &r);
	assert_int_equal(r.fault, HW_FAULT_NOT_PRESENT);
	assert_true(r.lat > 0);
	assert_int_equal(r.lat, r.xlat);
	hw_destroy(hw);
	for (uint64_t a = root; a < 0x14000; a += 4096)
		pmem_clear_page(pm, a >> 12);
}

static char *hw_dump(hw_t *hw)
{
	rep_t *r;
	char *s;

	assert_int_equal(rep_create(&r), 0);
	hw_report(hw, r);
	s = rep_dump(r);
	rep_destroy(r);
	return s;
}

/*
 * hw_access_hit (hw_hit.h) is hw_access's answer for the references it
 * takes: two machines replay the same random mix of loads, stores,
 * read-modify-writes and fetches by two CPUs over 64 pages (four times the
 * L1, with an L1 next-line prefetcher: misses, prefetched lines, lines
 * another CPU's store took away, line-crossing references), one through
 * hw_access alone and one trying hw_access_hit first.  Every latency and
 * address, and the whole hardware report, must be the same, and the hit
 * path must have taken many references but far from all.
 */
/* 0x400000 + i * 4 KiB -> frame 0x200000 + i * 4 KiB, i < 64, under root 0x10000 */
static void map_64_pages(pmem_t *p)
{
	const uint64_t flags = PTE_P | PTE_RW | PTE_US;

	assert_int_equal(pmem_write64(p, 0x10000, 0x11000 | flags), 0);
	assert_int_equal(pmem_write64(p, 0x11000, 0x12000 | flags), 0);
	assert_int_equal(pmem_write64(p, 0x12000 + 2 * 8, 0x13000 | flags), 0);
	for (uint64_t i = 0; i < 64; i++)
		assert_int_equal(pmem_write64(p, 0x13000 + i * 8, (0x200000 + i * 4096) | flags), 0);
}

static void hw_hit_path_same(void **state)
{
	struct hw_cfg c;
	hw_t *a, *b;
	pmem_t *pmb;            /* each machine its page tables: walks set their A and D bits */
	struct rng rng;
	const uint64_t root = 0x10000, va0 = 0x400000;
	uint64_t taken = 0, n = 40000, va = va0;
	char *ra, *rb;

	(void)state;
	base_cfg(&c, 1, 2);
	c.caches.l1d.prefetch = PF_NEXT_LINE;
	assert_int_equal(pmem_create(&pmb), 0);
	map_64_pages(pm);
	map_64_pages(pmb);
	a = make(&c);
	assert_int_equal(hw_create(&b, &c, pmb, 1, err, sizeof(err)), 0);
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		hw_set_context(a, cpu, 1, root);
		hw_set_context(b, cpu, 1, root);
	}
	rng_seed(&rng, 7, 0);
	for (uint64_t i = 0; i < n; i++) {
		unsigned cpu = rng_below(&rng, 8) == 0;           /* CPU 1 now and then, to take lines away */
		uint8_t op = (uint8_t)rng_below(&rng, 4);
		/* mostly within the page of the last reference (L1 TLB hits), now and then anywhere */
		if (!rng_below(&rng, 16))
			va = va0 + rng_below(&rng, rng_below(&rng, 4) ? 8 * 4096 : 64 * 4096);
		else
			va = (va & ~0xfffULL) + rng_below(&rng, 4096);
		struct hw_req q = { .vaddr = va, .size = 1u << rng_below(&rng, 4), .op = op };
		struct hw_res ra_, rb_;
		sim_time_t t = GAP + i * 1000;

		hw_set_horizon(a, t);
		hw_access(a, cpu, t, &q, &ra_);
		assert_int_equal(ra_.fault, HW_FAULT_NONE);
		if (hw_access_hit(hw_hit_path(b, cpu), t, q.vaddr, q.size, q.op, &rb_.paddr, &rb_.lat)) {
			taken++;
			assert_int_equal(ra_.served, SRV_L1);
			assert_int_equal(ra_.walk, 0);
		} else {
			hw_set_horizon(b, t);
			hw_access(b, cpu, t, &q, &rb_);
		}
		assert_int_equal(ra_.paddr, rb_.paddr);
		assert_int_equal(ra_.lat, rb_.lat);
	}
	print_message("hit path: %llu of %llu references\n", (unsigned long long)taken, (unsigned long long)n);
	assert_true(taken > n / 4 && taken < n - n / 10);   /* both paths well exercised */
	ra = hw_dump(a);
	rb = hw_dump(b);
	assert_string_equal(ra, rb);
	free(ra);
	free(rb);
	hw_destroy(a);
	hw_destroy(b);
	pmem_destroy(pmb);
	for (uint64_t p = root; p < 0x14000; p += 4096)
		pmem_clear_page(pm, p >> 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hw_levels),
		cmocka_unit_test(hw_dram_local_remote),
		cmocka_unit_test(hw_coherence_paths),
		cmocka_unit_test(hw_false_sharing),
		cmocka_unit_test(hw_inclusion),
		cmocka_unit_test(hw_writeback),
		cmocka_unit_test(hw_shootdown),
		cmocka_unit_test(hw_bulk),
		cmocka_unit_test(hw_copy_ahead_of_reads),
		cmocka_unit_test(hw_prefetch),
		cmocka_unit_test(hw_walk_through_caches),
		cmocka_unit_test(hw_hit_path_same),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
