/*
 * os/memory_hotplug.c - memory blocks, online_pages and offline_pages
 * (Linux 6.18 mm/memory_hotplug.c, drivers/base/memory.c,
 * arch/x86/mm/init_64.c probe_memory_block_size).  See os/memory_hotplug.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/contig.h"
#include "os/memory_hotplug.h"
#include "os/memory_tiers.h"
#include "sim/err.h"

#define MIN_MEMORY_BLOCK_SIZE     (128ULL << 20)   /* 1 << SECTION_SIZE_BITS */
#define MAX_BLOCK_SIZE            (2ULL << 30)
#define MEM_SIZE_FOR_LARGE_BLOCK  (64ULL << 30)

struct memory_block {
	uint64_t index;           /* phys_index: memoryN */
	unsigned nid;
	bool online;
};

struct memory_blocks {
	uint64_t block_pages;
	size_t nr;
	struct memory_block *b;
	uint64_t offline_success, offline_ebusy, online_success, pages_offlined, pages_onlined;
	sim_time_t offline_ps;
};

uint64_t memory_block_size_bytes(const struct os *os)
{
	return os->mblocks ? os->mblocks->block_pages << PAGE_SHIFT : 0;
}

/* Node span [*lo, *hi) from its zones; false for a node without any. */
static bool node_span(physmem_t *pm, unsigned nid, uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (physmem_zone_info(pm, nid, (enum zone_type)z, &zi) || !zi.spanned)
			continue;
		*lo = SIM_MIN(*lo, zi.start_pfn);
		*hi = SIM_MAX(*hi, zi.start_pfn + zi.spanned);
	}
	return *hi > 0;
}

int memory_blocks_init(struct os *os, char *err, size_t errlen)
{
	physmem_t *pm = os->phys;
	unsigned nr_nodes = physmem_nr_nodes(pm);
	uint64_t bz = os->cfg.memory_block_size, max_end = 0, lo, hi;

	for (unsigned n = 0; n < nr_nodes; n++)
		if (node_span(pm, n, &lo, &hi))
			max_end = SIM_MAX(max_end, hi);
	if (bz && (bz < MIN_MEMORY_BLOCK_SIZE || bz > MAX_BLOCK_SIZE || (bz & (bz - 1))))
		return sim_errf(err, errlen, SIM_ECONFIG,
				"os.memory_block_size: %" PRIu64 " is not a power of two in 128 MiB..2 GiB", bz);
	/* probe_memory_block_size on bare metal: 128 MiB below 64 GiB of address space, else 2 GiB */
	if (!bz)
		bz = (max_end << PAGE_SHIFT) < MEM_SIZE_FOR_LARGE_BLOCK ? MIN_MEMORY_BLOCK_SIZE : MAX_BLOCK_SIZE;
	struct memory_blocks *mb = calloc(1, sizeof(*mb));
	if (!mb)
		return sim_errf(err, errlen, SIM_ENOMEM, "memory hotplug: out of host memory");
	mb->block_pages = bz >> PAGE_SHIFT;
	size_t nr = (size_t)((max_end + mb->block_pages - 1) / mb->block_pages);
	mb->b = calloc(nr ? nr : 1, sizeof(*mb->b));
	if (!mb->b) {
		free(mb);
		return sim_errf(err, errlen, SIM_ENOMEM, "memory hotplug: out of host memory");
	}
	/* a block belongs to the node holding its first present page (memory blocks never span nodes in Linux) */
	for (unsigned n = 0; n < nr_nodes; n++) {
		if (!node_span(pm, n, &lo, &hi))
			continue;
		for (uint64_t i = lo / mb->block_pages; i * mb->block_pages < hi; i++) {
			if (mb->nr && mb->b[mb->nr - 1].index == i)
				continue;   /* shared with the previous node: stays with it */
			mb->b[mb->nr++] = (struct memory_block){ .index = i, .nid = n, .online = true };
		}
	}
	os->mblocks = mb;
	return 0;
}

void memory_blocks_destroy(struct os *os)
{
	if (!os->mblocks)
		return;
	free(os->mblocks->b);
	free(os->mblocks);
	os->mblocks = NULL;
}

static struct memory_block *find_block(const struct os *os, uint64_t index)
{
	struct memory_blocks *mb = os->mblocks;
	for (size_t i = 0; i < mb->nr; i++)
		if (mb->b[i].index == index)
			return &mb->b[i];
	return NULL;
}

/* The block's zone when it lies wholly in one, else -1 (test_pages_in_a_zone). */
static int block_zone(const struct os *os, const struct memory_block *b)
{
	uint64_t s = b->index * os->mblocks->block_pages, e = s + os->mblocks->block_pages;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (physmem_zone_info(os->phys, b->nid, (enum zone_type)z, &zi) || !zi.spanned)
			continue;
		if (s >= zi.start_pfn && e <= zi.start_pfn + zi.spanned)
			return (int)z;
	}
	return -1;
}

/*
 * Keep the policy layer's N_MEMORY in step (node_states_clear_node /
 * node_states_set_node), and with it the memory tiers: a change of the
 * node's state is the MEM_ONLINE / MEM_OFFLINE notification with
 * status_change_nid set that memtier_hotplug_callback acts on.
 */
static void update_memory_nodes(struct os *os, unsigned nid)
{
	bool had = node_isset(nid, &os->sys.memory_nodes), has = false;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (!physmem_zone_info(os->phys, nid, (enum zone_type)z, &zi) && zi.present)
			has = true;
	}
	if (has)
		node_set(nid, &os->sys.memory_nodes);
	else
		os->sys.memory_nodes.bits[nid / 64] &= ~(1ULL << (nid % 64));
	if (had != has)
		memory_tiers_hotplug(os);
}

int memory_offline(struct os *os, uint64_t index, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct memory_blocks *mb = os->mblocks;
	struct memory_block *b = find_block(os, index);
	physmem_t *pm = os->phys;

	if (!b || !b->online || block_zone(os, b) < 0)
		return -SIM_ERANGE;
	uint64_t s = index * mb->block_pages, e = s + mb->block_pages;
	int rc = start_isolate_page_range(pm, s, e, true, NULL);
	if (rc) {
		mb->offline_ebusy += rc == -SIM_EBUSY;
		return rc;
	}
	sim_time_t spent = 0;
	uint64_t busy = UINT64_MAX;
	for (;;) {
		uint64_t left = migrate_range_out(os, s, e, MR_MEMORY_HOTPLUG, b->nid, true, cpu, now + spent, &spent);
		if (!left || left >= busy)
			break;   /* done, or a pass that freed nothing: Linux would spin until a signal */
		busy = left;
	}
	*cost += spent;
	mb->offline_ps += spent;
	if (test_pages_isolated(pm, s, e) != e) {
		/* offline_pages' failed_removal_isolated: each pageblock gets back its own type (6.16+) */
		undo_isolate_page_range(pm, s, e);
		mb->offline_ebusy++;
		return -SIM_EBUSY;
	}
	mb->pages_offlined += offline_isolated_pages(pm, s, e);
	mb->offline_success++;
	b->online = false;
	update_memory_nodes(os, b->nid);
	return 0;
}

/* zone_for_pfn_range for an offline block. */
static int online_zone(const struct os *os, const struct memory_block *b, enum mmop type)
{
	int zid = block_zone(os, b);
	if (zid < 0)
		return -1;
	if (type == MMOP_ONLINE_MOVABLE)
		return ZONE_MOVABLE;
	if (type == MMOP_ONLINE_KERNEL)
		return zid == ZONE_MOVABLE ? ZONE_NORMAL : zid;
	return zid;   /* default_zone_for_pfn: the zone whose span holds it */
}

int memory_online(struct os *os, uint64_t index, enum mmop type)
{
	struct memory_blocks *mb = os->mblocks;
	struct memory_block *b = find_block(os, index);

	if (!b || b->online)
		return -SIM_ERANGE;
	int zid = online_zone(os, b, type);
	uint64_t s = index * mb->block_pages, e = s + mb->block_pages;
	if (zid < 0)
		return -SIM_ERANGE;
	int rc = online_isolated_range(os->phys, s, e, (enum zone_type)zid);
	if (rc)
		return rc;
	b->online = true;
	mb->online_success++;
	mb->pages_onlined += e - s;
	update_memory_nodes(os, b->nid);
	return 0;
}

/* ---- control records ------------------------------------------------------------------------ */

/* memoryN of node `node`, or with block == -1 its highest block in state `online`. */
static struct memory_block *sys_block(struct os *os, uint64_t node, uint64_t block, bool online, char *err,
				      size_t errlen, int *rc)
{
	struct memory_blocks *mb = os->mblocks;
	struct memory_block *b = NULL;

	*rc = 0;
	if (node >= physmem_nr_nodes(os->phys)) {
		*rc = sim_errf(err, errlen, SIM_ERANGE, "ENODEV: node %" PRIu64 " does not exist", node);
		return NULL;
	}
	if ((int64_t)block == -1) {
		for (size_t i = mb->nr; i-- > 0;)
			if (mb->b[i].nid == node && mb->b[i].online == online && block_zone(os, &mb->b[i]) >= 0) {
				b = &mb->b[i];
				break;
			}
		if (!b)
			*rc = sim_errf(err, errlen, SIM_ERANGE, "EINVAL: node %" PRIu64 " has no %s memory block", node,
				       online ? "online" : "offline");
		return b;
	}
	b = find_block(os, block);
	if (!b || b->nid != node) {
		*rc = sim_errf(err, errlen, SIM_ERANGE, "ENODEV: memory%" PRIu64 " is not a block of node %" PRIu64, block,
			       node);
		return NULL;
	}
	return b;
}

int hotplug_sys_offline(struct os *os, uint64_t node, uint64_t block, unsigned cpu, sim_time_t now, sim_time_t *cost,
			char *err, size_t errlen)
{
	int rc;
	struct memory_block *b = sys_block(os, node, block, true, err, errlen, &rc);

	if (!b)
		return rc;
	if (!b->online)
		return 0;   /* memory_subsys_offline: already offline is success */
	rc = memory_offline(os, b->index, cpu, now, cost);
	if (rc == -SIM_EBUSY)
		return sim_errf(err, errlen, SIM_EBUSY, "EBUSY: memory%" PRIu64 " holds a page that cannot move", b->index);
	if (rc)
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: memory%" PRIu64 " does not lie in one zone", b->index);
	return 0;
}

int hotplug_sys_online(struct os *os, uint64_t node, uint64_t block, uint64_t zone, char *err, size_t errlen)
{
	int rc;

	if (zone > MMOP_ONLINE_KERNEL)
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: zone %" PRIu64 " (0 online, 1 online_movable, "
				"2 online_kernel)", zone);
	struct memory_block *b = sys_block(os, node, block, false, err, errlen, &rc);
	if (!b)
		return rc;
	if (b->online)
		return 0;
	rc = memory_online(os, b->index, (enum mmop)zone);
	if (rc)
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: memory%" PRIu64 " cannot be onlined to that zone",
				b->index);
	return 0;
}

/* ---- views ------------------------------------------------------------------------------------ */

/* valid_zones_show: an online block's zone; an offline one's default zone, then the others allowed. */
static void valid_zones(const struct os *os, const struct memory_block *b, FILE *fp)
{
	uint64_t s = b->index * os->mblocks->block_pages, e = s + os->mblocks->block_pages;
	int zid = block_zone(os, b);

	if (zid < 0) {
		fputs("none", fp);
		return;
	}
	if (b->online) {
		fputs(zone_names[zid], fp);
		return;
	}
	int def = online_zone(os, b, MMOP_ONLINE);
	fputs(zone_names[def], fp);
	for (int t = MMOP_ONLINE_KERNEL; t >= MMOP_ONLINE_MOVABLE; t--) {
		int z = online_zone(os, b, (enum mmop)t);
		if (z != def && online_zone_allowed(os->phys, s, e, (enum zone_type)z))
			fprintf(fp, " %s", zone_names[z]);
	}
}

void memory_blocks_dump(const struct os *os, FILE *fp)
{
	const struct memory_blocks *mb = os->mblocks;

	if (!mb)
		return;
	fprintf(fp, "/sys/devices/system/memory/block_size_bytes:%" PRIx64 "\n", mb->block_pages << PAGE_SHIFT);
	for (size_t i = 0; i < mb->nr; i++) {
		const struct memory_block *b = &mb->b[i];
		const char *dir = "/sys/devices/system/memory/memory";
		fprintf(fp, "%s%" PRIu64 "/node:%u\n", dir, b->index, b->nid);
		fprintf(fp, "%s%" PRIu64 "/phys_index:%08" PRIx64 "\n", dir, b->index, b->index);
		fprintf(fp, "%s%" PRIu64 "/state:%s\n", dir, b->index, b->online ? "online" : "offline");
		fprintf(fp, "%s%" PRIu64 "/valid_zones:", dir, b->index);
		valid_zones(os, b, fp);
		fputc('\n', fp);
	}
}

void memory_hotplug_report(const struct os *os, rep_t *r)
{
	const struct memory_blocks *mb = os->mblocks;

	if (!mb || !(mb->offline_success + mb->offline_ebusy + mb->online_success))
		return;
	rep_obj_begin(r, "memory_hotplug");
	rep_u64(r, "block_size_bytes", mb->block_pages << PAGE_SHIFT);
	rep_u64(r, "offline_success", mb->offline_success);
	rep_u64(r, "offline_ebusy", mb->offline_ebusy);
	rep_u64(r, "online_success", mb->online_success);
	rep_u64(r, "pages_offlined", mb->pages_offlined);
	rep_u64(r, "pages_onlined", mb->pages_onlined);
	rep_u64(r, "offline_ps", mb->offline_ps);
	rep_obj_end(r);
}
