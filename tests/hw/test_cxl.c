/*
 * tests/hw/test_cxl.c - CXL flit framing, the Type-3 device controller
 * (trackers, data paths, queueing) and a CXL link in the link network,
 * with exact times, plus the machine-description rules for CXL nodes.
 *
 * Flit layouts from the CXL 2.0 specification (68-byte flit: 2-byte protocol
 * id, four 16-byte slots, 2-byte CRC) and CXL 3.0 (256-byte flit: 2-byte
 * header, 15 slots, 8-byte CRC, 6-byte FEC).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "tests/support/test.h"
#include "hw/cxl.h"
#include "hw/link.h"
#include "sim/cli/machine.h"
#include "sim/err.h"
#include "sim/resv.h"

#define NS 1000ULL

static void cxl_slots(void **state)
{
	(void)state;
	/* a read request (M2S Req) or any control message: one header slot */
	assert_int_equal(cxl_msg_slots(8), 1);
	assert_int_equal(cxl_msg_slots(16), 1);
	/* a 64-byte line: header slot + 4 data slots */
	assert_int_equal(cxl_msg_slots(64), 5);
	assert_int_equal(cxl_msg_slots(17), 3);
	assert_int_equal(cxl_flit_slots(68), 4);
	assert_int_equal(cxl_flit_slots(256), 15);
	assert_int_equal(cxl_flit_slots(128), 0);
}

static void cxl_framing(void **state)
{
	(void)state;
	/* 68-byte flits: 17 wire bytes per 16-byte slot */
	assert_int_equal(cxl_wire_bytes(68, 16), 17);
	assert_int_equal(cxl_wire_bytes(68, 64), 85);
	/* 256-byte flits: 256/15 per slot, rounded up */
	assert_int_equal(cxl_wire_bytes(256, 16), 18);    /* 17.07 */
	assert_int_equal(cxl_wire_bytes(256, 64), 86);    /* 85.33 */
	/* 1000 MB/s = 1 byte per ns: a line takes its 85 wire bytes, not 64 */
	assert_int_equal(cxl_serialize(68, 64, 1000), 85 * NS);
	assert_int_equal(cxl_serialize(68, 16, 1000), 17 * NS);
	/* 5 * 256 / 15 = 85.333 ns, rounded up to the ps */
	assert_int_equal(cxl_serialize(256, 64, 1000), 85334);
	/* PCIe 5.0 x8 after 128b/130b: 31508 MB/s, 85e6 / 31508 = 2697.7 ps */
	assert_int_equal(cxl_serialize(68, 64, 31508), 2698);
}

static struct cxl_dev mkdev(uint64_t lat_ns, uint64_t mbps, uint32_t queue)
{
	struct cxl_dev_cfg c = { .latency = lat_ns * NS, .bandwidth = mbps, .queue = queue };
	struct cxl_dev d;

	assert_int_equal(cxl_dev_init(&d, 2, &c), 0);
	return d;
}

static void cxl_dev_idle_time(void **state)
{
	struct cxl_dev d = mkdev(40, 1000, 4);

	(void)state;
	/* tracker held 40 ns, then the line crosses the data path at 1 B/ns */
	assert_int_equal(cxl_dev_idle(&d, 64), (40 + 64) * NS);
	assert_int_equal(cxl_dev_pass(&d, 5 * NS, 64, true), 5 * NS + (40 + 64) * NS);
	assert_int_equal(d.stat[CXL_LINES_OUT], 1);
	assert_int_equal(d.stat[CXL_QUEUE], 0);
	cxl_dev_destroy(&d);
}

/* Completion time of the last of n lines all handed to the controller at t = 0. */
static sim_time_t burst(struct cxl_dev *d, unsigned n, bool out)
{
	sim_time_t last = 0;

	for (unsigned i = 0; i < n; i++) {
		sim_time_t t = cxl_dev_pass(d, 0, 64, out);
		if (t > last)
			last = t;
	}
	return last;
}

/* Bandwidth saturates at min(queue * 64 B / latency, bandwidth). */
static void cxl_dev_saturates(void **state)
{
	struct cxl_dev d;
	sim_time_t end;
	double mbps;

	(void)state;
	/* data path bound: 64 trackers x 64 B / 40 ns = 102 GB/s > 20 GB/s */
	d = mkdev(40, 20000, 64);
	end = burst(&d, 10000, true);
	mbps = 10000.0 * 64 / ((double)end / 1e6);
	assert_true(mbps > 20000 * 0.99 && mbps <= 20000);
	/* all but the first 64 found every tracker taken at t = 0 */
	assert_int_equal(d.stat[CXL_TRACKER_WAITS], 10000 - 64);
	cxl_dev_destroy(&d);

	/* tracker bound: 4 x 64 B / 40 ns = 6.4 GB/s < 20 GB/s */
	d = mkdev(40, 20000, 4);
	end = burst(&d, 10000, true);
	mbps = 10000.0 * 64 / ((double)end / 1e6);
	assert_true(mbps > 6400 * 0.99 && mbps <= 6400 * 1.001);
	assert_int_equal(d.stat[CXL_TRACKER_WAITS], 10000 - 4);
	cxl_dev_destroy(&d);
}

/* Latency grows with load: lines offered faster than the controller drains them queue. */
static void cxl_dev_latency_grows(void **state)
{
	struct cxl_dev d = mkdev(40, 20000, 64);
	sim_time_t idle = cxl_dev_idle(&d, 64), first = 0, last = 0;

	(void)state;
	/* one line every 4 ns (16 GB/s) is below 20 GB/s: every line sees the idle time */
	for (unsigned i = 0; i < 1000; i++) {
		sim_time_t t = (sim_time_t)i * 4 * NS;
		assert_int_equal(cxl_dev_pass(&d, t, 64, true) - t, idle);
	}
	cxl_dev_destroy(&d);
	/* one line every 2 ns (32 GB/s): each waits 1.2 ns more than the one before */
	d = mkdev(40, 20000, 64);
	for (unsigned i = 0; i < 1000; i++) {
		sim_time_t t = (sim_time_t)i * 2 * NS, lat = cxl_dev_pass(&d, t, 64, true) - t;
		if (!i)
			first = lat;
		last = lat;
	}
	assert_int_equal(first, idle);
	assert_int_equal(last, idle + 999 * 1200);
	assert_int_equal(d.stat[CXL_QUEUE_MAX], 999 * 1200);
	cxl_dev_destroy(&d);
}

/*
 * The tracker search walks only live trackers; the answer must be the
 * all-tracker scan's: the first free at t, else the first to free (lowest
 * index on ties).  A reference scan over a twin device's calendars, lines
 * arriving out of order (up to 3 us ahead of a clock), bursts that make
 * most of 100 trackers (two bitmap words) live or hold them all, with and
 * without a horizon.
 */
static sim_time_t naive_pass(struct cxl_dev *d, sim_time_t t, uint32_t bytes, bool out)
{
	sim_time_t ser = ((uint64_t)bytes * 1000000u + d->mbps - 1) / d->mbps, best = SIM_TIME_MAX, s, p;
	unsigned pick = 0;

	for (unsigned i = 0; i < d->nr_trackers; i++) {
		sim_time_t start = resv_probe(&d->trackers[i], t, d->latency);
		if (start < best) {
			best = start;
			pick = i;
			if (start == t)
				break;
		}
	}
	s = resv_book(&d->trackers[pick], t, d->latency);
	p = resv_book(&d->path[out], s + d->latency, ser);
	return p + ser;
}

static void cxl_dev_pick_vs_naive(void **state)
{
	(void)state;
	for (unsigned with_horizon = 0; with_horizon < 2; with_horizon++) {
		struct cxl_dev a = mkdev(40, 20000, 100), b = mkdev(40, 20000, 100);
		sim_time_t clock = 0, h = 0;
		uint64_t x = 99;

		if (with_horizon) {
			cxl_dev_set_horizon(&a, &h);
			cxl_dev_set_horizon(&b, &h);
		}
		for (unsigned i = 0; i < 120000; i++) {
			sim_time_t t;
			bool out;
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			t = clock + (x >> 33) % (3000 * NS);
			out = (x >> 20) & 1;
			h = clock;
			assert_int_equal(cxl_dev_pass(&a, t, 64, out), naive_pass(&b, t, 64, out));
			/* and the same tracker took it: every calendar alike (trackers are alike, so the
			 * returns alone could hide a different pick for a while) */
			for (unsigned k = 0; k < a.nr_trackers; k++)
				assert_int_equal(resv_probe(&a.trackers[k], t, a.latency), resv_probe(&b.trackers[k], t, b.latency));
			/* 20000 lines at 5 per ns (past 100 trackers x 64 B / 40 ns), 20000 at 1 per ns, then sparse */
			clock += (x >> 40) % ((i / 20000) % 3 == 2 ? 200 * NS : (i / 20000) % 3 ? 2 * NS : 400);
		}
		cxl_dev_destroy(&a);
		cxl_dev_destroy(&b);
	}
}

/* Reads leaving and writes entering use separate data paths but share the trackers. */
static void cxl_dev_directions(void **state)
{
	struct cxl_dev d = mkdev(40, 20000, 64);
	sim_time_t in, out;

	(void)state;
	out = in = 0;
	for (unsigned i = 0; i < 1000; i++) {
		sim_time_t o = cxl_dev_pass(&d, 0, 64, true), n = cxl_dev_pass(&d, 0, 64, false);
		out = SIM_MAX(out, o);
		in = SIM_MAX(in, n);
	}
	/* both directions finish as if alone: 40 ns + 1000 x 3.2 ns */
	assert_int_equal(out, 40 * NS + 1000 * 3200);
	assert_int_equal(in, out);
	assert_int_equal(d.stat[CXL_LINES_IN], 1000);
	assert_int_equal(d.stat[CXL_LINES_OUT], 1000);
	cxl_dev_destroy(&d);
}

/* A host (node 0) with one CXL device (node 1) on a 68-byte-flit link of 1000 MB/s. */
static linknet_t *cxl_net(uint32_t flit)
{
	struct hw_cfg *c = calloc(1, sizeof(*c));
	linknet_t *ln = NULL;
	char err[256];

	assert_non_null(c);
	c->nr_nodes = 2;
	c->nodes[0].cpus = 1;
	c->nodes[1].cxl = (struct cxl_dev_cfg){ .latency = 40 * NS, .bandwidth = 1000, .queue = 8 };
	c->links[c->nr_links++] = (struct link_cfg){ .a = 0, .b = 1, .latency = 30 * NS, .bandwidth = 1000,
						     .type = LINK_CXL, .flit = flit };
	assert_int_equal(linknet_create(&ln, c, err, sizeof(err)), 0);
	free(c);
	return ln;
}

static void cxl_link_idle(void **state)
{
	linknet_t *ln = cxl_net(68);

	(void)state;
	/* request: 17 wire bytes + 30 ns; no controller for a control message */
	assert_int_equal(link_idle_latency(ln, 0, 1, 16), (17 + 30) * NS);
	/* read data: controller 40 + 64 ns, then 85 wire bytes + 30 ns */
	assert_int_equal(link_idle_latency(ln, 1, 0, 64), (40 + 64 + 85 + 30) * NS);
	/* write data: link first, then the controller */
	assert_int_equal(link_idle_latency(ln, 0, 1, 64), (85 + 30 + 40 + 64) * NS);
	/* a transfer on the idle network takes exactly that */
	assert_int_equal(link_transfer(ln, 1, 0, 0, 64), (40 + 64 + 85 + 30) * NS);
	linknet_destroy(ln);
	ln = cxl_net(256);
	assert_int_equal(link_idle_latency(ln, 1, 0, 64), (40 + 64) * NS + 85334 + 30 * NS);
	linknet_destroy(ln);
}

static void cxl_link_report(void **state)
{
	linknet_t *ln = cxl_net(68);
	rep_t *r;
	json_t *devs, *d;

	(void)state;
	for (unsigned i = 0; i < 10; i++)
		link_transfer(ln, 1, 0, 0, 64);
	link_transfer(ln, 0, 1, 0, 16);
	assert_int_equal(rep_create(&r), 0);
	linknet_report(ln, 10000 * NS, r);
	devs = json_object_get(rep_root(r), "cxl_devices");
	assert_true(json_is_array(devs));
	assert_int_equal(json_array_size(devs), 1);
	d = json_array_get(devs, 0);
	assert_int_equal(json_integer_value(json_object_get(d, "node")), 1);
	assert_int_equal(json_integer_value(json_object_get(d, "lines_out")), 10);
	assert_int_equal(json_integer_value(json_object_get(d, "lines_in")), 0);
	/* ten lines through one 1 B/ns path: nine waited 64, 128, ... 576 ns */
	assert_true(fabs(json_number_value(json_object_get(d, "queue_delay_ns")) - 64.0 * 45) < 1e-6);
	rep_destroy(r);
	linknet_destroy(ln);
}

/* Machine descriptions: what a CXL node and link must look like. */
static int load_with(const char *ov, char *err, size_t errlen)
{
	struct machine_desc *m = calloc(1, sizeof(*m));
	char *const ovs[] = { (char *)ov };
	int rc;

	assert_non_null(m);
	rc = machine_load(m, "spr-2s-cxl", ov ? ovs : NULL, ov ? 1 : 0, err, errlen);
	free(m);
	return rc;
}

static void cxl_config_rules(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(load_with(NULL, err, sizeof(err)), 0);
	/* a device node has no CPUs */
	assert_int_equal(load_with("nodes[2].cpus=4", err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "nodes[2].cxl"));
	/* its links are CXL links */
	assert_int_equal(load_with("links[4].type=generic", err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "links[4].type"));
	/* flits are 68 or 256 bytes */
	assert_int_equal(load_with("links[4].flit=128", err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "links[4].flit"));
	/* framing comes from the flits */
	assert_int_equal(load_with("links[4].header=8", err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "links[4].header"));
	/* a CXL link needs a device at one end */
	assert_int_equal(load_with("nodes[2].cxl.bandwidth=0", err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "links[4]"));
	/* requests must fit a slot */
	assert_int_equal(load_with("coherence.msg_bytes=24", err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "coherence.msg_bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cxl_slots),
		cmocka_unit_test(cxl_framing),
		cmocka_unit_test(cxl_dev_idle_time),
		cmocka_unit_test(cxl_dev_saturates),
		cmocka_unit_test(cxl_dev_latency_grows),
		cmocka_unit_test(cxl_dev_directions),
		cmocka_unit_test(cxl_dev_pick_vs_naive),
		cmocka_unit_test(cxl_link_idle),
		cmocka_unit_test(cxl_link_report),
		cmocka_unit_test(cxl_config_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
