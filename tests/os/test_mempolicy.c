/*
 * tests/os/test_mempolicy.c - memory policies: node choice per mode
 * (sources.md §5.3 and the worked vectors of §5.6), node-mask flags and
 * rebinding (§5.4), mpol_new checks, numa_maps names (§12.6) and the
 * "--policy" parser.
 */
#include <string.h>
#include "tests/support/test.h"
#include "os/mempolicy.h"
#include "os/os.h"
#include "sim/err.h"
#include "sim/rng.h"

static struct mpol_sys sys_n(unsigned nr, uint64_t memory_nodes)
{
	struct mpol_sys s;
	memset(&s, 0, sizeof(s));
	s.nr_nodes = nr;
	s.memory_nodes.bits[0] = memory_nodes;
	s.policy_zone = ZONE_NORMAL;
	return s;
}

static nodemask_t mask(uint64_t bits)
{
	nodemask_t m;
	nodes_clear(&m);
	m.bits[0] = bits;
	return m;
}

static struct mempolicy make(uint32_t mode, uint64_t nodes, const struct mpol_sys *s)
{
	struct mempolicy p;
	char err[256] = "";
	nodemask_t m = mask(nodes);
	int rc = mpol_new(&p, mode, &m, s, err, sizeof(err));
	if (rc)
		print_error("mpol_new: %s\n", err);
	assert_int_equal(rc, 0);
	return p;
}

static struct mpol_target pick(const struct mempolicy *p, struct mpol_task *t, const struct mpol_sys *s,
			       uint64_t ilx, int local)
{
	struct mpol_target out;
	mpol_policy_nodemask(p, t, s, GFP_HIGHUSER_MOVABLE, ilx, local, &out);
	return out;
}

/* §5.6: mbind(INTERLEAVE,{0,1}), faults at vpn 0x1000, 0x1001, 0x1002 -> 0, 1, 0. */
static void interleave_by_vpn(void **state)
{
	struct mpol_sys s = sys_n(2, 0x3);
	struct mempolicy p = make(MPOL_INTERLEAVE, 0x3, &s);
	struct mpol_task t;
	const int want[3] = { 0, 1, 0 };
	(void)state;

	mpol_task_reset(&t);
	/* private anonymous: vm_pgoff = vm_start >> 12, so ilx is the vpn */
	uint64_t start = 0x1000ULL << 12;
	for (unsigned i = 0; i < 3; i++) {
		uint64_t addr = start + ((uint64_t)i << 12);
		uint64_t ilx = mpol_ilx(start, start >> 12, addr, 0, 0);
		assert_int_equal(ilx, 0x1000 + i);
		struct mpol_target r = pick(&p, &t, &s, ilx, 0);
		assert_int_equal(r.nid, want[i]);
		assert_false(r.has_mask);
		assert_true(r.interleave);
	}
	/* the per-task cursor was not touched by indexed allocations */
	assert_int_equal(t.il_prev, HW_MAX_NODES - 1);
}

/* 4 nodes, interleave over {1,2,3}: the (ilx mod 3)-th node in ascending order; THP index = addr >> 21. */
static void interleave_subset_and_thp_index(void **state)
{
	struct mpol_sys s = sys_n(4, 0xf);
	struct mempolicy p = make(MPOL_INTERLEAVE, 0xe, &s);
	struct mpol_task t;
	(void)state;

	mpol_task_reset(&t);
	const int want[7] = { 1, 2, 3, 1, 2, 3, 1 };
	for (uint64_t ilx = 0; ilx < 7; ilx++)
		assert_int_equal(pick(&p, &t, &s, ilx, 0).nid, want[ilx]);
	/* order-9 index of a VMA starting at 0x40000000 */
	uint64_t ilx = mpol_ilx(0x40000000ULL, 0x40000000ULL >> 12, 0x40000000ULL + (5ULL << 21), 9, 0);
	assert_int_equal(ilx, (0x40000000ULL >> 21) + 5);
	/* shmem: the inode number biases the index */
	assert_int_equal(mpol_ilx(0x1000, 0, 0x3000, 0, 7), 9);
}

/* §5.6 row 6: set_mempolicy(INTERLEAVE,{0,1}), allocations without an index: 0, 1, 0 (il_prev). */
static void interleave_round_robin(void **state)
{
	struct mpol_sys s = sys_n(3, 0x7);
	struct mempolicy p = make(MPOL_INTERLEAVE, 0x5, &s);
	struct mpol_task t;
	(void)state;

	mpol_task_reset(&t);
	const int want[5] = { 0, 2, 0, 2, 0 };
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(pick(&p, &t, &s, NO_INTERLEAVE_INDEX, 1).nid, want[i]);
	assert_int_equal(t.il_prev, 0);
}

/* Weighted interleave 0=3,1=1: with an index target = ilx mod 4; without, w consecutive picks. */
static void weighted_interleave(void **state)
{
	struct mpol_sys s = sys_n(2, 0x3);
	struct mempolicy p = make(MPOL_WEIGHTED_INTERLEAVE, 0x3, &s);
	struct mpol_task t;
	const int want[8] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	(void)state;

	s.iw[0] = 3;
	s.iw[1] = 1;
	mpol_task_reset(&t);
	for (uint64_t i = 0; i < 8; i++) {
		struct mpol_target r = pick(&p, &t, &s, 0x100 + i, 0);   /* 0x100 mod 4 == 0 */
		assert_int_equal(r.nid, want[i]);
		assert_false(r.interleave);   /* no interleave_hit for weighted */
	}
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(pick(&p, &t, &s, NO_INTERLEAVE_INDEX, 0).nid, want[i]);
	/* weight 0 means the default, 1: plain alternation */
	s.iw[0] = 0;
	s.iw[1] = 0;
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(pick(&p, &t, &s, i, 0).nid, (int)(i & 1));
	/* 3 nodes 2,1,3 on {0,1,2}: 0 0 1 2 2 2 */
	struct mpol_sys s3 = sys_n(3, 0x7);
	struct mempolicy p3 = make(MPOL_WEIGHTED_INTERLEAVE, 0x7, &s3);
	s3.iw[0] = 2;
	s3.iw[1] = 1;
	s3.iw[2] = 3;
	const int want3[12] = { 0, 0, 1, 2, 2, 2, 0, 0, 1, 2, 2, 2 };
	for (uint64_t i = 0; i < 12; i++)
		assert_int_equal(pick(&p3, &t, &s3, i, 1).nid, want3[i]);
}

/* Naive model of interleave_nid / weighted_interleave_nid against the implementation. */
static void interleave_differential(void **state)
{
	struct rng r;
	(void)state;

	rng_seed(&r, 42, 0);
	for (int iter = 0; iter < 2000; iter++) {
		unsigned nr = 1 + (unsigned)rng_below(&r, 16);
		uint64_t all = (nr == 64) ? ~0ULL : ((1ULL << nr) - 1);
		uint64_t bits = rng_next(&r) & all;
		if (!bits)
			bits = 1;
		struct mpol_sys s = sys_n(nr, all);
		for (unsigned n = 0; n < nr; n++)
			s.iw[n] = (uint8_t)rng_below(&r, 5);
		struct mempolicy pi = make(MPOL_INTERLEAVE, bits, &s);
		struct mempolicy pw = make(MPOL_WEIGHTED_INTERLEAVE, bits, &s);
		struct mpol_task t;
		mpol_task_reset(&t);
		uint64_t ilx = rng_next(&r) >> 20;
		/* naive: list the nodes, expand each by its weight */
		int nodes[64], seq[64 * 255];
		unsigned k = 0, total = 0;
		for (unsigned n = 0; n < nr; n++)
			if (bits >> n & 1)
				nodes[k++] = (int)n;
		for (unsigned i = 0; i < k; i++)
			for (unsigned w = 0; w < (s.iw[nodes[i]] ? s.iw[nodes[i]] : 1u); w++)
				seq[total++] = nodes[i];
		assert_int_equal(pick(&pi, &t, &s, ilx, 0).nid, nodes[ilx % k]);
		assert_int_equal(pick(&pw, &t, &s, ilx, 0).nid, seq[ilx % total]);
	}
}

static void preferred_bind_local(void **state)
{
	struct mpol_sys s = sys_n(4, 0xf);
	struct mpol_task t;
	struct mpol_target r;
	(void)state;

	mpol_task_reset(&t);
	/* PREFERRED keeps only the lowest node of its mask, no nodemask */
	struct mempolicy pref = make(MPOL_PREFERRED, 0xc, &s);
	assert_int_equal(nm_weight(&pref.nodes), 1);
	r = pick(&pref, &t, &s, 5, 0);
	assert_int_equal(r.nid, 2);
	assert_false(r.has_mask);
	/* BIND: local node as preferred, the mask restricts (the allocator walks node 0's zonelist) */
	struct mempolicy bind = make(MPOL_BIND, 0xa, &s);
	r = pick(&bind, &t, &s, 5, 0);
	assert_int_equal(r.nid, 0);
	assert_true(r.has_mask);
	assert_true(nm_equal(&r.mask, &(nodemask_t){ { 0xa } }));
	assert_false(r.interleave);
	/* ... but not for requests below policy_zone */
	mpol_policy_nodemask(&bind, &t, &s, GFP_DMA32, 0, 0, &r);
	assert_false(r.has_mask);
	/* home node overrides the local node for BIND */
	bind.home_node = 3;
	assert_int_equal(pick(&bind, &t, &s, 0, 0).nid, 3);
	/* PREFERRED_MANY: local node, mask, two passes */
	struct mempolicy many = make(MPOL_PREFERRED_MANY, 0x5, &s);
	r = pick(&many, &t, &s, 0, 1);
	assert_int_equal(r.nid, 1);
	assert_true(r.has_mask && r.preferred_many);
	/* LOCAL: the CPU's node */
	struct mempolicy local = make(MPOL_LOCAL, 0, &s);
	r = pick(&local, &t, &s, 0, 3);
	assert_int_equal(r.nid, 3);
	assert_false(r.has_mask);
	/* PREFERRED with an empty mask is LOCAL */
	struct mempolicy pe = make(MPOL_PREFERRED, 0, &s);
	assert_int_equal(pe.mode, MPOL_LOCAL);
	/* MPOL_DEFAULT means "no policy" */
	struct mempolicy d = make(MPOL_DEFAULT, 0, &s);
	assert_int_equal(d.mode, MPOL_DEFAULT);
}

static void mpol_new_rejects(void **state)
{
	struct mpol_sys s = sys_n(4, 0x3);   /* nodes 2 and 3 have no memory */
	struct mempolicy p;
	char err[256];
	nodemask_t m1 = mask(0x1), m0 = mask(0), m12 = mask(0xc);
	(void)state;

	assert_int_equal(mpol_new(&p, MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, &m1, &s, err,
				  sizeof(err)), -SIM_ERANGE);
	assert_int_equal(mpol_new(&p, MPOL_DEFAULT, &m1, &s, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(mpol_new(&p, MPOL_LOCAL, &m1, &s, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(mpol_new(&p, MPOL_BIND, &m0, &s, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(mpol_new(&p, MPOL_INTERLEAVE, &m0, &s, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(mpol_new(&p, MPOL_PREFERRED | MPOL_F_STATIC_NODES, &m0, &s, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(mpol_new(&p, MPOL_INTERLEAVE | MPOL_F_NUMA_BALANCING, &m1, &s, err, sizeof(err)),
			 -SIM_ERANGE);
	assert_int_equal(mpol_new(&p, 7, &m1, &s, err, sizeof(err)), -SIM_ERANGE);
	/* only memory-less nodes: nothing left after & N_MEMORY */
	assert_int_equal(mpol_new(&p, MPOL_BIND, &m12, &s, err, sizeof(err)), -SIM_ERANGE);
	assert_non_null(strstr(err, "2-3"));
	assert_int_equal(mpol_new(&p, MPOL_BIND | MPOL_F_NUMA_BALANCING, &m1, &s, err, sizeof(err)), 0);
}

/* §5.4: STATIC keeps the user mask, RELATIVE maps it onto the allowed set, plain masks remap positionally. */
static void static_relative_nodes(void **state)
{
	struct mpol_sys s = sys_n(4, 0xa);   /* memory on nodes 1 and 3 only */
	(void)state;

	/* no flag: {0,1} & {1,3} = {1} */
	struct mempolicy plain = make(MPOL_INTERLEAVE, 0x3, &s);
	assert_int_equal(plain.nodes.bits[0], 0x2);
	/* RELATIVE: bit k is the k-th allowed node; {0} -> {1}, {1} -> {3}, {2} folds to {0} -> {1} */
	assert_int_equal(make(MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, 0x1, &s).nodes.bits[0], 0x2);
	assert_int_equal(make(MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, 0x2, &s).nodes.bits[0], 0x8);
	assert_int_equal(make(MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, 0x4, &s).nodes.bits[0], 0x2);
	assert_int_equal(make(MPOL_BIND | MPOL_F_RELATIVE_NODES, 0x3, &s).nodes.bits[0], 0xa);
	/* STATIC: same intersection at creation, the user mask is remembered */
	struct mempolicy st = make(MPOL_BIND | MPOL_F_STATIC_NODES, 0x6, &s);
	assert_int_equal(st.nodes.bits[0], 0x2);
	assert_int_equal(st.w.bits[0], 0x6);

	/* rebinding from {0,1,2,3} to {2,3} */
	struct mpol_sys all = sys_n(4, 0xf);
	nodemask_t to = mask(0xc);
	struct mempolicy a = make(MPOL_INTERLEAVE, 0x3, &all);        /* {0,1} -> ranks 0,1 of {2,3} */
	mpol_rebind(&a, &to);
	assert_int_equal(a.nodes.bits[0], 0xc);
	struct mempolicy b = make(MPOL_INTERLEAVE, 0x2, &all);        /* {1}: rank 1 -> node 3 */
	mpol_rebind(&b, &to);
	assert_int_equal(b.nodes.bits[0], 0x8);
	struct mempolicy c = make(MPOL_BIND | MPOL_F_STATIC_NODES, 0x6, &all);   /* {1,2} & {2,3} = {2} */
	mpol_rebind(&c, &to);
	assert_int_equal(c.nodes.bits[0], 0x4);
	struct mempolicy d = make(MPOL_BIND | MPOL_F_STATIC_NODES, 0x3, &all);   /* empty -> whole new set */
	mpol_rebind(&d, &to);
	assert_int_equal(d.nodes.bits[0], 0xc);
	struct mempolicy e = make(MPOL_BIND | MPOL_F_RELATIVE_NODES, 0x2, &all); /* 2nd allowed of {2,3} */
	mpol_rebind(&e, &to);
	assert_int_equal(e.nodes.bits[0], 0x8);
	struct mempolicy f = make(MPOL_PREFERRED, 0x2, &all);                    /* preferred keeps its node */
	mpol_rebind(&f, &to);
	assert_int_equal(f.nodes.bits[0], 0x2);
	/* and rebinding back restores positions for plain masks */
	nodemask_t back = mask(0xf);
	mpol_rebind(&a, &back);
	assert_int_equal(a.nodes.bits[0], 0x3);   /* ranks 0,1 of {2,3} -> ranks 0,1 of {0..3} */
}

static void numa_maps_names(void **state)
{
	struct mpol_sys s = sys_n(6, 0x3f);
	char buf[128];
	struct mempolicy p;
	(void)state;

	mpol_to_str(buf, sizeof(buf), NULL);
	assert_string_equal(buf, "default");
	p = make(MPOL_LOCAL, 0, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "local");
	p = make(MPOL_PREFERRED, 0x2, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "prefer:1");
	p = make(MPOL_BIND, 0x3, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "bind:0-1");
	p = make(MPOL_INTERLEAVE | MPOL_F_STATIC_NODES, 0x2f, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "interleave=static:0-3,5");
	p = make(MPOL_WEIGHTED_INTERLEAVE, 0x5, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "weighted interleave:0,2");
	p = make(MPOL_PREFERRED_MANY, 0x5, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "prefer (many):0,2");
	p = make(MPOL_BIND | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING, 0x1, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "bind=relative|balancing:0");
	p = make(MPOL_BIND | MPOL_F_NUMA_BALANCING, 0x1, &s);
	mpol_to_str(buf, sizeof(buf), &p);
	assert_string_equal(buf, "bind=balancing:0");
	/* truncation keeps a terminated prefix */
	char small[6];
	p = make(MPOL_INTERLEAVE, 0x3, &s);
	assert_int_equal(mpol_to_str(small, sizeof(small), &p), 5);
	assert_string_equal(small, "inter");
}

static void spec_parse(void **state)
{
	struct mpol_spec sp;
	char err[256];
	(void)state;

	assert_int_equal(mpol_spec_parse("interleave:0-3", 4, &sp, err, sizeof(err)), 0);
	assert_int_equal(sp.mode, MPOL_INTERLEAVE);
	assert_int_equal(sp.nodes[0], 0xf);
	assert_int_equal(mpol_spec_parse("bind:1", 2, &sp, err, sizeof(err)), 0);
	assert_true(sp.mode == MPOL_BIND && sp.nodes[0] == 0x2);
	assert_int_equal(mpol_spec_parse("preferred:0", 2, &sp, err, sizeof(err)), 0);
	assert_true(sp.mode == MPOL_PREFERRED && sp.nodes[0] == 0x1);
	assert_int_equal(mpol_spec_parse("preferred-many:0,2", 3, &sp, err, sizeof(err)), 0);
	assert_true(sp.mode == MPOL_PREFERRED_MANY && sp.nodes[0] == 0x5);
	assert_int_equal(mpol_spec_parse("weighted-interleave:0=3,1=1", 2, &sp, err, sizeof(err)), 0);
	assert_true(sp.mode == MPOL_WEIGHTED_INTERLEAVE && sp.nodes[0] == 0x3);
	assert_true(sp.weights[0] == 3 && sp.weights[1] == 1);
	assert_int_equal(mpol_spec_parse("weighted-interleave:0-2", 3, &sp, err, sizeof(err)), 0);
	assert_true(sp.nodes[0] == 0x7 && sp.weights[0] == 0);
	assert_int_equal(mpol_spec_parse("local", 2, &sp, err, sizeof(err)), 0);
	assert_int_equal(sp.mode, MPOL_LOCAL);
	assert_int_equal(mpol_spec_parse("default", 2, &sp, err, sizeof(err)), 0);
	assert_int_equal(sp.mode, MPOL_DEFAULT);
	assert_int_equal(mpol_spec_parse("interleave=static:0,1", 2, &sp, err, sizeof(err)), 0);
	assert_int_equal(sp.flags, MPOL_F_STATIC_NODES);
	assert_int_equal(mpol_spec_parse("bind=relative:0", 2, &sp, err, sizeof(err)), 0);
	assert_int_equal(sp.flags, MPOL_F_RELATIVE_NODES);

	/* rejections name the bad part */
	assert_int_equal(mpol_spec_parse("interleav:0", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "'interleav'"));
	assert_int_equal(mpol_spec_parse("bind:0-5", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "'0-5'"));
	assert_non_null(strstr(err, "node 5"));
	assert_int_equal(mpol_spec_parse("bind", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "needs a node list"));
	assert_int_equal(mpol_spec_parse("bind:", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(mpol_spec_parse("local:0", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "takes no node list"));
	assert_int_equal(mpol_spec_parse("interleave:1-0", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "'1-0'"));
	assert_int_equal(mpol_spec_parse("interleave:0,x", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "'x'"));
	assert_int_equal(mpol_spec_parse("weighted-interleave:0=0", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "'0=0'"));
	assert_int_equal(mpol_spec_parse("weighted-interleave:0=300", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(mpol_spec_parse("bind:0=2", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(mpol_spec_parse("bind=sticky:0", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "'sticky'"));
	assert_int_equal(mpol_spec_parse("local=static", 2, &sp, err, sizeof(err)), -SIM_EUSAGE);
}

static void nodemask_format_parse(void **state)
{
	char buf[64], err[128];
	nodemask_t m;
	(void)state;

	m = mask(0);
	nm_format(buf, sizeof(buf), &m);
	assert_string_equal(buf, "");
	m = mask(0x8000000000000001ULL | 0x6ULL | 0x100ULL);
	nm_format(buf, sizeof(buf), &m);
	assert_string_equal(buf, "0-2,8,63");
	assert_int_equal(nm_parse("0-2,8,63", 64, &m, err, sizeof(err)), 0);
	assert_true(m.bits[0] == (0x8000000000000001ULL | 0x106ULL));
	assert_int_equal(nm_next_in(63, &m), 0);
	assert_int_equal(nm_next_in(2, &m), 8);
	assert_int_equal(nm_first(&m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interleave_by_vpn),
		cmocka_unit_test(interleave_subset_and_thp_index),
		cmocka_unit_test(interleave_round_robin),
		cmocka_unit_test(weighted_interleave),
		cmocka_unit_test(interleave_differential),
		cmocka_unit_test(preferred_bind_local),
		cmocka_unit_test(mpol_new_rejects),
		cmocka_unit_test(static_relative_nodes),
		cmocka_unit_test(numa_maps_names),
		cmocka_unit_test(spec_parse),
		cmocka_unit_test(nodemask_format_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
