/*
 * os/mm.c - the sorted VMA array: lookup, insert, split, merge, and the
 * top-down free-area search of mmap.
 *
 * Merging follows is_mergeable_vma + is_mergeable_anon_vma (Linux 6.12
 * mm/vma.c): same flags, same backing object with contiguous file offsets,
 * equal policies (mpol_equal), and anon_vma either unset on one side or the
 * same.  The last rule is why two regions that were faulted separately stay
 * separate lines in numa_maps even after they become otherwise identical.
 */
#include <stdlib.h>
#include <string.h>
#include "os/mm.h"
#include "sim/err.h"

void mm_init(struct mm_struct *mm)
{
	memset(mm, 0, sizeof(*mm));
	/*
	 * mmap_base() without randomisation: TASK_SIZE minus the stack gap,
	 * which is clamped to at least 128 MiB (the familiar 0x7ffff7fff000).
	 */
	mm->mmap_base = TASK_SIZE - (128ULL << 20);
}

void mm_release(struct mm_struct *mm)
{
	free(mm->vma);
	mm->vma = NULL;
	mm->nr_vma = mm->cap_vma = 0;
	mm->vma_seq++;
}

size_t mm_find_idx(const struct mm_struct *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nr_vma;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mm->vma[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct vma *find_vma(const struct mm_struct *mm, uint64_t addr)
{
	size_t i = mm_find_idx(mm, addr);
	return i < mm->nr_vma ? &mm->vma[i] : NULL;
}

struct vma *vma_lookup(const struct mm_struct *mm, uint64_t addr)
{
	struct vma *v = find_vma(mm, addr);
	return v && v->start <= addr ? v : NULL;
}

bool mm_range_busy(const struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct vma *v = find_vma(mm, start);
	return v && v->start < end;
}

static int mm_grow(struct mm_struct *mm)
{
	if (mm->nr_vma < mm->cap_vma)
		return 0;
	size_t cap = mm->cap_vma ? mm->cap_vma * 2 : 16;
	struct vma *n = realloc(mm->vma, cap * sizeof(*n));
	if (!n)
		return -SIM_ENOMEM;
	mm->vma = n;
	mm->cap_vma = cap;
	return 0;
}

long mm_insert(struct mm_struct *mm, const struct vma *v)
{
	size_t i = mm_find_idx(mm, v->start);

	SIM_BUG_ON(v->start >= v->end);
	SIM_BUG_ON(i < mm->nr_vma && mm->vma[i].start < v->end);
	if (mm_grow(mm))
		return -SIM_ENOMEM;
	memmove(&mm->vma[i + 1], &mm->vma[i], (mm->nr_vma - i) * sizeof(*v));
	mm->vma[i] = *v;
	mm->nr_vma++;
	mm->vma_seq++;
	return (long)i;
}

int mm_split(struct mm_struct *mm, size_t idx, uint64_t addr)
{
	SIM_BUG_ON(idx >= mm->nr_vma);
	SIM_BUG_ON(addr <= mm->vma[idx].start || addr >= mm->vma[idx].end);
	if (mm_grow(mm))
		return -SIM_ENOMEM;
	memmove(&mm->vma[idx + 1], &mm->vma[idx], (mm->nr_vma - idx) * sizeof(struct vma));
	mm->nr_vma++;
	mm->vma_seq++;
	struct vma *lo = &mm->vma[idx], *hi = &mm->vma[idx + 1];
	lo->end = addr;
	hi->start = addr;
	hi->pgoff = lo->pgoff + ((addr - lo->start) >> PAGE_SHIFT);
	if (hi->shm)
		hi->shm->refs++;
	return 0;
}

int mm_split_range(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	size_t i = mm_find_idx(mm, start);
	int rc;

	if (i < mm->nr_vma && mm->vma[i].start < start && (rc = mm_split(mm, i, start)))
		return rc;
	i = mm_find_idx(mm, end);
	if (i < mm->nr_vma && mm->vma[i].start < end && end < mm->vma[i].end && (rc = mm_split(mm, i, end)))
		return rc;
	return 0;
}

void mm_remove(struct mm_struct *mm, size_t idx)
{
	SIM_BUG_ON(idx >= mm->nr_vma);
	memmove(&mm->vma[idx], &mm->vma[idx + 1], (mm->nr_vma - idx - 1) * sizeof(struct vma));
	mm->nr_vma--;
	mm->vma_seq++;
}

void mm_vma_set_policy(struct mm_struct *mm, struct vma *v, const struct mempolicy *pol)
{
	v->pol = *pol;
	mm->vma_seq++;
}

bool vma_can_merge(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->flags != b->flags || a->shm != b->shm || a->file != b->file || a->page_shift != b->page_shift)
		return false;
	if (b->pgoff != a->pgoff + ((a->end - a->start) >> PAGE_SHIFT))
		return false;
	if (a->anon_vma && b->anon_vma && a->anon_vma != b->anon_vma)
		return false;
	return mpol_equal(&a->pol, &b->pol);
}

void mm_merge_range(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	size_t i = mm_find_idx(mm, start);

	if (i > 0)
		i--;
	while (i + 1 < mm->nr_vma && mm->vma[i].start <= end) {
		struct vma *a = &mm->vma[i], *b = &mm->vma[i + 1];
		if (!vma_can_merge(a, b)) {
			i++;
			continue;
		}
		a->end = b->end;
		if (!a->anon_vma)
			a->anon_vma = b->anon_vma;
		if (b->shm)
			b->shm->refs--;
		mm_remove(mm, i + 1);
	}
}

static uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

uint64_t mm_get_unmapped_area(const struct mm_struct *mm, uint64_t len, uint64_t align)
{
	uint64_t high = mm->mmap_base, low = MMAP_MIN_ADDR;

	if (!len || len > TASK_SIZE)
		return 0;
	/* top-down: gaps from the highest below mmap_base downwards */
	size_t i = mm_find_idx(mm, high);
	uint64_t gap_end = high;
	if (i < mm->nr_vma && mm->vma[i].start < gap_end)
		gap_end = mm->vma[i].start;
	for (;;) {
		uint64_t gap_start = i > 0 ? mm->vma[i - 1].end : 0;
		if (gap_start < low)
			gap_start = low;
		if (gap_end >= len) {
			uint64_t addr = align_down(gap_end - len, align);
			if (addr >= gap_start && gap_end > gap_start)
				return addr;
		}
		if (i == 0)
			break;
		i--;
		gap_end = mm->vma[i].start;
		if (gap_end <= low)
			break;
	}
	/* bottom-up fallback above mmap_base */
	uint64_t addr = (high + align - 1) & ~(align - 1);
	for (i = mm_find_idx(mm, addr); addr + len <= TASK_SIZE; i++) {
		if (i >= mm->nr_vma || mm->vma[i].start >= addr + len)
			return addr;
		addr = (mm->vma[i].end + align - 1) & ~(align - 1);
	}
	return 0;
}

bool mlock_future_ok(const struct mm_struct *mm, uint64_t flags, uint64_t pages, uint64_t limit)
{
	if (!(flags & VM_LOCKED) || limit == UINT64_MAX)
		return true;
	return mm->locked_vm + pages <= limit;
}

void mm_locked_vm_add(struct mm_struct *mm, uint64_t flags, int64_t pages)
{
	if (!(flags & VM_LOCKED))
		return;
	SIM_BUG_ON(pages < 0 && mm->locked_vm < (uint64_t)-pages);
	mm->locked_vm += (uint64_t)pages;
}

struct vma *mm_expand_stack(struct mm_struct *mm, uint64_t addr, const struct stack_limits *lim)
{
	size_t i = mm_find_idx(mm, addr);

	if (i >= mm->nr_vma || !(mm->vma[i].flags & VM_GROWSDOWN) || mm->vma[i].start <= addr)
		return NULL;
	struct vma *v = &mm->vma[i];
	addr &= ~(PAGE_SIZE - 1);
	if (addr < MMAP_MIN_ADDR)
		return NULL;                       /* -EPERM */
	if (i > 0) {
		const struct vma *prev = &mm->vma[i - 1];
		/* stack_guard_gap: a growing stack keeps its distance from an accessible mapping below */
		if (!(prev->flags & VM_GROWSDOWN) && (prev->flags & VM_ACCESS_FLAGS) && addr - prev->end < lim->guard_gap)
			return NULL;
		if (addr < prev->end)
			return NULL;
	}
	uint64_t grow = (v->start - addr) >> PAGE_SHIFT;
	if (grow > v->pgoff || v->end - addr > lim->rlimit_stack)
		return NULL;                       /* acct_stack_growth: RLIMIT_STACK */
	if (!mlock_future_ok(mm, v->flags, grow, lim->memlock))
		return NULL;                       /* RLIMIT_MEMLOCK */
	v->start = addr;
	v->pgoff -= grow;
	mm_locked_vm_add(mm, v->flags, (int64_t)grow);
	return v;
}

/* ---- shared objects ---------------------------------------------------------- */

#define SHM_CHUNK 512

struct shm_obj *shm_create(uint64_t ino, unsigned page_shift, uint64_t nr_slots)
{
	struct shm_obj *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->refs = 1;
	o->ino = ino;
	o->page_shift = page_shift;
	o->nr_slots = nr_slots;
	o->chunks = calloc((nr_slots + SHM_CHUNK - 1) / SHM_CHUNK + 1, sizeof(*o->chunks));
	if (!o->chunks) {
		free(o);
		return NULL;
	}
	return o;
}

uint64_t shm_get(const struct shm_obj *o, uint64_t slot)
{
	if (slot >= o->nr_slots || !o->chunks[slot / SHM_CHUNK])
		return 0;
	return o->chunks[slot / SHM_CHUNK][slot % SHM_CHUNK];
}

int shm_set(struct shm_obj *o, uint64_t slot, uint64_t pfn_plus_1)
{
	SIM_BUG_ON(slot >= o->nr_slots);
	uint64_t **c = &o->chunks[slot / SHM_CHUNK];
	if (!*c) {
		if (!pfn_plus_1)
			return 0;
		*c = calloc(SHM_CHUNK, sizeof(**c));
		if (!*c)
			return -SIM_ENOMEM;
	}
	uint64_t *e = &(*c)[slot % SHM_CHUNK];
	o->nr_pages += (pfn_plus_1 != 0) - (*e != 0);
	*e = pfn_plus_1;
	return 0;
}

uint64_t shm_next(const struct shm_obj *o, uint64_t from)
{
	while (from < o->nr_slots) {
		const uint64_t *c = o->chunks[from / SHM_CHUNK];
		if (!c) {
			from = (from / SHM_CHUNK + 1) * SHM_CHUNK;
			continue;
		}
		if (c[from % SHM_CHUNK])
			return from;
		from++;
	}
	return o->nr_slots;
}

void shm_free(struct shm_obj *o)
{
	if (!o)
		return;
	for (uint64_t i = 0; i < (o->nr_slots + SHM_CHUNK - 1) / SHM_CHUNK; i++)
		free(o->chunks[i]);
	free(o->chunks);
	free(o);
}
