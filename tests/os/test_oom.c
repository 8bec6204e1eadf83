/*
 * tests/os/test_oom.c - badness (§11 formula), victim choice by size,
 * ties, the memory-policy constraint, the kill log.
 */
#include "tests/os/reclaim_fixture.h"

static void badness_vectors(void **state)
{
	(void)state;
	struct oom_task t = { .rss = 100, .swapents = 20, .pgtables = 5 };
	assert_int_equal(oom_badness(&t, 10000), 125);
	t.oom_score_adj = 500;   /* 500 units of 0.1 % of 10000 pages = 5000 */
	assert_int_equal(oom_badness(&t, 10000), 5125);
	t.oom_score_adj = -100;
	assert_int_equal(oom_badness(&t, 10000), 125 - 1000);
	t.oom_score_adj = -1000;
	assert_true(oom_badness(&t, 10000) == OOM_BADNESS_MIN);
	t.oom_score_adj = 0;
	t.unkillable = true;
	assert_true(oom_badness(&t, 10000) == OOM_BADNESS_MIN);
	/* ordering: swap entries count like resident pages */
	struct oom_task a = { .rss = 50, .swapents = 60 }, b = { .rss = 100 };
	assert_true(oom_badness(&a, 1000) > oom_badness(&b, 1000));
}

/* Three processes, no swap: the biggest dies first, not the allocating one. */
static void biggest_first(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int small = fx_proc(f, false), big = fx_proc(f, false), mid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	for (int pid = small; pid <= mid; pid++)
		fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, big, 0, a, 6000);
	rx_touch(f, mid, 0, a, 4000);
	enum os_fault_result r = OS_FAULT_RETRY;
	uint64_t i;
	for (i = 0; i < 16384 && !rx_ev(f, OOM_KILL); i++)
		r = fx_fault(f, small, 1, a + (i << PAGE_SHIFT), true, NULL);
	assert_int_equal(r, OS_FAULT_RETRY);   /* the kill freed memory: the allocation succeeded */
	assert_int_equal(oom_nr_kills(f->os), 1);
	assert_int_equal(oom_kill_pid(f->os, 0), big);
	assert_false(os_process_alive(f->os, big));
	assert_true(os_process_alive(f->os, small));
	assert_true(os_process_alive(f->os, mid));
	assert_int_equal(os_proc(f->os, big)->rss_anon, 0);
	/* the report logs it */
	rep_t *rep;
	assert_int_equal(rep_create(&rep), 0);
	os_report(f->os, rep);
	char *js = rep_dump(rep);
	assert_non_null(strstr(js, "\"oom_kills\""));
	assert_non_null(strstr(js, "CONSTRAINT_NONE"));
	assert_non_null(strstr(js, "\"rss\": 6000"));
	free(js);
	rep_destroy(rep);
	lru_check(f->os);
	fx_free(f);
}

/*
 * oom_score_adj is per process (signal->oom_score_adj), -1000..1000:
 * -1000 exempts the biggest process (oom_badness: OOM_SCORE_ADJ_MIN is
 * unkillable), so the next biggest goes; out-of-range writes are EINVAL;
 * fork copies it (copy_signal).
 */
static void oom_score_adj_per_process(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int small = fx_proc(f, false), big = fx_proc(f, false), mid = fx_proc(f, false), child = 0;
	uint64_t a = 0x10000000;
	(void)state;

	for (int pid = small; pid <= mid; pid++)
		fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, big, OS_SYS_OOM_SCORE_ADJ, (uint64_t)-1000, 0, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, big, OS_SYS_OOM_SCORE_ADJ, (uint64_t)-1001, 0, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, big, OS_SYS_OOM_SCORE_ADJ, 1001, 0, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(os_proc(f->os, big)->oom_score_adj, -1000);
	assert_int_equal(os_proc(f->os, small)->oom_score_adj, 0);
	assert_int_equal(os_process_fork(f->os, big, 0, &child), 0);
	assert_int_equal(os_proc(f->os, child)->oom_score_adj, -1000);
	os_process_exit(f->os, child);
	rx_touch(f, big, 0, a, 8000);
	rx_touch(f, mid, 0, a, 5000);   /* the faulting small one stays below it */
	uint64_t i;
	for (i = 0; i < 16384 && !rx_ev(f, OOM_KILL); i++)
		fx_fault(f, small, 1, a + (i << PAGE_SHIFT), true, NULL);
	assert_int_equal(oom_nr_kills(f->os), 1);
	assert_int_equal(oom_kill_pid(f->os, 0), mid);
	assert_true(os_process_alive(f->os, big));
	fx_free(f);
}

/*
 * A BIND allocation on node 1 only considers processes whose memory policy
 * can hold node-1 memory: a bigger process bound to node 0 is spared.
 */
static void policy_constraint(void **state)
{
	struct fx *f = rx_new(2, 64, 2, 0);
	int on0 = fx_proc(f, false), other = fx_proc(f, false), on1 = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	assert_int_equal(fx_sys(f, on0, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 0x1, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, on1, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 0x2, 0, 0, 0), 0);
	for (int pid = on0; pid <= on1; pid++)
		fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, on0, 0, a, 12000);
	rx_touch(f, other, 2, a, 9000);   /* first touch on node 1 */
	enum os_fault_result r = OS_FAULT_RETRY;
	for (uint64_t i = 0; i < 16384 && !rx_ev(f, OOM_KILL); i++)
		r = fx_fault(f, on1, 2, a + (i << PAGE_SHIFT), true, NULL);
	assert_int_equal(oom_nr_kills(f->os), 1);
	assert_int_equal(oom_kill_pid(f->os, 0), other);
	assert_true(os_process_alive(f->os, on0));
	assert_int_equal(r, OS_FAULT_RETRY);
	fx_free(f);
}

/* The allocating process may be the victim: it dies when its own fault fails. */
static void self_is_victim(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int p1 = fx_proc(f, false), p2 = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, p1, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, p2, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, p2, 0, a, 10);
	enum os_fault_result r = OS_FAULT_RETRY;
	for (uint64_t i = 0; i < 16384 && r == OS_FAULT_RETRY; i++)
		r = fx_fault(f, p1, 0, a + (i << PAGE_SHIFT), true, NULL);
	/* p1 grew far beyond p2: p1 is chosen while allocating, so its own fault fails */
	assert_int_equal(r, OS_FAULT_OOM);
	assert_int_equal(oom_nr_kills(f->os), 1);
	assert_int_equal(oom_kill_pid(f->os, 0), p1);
	assert_true(os_process_alive(f->os, p2));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(badness_vectors),
		cmocka_unit_test(biggest_first),
		cmocka_unit_test(oom_score_adj_per_process),
		cmocka_unit_test(policy_constraint),
		cmocka_unit_test(self_is_victim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
