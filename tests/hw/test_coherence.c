/*
 * tests/hw/test_coherence.c - the MESI directory with fake caches and links:
 * forwarding and downgrades, upgrades, false sharing, cross-socket costs,
 * and the sparse table against a naive holder map.
 */
#include <string.h>
#include "tests/support/test.h"
#include "hw/coherence.h"
#include "hw/hw.h"
#include "sim/rng.h"

#define NCPU 4
#define NBLK 512
#define HOP_PS 30000
#define PS_PER_BYTE 10
#define DIR_PS 5000
#define C2C_PS 20000

struct fake {
	bool held[NCPU][NBLK];
	bool dirty[NCPU][NBLK];
	unsigned invals, downs, xfers;
};

static bool f_inval(void *ctx, unsigned cpu, uint64_t blk)
{
	struct fake *f = ctx;
	bool d = f->dirty[cpu][blk];

	assert_true(f->held[cpu][blk]);
	f->held[cpu][blk] = f->dirty[cpu][blk] = false;
	f->invals++;
	return d;
}

static bool f_down(void *ctx, unsigned cpu, uint64_t blk)
{
	struct fake *f = ctx;
	bool d = f->dirty[cpu][blk];

	assert_true(f->held[cpu][blk]);
	f->dirty[cpu][blk] = false;
	f->downs++;
	return d;
}

static sim_time_t f_xfer(void *ctx, unsigned a, unsigned b, sim_time_t now, uint32_t bytes)
{
	struct fake *f = ctx;

	(void)now;
	f->xfers++;
	return a == b ? 0 : HOP_PS + (sim_time_t)bytes * PS_PER_BYTE;
}

/* Two sockets, one node each, two CPUs each: CPUs 0,1 on node 0; 2,3 on node 1. */
static coh_t *make(struct fake *f, uint64_t capacity)
{
	static struct hw_cfg cfg;
	struct coh_ops ops = { f, f_inval, f_down, f_xfer };
	char err[128];
	coh_t *c;

	memset(&cfg, 0, sizeof(cfg));
	memset(f, 0, sizeof(*f));
	cfg.nr_nodes = 2;
	cfg.nodes[0] = (struct node_cfg){ .socket = 0, .cpus = 2 };
	cfg.nodes[1] = (struct node_cfg){ .socket = 1, .cpus = 2 };
	cfg.coherence = (struct coherence_cfg){ .dir_latency = DIR_PS, .c2c_latency = C2C_PS, .msg_bytes = 16 };
	cfg.caches.l1d.line = 64;
	assert_int_equal(coh_create(&c, &cfg, capacity, &ops, err, sizeof(err)), 0);
	return c;
}

/* What a cache does after the directory answers a miss. */
static void miss(coh_t *c, struct fake *f, unsigned cpu, uint64_t blk, bool write, struct coh_res *r)
{
	coh_miss(c, cpu, blk, 0, write, 0, r);
	f->held[cpu][blk] = true;
	if (write)
		f->dirty[cpu][blk] = true;
}

/* E -> S: a read of a line another CPU holds exclusively is forwarded, the owner keeps S. */
static void coh_exclusive_then_shared(void **state)
{
	struct fake f;
	coh_t *c = make(&f, 64);
	struct coh_res r;
	unsigned h[NCPU];

	(void)state;
	miss(c, &f, 0, 5, false, &r);
	assert_true(r.exclusive);
	assert_int_equal(r.from_cpu, -1);
	assert_int_equal(r.lat, 0);
	assert_int_equal(coh_owner(c, 5), 0);
	miss(c, &f, 1, 5, false, &r);
	assert_int_equal(r.from_cpu, 0);
	assert_int_equal(r.served, SRV_C2C_LOCAL);
	assert_int_equal(r.lat, C2C_PS);
	assert_false(r.exclusive);
	assert_false(r.writeback);           /* E was clean */
	assert_int_equal(coh_owner(c, 5), -1);
	assert_int_equal(coh_holders(c, 5, h), 2);
	assert_int_equal(h[0], 0);
	assert_int_equal(h[1], 1);
	assert_int_equal(f.downs, 1);
	/* a third reader: no owner to forward from, shared, not exclusive */
	miss(c, &f, 2, 5, false, &r);
	assert_int_equal(r.from_cpu, -1);
	assert_false(r.exclusive);
	assert_int_equal(coh_holders(c, 5, h), 3);
	coh_destroy(c);
}

/* M -> S: the dirty owner forwards and writes back. */
static void coh_modified_downgrade(void **state)
{
	struct fake f;
	coh_t *c = make(&f, 64);
	struct coh_res r;

	(void)state;
	miss(c, &f, 0, 9, true, &r);
	assert_true(r.exclusive);
	miss(c, &f, 1, 9, false, &r);
	assert_int_equal(r.from_cpu, 0);
	assert_true(r.writeback);
	assert_false(f.dirty[0][9]);
	assert_true(f.held[0][9]);
	assert_int_equal(coh_stat(c, COH_C2C_LOCAL), 1);
	assert_int_equal(coh_stat(c, COH_WRITEBACKS), 1);
	assert_int_equal(coh_stat(c, COH_DOWNGRADES), 1);
	coh_destroy(c);
}

/*
 * Cross-socket forward: CPU 2 (node 1) reads a line CPU 0 (node 0) holds M,
 * home node 0: T(1->0, 16 B) + dir + T(0->0) + c2c + T(0->1, 64 B)
 * = (30000 + 160) + 5000 + 0 + 20000 + (30000 + 640) = 85800 ps.
 */
static void coh_cross_socket_forward(void **state)
{
	struct fake f;
	coh_t *c = make(&f, 64);
	struct coh_res r;

	(void)state;
	miss(c, &f, 0, 3, true, &r);
	miss(c, &f, 2, 3, false, &r);
	assert_int_equal(r.served, SRV_C2C_REMOTE);
	assert_int_equal(r.lat, 85800);
	assert_true(r.writeback);
	assert_int_equal(coh_stat(c, COH_C2C_REMOTE), 1);
	/* and a write by CPU 3 now invalidates both sharers: the slower is on the other socket:
	 * T(1->0, 16) + T(0->1, 16) = 60320 vs c2c 20000 for CPU 2 */
	miss(c, &f, 3, 3, true, &r);
	assert_int_equal(r.lat, 60320);
	assert_int_equal(coh_owner(c, 3), 3);
	assert_false(f.held[0][3]);
	assert_false(f.held[2][3]);
	assert_int_equal(coh_stat(c, COH_INVAL_SENT), 2);
	assert_int_equal(coh_stat(c, COH_INVAL_REMOTE), 1);
	coh_destroy(c);
}

/*
 * Upgrade: CPUs 0, 1, 2 share; CPU 0 stores.  Home 0 is on CPU 0's socket:
 * dir 5000 + max(c2c 20000 for CPU 1, 60320 for CPU 2 across the link) = 65320.
 */
static void coh_upgrade_invalidates(void **state)
{
	struct fake f;
	coh_t *c = make(&f, 64);
	struct coh_res r;
	unsigned h[NCPU];

	(void)state;
	miss(c, &f, 0, 7, false, &r);
	miss(c, &f, 1, 7, false, &r);
	miss(c, &f, 2, 7, false, &r);
	assert_int_equal(coh_upgrade(c, 0, 7, 0, 0), 65320);
	assert_int_equal(coh_stat(c, COH_UPGRADES), 1);
	assert_int_equal(coh_stat(c, COH_INVAL_SENT), 2);
	assert_int_equal(coh_inval_received(c, 1), 1);
	assert_int_equal(coh_inval_received(c, 2), 1);
	assert_int_equal(coh_inval_received(c, 0), 0);
	assert_int_equal(coh_owner(c, 7), 0);
	assert_int_equal(coh_holders(c, 7, h), 1);
	/* home on the other socket: T(0->1,16) + dir + T(1->0,16) + no sharers left = 65320 */
	miss(c, &f, 1, 8, false, &r);
	miss(c, &f, 0, 8, false, &r);     /* forwarded from CPU 1's E: both S */
	f.held[1][8] = false;
	coh_evict(c, 1, 8);               /* CPU 1 drops it silently */
	assert_int_equal(coh_upgrade(c, 0, 8, 1, 0), 30160 + DIR_PS + 30160);
	coh_destroy(c);
}

/*
 * False sharing: CPUs 0 and 1 alternately store to one line.  Every store
 * after the first finds the line M in the other CPU: forwarded (c2c) and
 * the other copy invalidated.  With loads in between (each CPU reads, then
 * writes) every store is an S -> M upgrade instead.
 */
static void coh_false_sharing(void **state)
{
	struct fake f;
	coh_t *c = make(&f, 64);
	struct coh_res r;

	(void)state;
	for (int i = 0; i < 10; i++) {
		unsigned cpu = (unsigned)i & 1;
		miss(c, &f, cpu, 1, true, &r);
		assert_int_equal(r.from_cpu, i ? (int)(cpu ^ 1) : -1);
		assert_int_equal(r.lat, i ? C2C_PS : 0);
		assert_true(r.exclusive);
	}
	assert_int_equal(coh_stat(c, COH_C2C_LOCAL), 9);
	assert_int_equal(coh_stat(c, COH_INVAL_SENT), 9);
	assert_int_equal(coh_inval_received(c, 0), 5);
	assert_int_equal(coh_inval_received(c, 1), 4);
	coh_destroy(c);

	c = make(&f, 64);
	miss(c, &f, 0, 2, false, &r);
	miss(c, &f, 1, 2, false, &r);
	for (int i = 0; i < 10; i++) {
		unsigned cpu = (unsigned)i & 1;
		assert_int_equal(coh_upgrade(c, cpu, 2, 0, 0), DIR_PS + C2C_PS);
		f.dirty[cpu][2] = true;
		miss(c, &f, cpu ^ 1, 2, false, &r);   /* the other CPU reads it back: c2c from M */
		assert_int_equal(r.from_cpu, (int)cpu);
		assert_true(r.writeback);
	}
	assert_int_equal(coh_stat(c, COH_UPGRADES), 10);
	assert_int_equal(coh_stat(c, COH_INVAL_SENT), 10);
	assert_int_equal(coh_stat(c, COH_C2C_LOCAL), 11);
	coh_destroy(c);
}

/* Random misses, upgrades and evictions against a naive holder map; the table never grows. */
static void coh_table_differential(void **state)
{
	struct fake f;
	coh_t *c = make(&f, 48);
	struct rng rng;
	int owner[NBLK];
	unsigned held = 0;

	(void)state;
	for (int b = 0; b < NBLK; b++)
		owner[b] = -1;
	rng_seed(&rng, 5, 5);
	for (int i = 0; i < 50000; i++) {
		unsigned cpu = (unsigned)rng_below(&rng, NCPU);
		uint64_t blk = rng_below(&rng, 200);
		unsigned op = (unsigned)rng_below(&rng, 3);
		struct coh_res r;

		if (f.held[cpu][blk] && op == 0) {
			f.held[cpu][blk] = f.dirty[cpu][blk] = false;
			coh_evict(c, cpu, blk);
			if (owner[blk] == (int)cpu)
				owner[blk] = -1;
		} else if (f.held[cpu][blk] && op == 1 && owner[blk] != (int)cpu) {
			coh_upgrade(c, cpu, blk, 1, 0);
			for (unsigned o = 0; o < NCPU; o++)
				assert_true(o == cpu || !f.held[o][blk]);
			owner[blk] = (int)cpu;
		} else if (!f.held[cpu][blk] && held < 40) {
			unsigned others = 0;
			for (unsigned o = 0; o < NCPU; o++)
				others += f.held[o][blk];
			miss(c, &f, cpu, blk, op == 2, &r);
			if (op == 2)
				owner[blk] = (int)cpu;
			else
				owner[blk] = others ? -1 : (int)cpu;
		}
		held = 0;
		for (unsigned o = 0; o < NCPU; o++)
			for (int b = 0; b < 200; b++)
				held += f.held[o][b];
		if (i % 97 == 0 || i > 49800) {
			for (int b = 0; b < 200; b++) {
				assert_int_equal(coh_owner(c, (uint64_t)b), owner[b]);
				for (unsigned o = 0; o < NCPU; o++)
					assert_int_equal(coh_holds(c, (uint64_t)b, o), f.held[o][b]);
			}
		}
	}
	assert_true(coh_stat(c, COH_ENTRIES_MAX) <= 40);
	assert_true(coh_stat(c, COH_ENTRIES_MAX) > 20);
	coh_destroy(c);
}

/*
 * The table starts small and doubles while it fills (hw/coherence.c): 6000
 * lines of one CPU, scattered block numbers, owned after their misses;
 * evicting every other one (entries move back) and filling again keeps
 * every answer right across several doublings.
 */
static void coh_table_grows(void **state)
{
	struct fake f;
	coh_t *c = make(&f, 8192);
	struct coh_res r;
	const uint64_t n = 6000, spread = 7919;

	(void)state;
	for (uint64_t i = 0; i < n; i++) {
		coh_miss(c, 1, i * spread + (i & 3), 0, false, 0, &r);
		assert_true(r.exclusive);
	}
	assert_int_equal(coh_stat(c, COH_ENTRIES), n);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(coh_owner(c, i * spread + (i & 3)), 1);
	for (uint64_t i = 0; i < n; i += 2)
		coh_evict(c, 1, i * spread + (i & 3));
	assert_int_equal(coh_stat(c, COH_ENTRIES), n / 2);
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(coh_owner(c, i * spread + (i & 3)), i % 2 ? 1 : -1);
		assert_int_equal(coh_holds(c, i * spread + (i & 3), 1), i % 2 == 1);
		assert_false(coh_holds(c, i * spread + 1 + (i & 3), 1));
	}
	for (uint64_t i = 0; i < n; i += 2)
		coh_miss(c, 1, i * spread + (i & 3), 0, true, 0, &r);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(coh_owner(c, i * spread + (i & 3)), 1);
	assert_int_equal(coh_stat(c, COH_ENTRIES_MAX), n);
	coh_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(coh_exclusive_then_shared),
		cmocka_unit_test(coh_modified_downgrade),
		cmocka_unit_test(coh_cross_socket_forward),
		cmocka_unit_test(coh_upgrade_invalidates),
		cmocka_unit_test(coh_false_sharing),
		cmocka_unit_test(coh_table_differential),
		cmocka_unit_test(coh_table_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
