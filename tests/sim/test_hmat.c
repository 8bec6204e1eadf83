/*
 * tests/sim/test_hmat.c - the driver's HMAT figures (sim/cli/hmat.c) are the
 * hardware model's own unloaded figures.
 *
 * The oracle is the model itself: one load through hw_access() on a fresh
 * machine at time 0 (cold caches, no translation, idle links and DDR, before
 * the first refresh window at tREFI) misses every cache and is served by the
 * target node's DDR.  hmat_load_ps() must give exactly its latency, in ps,
 * for every (node with CPUs, memory node) pair.  Linux reads these figures
 * as the HMAT's access latency from an initiator to a memory target
 * (drivers/acpi/numa/hmat.c hmat_update_target_access).
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "hw/hw.h"
#include "sim/cli/hmat.h"
#include "sim/err.h"

static struct machine_desc *load(const char *preset)
{
	struct machine_desc *m = calloc(1, sizeof(*m));
	char err[512];

	assert_non_null(m);
	if (machine_load(m, preset, NULL, 0, err, sizeof(err)))
		fail_msg("%s: %s", preset, err);
	return m;
}

/* Latency of one cold load by the first CPU of node `ini` to the first line of node `mem`. */
static sim_time_t model_load_ps(const struct hw_cfg *h, unsigned ini, unsigned mem)
{
	pmem_t *pm;
	hw_t *hw;
	struct hw_res res;
	char err[512];
	unsigned cpu = 0;

	for (unsigned n = 0; n < ini; n++)
		cpu += h->nodes[n].cpus;
	assert_int_equal(pmem_create(&pm), 0);
	if (hw_create(&hw, h, pm, 1, err, sizeof(err)))
		fail_msg("hw_create: %s", err);
	hw_set_context(hw, cpu, 0, HW_NO_PAGING);
	struct hw_req q = { .vaddr = hw_node_base(hw, mem) + 4096, .size = 8, .op = MEM_LOAD };
	hw_access(hw, cpu, 0, &q, &res);
	assert_int_equal(res.fault, HW_FAULT_NONE);
	assert_int_equal(res.served, ini == mem ? SRV_DRAM_LOCAL : SRV_DRAM_REMOTE);
	hw_destroy(hw);
	pmem_destroy(pm);
	return res.lat;
}

/* Every (initiator, target) pair of h; @return how many were compared. */
static unsigned compare_all(const struct hw_cfg *h)
{
	struct hmat_model hm;
	char err[512];
	unsigned pairs = 0;

	if (hmat_model_create(&hm, h, err, sizeof(err)))
		fail_msg("hmat_model_create: %s", err);
	for (unsigned i = 0; i < h->nr_nodes; i++) {
		if (!h->nodes[i].cpus)
			continue;
		for (unsigned t = 0; t < h->nr_nodes; t++) {
			sim_time_t want = model_load_ps(h, i, t), got = hmat_load_ps(&hm, i, t);
			if (got != want)
				fail_msg("node %u -> node %u: hmat %llu ps, hw_access %llu ps", i, t,
					 (unsigned long long)got, (unsigned long long)want);
			pairs++;
		}
	}
	hmat_model_destroy(&hm);
	return pairs;
}

static void spr_2s_cxl_every_pair(void **state)
{
	struct machine_desc *m = load("spr-2s-cxl");

	(void)state;
	assert_int_equal(compare_all(&m->hw), 2 * 4);
	/*
	 * The filled table: the sockets from themselves, each CXL node from its
	 * own socket (SLIT 14).  spr-2s-cxl's calibration.arithmetic: 110.28 ns
	 * local, 233.11 ns to the socket's expander (the controller's 40 ns and
	 * its 64 B data path included).
	 */
	assert_int_equal(m->os.nr_hmat_latency_ns, 4);
	assert_int_equal(m->os.hmat_latency_ns[0], 110);
	assert_int_equal(m->os.hmat_latency_ns[1], 110);
	assert_int_equal(m->os.hmat_latency_ns[2], 233);
	assert_int_equal(m->os.hmat_latency_ns[3], 233);
	/* bandwidth: DDR5 16 x 4 B x 2 / 417 ps; the expander's 64 B per 3596 ps data path */
	assert_int_equal(m->os.hmat_bandwidth_mbps[0], 306954);
	assert_int_equal(m->os.hmat_bandwidth_mbps[2], 17797);
	/* across the sockets: four UPI links of 38.4 GB/s, a line 64 + 8 B (1875 ps) on each */
	struct hmat_model hm;
	char err[512];
	assert_int_equal(hmat_model_create(&hm, &m->hw, err, sizeof(err)), 0);
	assert_int_equal(hmat_read_mbps(&hm, 0, 1), 4 * (64000000 / 1875));
	/* socket 1 reads node 2 through node 0: the expander, not UPI, is the limit */
	assert_int_equal(hmat_read_mbps(&hm, 1, 2), 17797);
	hmat_model_destroy(&hm);
	free(m);
}

static void skx_2s_every_pair(void **state)
{
	struct machine_desc *m = load("skx-2s");

	(void)state;
	assert_int_equal(compare_all(&m->hw), 2 * 2);
	free(m);
}

/* spr-2s-cxl with node 3 turned into a socket with CPUs and no links yet. */
static struct machine_desc *node3_as_socket(void)
{
	struct machine_desc *m = load("spr-2s-cxl");

	m->hw.nodes[3].cxl = (struct cxl_dev_cfg){ 0 };
	m->hw.nodes[3].cpus = 4;
	m->hw.nr_links = 0;
	return m;
}

/* Append a copy of `proto` between nodes a and b. */
static void add_link(struct hw_cfg *h, struct link_cfg proto, unsigned a, unsigned b)
{
	proto.a = a;
	proto.b = b;
	h->links[h->nr_links++] = proto;
}

/*
 * A CXL device forwards nothing (hw/link.c build_routes).  Node 3 of
 * spr-2s-cxl turned into a socket with CPUs, reached from node 0 either
 * through the expander (0 -> 2 -> 3, 2 x 38 ns) or through socket 1
 * (0 -> 1 -> 3, 2 x 50 ns): both two hops, the expander's way shorter, yet
 * the hardware goes through node 1.  A table routing on latency alone
 * would say about 47 ns less for the load.
 */
static void no_forward_through_a_device(void **state)
{
	struct machine_desc *m = node3_as_socket();
	struct hw_cfg *h = &m->hw;
	struct link_cfg upi = h->links[0], cxl = h->links[4];
	struct hmat_model hm;
	char err[512];

	(void)state;
	upi.latency = 50000;
	add_link(h, upi, 0, 1);
	add_link(h, upi, 1, 3);
	add_link(h, cxl, 0, 2);
	add_link(h, cxl, 2, 3);
	if (hmat_model_create(&hm, h, err, sizeof(err)))
		fail_msg("hmat_model_create: %s", err);
	assert_int_equal(linknet_hops(hm.ln, 0, 3), 2);
	/* the request (16 + 8 B at 38.4 GB/s: 625 ps) crosses two UPI hops, not the expander's */
	assert_int_equal(link_idle_latency(hm.ln, 0, 3, 16), 2 * (50000 + 625));
	hmat_model_destroy(&hm);
	assert_int_equal(compare_all(h), 3 * 4);
	free(m);
}

/* A node that only a device could reach has no route: the machine is refused, naming it. */
static void unreachable_node_is_an_error(void **state)
{
	struct machine_desc *m = node3_as_socket();
	struct hw_cfg *h = &m->hw;
	struct link_cfg cxl = h->links[4], plain = h->links[4];
	char err[512];

	(void)state;
	plain.type = LINK_GENERIC;
	add_link(h, cxl, 0, 2);
	add_link(h, cxl, 2, 3);
	add_link(h, plain, 0, 1);
	m->os.nr_hmat_latency_ns = m->os.nr_hmat_bandwidth_mbps = 0;
	assert_int_equal(hmat_fill(m, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "cannot reach"));
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spr_2s_cxl_every_pair),
		cmocka_unit_test(skx_2s_every_pair),
		cmocka_unit_test(no_forward_through_a_device),
		cmocka_unit_test(unreachable_node_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
