/*
 * os/zram.c - zram as the swap device (see zram.h).
 *
 * One object length per slot, allocated with the device at the first
 * write; the pool and compressor figures are os/zsmalloc.h's.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "os/fault.h"
#include "os/page_content.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "os/zram.h"
#include "os/zsmalloc.h"
#include "sim/err.h"

/*
 * zs_huge_class_size() for 4 KiB pages: objects from this size up fill a
 * zspage of one page alone, so zram stores such pages uncompressed.  3264
 * bytes with zsmalloc's classic 4-page zspages; a longer
 * CONFIG_ZSMALLOC_CHAIN_SIZE raises it somewhat.
 */
#define ZRAM_HUGE_CLASS_SIZE 3264u

struct zram {
	struct os *os;
	uint64_t nr_slots;
	uint32_t *len;            /* per slot: object length, 0 = empty */
	struct zs_pool pool;
	/* mm_stat and stat */
	uint64_t pages_stored, compr_data_size, huge_pages, huge_pages_since, failed_writes;
	uint64_t max_used_pages;  /* update_used_max: after successful stores only */
};

static struct zram *zram_get(struct os *os)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	if (!si || !swap_total(si))
		return NULL;
	struct zram **zp = swap_zram(si);
	if (*zp)
		return *zp;
	struct zram *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->os = os;
	z->nr_slots = swap_total(si) + 1;
	z->len = calloc(z->nr_slots, sizeof(*z->len));
	if (!z->len) {
		free(z);
		return NULL;
	}
	*zp = z;
	return z;
}

static const struct zram *zram_peek(const struct os *os)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	return si ? *swap_zram(si) : NULL;
}

void zram_destroy(struct zram *z)
{
	if (!z)
		return;
	zs_pool_release(&z->pool);
	free(z->len);
	free(z);
}

/* zram_free_page */
static void free_object(struct zram *z, uint64_t off, unsigned cpu)
{
	uint32_t len = z->len[off];
	zs_pool_free(z->os, &z->pool, len, cpu);
	z->compr_data_size -= len;
	z->pages_stored--;
	if (len == PAGE_SIZE)
		z->huge_pages--;
	z->len[off] = 0;
}

void zram_slot_free(struct zram *z, uint64_t off)
{
	if (z && off < z->nr_slots && z->len[off])
		free_object(z, off, 0);
}

static struct zcomp zram_zcomp(const struct zram_cfg *c)
{
	return (struct zcomp){ .alg = c->compressor, .compress_ps = c->compress_cost,
			       .decompress_ps = c->decompress_cost, .whole_from = ZRAM_HUGE_CLASS_SIZE };
}

int zram_write(struct os *os, struct page *pg, uint64_t off, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	const struct zram_cfg *c = &os->cfg.zram;
	struct zram *z = zram_get(os);
	uint32_t len;

	if (!z || off >= z->nr_slots)
		return -SIM_EOOM;
	if (z->len[off])
		free_object(z, off, cpu);   /* overwriting the slot */
	/* at least huge_class_size bytes: write_incompressible_page stores the page as it is */
	const struct zcomp zc = zram_zcomp(c);
	if (zcomp_store(os, &zc, &z->pool, pg, __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE | __GFP_MEMALLOC, cpu,
			now, cost, &len)) {
		z->failed_writes++;
		return -SIM_EOOM;
	}
	bool huge = len == PAGE_SIZE;
	/* zram_can_store_page: within mem_limit */
	if (c->mem_limit && z->pool.nr * PAGE_SIZE > c->mem_limit) {
		zs_pool_free(os, &z->pool, len, cpu);
		z->failed_writes++;
		return -SIM_EOOM;
	}
	z->len[off] = len;
	z->max_used_pages = SIM_MAX(z->max_used_pages, (uint64_t)z->pool.nr);
	z->pages_stored++;
	z->compr_data_size += len;
	if (huge) {
		z->huge_pages++;
		z->huge_pages_since++;
	}
	return 0;
}

void zram_read(struct os *os, uint64_t off, unsigned cpu, sim_time_t *cost)
{
	const struct zram_cfg *c = &os->cfg.zram;
	struct swap_info *si = os->rcl->swap;
	struct zram *z = *swap_zram(si);

	SIM_BUG_ON(!z || off >= z->nr_slots || !z->len[off]);
	/* a huge (uncompressed) object is a copy */
	const struct zcomp zc = zram_zcomp(c);
	*cost += zcomp_load_ps(os, &zc, z->len[off]);
	free_object(z, off, cpu);
}

uint64_t zram_pool_pages(const struct os *os)
{
	const struct zram *z = zram_peek(os);
	return z ? z->pool.nr : 0;
}

uint64_t zram_stored_pages(const struct os *os)
{
	const struct zram *z = zram_peek(os);
	return z ? z->pages_stored : 0;
}

/*
 * mm_stat_show's fields: orig_data_size compr_data_size mem_used_total
 * mem_limit mem_used_max (bytes) same_pages pages_compacted huge_pages
 * huge_pages_since; same-filled pages and compaction are not modelled.
 */
#define ZRAM_MM_STATS 9
static const char *const mm_stat_names[ZRAM_MM_STATS] = {
	"orig_data_size", "compr_data_size", "mem_used_total", "mem_limit", "mem_used_max",
	"same_pages", "pages_compacted", "huge_pages", "huge_pages_since",
};

static void mm_stat(const struct os *os, uint64_t v[ZRAM_MM_STATS])
{
	const struct zram *z = zram_peek(os);
	struct zram none = { 0 };
	if (!z)
		z = &none;
	v[0] = z->pages_stored * (uint64_t)PAGE_SIZE;
	v[1] = z->compr_data_size;
	v[2] = (uint64_t)(z->pool.nr * PAGE_SIZE);
	v[3] = (uint64_t)(os->cfg.zram.mem_limit / PAGE_SIZE * PAGE_SIZE);
	v[4] = z->max_used_pages * (uint64_t)PAGE_SIZE;
	v[5] = v[6] = 0;
	v[7] = z->huge_pages;
	v[8] = z->huge_pages_since;
}

void zram_mm_stat(const struct os *os, FILE *fp)
{
	uint64_t v[ZRAM_MM_STATS];
	mm_stat(os, v);
	for (unsigned i = 0; i < ZRAM_MM_STATS; i++)
		fprintf(fp, "%s%8" PRIu64, i ? " " : "", v[i]);
	fputc('\n', fp);
}

void zram_report(const struct os *os, rep_t *r)
{
	uint64_t v[ZRAM_MM_STATS];
	const struct zram *z = zram_peek(os);
	if (!os->cfg.zram.enabled)
		return;   /* runs without zram keep their report */
	mm_stat(os, v);
	rep_obj_begin(r, "zram");
	for (unsigned i = 0; i < ZRAM_MM_STATS; i++)
		rep_u64(r, mm_stat_names[i], v[i]);
	rep_u64(r, "failed_writes", z ? z->failed_writes : 0);
	rep_arr_begin(r, "pool_pages_per_node");
	for (unsigned nid = 0; nid < os->sys.nr_nodes; nid++)
		rep_u64(r, NULL, z && nid < 64 ? z->pool.node_pages[nid] : 0);
	rep_arr_end(r);
	rep_obj_end(r);
}
