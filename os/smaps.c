/*
 * os/smaps.c - /proc/PID/smaps and smaps_rollup from the page tables (see os/smaps.h).
 */
#include <inttypes.h>
#include <string.h>
#include "os/smaps.h"
#include "os/swap.h"
#include "os/thp.h"
#include "os/vmscan.h"

struct smaps_walk {
	struct os *os;
	const struct vma *v;
	struct mem_size_stats *mss;
};

/* smaps_page_accumulate */
static void page_accumulate(struct mem_size_stats *mss, const struct page *pg, uint64_t size, uint64_t pss,
			    bool dirty, bool private)
{
	mss->pss += pss;
	if (page_test(pg, PG_anon))
		mss->pss_anon += pss;
	else if (page_test(pg, PG_swapbacked))
		mss->pss_shmem += pss;
	else
		mss->pss_file += pss;
	if (dirty || page_test(pg, PG_dirty)) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else if (private) {
		mss->private_clean += size;
	} else {
		mss->shared_clean += size;
	}
}

/* smaps_account for the page (nr base pages) a present leaf maps. */
static void account(struct mem_size_stats *mss, const struct page *pg, uint64_t nr, bool young, bool dirty)
{
	uint64_t size = nr * PAGE_SIZE;

	if (page_test(pg, PG_ksm))
		mss->ksm += size;   /* smaps_account: folio_test_ksm */
	if (page_test(pg, PG_anon)) {
		mss->anonymous += size;
		if (!page_test(pg, PG_swapbacked) && !dirty && !page_test(pg, PG_dirty))
			mss->lazyfree += size;
	}
	mss->resident += size;
	if (young || page_test(pg, PG_referenced))
		mss->referenced += size;
	if (pg->refcount == 1) {
		page_accumulate(mss, pg, size, size << PSS_SHIFT, dirty, true);
		return;
	}
	/* a (PMD-mapped) folio's pages share its map count in numasim */
	uint64_t pss = ((uint64_t)PAGE_SIZE << PSS_SHIFT) / (pg->mapcount >= 2 ? (uint64_t)pg->mapcount : 1);
	for (uint64_t i = 0; i < nr; i++)
		page_accumulate(mss, pg, PAGE_SIZE, pss, dirty, pg->mapcount < 2);
}

static int smaps_leaf(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct smaps_walk *w = ctx;
	struct mem_size_stats *mss = w->mss;
	(void)va, (void)slot;

	if (!pte_present(pte)) {
		if (is_swap_pte(pte) && w->os->rcl && w->os->rcl->swap) {
			/* smaps_pte_entry: a swap entry, PSS split by the slot's map count (swp_swapcount) */
			unsigned count = swap_count(w->os->rcl->swap, swp_offset(pte));
			mss->swap += PAGE_SIZE;
			mss->swap_pss += ((uint64_t)PAGE_SIZE << PSS_SHIFT) / (count >= 2 ? count : 1);
		}
		return 0;
	}
	if (pte & PTE_SPECIAL)
		return 0;   /* the zero page: vm_normal_page() gives no page, nothing is counted */
	const struct page *pg = pfn_to_page(w->os->phys, pte_pfn(pte));
	uint64_t nr = pgtable_level_size(level) >> PAGE_SHIFT;
	if (w->v->flags & VM_HUGETLB) {
		/* smaps_hugetlb_range: not in Rss; shared when another mapping holds it */
		if (pg->mapcount >= 2)
			mss->shared_hugetlb += nr * PAGE_SIZE;
		else
			mss->private_hugetlb += nr * PAGE_SIZE;
		return 0;
	}
	if (level == 2) {
		/* smaps_pmd_entry */
		if (page_test(pg, PG_anon))
			mss->anonymous_thp += nr * PAGE_SIZE;
		else if (page_test(pg, PG_swapbacked))
			mss->shmem_thp += nr * PAGE_SIZE;
		else
			mss->file_thp += nr * PAGE_SIZE;
	}
	account(mss, pg, nr, pte & PTE_A, pte & PTE_D);
	return 0;
}

void smaps_gather(struct os *os, const struct process *p, size_t i, struct mem_size_stats *mss)
{
	const struct vma *v = &p->mm.vma[i];
	struct smaps_walk w = { .os = os, .v = v, .mss = mss };

	uint64_t pss0 = mss->pss;

	if (p->pgd_pfn != NO_PGD)
		pgtable_walk(os->pm, p->pgd_pfn, v->start, v->end, smaps_leaf, &w);
	/* smaps_page_accumulate: every page of a VM_LOCKED VMA adds its pss to pss_locked */
	if (v->flags & VM_LOCKED)
		mss->pss_locked += mss->pss - pss0;
}

/* show_vma_header_prefix: @return the characters written (the name, if any, starts at column 73). */
static int header_prefix(FILE *fp, uint64_t start, uint64_t end, const char *perm, uint64_t pgoff, unsigned major,
			 unsigned minor, uint64_t ino)
{
	return fprintf(fp, "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " %02x:%02x %" PRIu64 " ", start, end, perm,
		       pgoff, major, minor, ino);
}

/* seq_pad(m, ' ') to the width seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) set, then the name. */
static void pad_name(FILE *fp, int written, const char *name)
{
	const int width = 25 + 8 * 6 - 1;
	fprintf(fp, "%*s %s\n", written < width ? width - written : 0, "", name);
}

/* show_map_vma */
static void map_line(const struct process *p, const struct vma *v, FILE *fp)
{
	char perm[5] = {
		v->flags & VM_READ ? 'r' : '-', v->flags & VM_WRITE ? 'w' : '-', v->flags & VM_EXEC ? 'x' : '-',
		v->flags & VM_SHARED ? 's' : 'p', 0,
	};
	const char *name = NULL;
	unsigned minor = 0;
	uint64_t ino = 0, pgoff = 0;

	if (v->flags & VM_HUGETLB) {
		name = "/anon_hugepage (deleted)";
		minor = 0x0f;
		ino = v->shm ? v->shm->ino : 0;
		pgoff = v->pgoff << PAGE_SHIFT;
	} else if (v->shm) {
		name = "/dev/zero (deleted)";
		minor = 0x01;
		ino = v->shm->ino;
		pgoff = v->pgoff << PAGE_SHIFT;
	} else if (v->file) {
		pgoff = v->pgoff << PAGE_SHIFT;
	} else if (p->mm.brk_init && v->start <= p->mm.brk && v->end >= p->mm.start_brk) {
		name = "[heap]";   /* vma_is_initial_heap */
	}
	int n = header_prefix(fp, v->start, v->end, perm, pgoff, 0, minor, ino);
	if (name)
		pad_name(fp, n, name);
	else
		fputc('\n', fp);
}

#define SEQ_PUT_DEC(fp, s, bytes) fprintf(fp, "%s%8" PRIu64 " kB\n", s, (uint64_t)(bytes) >> 10)

/* __show_smap */
static void show_mss(const struct mem_size_stats *m, bool rollup, FILE *fp)
{
	SEQ_PUT_DEC(fp, "Rss:            ", m->resident);
	SEQ_PUT_DEC(fp, "Pss:            ", m->pss >> PSS_SHIFT);
	SEQ_PUT_DEC(fp, "Pss_Dirty:      ", m->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		SEQ_PUT_DEC(fp, "Pss_Anon:       ", m->pss_anon >> PSS_SHIFT);
		SEQ_PUT_DEC(fp, "Pss_File:       ", m->pss_file >> PSS_SHIFT);
		SEQ_PUT_DEC(fp, "Pss_Shmem:      ", m->pss_shmem >> PSS_SHIFT);
	}
	SEQ_PUT_DEC(fp, "Shared_Clean:   ", m->shared_clean);
	SEQ_PUT_DEC(fp, "Shared_Dirty:   ", m->shared_dirty);
	SEQ_PUT_DEC(fp, "Private_Clean:  ", m->private_clean);
	SEQ_PUT_DEC(fp, "Private_Dirty:  ", m->private_dirty);
	SEQ_PUT_DEC(fp, "Referenced:     ", m->referenced);
	SEQ_PUT_DEC(fp, "Anonymous:      ", m->anonymous);
	SEQ_PUT_DEC(fp, "KSM:            ", m->ksm);
	SEQ_PUT_DEC(fp, "LazyFree:       ", m->lazyfree);
	SEQ_PUT_DEC(fp, "AnonHugePages:  ", m->anonymous_thp);
	SEQ_PUT_DEC(fp, "ShmemPmdMapped: ", m->shmem_thp);
	SEQ_PUT_DEC(fp, "FilePmdMapped:  ", m->file_thp);
	SEQ_PUT_DEC(fp, "Shared_Hugetlb: ", m->shared_hugetlb);
	fprintf(fp, "Private_Hugetlb: %7" PRIu64 " kB\n", m->private_hugetlb >> 10);
	SEQ_PUT_DEC(fp, "Swap:           ", m->swap);
	SEQ_PUT_DEC(fp, "SwapPss:        ", m->swap_pss >> PSS_SHIFT);
	SEQ_PUT_DEC(fp, "Locked:         ", m->pss_locked >> PSS_SHIFT);
}

/* show_smap_vma_flags: the mnemonics of the set bits, in bit order. */
static void vma_flags(const struct vma *v, FILE *fp)
{
	bool acct = (v->flags & (VM_NORESERVE | VM_SHARED | VM_WRITE | VM_HUGETLB)) == VM_WRITE;
	const struct {
		bool on;
		const char *mn;
	} bits[] = {
		{ v->flags & VM_READ, "rd" }, { v->flags & VM_WRITE, "wr" }, { v->flags & VM_EXEC, "ex" },
		{ v->flags & VM_SHARED, "sh" }, { true, "mr" }, { true, "mw" }, { true, "me" },
		{ v->flags & VM_SHARED, "ms" }, { v->flags & VM_GROWSDOWN, "gd" }, { v->flags & VM_LOCKED, "lo" }, { v->flags & VM_DONTCOPY, "dc" },
		{ v->flags & VM_HUGETLB, "de" }, { acct, "ac" }, { v->flags & VM_NORESERVE, "nr" },
		{ v->flags & VM_HUGETLB, "ht" }, { v->flags & VM_WIPEONFORK, "wf" }, { true, "sd" },
		{ v->flags & VM_HUGEPAGE, "hg" }, { v->flags & VM_NOHUGEPAGE, "nh" },
	};

	fputs("VmFlags: ", fp);
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
		if (bits[i].on)
			fprintf(fp, "%s ", bits[i].mn);
	fputc('\n', fp);
}

/* thp_vma_allowable_orders(TVA_SMAPS): THP allowed and a whole aligned 2 MiB range inside the VMA. */
static bool thp_eligible(const struct os *os, const struct vma *v)
{
	if (v->end - v->start < HPAGE_PMD_SIZE)
		return false;
	uint64_t haddr = (v->end - HPAGE_PMD_SIZE) & ~(HPAGE_PMD_SIZE - 1);
	return haddr >= v->start && thp_vma_suitable(os, v, haddr);
}

void smaps_show(struct os *os, const struct process *p, FILE *fp)
{
	for (size_t i = 0; i < p->mm.nr_vma; i++) {
		const struct vma *v = &p->mm.vma[i];
		struct mem_size_stats mss;
		memset(&mss, 0, sizeof(mss));
		smaps_gather(os, p, i, &mss);
		map_line(p, v, fp);
		SEQ_PUT_DEC(fp, "Size:           ", v->end - v->start);
		SEQ_PUT_DEC(fp, "KernelPageSize: ", 1ULL << v->page_shift);
		SEQ_PUT_DEC(fp, "MMUPageSize:    ", 1ULL << v->page_shift);
		show_mss(&mss, false, fp);
		fprintf(fp, "THPeligible:    %8u\n", thp_eligible(os, v) ? 1u : 0u);
		vma_flags(v, fp);
	}
}

void smaps_rollup_show(struct os *os, const struct process *p, FILE *fp)
{
	struct mem_size_stats mss;
	uint64_t start = 0, end = 0;

	memset(&mss, 0, sizeof(mss));
	for (size_t i = 0; i < p->mm.nr_vma; i++)
		smaps_gather(os, p, i, &mss);
	if (p->mm.nr_vma) {
		start = p->mm.vma[0].start;
		end = p->mm.vma[p->mm.nr_vma - 1].end;
	}
	pad_name(fp, header_prefix(fp, start, end, "---p", 0, 0, 0, 0), "[rollup]");
	show_mss(&mss, true, fp);
}
