/*
 * sim/cli/cmd_machine.c - `numasim machine list|show|dump` and `numasim config doc`.
 *
 * `show` prints the topology exactly the way `numactl -H` does (nodes, CPUs,
 * size and free memory per node, the distance matrix with numactl's column
 * widths), then the cache, TLB, link and DDR summary.  "free" is what the
 * simulated kernel has free once booted (the zero page and the like already
 * taken), so the OS is booted on the machine to read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "sim/cli/cmds.h"
#include "sim/cli/machine.h"
#include "sim/err.h"
#include "hw/cxl.h"
#include "hw/hw.h"
#include "os/os.h"
#include "sim/ev.h"
#include "sim/pmem.h"
#include "sim/presets.h"
#include "sim/words.h"

static void cache_line(const char *name, const struct cache_cfg *c, const char *scope)
{
	if (!c->enabled) {
		printf("  %-4s none\n", name);
		return;
	}
	printf("  %-4s %6llu KiB %2u-way %3u B lines, %3u cycles, %s%s%s, %s\n", name,
	       (unsigned long long)(c->size >> 10), c->ways, c->line, c->latency, repl_policy_names[c->repl],
	       c->prefetch ? ", prefetch " : "", c->prefetch ? prefetch_kind_names[c->prefetch] : "", scope);
}

static void tlb_line(const char *name, const struct tlb_array_cfg *t)
{
	if (!t->entries)
		return;
	if (t->entries == t->ways)
		printf(" %s %u (full)", name, t->entries);
	else
		printf(" %s %u/%u-way", name, t->entries, t->ways);
}

/*
 * Free bytes per node of the booted, idle simulated machine: the sum of the
 * nr_free_pages gauges of its zones.  @return 0, or negative with err.
 */
static int boot_free(struct machine_desc *m, uint64_t *free_bytes, char *err, size_t errlen)
{
	const char *names[512];
	uint64_t vals[512];
	struct evq q;
	pmem_t *pm = NULL;
	hw_t *hw = NULL;
	os_t *os = NULL;
	int rc, n;

	memset(free_bytes, 0, HW_MAX_NODES * sizeof(*free_bytes));
	if ((rc = evq_init(&q)))
		return sim_errf(err, errlen, SIM_ENOMEM, "out of memory");
	if ((rc = pmem_create(&pm)) || (rc = hw_create(&hw, &m->hw, pm, 1, err, errlen)) ||
	    (rc = os_create(&os, &m->os, hw, pm, &q, 1, err, errlen)))
		goto out;
	n = os_sample(os, names, vals, (int)ARRAY_SIZE(names));
	for (int i = 0; i < n; i++) {
		unsigned node;

		if (sscanf(names[i], "nr_free_pages.node%u.", &node) == 1 && node < HW_MAX_NODES)
			free_bytes[node] += vals[i] * 4096;
	}
out:
	os_destroy(os);
	hw_destroy(hw);
	pmem_destroy(pm);
	evq_destroy(&q);
	return rc;
}

static void machine_show(struct machine_desc *m)
{
	const struct hw_cfg *h = &m->hw;
	static uint64_t free_bytes[HW_MAX_NODES];
	char err[512];
	unsigned cpu = 0;
	bool have_free;

	have_free = boot_free(m, free_bytes, err, sizeof(err)) == 0;
	if (!have_free)
		fprintf(stderr, "numasim machine: cannot boot %s to read free memory: %s\n", m->name, err);
	printf("machine: %s\n", m->name);
	if (m->description[0])
		printf("%s\n", m->description);
	/* from here to the distance table, numactl -H's own format, character for character */
	printf("available: %u nodes (0-%u)\n", h->nr_nodes, h->nr_nodes - 1);
	for (unsigned n = 0; n < h->nr_nodes; n++) {
		printf("node %u cpus:", n);
		for (unsigned i = 0; i < h->nodes[n].cpus; i++)
			printf(" %u", cpu++);
		printf("\nnode %u size: %llu MB\n", n, (unsigned long long)(h->nodes[n].memory >> 20));
		if (have_free)
			printf("node %u free: %llu MB\n", n, (unsigned long long)(free_bytes[n] >> 20));
		else
			printf("node %u free: <not available>\n", n);
	}
	printf("node distances:\nnode ");
	for (unsigned n = 0; n < h->nr_nodes; n++)
		printf("%3u ", n);
	printf("\n");
	for (unsigned i = 0; i < h->nr_nodes; i++) {
		printf("%3u: ", i);
		for (unsigned j = 0; j < h->nr_nodes; j++)
			printf("%3u ", h->nodes[i].distance[j]);
		printf("\n");
	}
	printf("cpu: %s, %u MHz, %u sockets\n", hw_arch_names[h->cpu.arch], h->cpu.mhz, hw_cfg_nr_sockets(h));
	if (h->cpu.model == CPU_OOO)
		printf("core: out of order, %u instr/cycle, ROB %u, LQ %u, SQ %u, %u fill buffers, L2 queue %u\n",
		       h->cpu.ipc, h->cpu.rob, h->cpu.lq, h->cpu.sq, h->cpu.fill_buffers, h->cpu.l2_queue);
	else
		printf("core: in order (one access at a time), %u instr/cycle\n", h->cpu.ipc);
	printf("caches:\n");
	cache_line("L1I", &h->caches.l1i, "per CPU");
	cache_line("L1D", &h->caches.l1d, "per CPU");
	cache_line("L2", &h->caches.l2, "per CPU");
	cache_line("L3", &h->caches.l3, cache_inclusion_names[h->caches.l3.inclusion]);
	printf("tlb:");
	tlb_line("L1D-4K", &h->tlb.l1d_4k);
	tlb_line("L1D-2M", &h->tlb.l1d_2m);
	tlb_line("L1D-1G", &h->tlb.l1d_1g);
	tlb_line("L1I-4K", &h->tlb.l1i_4k);
	tlb_line("L1I-2M", &h->tlb.l1i_2m);
	tlb_line("STLB", &h->tlb.stlb);
	tlb_line("STLB-1G", &h->tlb.stlb_1g);
	printf("; STLB %u cycles; PWC %u/%u/%u entries\n", h->tlb.stlb_latency, h->tlb.pwc_l4, h->tlb.pwc_l3,
	       h->tlb.pwc_l2);
	printf("links:\n");
	for (unsigned l = 0; l < h->nr_links; l++) {
		const struct link_cfg *lc = &h->links[l];
		printf("  node %u <-> node %u: %.1f ns, %.1f GB/s per direction", lc->a, lc->b,
		       (double)lc->latency / 1000.0, (double)lc->bandwidth / 1000.0);
		if (lc->type == LINK_CXL)
			printf(", CXL %u-byte flits (a 64 B line is %llu B on the wire)", lc->flit,
			       (unsigned long long)cxl_wire_bytes(lc->flit, 64));
		printf("\n");
	}
	if (!h->nr_links)
		printf("  none\n");
	printf("memory:\n");
	for (unsigned n = 0; n < h->nr_nodes; n++) {
		const struct ddr_cfg *d = &h->nodes[n].ddr;
		double mts = 2.0 * 1e6 / (double)d->tCK;
		printf("  node %u: %u ch x %u rank x %u banks, DDR-%.0f, tCL-tRCD-tRP %u-%u-%u, peak %.1f GB/s\n", n,
		       d->channels, d->ranks, d->bankgroups * d->banks, mts, d->tCL, d->tRCD, d->tRP,
		       (double)d->channels * d->bus_bytes * mts / 1000.0);
		if (h->nodes[n].cxl.bandwidth)
			printf("  node %u: behind a CXL Type-3 controller: %u trackers held %.1f ns per line, "
			       "%.1f GB/s per direction\n", n, h->nodes[n].cxl.queue,
			       (double)h->nodes[n].cxl.latency / 1000.0, (double)h->nodes[n].cxl.bandwidth / 1000.0);
	}
}

static int preset_description(const char *json, char *out, size_t n)
{
	json_t *root = json_loads(json, 0, NULL);
	const char *d;

	out[0] = 0;
	if (!root)
		return -1;
	d = json_string_value(json_object_get(root, "description"));
	snprintf(out, n, "%s", d ? d : "");
	json_decref(root);
	return 0;
}

static void machine_usage(FILE *fp)
{
	fprintf(fp, "usage: numasim machine list\n"
		    "       numasim machine show PRESET|FILE [-p KEY=VALUE]...\n"
		    "       numasim machine dump PRESET|FILE [-p KEY=VALUE]...   (effective JSON, defaults filled in)\n"
		    "  list   the built-in presets, one line each\n"
		    "  show   the topology as numactl -H prints it, then caches, TLBs, links and DDR\n"
		    "  dump   the effective machine description as JSON (numasim config doc explains every key)\n");
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help");
}

int cmd_machine(int argc, char **argv)
{
	char err[1024];
	struct machine_desc *m;
	char **ov;
	unsigned nov = 0;
	int rc;

	if (argc < 2) {
		machine_usage(stderr);
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-p")) {
			i++;         /* a value, even one that reads "--help" */
		} else if (is_help(argv[i]) && (i == 1 || argv[i][0] == '-')) {
			machine_usage(stdout);
			return 0;
		}
	}
	if (!strcmp(argv[1], "list")) {
		if (argc > 2) {
			fprintf(stderr, "numasim machine list: unexpected argument '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		for (const struct preset_blob *p = preset_blobs; p->name; p++) {
			char desc[512];
			preset_description(p->json, desc, sizeof(desc));
			printf("%-16s %s\n", p->name, desc);
		}
		return 0;
	}
	if (strcmp(argv[1], "show") && strcmp(argv[1], "dump")) {
		static const char *const subs[] = { "list", "show", "dump" };
		const char *near = sim_nearest(argv[1], subs, ARRAY_SIZE(subs));

		fprintf(stderr, "numasim machine: unknown command '%s'%s%s%s\n", argv[1], near ? " (did you mean " : "",
			near ? near : "", near ? "?)" : "");
		machine_usage(stderr);
		return EXIT_USAGE;
	}
	if (argc < 3) {
		machine_usage(stderr);
		return EXIT_USAGE;
	}
	ov = calloc((size_t)argc, sizeof(*ov));
	m = calloc(1, sizeof(*m));
	if (!ov || !m) {
		free(ov);
		free(m);
		return 1;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			ov[nov++] = argv[++i];
		} else {
			fprintf(stderr, "numasim machine: unexpected argument '%s'\n", argv[i]);
			free(ov);
			free(m);
			return EXIT_USAGE;
		}
	}
	rc = machine_load(m, argv[2], ov, nov, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "numasim machine: %s\n", err);
	} else if (!strcmp(argv[1], "show")) {
		machine_show(m);
	} else {
		char *s = machine_dump(m);
		printf("%s\n", s ? s : "");
		free(s);
	}
	free(ov);
	free(m);
	return rc ? 1 : 0;
}

int cmd_config(int argc, char **argv)
{
	static const char usage[] =
		"usage: numasim config doc    (every machine-description key with type, default and meaning)\n";

	if (argc == 2 && !strcmp(argv[1], "doc")) {
		cfg_print_doc(&machine_desc_table, "", stdout);
		return 0;
	}
	if (argc >= 2 && is_help(argv[argc - 1])) {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	return EXIT_USAGE;
}
