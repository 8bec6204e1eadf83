/*
 * hw/hw_cfg.c - field tables and cross-checks for the hardware description.
 *
 * Defaults describe a plausible modern x86 server core so that a small
 * machine file only has to state what differs.  Presets in hw/presets/ state
 * every figure with its source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hw/hw_cfg.h"
#include "sim/err.h"

const char *const hw_arch_names[] = { "x86_64", "arm64", NULL };
const char *const cpu_model_names[] = { "ooo", "inorder", NULL };
const char *const repl_policy_names[] = { "lru", "plru", "srrip", "random", NULL };
const char *const prefetch_kind_names[] = { "none", "next_line", "stride", NULL };
const char *const cache_inclusion_names[] = { "inclusive", "non-inclusive", "exclusive", NULL };
const char *const ddr_mapping_names[] = { "ro_ba_ra_co_ch", "ro_ra_ba_ch_co", "ro_co_ba_ra_ch", NULL };
const char *const ddr_page_policy_names[] = { "open", "closed", NULL };
const char *const link_type_names[] = { "generic", "cxl", NULL };

#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)
#define NS(x)  ((uint64_t)(x) * 1000)

static const struct cfg_field cpu_fields[] = {
	CFG_F_U32(struct cpu_cfg, mhz, 100, 10000, 2500, "core clock, MHz"),
	CFG_F_ENUM(struct cpu_cfg, arch, hw_arch_names, ARCH_X86_64, "ISA: page-table format of the walker"),
	CFG_F_NS(struct cpu_cfg, lookahead, NS(1), NS(1000000), NS(500),
		 "no effect: accesses replay in global time order whatever its value (kept so older machine files load)"),
	CFG_F_ENUM(struct cpu_cfg, model, cpu_model_names, CPU_OOO,
		   "core timing: ooo (window of independent accesses overlapping) or inorder (one access at a time)"),
	CFG_F_U32(struct cpu_cfg, ipc, 1, 8, 1,
		  "instructions dispatched per cycle when nothing stalls (non-memory instructions carry no dependences in a trace)"),
	CFG_F_U32(struct cpu_cfg, rob, 1, 4096, 224, "ooo: reorder-buffer entries"),
	CFG_F_U32(struct cpu_cfg, lq, 1, 1024, 72, "ooo: load-queue entries"),
	CFG_F_U32(struct cpu_cfg, sq, 1, 1024, 56, "ooo: store-queue entries (the store buffer)"),
	CFG_F_U32(struct cpu_cfg, fill_buffers, 1, 256, 12, "ooo: L1D misses in flight (line fill buffers, MSHRs)"),
	CFG_F_U32(struct cpu_cfg, l2_queue, 1, 256, 16, "ooo: L2 misses in flight (superqueue)"),
	CFG_F_U32(struct cpu_cfg, page_walkers, 1, 16, 2, "ooo: page walks in flight (page-miss handlers)"),
};
const struct cfg_table cpu_cfg_table = CFG_TABLE("cpu", struct cpu_cfg, cpu_fields, NULL);

static int cache_validate(void *obj, const char *path, char *err, size_t errlen)
{
	struct cache_cfg *c = obj;

	if (!c->enabled)
		return 0;
	if (!is_pow2_u64(c->line) || c->line < 8)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s.line: must be a power of two >= 8, got %u", path, c->line);
	if (c->size % ((uint64_t)c->ways * c->line))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s.size: %llu is not a multiple of ways*line (%u*%u)",
				path, (unsigned long long)c->size, c->ways, c->line);
	if (c->repl == REPL_PLRU && !is_pow2_u64(c->ways))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s.repl: plru needs a power-of-two number of ways, got %u",
				path, c->ways);
	return 0;
}

#define CACHE_FIELDS(en, size_, ways_, lat_)                                                              \
	CFG_F_BOOL(struct cache_cfg, enabled, en, "false: this level does not exist"),                    \
	CFG_F_SIZE(struct cache_cfg, size, 256, GIB(4), size_, "capacity, bytes"),                        \
	CFG_F_U32(struct cache_cfg, ways, 1, 64, ways_, "associativity"),                                 \
	CFG_F_U32(struct cache_cfg, line, 8, 4096, 64, "line size, bytes"),                               \
	CFG_F_U32(struct cache_cfg, latency, 0, 1000, lat_, "hit latency, core cycles"),                  \
	CFG_F_ENUM(struct cache_cfg, repl, repl_policy_names, REPL_LRU, "replacement policy"),            \
	CFG_F_ENUM(struct cache_cfg, prefetch, prefetch_kind_names, PF_NONE, "prefetcher on this level"), \
	CFG_F_U32(struct cache_cfg, prefetch_degree, 1, 16, 1, "lines prefetched per trigger"),           \
	CFG_F_ENUM(struct cache_cfg, inclusion, cache_inclusion_names, INCL_NONINCLUSIVE,                 \
		   "relation to the private levels (L3 only)")

static const struct cfg_field l1_fields[] = { CACHE_FIELDS(true, KIB(32), 8, 4) };
static const struct cfg_field l2_fields[] = { CACHE_FIELDS(true, MIB(1), 16, 14) };
static const struct cfg_field l3_fields[] = { CACHE_FIELDS(true, MIB(32), 16, 50) };
static const struct cfg_table l1_table = CFG_TABLE("l1", struct cache_cfg, l1_fields, cache_validate);
static const struct cfg_table l2_table = CFG_TABLE("l2", struct cache_cfg, l2_fields, cache_validate);
static const struct cfg_table l3_table = CFG_TABLE("l3", struct cache_cfg, l3_fields, cache_validate);

static const struct cfg_field caches_fields[] = {
	CFG_F_OBJ(struct caches_cfg, l1i, l1_table, "per-CPU instruction cache"),
	CFG_F_OBJ(struct caches_cfg, l1d, l1_table, "per-CPU data cache"),
	CFG_F_OBJ(struct caches_cfg, l2, l2_table, "per-CPU unified L2"),
	CFG_F_OBJ(struct caches_cfg, l3, l3_table, "shared per socket"),
};
const struct cfg_table caches_cfg_table = CFG_TABLE("caches", struct caches_cfg, caches_fields, NULL);

static int tlb_array_validate(void *obj, const char *path, char *err, size_t errlen)
{
	struct tlb_array_cfg *t = obj;

	if (!t->entries)
		return 0;
	if (!t->ways || t->entries % t->ways)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s.ways: %u does not divide entries %u", path,
				t->ways, t->entries);
	return 0;
}

#define TLB_ARRAY_TABLE(name, ent, w)                                                                \
	static const struct cfg_field name##_fields[] = {                                             \
		CFG_F_U32(struct tlb_array_cfg, entries, 0, 65536, ent, "entries (0: not cached)"), \
		CFG_F_U32(struct tlb_array_cfg, ways, 0, 65536, w, "ways (= entries: fully associative)"), \
	};                                                                                            \
	static const struct cfg_table name##_table = CFG_TABLE(#name, struct tlb_array_cfg, name##_fields, tlb_array_validate)

TLB_ARRAY_TABLE(l1d_4k, 64, 4);
TLB_ARRAY_TABLE(l1d_2m, 32, 4);
TLB_ARRAY_TABLE(l1d_1g, 4, 4);
TLB_ARRAY_TABLE(l1i_4k, 128, 8);
TLB_ARRAY_TABLE(l1i_2m, 8, 8);
TLB_ARRAY_TABLE(stlb, 1536, 12);
TLB_ARRAY_TABLE(stlb_1g, 16, 4);

static const struct cfg_field tlb_fields[] = {
	CFG_F_OBJ(struct tlb_cfg, l1d_4k, l1d_4k_table, "L1 DTLB, 4 KiB pages"),
	CFG_F_OBJ(struct tlb_cfg, l1d_2m, l1d_2m_table, "L1 DTLB, 2 MiB pages"),
	CFG_F_OBJ(struct tlb_cfg, l1d_1g, l1d_1g_table, "L1 DTLB, 1 GiB pages"),
	CFG_F_OBJ(struct tlb_cfg, l1i_4k, l1i_4k_table, "L1 ITLB, 4 KiB pages"),
	CFG_F_OBJ(struct tlb_cfg, l1i_2m, l1i_2m_table, "L1 ITLB, 2 MiB pages"),
	CFG_F_OBJ(struct tlb_cfg, stlb, stlb_table, "unified L2 TLB for 4 KiB and 2 MiB pages"),
	CFG_F_OBJ(struct tlb_cfg, stlb_1g, stlb_1g_table, "L2 TLB for 1 GiB pages"),
	CFG_F_U32(struct tlb_cfg, l1_latency, 0, 100, 0, "extra cycles of an L1 TLB hit"),
	CFG_F_U32(struct tlb_cfg, stlb_latency, 0, 200, 8, "cycles of an STLB lookup"),
	CFG_F_U32(struct tlb_cfg, pwc_l4, 0, 4096, 2, "page-walk cache entries for top-level (PML4E) entries"),
	CFG_F_U32(struct tlb_cfg, pwc_l3, 0, 4096, 4, "page-walk cache entries for PDPTEs"),
	CFG_F_U32(struct tlb_cfg, pwc_l2, 0, 4096, 32, "page-walk cache entries for PDEs"),
	CFG_F_U32(struct tlb_cfg, pwc_latency, 0, 100, 1, "cycles of a page-walk cache hit"),
	CFG_F_U32(struct tlb_cfg, pwc_ways, 0, 4096, 4,
		  "ways of each page-walk cache (0: fully associative; Sniper's default is 4)"),
	CFG_F_ENUM(struct tlb_cfg, repl, repl_policy_names, REPL_LRU, "replacement policy of all TLB arrays"),
	CFG_F_NS(struct tlb_cfg, ipi, 0, NS(1000000), NS(2000), "ns: one TLB-shootdown IPI round trip"),
	CFG_F_NS(struct tlb_cfg, invlpg, 0, NS(100000), NS(100), "ns: invalidating one local TLB entry"),
};
const struct cfg_table tlb_cfg_table = CFG_TABLE("tlb", struct tlb_cfg, tlb_fields, NULL);

static const struct cfg_field coherence_fields[] = {
	CFG_F_NS(struct coherence_cfg, dir_latency, 0, NS(10000), NS(5), "ns: directory lookup at the home node"),
	CFG_F_NS(struct coherence_cfg, c2c_latency, 0, NS(10000), NS(20),
		 "ns: forwarding a line from another core's private cache (same socket)"),
	CFG_F_U32(struct coherence_cfg, msg_bytes, 1, 256, 16, "bytes of a control message on a link"),
};
const struct cfg_table coherence_cfg_table = CFG_TABLE("coherence", struct coherence_cfg, coherence_fields, NULL);

static int ddr_validate(void *obj, const char *path, char *err, size_t errlen)
{
	struct ddr_cfg *d = obj;

	/* Channels may be 3 or 6 (Westmere, Skylake-SP): hw/ddr.c interleaves by modulo. */
	if (!is_pow2_u64(d->ranks) || !is_pow2_u64(d->bankgroups) || !is_pow2_u64(d->banks))
		return sim_errf(err, errlen, SIM_ECONFIG,
				"%s: ranks, bankgroups and banks must be powers of two", path);
	if (!is_pow2_u64(d->row_size))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s.row_size: must be a power of two", path);
	if (d->tRAS < d->tRCD)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s.tRAS: %u is shorter than tRCD %u", path, d->tRAS, d->tRCD);
	if (d->wq_low >= d->wq_high || d->wq_high > d->write_queue)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: need wq_low < wq_high <= write_queue, got %u, %u, %u", path,
				d->wq_low, d->wq_high, d->write_queue);
	return 0;
}

static const struct cfg_field ddr_fields[] = {
	CFG_F_U32(struct ddr_cfg, channels, 1, 64, 6, "memory channels on this node"),
	CFG_F_U32(struct ddr_cfg, ranks, 1, 16, 1, "ranks per channel"),
	CFG_F_U32(struct ddr_cfg, bankgroups, 1, 16, 4, "bank groups per rank"),
	CFG_F_U32(struct ddr_cfg, banks, 1, 32, 4, "banks per bank group"),
	CFG_F_SIZE(struct ddr_cfg, row_size, 512, MIB(1), KIB(8), "bytes per row across a rank"),
	CFG_F_U32(struct ddr_cfg, bus_bytes, 1, 64, 8, "data bus width, bytes"),
	CFG_F_U32(struct ddr_cfg, burst, 1, 32, 8, "burst length, beats (BL8)"),
	CFG_F_NS(struct ddr_cfg, tCK, 100, NS(10), 750, "ns: memory clock period (DDR4-2666: 0.75)"),
	CFG_F_U32(struct ddr_cfg, tCL, 1, 200, 19, "CAS latency, nCK"),
	CFG_F_U32(struct ddr_cfg, tRCD, 1, 200, 19, "activate to read, nCK"),
	CFG_F_U32(struct ddr_cfg, tRP, 1, 200, 19, "precharge, nCK"),
	CFG_F_U32(struct ddr_cfg, tRAS, 1, 400, 43, "activate to precharge, nCK"),
	CFG_F_U32(struct ddr_cfg, tCCD_L, 1, 100, 7, "column to column, same bank group, nCK"),
	CFG_F_U32(struct ddr_cfg, tRFC, 1, 2000, 467, "refresh cycle, nCK"),
	CFG_F_NS(struct ddr_cfg, tREFI, 0, NS(100000), NS(7800), "ns between refreshes (0: no refresh model)"),
	CFG_F_NS(struct ddr_cfg, frontend, 0, NS(1000), NS(20), "ns: controller queue + PHY, fixed per access"),
	CFG_F_ENUM(struct ddr_cfg, mapping, ddr_mapping_names, DDR_MAP_RO_RA_BA_CH_CO, "physical address to DRAM coordinates"),
	CFG_F_ENUM(struct ddr_cfg, page_policy, ddr_page_policy_names, DDR_OPEN_PAGE, "row-buffer policy"),
	CFG_F_BOOL(struct ddr_cfg, hash, false,
		   "permute channel, bank group and bank by the row, so aligned streams do not pile onto one bank"),
	CFG_F_U32(struct ddr_cfg, write_queue, 1, 4096, 64, "posted writes one channel holds; a full queue stalls the writer"),
	CFG_F_U32(struct ddr_cfg, wq_high, 1, 4096, 40, "pending writes that start a write drain"),
	CFG_F_U32(struct ddr_cfg, wq_low, 0, 4095, 20, "pending writes left when a drain ends"),
	CFG_F_NS(struct ddr_cfg, tWTR, 0, NS(1000), 7500, "ns: end of write data to a read command, same rank (DDR4 tWTR_L 7.5)"),
	CFG_F_U32(struct ddr_cfg, tRTW, 0, 200, 2, "read to write: idle data-bus clocks between the bursts, nCK"),
};
static const struct cfg_table ddr_table = CFG_TABLE("ddr", struct ddr_cfg, ddr_fields, ddr_validate);

static const struct cfg_field cxl_dev_fields[] = {
	CFG_F_NS(struct cxl_dev_cfg, latency, 0, NS(10000), NS(40), "ns a request tracker is held per line"),
	CFG_F_U64(struct cxl_dev_cfg, bandwidth, 0, 10000000, 0,
		  "MB/s of each direction's data path (0: this node is not behind a CXL device)"),
	CFG_F_U32(struct cxl_dev_cfg, queue, 1, 4096, 64, "request trackers (lines in flight in the controller)"),
};
static const struct cfg_table cxl_dev_table = CFG_TABLE("cxl", struct cxl_dev_cfg, cxl_dev_fields, NULL);

static const struct cfg_field node_fields[] = {
	CFG_F_U32(struct node_cfg, socket, 0, HW_MAX_NODES - 1, 0, "socket (package) of this node"),
	CFG_F_U32(struct node_cfg, cpus, 0, HW_MAX_CPUS, 1, "CPUs on this node"),
	CFG_F_SIZE(struct node_cfg, memory, 0, (uint64_t)1 << 50, GIB(1), "memory on this node, bytes"),
	CFG_F_U32_LIST(struct node_cfg, distance, nr_distance, 10, 254, "SLIT row (10 = local)"),
	CFG_F_OBJ(struct node_cfg, ddr, ddr_table, "memory controller of this node"),
	CFG_F_OBJ(struct node_cfg, cxl, cxl_dev_table,
		  "CXL Type-3 expander controller in front of this memory-only node's DDR (hw/cxl.h)"),
};
const struct cfg_table node_cfg_table = CFG_TABLE("node", struct node_cfg, node_fields, NULL);

static const struct cfg_field link_fields[] = {
	{ .key = "a", .type = CFG_U32, .off = offsetof(struct link_cfg, a), .max = HW_MAX_NODES - 1,
	  .flags = CFG_REQUIRED, .doc = "node at one end" },
	{ .key = "b", .type = CFG_U32, .off = offsetof(struct link_cfg, b), .max = HW_MAX_NODES - 1,
	  .flags = CFG_REQUIRED, .doc = "node at the other end" },
	CFG_F_NS(struct link_cfg, latency, 0, NS(100000), NS(25), "ns per traversal"),
	CFG_F_U64(struct link_cfg, bandwidth, 1, 10000000, 20800, "MB/s per direction"),
	CFG_F_U32(struct link_cfg, header, 0, 4096, 0,
		  "bytes of framing each message adds on the wire (headers, CRC): lowers the payload bandwidth"),
	CFG_F_ENUM(struct link_cfg, type, link_type_names, LINK_GENERIC,
		   "generic (framing = header) or cxl (16-byte slots in flits, hw/cxl.h; one end a CXL device node)"),
	CFG_F_U32(struct link_cfg, flit, 68, 256, 68, "cxl: flit size in bytes, 68 (CXL 1.1/2.0) or 256 (CXL 3)"),
};
const struct cfg_table link_cfg_table = CFG_TABLE("link", struct link_cfg, link_fields, NULL);

unsigned hw_cfg_nr_cpus(const struct hw_cfg *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->nr_nodes; i++)
		n += c->nodes[i].cpus;
	return n;
}

unsigned hw_cfg_nr_sockets(const struct hw_cfg *c)
{
	unsigned max = 0;

	for (unsigned i = 0; i < c->nr_nodes; i++)
		if (c->nodes[i].socket + 1 > max)
			max = c->nodes[i].socket + 1;
	return max;
}

/* Link hops between the sockets of every node pair (BFS over links). */
static void link_hops(const struct hw_cfg *c, unsigned hops[HW_MAX_NODES][HW_MAX_NODES])
{
	unsigned n = c->nr_nodes;

	for (unsigned s = 0; s < n; s++) {
		unsigned queue[HW_MAX_NODES], head = 0, tail = 0;
		for (unsigned i = 0; i < n; i++)
			hops[s][i] = UINT32_MAX;
		hops[s][s] = 0;
		queue[tail++] = s;
		while (head < tail) {
			unsigned u = queue[head++];
			for (unsigned l = 0; l < c->nr_links; l++) {
				unsigned v;
				if (c->links[l].a == u)
					v = c->links[l].b;
				else if (c->links[l].b == u)
					v = c->links[l].a;
				else
					continue;
				if (hops[s][v] == UINT32_MAX) {
					hops[s][v] = hops[s][u] + 1;
					queue[tail++] = v;
				}
			}
		}
	}
}

static bool is_cxl_dev(const struct hw_cfg *c, unsigned node)
{
	return c->nodes[node].cxl.bandwidth != 0;
}

/*
 * A CXL device node has no CPUs and is reached only by CXL links; a CXL link
 * has a device at exactly one end (the host side is a socket's node) and
 * takes its framing from its flits, not from `header`.
 */
static int cxl_check(const struct hw_cfg *c, char *err, size_t errlen)
{
	for (unsigned i = 0; i < c->nr_nodes; i++)
		if (is_cxl_dev(c, i) && c->nodes[i].cpus)
			return sim_errf(err, errlen, SIM_ECONFIG,
					"nodes[%u].cxl: a CXL memory device has no CPUs (cpus is %u)", i, c->nodes[i].cpus);
	for (unsigned l = 0; l < c->nr_links; l++) {
		const struct link_cfg *lc = &c->links[l];
		bool da = is_cxl_dev(c, lc->a), db = is_cxl_dev(c, lc->b);
		if (lc->type != LINK_CXL) {
			if (da || db)
				return sim_errf(err, errlen, SIM_ECONFIG,
						"links[%u].type: node %u is a CXL device (nodes[%u].cxl), so its links are \"cxl\"",
						l, da ? lc->a : lc->b, da ? lc->a : lc->b);
			continue;
		}
		if (da == db)
			return sim_errf(err, errlen, SIM_ECONFIG,
					"links[%u]: a cxl link joins a host node and one CXL device node (nodes[].cxl.bandwidth > 0); "
					"here %s", l, da ? "both ends are devices" : "neither end is");
		if (lc->flit != 68 && lc->flit != 256)
			return sim_errf(err, errlen, SIM_ECONFIG, "links[%u].flit: must be 68 or 256, got %u", l, lc->flit);
		if (lc->header)
			return sim_errf(err, errlen, SIM_ECONFIG,
					"links[%u].header: a cxl link's framing comes from its flits; header must be 0", l);
		/* hw/link.c tells a request from a data message by size: a request fits one slot */
		if (c->coherence.msg_bytes > 16)
			return sim_errf(err, errlen, SIM_ECONFIG,
					"coherence.msg_bytes: %u, but a CXL request takes one 16-byte slot (links[%u] is cxl)",
					c->coherence.msg_bytes, l);
	}
	return 0;
}

int hw_cfg_finalize(struct hw_cfg *c, char *err, size_t errlen)
{
	unsigned n = c->nr_nodes;
	unsigned (*h)[HW_MAX_NODES];
	int rc;

	if (n == 0)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes: a machine needs at least one node");
	if (hw_cfg_nr_cpus(c) == 0)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes: a machine needs at least one CPU");
	if (hw_cfg_nr_cpus(c) > HW_MAX_CPUS)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes: %u CPUs in total, at most %u supported",
				hw_cfg_nr_cpus(c), HW_MAX_CPUS);
	if (!c->caches.l1d.enabled || !c->caches.l1i.enabled)
		return sim_errf(err, errlen, SIM_ECONFIG, "caches.l1d: L1 caches cannot be disabled");
	if (c->caches.l3.enabled && c->caches.l3.line != c->caches.l1d.line)
		return sim_errf(err, errlen, SIM_ECONFIG, "caches.l3.line: must equal caches.l1d.line (%u)",
				c->caches.l1d.line);
	if (c->caches.l2.enabled && c->caches.l2.line != c->caches.l1d.line)
		return sim_errf(err, errlen, SIM_ECONFIG, "caches.l2.line: must equal caches.l1d.line (%u)",
				c->caches.l1d.line);
	for (unsigned i = 0; i < n; i++) {
		if (c->nodes[i].memory % 4096)
			return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].memory: must be a multiple of 4096", i);
		if (c->nodes[i].nr_distance && c->nodes[i].nr_distance != n)
			return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].distance: has %u entries, machine has %u nodes",
					i, c->nodes[i].nr_distance, n);
	}
	for (unsigned l = 0; l < c->nr_links; l++) {
		if (c->links[l].a >= n || c->links[l].b >= n)
			return sim_errf(err, errlen, SIM_ECONFIG, "links[%u]: node %u does not exist (machine has %u nodes)",
					l, c->links[l].a >= n ? c->links[l].a : c->links[l].b, n);
		if (c->links[l].a == c->links[l].b)
			return sim_errf(err, errlen, SIM_ECONFIG, "links[%u]: a link needs two different nodes", l);
	}
	if ((rc = cxl_check(c, err, errlen)))
		return rc;
	/* Heap-free scratch: the matrix is 16 KiB, too large for some stacks. */
	h = calloc(HW_MAX_NODES, sizeof(*h));
	if (!h)
		return -SIM_ENOMEM;
	link_hops(c, h);
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < n; j++) {
			if (h[i][j] == UINT32_MAX) {
				free(h);
				return sim_errf(err, errlen, SIM_ECONFIG,
						"links: node %u cannot reach node %u (impossible machine)", i, j);
			}
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct node_cfg *nd = &c->nodes[i];
		if (nd->nr_distance)
			continue;
		for (unsigned j = 0; j < n; j++)
			nd->distance[j] = (i == j) ? 10 : 10 + 10 * h[i][j];
		nd->nr_distance = n;
	}
	free(h);
	for (unsigned i = 0; i < n; i++) {
		if (c->nodes[i].distance[i] != 10)
			return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].distance[%u]: local distance must be 10", i, i);
		for (unsigned j = 0; j < n; j++)
			if (j != i && c->nodes[i].distance[j] <= 10)
				return sim_errf(err, errlen, SIM_ECONFIG,
						"nodes[%u].distance[%u]: remote distance must exceed 10, got %u", i, j,
						c->nodes[i].distance[j]);
	}
	return 0;
}
