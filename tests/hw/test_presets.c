/*
 * tests/hw/test_presets.c - every machine preset parses, validates, and
 * lands on its published figures.
 *
 * Each hw/presets/NAME.json is loaded through sim/config with a local root
 * table built from the exported sub-tables (the real root table belongs to
 * the driver), finalized, and turned into DDR controllers and a link
 * network.  Then the idle latency composition of hw/hw.c (docs/hw.md),
 *
 *   L1 + L2 + L3 hit latencies + uncore + link(cpu -> home, msg_bytes)
 *   + dir_latency + ddr_idle_latency(home) + link(home -> cpu, 64 B)
 *
 * plus the entry's "refresh_ns" (the average refresh stall a pointer chase
 * meets, measured by simulation when the preset was calibrated) must be
 * within 5% of every "calibration.idle_ns" entry; so must an MLC-style
 * dependent-load chase simulated through hw_access(); latency must follow
 * the SLIT order; and a bandwidth run (all requests at once through request
 * link, DDR and data link) must give a remote/local ratio within the stated
 * tolerance of every "calibration.bw_ratio" entry.
 *
 * Run from the source tree root (tests/run.sh does), or set NUMASIM_SRCDIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "tests/support/test.h"
#include "hw/ddr.h"
#include "hw/hw.h"
#include "hw/mlc.h"
#include "hw/hw_cfg.h"
#include "hw/link.h"
#include "os/os_cfg.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/presets.h"
#include "sim/rng.h"

struct preset {
	char name[64];
	char description[2048];
	struct hw_cfg hw;
	struct os_cfg os;
};

static const struct cfg_field preset_fields[] = {
	{ .key = "name", .type = CFG_STR, .off = offsetof(struct preset, name), .str_len = 64,
	  .flags = CFG_REQUIRED, .doc = "preset name" },
	{ .key = "description", .type = CFG_STR, .off = offsetof(struct preset, description), .str_len = 2048,
	  .flags = CFG_REQUIRED, .doc = "what machine this is" },
	CFG_F_ANY("sources", "source tag of every figure"),
	CFG_F_ANY("calibration", "published target figures"),
	{ .key = "cpu", .type = CFG_OBJ, .off = offsetof(struct preset, hw.cpu), .sub = &cpu_cfg_table, .flags = CFG_REQUIRED },
	{ .key = "caches", .type = CFG_OBJ, .off = offsetof(struct preset, hw.caches), .sub = &caches_cfg_table,
	  .flags = CFG_REQUIRED },
	{ .key = "tlb", .type = CFG_OBJ, .off = offsetof(struct preset, hw.tlb), .sub = &tlb_cfg_table, .flags = CFG_REQUIRED },
	{ .key = "coherence", .type = CFG_OBJ, .off = offsetof(struct preset, hw.coherence), .sub = &coherence_cfg_table,
	  .flags = CFG_REQUIRED },
	{ .key = "uncore", .type = CFG_NS, .off = offsetof(struct preset, hw.uncore), .min = 0, .max = 1000000,
	  .flags = CFG_REQUIRED },
	{ .key = "nodes", .type = CFG_ARR, .off = offsetof(struct preset, hw.nodes), .sub = &node_cfg_table,
	  .count_off = offsetof(struct preset, hw.nr_nodes), .max_elems = HW_MAX_NODES, .flags = CFG_REQUIRED },
	{ .key = "links", .type = CFG_ARR, .off = offsetof(struct preset, hw.links), .sub = &link_cfg_table,
	  .count_off = offsetof(struct preset, hw.nr_links), .max_elems = HW_MAX_LINKS, .flags = CFG_REQUIRED },
	{ .key = "os", .type = CFG_OBJ, .off = offsetof(struct preset, os), .sub = &os_cfg_table, .flags = CFG_REQUIRED },
};
static const struct cfg_table preset_table = CFG_TABLE("machine", struct preset, preset_fields, NULL);

/* A loaded preset with its DDR controllers and link network. */
struct machine {
	struct preset p;
	cfg_doc_t *doc;
	ddr_t *ddr[HW_MAX_NODES];
	uint64_t base[HW_MAX_NODES];
	linknet_t *ln;
};

static struct machine *load(const char *name)
{
	struct machine *m = calloc(1, sizeof(*m));
	const char *dir = getenv("NUMASIM_SRCDIR");
	char path[512], err[512] = "";
	uint64_t base = 0;
	int rc;

	assert_non_null(m);
	snprintf(path, sizeof(path), "%s/hw/presets/%s.json", dir ? dir : ".", name);
	rc = cfg_doc_load_file(&m->doc, path, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", path, err);
	rc = cfg_parse(&preset_table, m->doc, &m->p, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", path, err);
	rc = hw_cfg_finalize(&m->p.hw, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", path, err);
	assert_string_equal(m->p.name, name);
	for (unsigned i = 0; i < m->p.hw.nr_nodes; i++) {
		m->base[i] = base;
		rc = ddr_create(&m->ddr[i], &m->p.hw.nodes[i].ddr, i, base, err, sizeof(err));
		if (rc)
			fail_msg("%s: %s", path, err);
		base += m->p.hw.nodes[i].memory;
	}
	rc = linknet_create(&m->ln, &m->p.hw, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", path, err);
	return m;
}

static void unload(struct machine *m)
{
	for (unsigned i = 0; i < m->p.hw.nr_nodes; i++)
		ddr_destroy(m->ddr[i]);
	linknet_destroy(m->ln);
	cfg_doc_free(m->doc);
	free(m);
}

/* The idle-latency composition of the contract (see the file comment). */
static sim_time_t idle_latency(const struct machine *m, unsigned cpu_node, unsigned mem_node)
{
	const struct hw_cfg *c = &m->p.hw;
	sim_time_t t = hw_cycles_ps(c, c->caches.l1d.latency);

	if (c->caches.l2.enabled)
		t += hw_cycles_ps(c, c->caches.l2.latency);
	if (c->caches.l3.enabled)
		t += hw_cycles_ps(c, c->caches.l3.latency);
	t += c->uncore + c->coherence.dir_latency + ddr_idle_latency(m->ddr[mem_node]);
	if (cpu_node != mem_node)
		t += link_idle_latency(m->ln, cpu_node, mem_node, c->coherence.msg_bytes) +
		     link_idle_latency(m->ln, mem_node, cpu_node, 64);
	return t;
}

/*
 * Mean latency of `n` dependent loads to random lines of a 1 GiB buffer (or
 * the whole node) on mem_node from the first CPU of cpu_node, simulated by
 * the hardware model, after n/10 warm-up loads: what `numasim mlc` does.
 */
static double chase_ns(const struct machine *m, unsigned cpu_node, unsigned mem_node, unsigned n)
{
	const struct hw_cfg *c = &m->p.hw;
	pmem_t *pm;
	hw_t *hw;
	struct rng r;
	struct hw_res res;
	char err[256];
	sim_time_t t = 0, sum = 0;
	unsigned cpu = 0;
	uint64_t buf = SIM_MIN(1ULL << 30, c->nodes[mem_node].memory), base;

	for (unsigned i = 0; i < cpu_node; i++)
		cpu += c->nodes[i].cpus;
	assert_int_equal(pmem_create(&pm), 0);
	if (hw_create(&hw, c, pm, 1, err, sizeof(err)))
		fail_msg("hw_create: %s", err);
	base = hw_node_base(hw, mem_node);
	hw_set_context(hw, cpu, 0, HW_NO_PAGING);
	rng_seed(&r, 1, 1000 + cpu_node * HW_MAX_NODES + mem_node);
	for (unsigned i = 0; i < n / 10 + n; i++) {
		struct hw_req q = { .vaddr = base + rng_below(&r, buf / 64) * 64, .size = 8, .op = MEM_LOAD };
		hw_access(hw, cpu, t, &q, &res);
		assert_int_equal(res.fault, HW_FAULT_NONE);
		t += res.lat;
		if (i >= n / 10)
			sum += res.lat;
	}
	hw_destroy(hw);
	pmem_destroy(pm);
	return (double)sum / n / 1000.0;
}

/*
 * Read bandwidth in MB/s from cpu_node to mem_node as `numasim mlc` and
 * `numasim validate` measure it (hw/mlc.c: every CPU of the node, 10 streams
 * each, through hw_access), so this test and the validation report agree.
 */
static uint64_t stream_mbps(const char *name, unsigned cpu_node, unsigned mem_node, unsigned n)
{
	struct machine *m = load(name);
	struct mlc_opts o = MLC_OPTS_DEFAULT;
	char err[256];
	double mbps = 0;

	o.bw_lines = n;
	assert_int_equal(mlc_bandwidth(&m->p.hw, &o, cpu_node, mem_node, &mbps, err, sizeof(err)), 0);
	unload(m);
	return (uint64_t)mbps;
}

static const char *const presets[] = { "skx-2s", "epyc-nps4", "kunpeng920-4n", "westmere-2s", "tiny", "spr-2s-cxl" };

static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_number(v));
	return json_number_value(v);
}

static void check_preset(const char *name)
{
	struct machine *m = load(name);
	const struct hw_cfg *c = &m->p.hw;
	json_t *root = cfg_doc_root(m->doc), *cal, *sources, *arr, *el;
	size_t i;
	unsigned checked = 0;

	/* built into the binary too */
	assert_non_null(preset_find(name));

	sources = json_object_get(root, "sources");
	assert_true(json_is_object(sources));
	assert_true(json_object_size(sources) >= 1);
	cal = json_object_get(root, "calibration");
	assert_true(json_is_object(cal));
	assert_true(json_is_string(json_object_get(cal, "source")));
	assert_true(json_is_string(json_object_get(cal, "arithmetic")));

	/* idle latency within 5% of every calibration figure */
	arr = json_object_get(cal, "idle_ns");
	assert_true(json_is_array(arr));
	assert_true(json_array_size(arr) >= 1);
	json_array_foreach(arr, i, el) {
		unsigned cpu = (unsigned)jnum(el, "cpu_node"), mem = (unsigned)jnum(el, "mem_node");
		double want = jnum(el, "ns");
		double got, sim;
		assert_true(cpu < c->nr_nodes && mem < c->nr_nodes);
		got = (double)idle_latency(m, cpu, mem) / 1000.0 + jnum(el, "refresh_ns");
		sim = chase_ns(m, cpu, mem, 20000);
		printf("# %s: idle %u -> %u: formula %.3f ns, simulated %.3f ns, calibration %.3f ns (%+.2f%%, %+.2f%%)\n",
		       name, cpu, mem, got, sim, want, (got / want - 1) * 100, (sim / want - 1) * 100);
		if (got < want * 0.95 || got > want * 1.05)
			fail_msg("%s: idle latency %u -> %u is %.3f ns, calibration says %.3f ns", name, cpu, mem, got, want);
		if (sim < want * 0.95 || sim > want * 1.05)
			fail_msg("%s: simulated idle latency %u -> %u is %.3f ns, calibration says %.3f ns", name, cpu, mem,
				 sim, want);
	}
	/* local and remote summary figures agree with the first local/remote entries */
	assert_true(jnum(cal, "idle_local_ns") > 0 && jnum(cal, "idle_remote_ns") > jnum(cal, "idle_local_ns"));

	/*
	 * Latency follows the SLIT: a larger distance is never faster.  Not for
	 * memory-only nodes: firmware gives a CXL expander 14 from its own
	 * socket while the other socket's DRAM is 21 yet faster (spr-2s-cxl's
	 * numactl source), so the rule only holds among nodes with CPUs.
	 */
	for (unsigned a = 0; a < c->nr_nodes; a++) {
		for (unsigned j = 0; j < c->nr_nodes; j++) {
			for (unsigned k = 0; k < c->nr_nodes; k++) {
				if (!c->nodes[j].cpus || !c->nodes[k].cpus)
					continue;
				if (c->nodes[a].distance[j] < c->nodes[a].distance[k] &&
				    idle_latency(m, a, j) >= idle_latency(m, a, k))
					fail_msg("%s: distance %u->%u < %u->%u but latency is not lower", name, a, j, a, k);
			}
		}
	}

	/* remote/local bandwidth (stream_mbps() loads fresh machines; m keeps the document alive) */
	arr = json_object_get(cal, "bw_ratio");
	json_array_foreach(arr, i, el) {
		unsigned cpu = (unsigned)jnum(el, "cpu_node"), mem = (unsigned)jnum(el, "mem_node");
		double want = jnum(el, "ratio"), tol = jnum(el, "tolerance");
		uint64_t local = stream_mbps(name, cpu, cpu, 400000);
		uint64_t remote = stream_mbps(name, cpu, mem, 400000);
		double got = (double)remote / (double)local;
		assert_true(tol > 0 && tol <= 0.10);
		printf("# %s: bandwidth %u -> %u: local %llu MB/s, remote %llu MB/s, ratio %.3f, calibration %.3f (%+.2f%%)\n",
		       name, cpu, mem, (unsigned long long)local, (unsigned long long)remote, got, want, (got / want - 1) * 100);
		if (got < want * (1 - tol) || got > want * (1 + tol))
			fail_msg("%s: remote/local bandwidth %u -> %u is %.3f (%llu / %llu MB/s), calibration says %.3f", name,
				 cpu, mem, got, (unsigned long long)remote, (unsigned long long)local, want);
		checked++;
	}
	/* absolute bandwidth targets (a CXL expander's read bandwidth is its own figure, not a ratio) */
	arr = json_object_get(cal, "bw_gbps");
	json_array_foreach(arr, i, el) {
		unsigned cpu = (unsigned)jnum(el, "cpu_node"), mem = (unsigned)jnum(el, "mem_node");
		double want = jnum(el, "gbps"), tol = jnum(el, "tolerance");
		double got = (double)stream_mbps(name, cpu, mem, 400000) / 1000.0;
		assert_true(tol > 0 && tol <= 0.10);
		printf("# %s: bandwidth %u -> %u: %.2f GB/s, calibration %.2f GB/s (%+.2f%%)\n", name, cpu, mem, got, want,
		       (got / want - 1) * 100);
		if (got < want * (1 - tol) || got > want * (1 + tol))
			fail_msg("%s: bandwidth %u -> %u is %.2f GB/s, calibration says %.2f GB/s", name, cpu, mem, got, want);
		checked++;
	}
	/* every real preset states a bandwidth target unless the calibration says why not */
	if (!checked) {
		uint64_t local = stream_mbps(name, 0, 0, 400000), remote = stream_mbps(name, 0, c->nr_nodes - 1, 400000);
		assert_true(json_is_string(json_object_get(cal, "bw_remote_over_local")));
		printf("# %s: bandwidth 0 -> %u: local %llu MB/s, remote %llu MB/s, ratio %.3f (no numeric target)\n", name,
		       c->nr_nodes - 1, (unsigned long long)local, (unsigned long long)remote, (double)remote / (double)local);
	}
	unload(m);
}

static void preset_skx(void **state) { (void)state; check_preset("skx-2s"); }
static void preset_epyc(void **state) { (void)state; check_preset("epyc-nps4"); }
static void preset_kunpeng(void **state) { (void)state; check_preset("kunpeng920-4n"); }
static void preset_westmere(void **state) { (void)state; check_preset("westmere-2s"); }
static void preset_tiny(void **state) { (void)state; check_preset("tiny"); }
static void preset_spr_cxl(void **state) { (void)state; check_preset("spr-2s-cxl"); }

/* Exact figures of the tiny machine, which other suites rely on. */
static void preset_tiny_exact(void **state)
{
	struct machine *m = load("tiny");
	const struct hw_cfg *c = &m->p.hw;

	(void)state;
	assert_int_equal(c->nr_nodes, 2);
	assert_int_equal(hw_cfg_nr_cpus(c), 4);
	assert_int_equal(c->nodes[1].memory, 64ULL << 20);
	assert_int_equal(c->caches.l1d.size, 4096);
	assert_int_equal(c->caches.l2.size, 16384);
	assert_int_equal(c->caches.l3.size, 65536);
	assert_int_equal(idle_latency(m, 0, 0), 82000);
	assert_int_equal(idle_latency(m, 0, 1), 132000);
	assert_int_equal(ddr_peak_mbps(m->ddr[0]), 16000);
	unload(m);
	/*
	 * 1 channel at 16 GB/s peak locally (bank conflicts of many streams keep
	 * it near 10 GB/s); remotely the 8 GB/s link carries 64-byte lines with
	 * 36 bytes of framing each: at most 8000 * 64 / 100 = 5120 MB/s.
	 */
	uint64_t local = stream_mbps("tiny", 0, 0, 65536), remote = stream_mbps("tiny", 0, 1, 65536);
	assert_true(local > 9000 && local <= 16000);
	assert_true(remote > 5000 && remote <= 5120);
}

/* Every file in hw/presets is one of the presets tested here (and vice versa via load()). */
static void preset_list_complete(void **state)
{
	unsigned n = 0;

	(void)state;
	for (const struct preset_blob *b = preset_blobs; b->name; b++) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(presets); i++)
			known |= !strcmp(presets[i], b->name);
		if (!known)
			fail_msg("preset %s has no test here", b->name);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(presets));
}

/* A broken machine file fails with the JSON path of the bad field. */
static void preset_bad_field(void **state)
{
	const char *text = "{\"name\": \"x\", \"description\": \"d\", \"cpu\": {}, \"caches\": {}, \"tlb\": {},"
			   " \"coherence\": {}, \"uncore\": 1, \"os\": {}, \"links\": [],"
			   " \"nodes\": [{\"ddr\": {\"tRCD\": 0}}]}";
	cfg_doc_t *doc;
	struct preset *p = calloc(1, sizeof(*p));
	char err[256] = "";

	(void)state;
	assert_int_equal(cfg_doc_load_string(&doc, text, "test", err, sizeof(err)), 0);
	assert_int_equal(cfg_parse(&preset_table, doc, p, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "nodes[0].ddr.tRCD"));
	cfg_doc_free(doc);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(preset_skx),
		cmocka_unit_test(preset_epyc),
		cmocka_unit_test(preset_kunpeng),
		cmocka_unit_test(preset_westmere),
		cmocka_unit_test(preset_tiny),
		cmocka_unit_test(preset_spr_cxl),
		cmocka_unit_test(preset_tiny_exact),
		cmocka_unit_test(preset_list_complete),
		cmocka_unit_test(preset_bad_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
