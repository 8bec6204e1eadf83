/*
 * tests/hw/test_core.c - the core timing model (hw/core.h) on synthetic
 * latencies: what overlaps, what does not, and which structure limits it.
 *
 * Latencies are round numbers (1 ns cycle, 100 ns misses) so each expectation
 * can be worked out by hand: Little's law for independent misses
 * (misses in flight / latency), one latency per hop for a dependent chase.
 */
#include <string.h>
#include "tests/support/test.h"
#include "hw/core.h"
#include "sim/rng.h"

#define CYC 1000ULL            /* 1 GHz: 1 ns per cycle */
#define MISS 100000ULL         /* 100 ns */

static struct cpu_cfg cfg_ooo(void)
{
	struct cpu_cfg c;
	memset(&c, 0, sizeof(c));
	c.model = CPU_OOO;
	c.ipc = 1;
	c.rob = 224;
	c.lq = 72;
	c.sq = 56;
	c.fill_buffers = 10;
	c.l2_queue = 16;
	c.page_walkers = 2;
	return c;
}

/* Replay n accesses; each missing access takes `lat`, hits take 4 ns; @return end time. */
static sim_time_t replay(struct core *c, unsigned n, uint8_t op, bool dep, uint32_t gap, bool miss, sim_time_t lat,
			 uint64_t first_line, uint64_t line_step)
{
	for (unsigned i = 0; i < n; i++) {
		struct core_outcome o = { .lat = miss ? lat : 4 * CYC, .line = first_line + i * line_step,
					  .l1_miss = miss, .l2_miss = miss };
		sim_time_t t = core_issue_time(c, gap, op, dep);
		assert_true(t >= c->last_issue);        /* issue is monotone: the engine relies on it */
		core_commit(c, gap, op, t, &o);
	}
	return core_end(c);
}

static void inorder_adds_every_latency(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	(void)state;
	cfg.model = CPU_INORDER;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	/* 10 misses after 5 instructions each: 10 x (5 ns + 100 ns) */
	assert_int_equal(replay(&c, 10, MEM_LOAD, false, 5, true, MISS, 0, 1), 10 * (5 * CYC + MISS));
	core_destroy(&c);
}

/* Independent misses overlap up to the fill buffers: 1000 misses take 1000/10 x 100 ns. */
static void independent_misses_overlap_up_to_the_fill_buffers(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	sim_time_t end;
	(void)state;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	end = replay(&c, 1000, MEM_LOAD, false, 0, true, MISS, 0, 1);
	assert_true(end >= 100 * MISS);
	assert_true(end <= 100 * MISS + 2 * MISS);
	assert_true(c.stall[CS_MSHR] > 0);
	core_destroy(&c);

	/* twice the fill buffers: the 16-entry L2 queue is now the limit */
	cfg.fill_buffers = 20;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	end = replay(&c, 1000, MEM_LOAD, false, 0, true, MISS, 0, 1);
	assert_true(end >= 1000 * MISS / 16 && end <= 1000 * MISS / 16 + 2 * MISS);
	core_destroy(&c);
	/* ...and with a larger L2 queue, twice the bandwidth */
	cfg.l2_queue = 64;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	end = replay(&c, 1000, MEM_LOAD, false, 0, true, MISS, 0, 1);
	assert_true(end >= 50 * MISS && end <= 52 * MISS);
	core_destroy(&c);
}

/* A pointer chase pays the whole latency per hop, however many fill buffers there are. */
static void dependent_chase_does_not_overlap(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	sim_time_t end;
	(void)state;
	cfg.fill_buffers = 64;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	end = replay(&c, 100, MEM_LOAD, true, 0, true, MISS, 0, 1);
	/* 100 hops of 100 ns, plus one dispatch cycle per hop at most */
	assert_true(end >= 100 * MISS);
	assert_true(end <= 100 * (MISS + CYC));
	assert_true(c.stall[CS_DEP] > 0);
	core_destroy(&c);
}

/* The window bounds overlap: misses a full ROB apart cannot overlap. */
static void rob_limits_the_window(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	sim_time_t end;
	(void)state;
	cfg.fill_buffers = 64;
	cfg.rob = 100;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	/* 1 us misses 150 instructions apart: the next cannot dispatch before the previous retires */
	end = replay(&c, 50, MEM_LOAD, false, 150, true, 10 * MISS, 0, 1);
	assert_true(end >= 50 * 10 * MISS);
	assert_true(c.stall[CS_ROB] > 0);
	core_destroy(&c);

	/* 10 instructions between misses: about 9 misses per window overlap */
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	end = replay(&c, 50, MEM_LOAD, false, 10, true, 10 * MISS, 0, 1);
	assert_true(end < 50 * 10 * MISS / 8);
	core_destroy(&c);
}

/* Stores retire without waiting for their line; only a full store buffer stalls. */
static void stores_drain_from_the_store_buffer(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	sim_time_t end;
	(void)state;
	cfg.sq = 8;
	cfg.fill_buffers = 64;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	/* 8 store misses fit the store buffer: dispatch never waits for them */
	replay(&c, 8, MEM_STORE, false, 0, true, MISS, 0, 1);
	assert_int_equal(c.stall[CS_SQ], 0);
	assert_true(c.disp <= 8 * CYC);
	/* ...and loads that hit behind them retire at once */
	replay(&c, 20, MEM_LOAD, false, 0, false, 0, 1000, 1);
	assert_true(c.last_retire < MISS);
	/* the ninth store waits for the first to drain */
	replay(&c, 1, MEM_STORE, false, 0, true, MISS, 2000, 1);
	assert_true(c.stall[CS_SQ] > 0);
	end = core_end(&c);
	assert_true(end >= MISS);    /* the thread is done only when its stores have drained */
	core_destroy(&c);
}

/*
 * A line evicted while its fill is in flight and missed again: the L1 holds
 * the copy of the second miss, so a hit waits for that fill, even when the
 * first one (a slow DRAM miss) is still in flight in a lower-numbered entry.
 */
static void hit_waits_for_the_latest_fill_of_its_line(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	struct core_outcome slow = { .lat = 3 * MISS, .line = 7, .l1_miss = true, .l2_miss = true };
	struct core_outcome fast = { .lat = MISS, .line = 7, .l1_miss = true };
	struct core_outcome hit = { .lat = 4 * CYC, .line = 7 };
	sim_time_t t, t2, lat;
	(void)state;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	t = core_issue_time(&c, 0, MEM_LOAD, false);
	core_commit(&c, 0, MEM_LOAD, t, &slow);
	t2 = core_issue_time(&c, 0, MEM_LOAD, false);
	core_commit(&c, 0, MEM_LOAD, t2, &fast);
	t = core_issue_time(&c, 0, MEM_LOAD, false);
	lat = core_commit(&c, 0, MEM_LOAD, t, &hit);
	assert_int_equal(t + lat, t2 + MISS);     /* not 3 x MISS: that copy left the L1 */
	assert_int_equal(c.secondary, 1);
	core_destroy(&c);
}

/* A hit on a line whose fill is in flight gets its data when the fill does. */
static void hit_on_a_line_in_flight_waits_for_the_fill(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	struct core_outcome miss = { .lat = MISS, .line = 42, .l1_miss = true, .l2_miss = true };
	struct core_outcome hit = { .lat = 4 * CYC, .line = 42 };
	sim_time_t t, lat;
	(void)state;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	t = core_issue_time(&c, 0, MEM_LOAD, false);
	core_commit(&c, 0, MEM_LOAD, t, &miss);
	t = core_issue_time(&c, 0, MEM_LOAD, false);
	lat = core_commit(&c, 0, MEM_LOAD, t, &hit);
	assert_int_equal(t + lat, MISS);
	assert_int_equal(c.secondary, 1);
	/* another line is not held back */
	hit.line = 43;
	t = core_issue_time(&c, 0, MEM_LOAD, false);
	assert_int_equal(core_commit(&c, 0, MEM_LOAD, t, &hit), 4 * CYC);
	core_destroy(&c);
}

/*
 * Random accesses that each miss the TLB: two page walkers of 50 ns each bound
 * the rate at one access per 25 ns, however many fill buffers there are, and a
 * walk is in progress nearly all the time (GUPS: walks dominate).
 */
static void page_walkers_bound_random_access(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	sim_time_t end;
	(void)state;
	cfg.fill_buffers = 64;
	cfg.l2_queue = 64;
	cfg.page_walkers = 2;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	for (unsigned i = 0; i < 1000; i++) {
		struct core_outcome o = { .lat = 50000 + MISS, .walk = 50000, .line = i, .l1_miss = true, .l2_miss = true };
		sim_time_t t = core_issue_time(&c, 0, MEM_LOAD, false);
		core_commit(&c, 0, MEM_LOAD, t, &o);
	}
	end = core_end(&c);
	assert_true(end >= 1000 * 25000ULL && end <= 1000 * 25000ULL + 2 * (50000 + MISS));
	assert_true(core_walk_active(&c) >= 0.9 * (double)end);
	assert_true(c.stall[CS_WALK] > 0);
	core_destroy(&c);
}

/* A serialising point waits for older loads and drained stores. */
static void drain_waits_for_everything_older(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	(void)state;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	replay(&c, 3, MEM_LOAD, false, 0, true, MISS, 0, 1);
	replay(&c, 1, MEM_STORE, false, 0, true, 2 * MISS, 10, 1);
	assert_true(core_drain_time(&c, 0) >= 2 * MISS);
	core_resume(&c, 5 * MISS);
	assert_true(core_issue_time(&c, 0, MEM_LOAD, false) >= 5 * MISS);
	core_destroy(&c);
}

/*
 * core_issue_time_again answers from the memo of the latest issue time only
 * while nothing changed the core: every call that changes it drops the memo.
 */
static void issue_memo_follows_every_change(void **state)
{
	struct cpu_cfg cfg = cfg_ooo();
	struct core c;
	struct core_outcome o = { .lat = 4 * CYC, .line = 1 };
	sim_time_t t0, t;

	(void)state;
	assert_int_equal(core_init(&c, &cfg, CYC, 0), 0);
	assert_false(core_issue_time_again(&c, &t));                            /* nothing asked yet */
	t0 = core_issue_time(&c, 10, MEM_LOAD, false);
	assert_int_equal(t0, 10 * CYC);
	assert_true(core_issue_time_again(&c, &t));
	assert_int_equal(t, t0);
	core_delay(&c, 7 * CYC);                                                 /* a kernel thread ran */
	assert_false(core_issue_time_again(&c, &t));
	assert_int_equal(core_issue_time(&c, 10, MEM_LOAD, false), t0 + 7 * CYC);
	core_resume(&c, 100 * CYC);                                              /* after a system call */
	assert_false(core_issue_time_again(&c, &t));
	assert_int_equal(core_issue_time(&c, 10, MEM_LOAD, false), 110 * CYC);
	core_start_at(&c, 200 * CYC);
	assert_false(core_issue_time_again(&c, &t));
	assert_int_equal(core_issue_time(&c, 10, MEM_LOAD, false), 210 * CYC);
	core_consume_gap(&c, 10);
	assert_false(core_issue_time_again(&c, &t));
	t = core_issue_time(&c, 0, MEM_LOAD, false);
	assert_int_equal(t, 210 * CYC);
	core_commit(&c, 0, MEM_LOAD, t, &o);
	assert_false(core_issue_time_again(&c, &t));
	assert_int_equal(core_issue_time(&c, 0, MEM_LOAD, false), 211 * CYC);  /* one instruction later */
	core_destroy(&c);
}

/*
 * core_commit_l1_hit is core_commit for an L1 hit: two cores (each model)
 * replay the same random mix of ops, gaps, dependences, misses and hits on
 * a few lines (hits on lines still in flight included), one committing
 * every hit with core_commit and the other with core_commit_l1_hit.  Every
 * issue time, latency, stall and secondary hit must be the same.
 */
static void l1_hit_commit_is_core_commit(void **state)
{
	(void)state;
	for (unsigned model = 0; model < 2; model++) {
		struct cpu_cfg cfg = cfg_ooo();
		struct core a, b;
		struct rng rng;
		uint64_t hits = 0;

		cfg.model = model ? CPU_INORDER : CPU_OOO;
		assert_int_equal(core_init(&a, &cfg, CYC, 0), 0);
		assert_int_equal(core_init(&b, &cfg, CYC, 0), 0);
		rng_seed(&rng, 3, model);
		for (unsigned i = 0; i < 20000; i++) {
			uint8_t op = (uint8_t)rng_below(&rng, 4);
			uint32_t gap = (uint32_t)rng_below(&rng, 4) ? 0 : (uint32_t)rng_below(&rng, 300);
			bool dep = rng_below(&rng, 4) == 0, miss = rng_below(&rng, 8) == 0;
			struct core_outcome o = { .lat = miss ? MISS + rng_below(&rng, MISS) : 4 * CYC,
						  .line = rng_below(&rng, 24), .l1_miss = miss,
						  .l2_miss = miss && rng_below(&rng, 2) };
			sim_time_t ta = core_issue_time(&a, gap, op, dep), tb = core_issue_time(&b, gap, op, dep);

			assert_int_equal(ta, tb);
			if (miss)
				assert_int_equal(core_commit(&a, gap, op, ta, &o), core_commit(&b, gap, op, tb, &o));
			else {
				hits++;
				assert_int_equal(core_commit(&a, gap, op, ta, &o),
						 core_commit_l1_hit(&b, gap, op, tb, o.lat, o.line));
			}
		}
		assert_true(hits > 15000);
		assert_int_equal(core_end(&a), core_end(&b));
		assert_memory_equal(a.stall, b.stall, sizeof(a.stall));
		assert_int_equal(a.secondary, b.secondary);
		assert_true(model || a.secondary > 100);   /* the out-of-order model met lines in flight */
		core_destroy(&a);
		core_destroy(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(inorder_adds_every_latency),
		cmocka_unit_test(issue_memo_follows_every_change),
		cmocka_unit_test(independent_misses_overlap_up_to_the_fill_buffers),
		cmocka_unit_test(dependent_chase_does_not_overlap),
		cmocka_unit_test(rob_limits_the_window),
		cmocka_unit_test(stores_drain_from_the_store_buffer),
		cmocka_unit_test(hit_on_a_line_in_flight_waits_for_the_fill),
		cmocka_unit_test(hit_waits_for_the_latest_fill_of_its_line),
		cmocka_unit_test(drain_waits_for_everything_older),
		cmocka_unit_test(page_walkers_bound_random_access),
		cmocka_unit_test(l1_hit_commit_is_core_commit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
