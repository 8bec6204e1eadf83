/*
 * os/meminfo.c - /proc/meminfo and per-node meminfo (see os/meminfo.h).
 */
#include <inttypes.h>
#include "os/meminfo.h"
#include "os/zswap.h"
#include "os/hugetlb.h"
#include "os/page_alloc.h"
#include "os/slab.h"
#include "os/swap.h"
#include "os/vmscan.h"

#define K(pages) ((pages) << (PAGE_SHIFT - 10))
#define ISA_END_PFN      (0x100000ULL >> PAGE_SHIFT)   /* 1 MiB */
#define PMD_PAGES        512ULL
#define PUD_PAGES        (512ULL * 512)
/* VMALLOC_END - VMALLOC_START + 1 for 4-level paging: VMALLOC_SIZE_TB = 32 */
#define VMALLOC_TOTAL    ((32ULL << 40) - 1)

uint64_t os_cma_total_pages(const struct os *os)
{
	return physmem_cma_pages(os->phys);   /* the CMA areas' pages (os/cma.c) */
}

uint64_t os_zswap_pool_pages(const struct os *os)
{
	return zswap_pool_pages(os);   /* os/zswap.c: 0 without zswap */
}

uint64_t os_zswap_stored_pages(const struct os *os)
{
	return zswap_stored_pages(os);
}


uint64_t os_committed_as(const struct os *os)
{
	uint64_t pages = 0;

	for (size_t i = 1; i < os->nr_procs; i++) {
		const struct process *p = os->procs[i];
		if (!p->alive)
			continue;
		for (size_t k = 0; k < p->mm.nr_vma; k++) {
			const struct vma *v = &p->mm.vma[k];
			/* accountable_mapping: private writable, without MAP_NORESERVE (hugetlb has its own pool) */
			if ((v->flags & (VM_NORESERVE | VM_SHARED | VM_WRITE | VM_HUGETLB)) == VM_WRITE)
				pages += (v->end - v->start) >> PAGE_SHIFT;
		}
	}
	/* shmem_acct_size: a shared anonymous object is charged once, for its whole size */
	for (size_t i = 1; i < os->nr_procs; i++) {
		const struct process *p = os->procs[i];
		for (size_t k = 0; p->alive && k < p->mm.nr_vma; k++) {
			const struct vma *v = &p->mm.vma[k];
			if (!v->shm || (v->flags & (VM_NORESERVE | VM_HUGETLB)))
				continue;
			bool seen = false;
			for (size_t j = 1; j <= i && !seen; j++) {
				const struct process *q = os->procs[j];
				for (size_t m = 0; q->alive && m < (j == i ? k : q->mm.nr_vma) && !seen; m++)
					seen = q->mm.vma[m].shm == v->shm;
			}
			if (!seen)
				pages += v->shm->nr_slots << (v->shm->page_shift - PAGE_SHIFT);
		}
	}
	return pages;
}

static uint64_t node_managed(const struct os *os, unsigned nid)
{
	uint64_t m = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (!physmem_zone_info(os->phys, nid, z, &zi))
			m += zi.managed;
	}
	return m;
}

static uint64_t node_zone_stat(const struct os *os, unsigned nid, enum zone_stat_item item)
{
	uint64_t v = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		v += zone_stat(os->phys, nid, z, item);
	return v;
}

static uint64_t global_zone_stat(const struct os *os, enum zone_stat_item item)
{
	uint64_t v = 0;
	for (unsigned n = 0; n < os->sys.nr_nodes; n++)
		v += node_zone_stat(os, n, item);
	return v;
}

static uint64_t global_node_stat(const struct os *os, enum node_stat_item item)
{
	uint64_t v = 0;
	for (unsigned n = 0; n < os->sys.nr_nodes; n++)
		v += node_stat(os->phys, n, item);
	return v;
}

/*
 * Linux's NR_FILE_PAGES counts swap-cache pages too (__add_to_swap_cache
 * adds both); numasim's NR_FILE_PAGES is the page cache alone and
 * NR_SWAPCACHE is kept apart, so the Linux value is their sum.
 */
static uint64_t node_file_pages(const struct os *os, unsigned nid)
{
	return node_stat(os->phys, nid, NR_FILE_PAGES) + node_stat(os->phys, nid, NR_SWAPCACHE);
}

uint64_t si_mem_available(const struct os *os)
{
	uint64_t wmark_low = 0;

	for (unsigned n = 0; n < os->sys.nr_nodes; n++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(os->phys, n, z, &zi))
				wmark_low += zi.watermark[WMARK_LOW] + zi.watermark_boost;   /* low_wmark_pages */
		}
	int64_t available = (int64_t)global_zone_stat(os, NR_FREE_PAGES) -
			    (int64_t)physmem_totalreserve_pages(os->phys);
	/* half the page cache, or at least all but the low watermarks, can go without swapping */
	uint64_t pagecache = global_node_stat(os, NR_ACTIVE_FILE) + global_node_stat(os, NR_INACTIVE_FILE);
	pagecache -= SIM_MIN(pagecache / 2, wmark_low);
	available += (int64_t)pagecache;
	/* likewise reclaimable slab and other reclaimable kernel memory */
	uint64_t reclaimable = global_node_stat(os, NR_SLAB_RECLAIMABLE_B) +
			       global_node_stat(os, NR_KERNEL_MISC_RECLAIMABLE);
	available += (int64_t)(reclaimable - SIM_MIN(reclaimable / 2, wmark_low));
	return available < 0 ? 0 : (uint64_t)available;
}

static void show_val_kb(FILE *fp, const char *name, uint64_t pages)
{
	fprintf(fp, "%s%8" PRIu64 " kB\n", name, K(pages));
}

/*
 * x86's direct map (init_mem_mapping, split_mem_range): RAM is mapped
 * before NUMA is set up, so adjacent nodes form one physical range.  The
 * first 1 MiB is mapped with 4 KiB pages; each range then with 4 KiB pages
 * up to the first 2 MiB boundary, 2 MiB pages up to the first 1 GiB
 * boundary, 1 GiB pages, and 2 MiB then 4 KiB pages for the tail.
 * numasim's nodes have no holes.
 */
static void split_mem_range(uint64_t lo, uint64_t hi, uint64_t count[3])
{
	if (lo < ISA_END_PFN) {
		uint64_t e = SIM_MIN(hi, ISA_END_PFN);
		count[0] += e - lo;
		lo = e;
	}
	if (hi <= lo)
		return;
	uint64_t pmd_lo = SIM_MIN((lo + PMD_PAGES - 1) / PMD_PAGES * PMD_PAGES, hi);
	uint64_t pmd_hi = SIM_MAX(hi / PMD_PAGES * PMD_PAGES, pmd_lo);
	uint64_t pud_lo = SIM_MIN((pmd_lo + PUD_PAGES - 1) / PUD_PAGES * PUD_PAGES, pmd_hi);
	uint64_t pud_hi = SIM_MAX(pmd_hi / PUD_PAGES * PUD_PAGES, pud_lo);
	count[0] += (pmd_lo - lo) + (hi - pmd_hi);
	count[1] += ((pud_lo - pmd_lo) + (pmd_hi - pud_hi)) / PMD_PAGES;
	count[2] += (pud_hi - pud_lo) / PUD_PAGES;
}

static void direct_map(const struct os *os, uint64_t count[3])
{
	uint64_t cur_lo = 0, cur_hi = 0;

	count[0] = count[1] = count[2] = 0;
	for (unsigned n = 0; n < os->sys.nr_nodes; n++) {   /* nodes are laid out in ascending order */
		uint64_t lo = UINT64_MAX, hi = 0;
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (physmem_zone_info(os->phys, n, z, &zi) || !zi.spanned)
				continue;
			lo = SIM_MIN(lo, zi.start_pfn);
			hi = SIM_MAX(hi, zi.start_pfn + zi.spanned);
		}
		if (hi <= lo)
			continue;
		if (cur_hi > cur_lo && lo == cur_hi) {
			cur_hi = hi;   /* adjacent: one memblock range */
			continue;
		}
		if (cur_hi > cur_lo)
			split_mem_range(cur_lo, cur_hi, count);
		cur_lo = lo;
		cur_hi = hi;
	}
	if (cur_hi > cur_lo)
		split_mem_range(cur_lo, cur_hi, count);
}

void meminfo_show(const struct os *os, FILE *fp)
{
	uint64_t totalram = 0, freeram = global_zone_stat(os, NR_FREE_PAGES);
	uint64_t swap_pages = 0, swap_free = 0;
	uint64_t file_pages = 0, swapcache = global_node_stat(os, NR_SWAPCACHE);
	struct hugetlb_counts hc;

	for (unsigned n = 0; n < os->sys.nr_nodes; n++) {
		totalram += node_managed(os, n);
		file_pages += node_file_pages(os, n);
	}
	if (os->rcl && os->rcl->swap) {
		swap_pages = swap_total(os->rcl->swap);
		swap_free = swap_pages - swap_used(os->rcl->swap);
	}
	struct hugetlb_counts gc;
	hugetlb_counts(os, &hc, NULL);
	hugetlb_size_counts(os, PAGE_SHIFT + GPAGE_ORDER, &gc, NULL);
	/* hugetlb_total_pages: every hstate's pool, 2 MiB and 1 GiB */
	uint64_t hugetlb_pages = (hc.total << HPAGE_PMD_ORDER) + (gc.total << GPAGE_ORDER);
	/* vm_commit_limit with overcommit_ratio 50 */
	uint64_t commit_limit = (totalram - SIM_MIN(totalram, hugetlb_pages)) * 50 / 100 + swap_pages;
	uint64_t buffers = 0;   /* nr_blockdev_pages: no block-device page cache is modelled */
	uint64_t cached = file_pages - swapcache - buffers;
	uint64_t act_anon = global_node_stat(os, NR_ACTIVE_ANON), inact_anon = global_node_stat(os, NR_INACTIVE_ANON);
	uint64_t act_file = global_node_stat(os, NR_ACTIVE_FILE), inact_file = global_node_stat(os, NR_INACTIVE_FILE);
	uint64_t srecl = global_node_stat(os, NR_SLAB_RECLAIMABLE_B);
	uint64_t sunrecl = global_node_stat(os, NR_SLAB_UNRECLAIMABLE_B);
	uint64_t dm[3];

	show_val_kb(fp, "MemTotal:       ", totalram);
	show_val_kb(fp, "MemFree:        ", freeram);
	show_val_kb(fp, "MemAvailable:   ", si_mem_available(os));
	show_val_kb(fp, "Buffers:        ", buffers);
	show_val_kb(fp, "Cached:         ", cached);
	show_val_kb(fp, "SwapCached:     ", swapcache);
	show_val_kb(fp, "Active:         ", act_anon + act_file);
	show_val_kb(fp, "Inactive:       ", inact_anon + inact_file);
	show_val_kb(fp, "Active(anon):   ", act_anon);
	show_val_kb(fp, "Inactive(anon): ", inact_anon);
	show_val_kb(fp, "Active(file):   ", act_file);
	show_val_kb(fp, "Inactive(file): ", inact_file);
	show_val_kb(fp, "Unevictable:    ", global_node_stat(os, NR_UNEVICTABLE));
	show_val_kb(fp, "Mlocked:        ", global_zone_stat(os, NR_MLOCK));
	show_val_kb(fp, "SwapTotal:      ", swap_pages);
	show_val_kb(fp, "SwapFree:       ", swap_free);
	show_val_kb(fp, "Zswap:          ", os_zswap_pool_pages(os));
	show_val_kb(fp, "Zswapped:       ", os_zswap_stored_pages(os));
	show_val_kb(fp, "Dirty:          ", global_node_stat(os, NR_FILE_DIRTY));
	show_val_kb(fp, "Writeback:      ", global_node_stat(os, NR_WRITEBACK));
	show_val_kb(fp, "AnonPages:      ", global_node_stat(os, NR_ANON_MAPPED));
	show_val_kb(fp, "Mapped:         ", global_node_stat(os, NR_FILE_MAPPED));
	show_val_kb(fp, "Shmem:          ", global_node_stat(os, NR_SHMEM));
	show_val_kb(fp, "KReclaimable:   ", srecl + global_node_stat(os, NR_KERNEL_MISC_RECLAIMABLE));
	show_val_kb(fp, "Slab:           ", srecl + sunrecl);
	show_val_kb(fp, "SReclaimable:   ", srecl);
	show_val_kb(fp, "SUnreclaim:     ", sunrecl);
	fprintf(fp, "KernelStack:    %8" PRIu64 " kB\n", global_node_stat(os, NR_KERNEL_STACK_KB));
	show_val_kb(fp, "PageTables:     ", global_node_stat(os, NR_PAGETABLE));
	show_val_kb(fp, "SecPageTables:  ", global_node_stat(os, NR_SECONDARY_PAGETABLE));
	show_val_kb(fp, "NFS_Unstable:   ", 0);
	show_val_kb(fp, "Bounce:         ", 0);
	show_val_kb(fp, "WritebackTmp:   ", 0);
	show_val_kb(fp, "CommitLimit:    ", commit_limit);
	show_val_kb(fp, "Committed_AS:   ", os_committed_as(os));
	fprintf(fp, "VmallocTotal:   %8" PRIu64 " kB\n", (uint64_t)(VMALLOC_TOTAL >> 10));
	show_val_kb(fp, "VmallocUsed:    ", vmalloc_nr_pages(os));
	show_val_kb(fp, "VmallocChunk:   ", 0);
	show_val_kb(fp, "Percpu:         ", 0);   /* the per-CPU allocator is not modelled */
	fprintf(fp, "HardwareCorrupted: %5" PRIu64 " kB\n", (uint64_t)0);
	show_val_kb(fp, "AnonHugePages:  ", global_node_stat(os, NR_ANON_THPS));
	show_val_kb(fp, "ShmemHugePages: ", global_node_stat(os, NR_SHMEM_THPS));
	show_val_kb(fp, "ShmemPmdMapped: ", global_node_stat(os, NR_SHMEM_PMDMAPPED));
	show_val_kb(fp, "FileHugePages:  ", global_node_stat(os, NR_FILE_THPS));
	show_val_kb(fp, "FilePmdMapped:  ", global_node_stat(os, NR_FILE_PMDMAPPED));
	show_val_kb(fp, "CmaTotal:       ", os_cma_total_pages(os));
	show_val_kb(fp, "CmaFree:        ", global_zone_stat(os, NR_FREE_CMA_PAGES));
	show_val_kb(fp, "Balloon:        ", global_node_stat(os, NR_BALLOON_PAGES));
	hugetlb_report_meminfo(os, fp);
	direct_map(os, dm);
	fprintf(fp, "DirectMap4k:    %8" PRIu64 " kB\n", dm[0] << 2);
	fprintf(fp, "DirectMap2M:    %8" PRIu64 " kB\n", dm[1] << 11);
	fprintf(fp, "DirectMap1G:    %8" PRIu64 " kB\n", dm[2] << 20);
}

void node_meminfo_show(const struct os *os, unsigned nid, FILE *fp)
{
	const physmem_t *pm = os->phys;
	uint64_t total = node_managed(os, nid), free = node_zone_stat(os, nid, NR_FREE_PAGES);
	uint64_t srecl = node_stat(pm, nid, NR_SLAB_RECLAIMABLE_B), sunrecl = node_stat(pm, nid, NR_SLAB_UNRECLAIMABLE_B);
	uint64_t act_anon = node_stat(pm, nid, NR_ACTIVE_ANON), inact_anon = node_stat(pm, nid, NR_INACTIVE_ANON);
	uint64_t act_file = node_stat(pm, nid, NR_ACTIVE_FILE), inact_file = node_stat(pm, nid, NR_INACTIVE_FILE);
	struct hugetlb_counts hc;
	const struct {
		const char *name;
		uint64_t kb;
	} lines[] = {
		{ "MemTotal:       ", K(total) },
		{ "MemFree:        ", K(free) },
		{ "MemUsed:        ", K(total - SIM_MIN(total, free)) },
		{ "SwapCached:     ", K(node_stat(pm, nid, NR_SWAPCACHE)) },
		{ "Active:         ", K(act_anon + act_file) },
		{ "Inactive:       ", K(inact_anon + inact_file) },
		{ "Active(anon):   ", K(act_anon) },
		{ "Inactive(anon): ", K(inact_anon) },
		{ "Active(file):   ", K(act_file) },
		{ "Inactive(file): ", K(inact_file) },
		{ "Unevictable:    ", K(node_stat(pm, nid, NR_UNEVICTABLE)) },
		{ "Mlocked:        ", K(node_zone_stat(os, nid, NR_MLOCK)) },
		{ "Dirty:          ", K(node_stat(pm, nid, NR_FILE_DIRTY)) },
		{ "Writeback:      ", K(node_stat(pm, nid, NR_WRITEBACK)) },
		{ "FilePages:      ", K(node_file_pages(os, nid)) },
		{ "Mapped:         ", K(node_stat(pm, nid, NR_FILE_MAPPED)) },
		{ "AnonPages:      ", K(node_stat(pm, nid, NR_ANON_MAPPED)) },
		{ "Shmem:          ", K(node_stat(pm, nid, NR_SHMEM)) },
		{ "KernelStack:    ", node_stat(pm, nid, NR_KERNEL_STACK_KB) },
		{ "PageTables:     ", K(node_stat(pm, nid, NR_PAGETABLE)) },
		{ "SecPageTables:  ", K(node_stat(pm, nid, NR_SECONDARY_PAGETABLE)) },
		{ "NFS_Unstable:   ", 0 },
		{ "Bounce:         ", 0 },
		{ "WritebackTmp:   ", 0 },
		{ "KReclaimable:   ", K(srecl + node_stat(pm, nid, NR_KERNEL_MISC_RECLAIMABLE)) },
		{ "Slab:           ", K(srecl + sunrecl) },
		{ "SReclaimable:   ", K(srecl) },
		{ "SUnreclaim:     ", K(sunrecl) },
		{ "AnonHugePages:  ", K(node_stat(pm, nid, NR_ANON_THPS)) },
		{ "ShmemHugePages: ", K(node_stat(pm, nid, NR_SHMEM_THPS)) },
		{ "ShmemPmdMapped: ", K(node_stat(pm, nid, NR_SHMEM_PMDMAPPED)) },
		{ "FileHugePages:  ", K(node_stat(pm, nid, NR_FILE_THPS)) },
		{ "FilePmdMapped:  ", K(node_stat(pm, nid, NR_FILE_PMDMAPPED)) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		fprintf(fp, "Node %u %s%8" PRIu64 " kB\n", nid, lines[i].name, lines[i].kb);
	/* hugetlb_report_node_meminfo: the default (2 MiB) hstate */
	hugetlb_node_counts(os, nid, &hc);
	fprintf(fp, "Node %u HugePages_Total: %5" PRIu64 "\n", nid, hc.total);
	fprintf(fp, "Node %u HugePages_Free:  %5" PRIu64 "\n", nid, hc.free);
	fprintf(fp, "Node %u HugePages_Surp:  %5" PRIu64 "\n", nid, hc.surplus);
}
