/*
 * os/page_content.c - declared page contents (see page_content.h).
 *
 * A sorted array of ranges per address space: traces declare few, large
 * regions (a buffer, a heap of replicas), so a declaration is O(n) and a
 * lookup a binary search.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/page_content.h"
#include "sim/err.h"
#include "sim/fault_inject.h"

static int pgc_reserve(struct pgc_map *m, size_t n)
{
	if (n <= m->cap)
		return 0;
	size_t cap = m->cap ? m->cap * 2 : 8;
	while (cap < n)
		cap *= 2;
	struct pgc_range *r = sim_fault_hit(SIM_FAULT_PGC_ALLOC) ? NULL : realloc(m->r, cap * sizeof(*r));
	if (!r)
		return -SIM_ENOMEM;
	m->r = r;
	m->cap = cap;
	return 0;
}

/* Index of the first range with end > addr. */
static size_t pgc_find(const struct pgc_map *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int pgc_declare(struct pgc_map *m, uint64_t start, uint64_t end, uint64_t content, uint32_t compress,
		uint32_t flags)
{
	uint64_t gen = m->gen + 1;

	/* at most one range is split in two, plus the new one */
	if (pgc_reserve(m, m->n + 2))
		return -SIM_ENOMEM;
	size_t i = pgc_find(m, start);
	if (i < m->n && m->r[i].start < start && m->r[i].end > end) {
		/* the new range falls inside one: split it around the hole */
		memmove(&m->r[i + 2], &m->r[i], (m->n - i) * sizeof(m->r[0]));
		m->n += 2;
		m->r[i + 2].start = end;
		m->r[i].end = start;
		m->r[i + 1] = (struct pgc_range){ start, end, content, compress, flags, gen };
		m->gen = gen;
		if (!content && !compress && !flags) {
			memmove(&m->r[i + 1], &m->r[i + 2], (m->n - i - 2) * sizeof(m->r[0]));
			m->n--;
		}
		return 0;
	}
	if (i < m->n && m->r[i].start < start) {
		m->r[i].end = start;   /* keep its head */
		i++;
	}
	size_t j = i;
	while (j < m->n && m->r[j].end <= end)
		j++;                   /* wholly covered: dropped */
	if (j < m->n && m->r[j].start < end)
		m->r[j].start = end;   /* keep its tail */
	bool add = content || compress || flags;
	m->gen = gen;
	size_t keep = (size_t)add;
	memmove(&m->r[i + keep], &m->r[j], (m->n - j) * sizeof(m->r[0]));
	m->n = m->n - (j - i) + keep;
	if (add)
		m->r[i] = (struct pgc_range){ start, end, content, compress, flags, gen };
	return 0;
}

const struct pgc_range *pgc_lookup(const struct pgc_map *m, uint64_t addr)
{
	size_t i = pgc_find(m, addr);
	return i < m->n && m->r[i].start <= addr ? &m->r[i] : NULL;
}

int pgc_move_prepare(struct pgc_map *m, uint64_t old, uint64_t len, uint64_t new_addr, uint64_t new_len,
		     struct pgc_move *mv)
{
	size_t first = pgc_find(m, old), n = 0;

	SIM_BUG_ON(new_len < len);
	*mv = (struct pgc_move){ .old = old, .len = len, .new_addr = new_addr, .new_len = new_len };
	while (first + n < m->n && m->r[first + n].start < old + len)
		n++;
	size_t t = pgc_find(m, new_addr);
	if (!n && (t >= m->n || m->r[t].start >= new_addr + new_len)) {
		mv->noop = true;
		return 0;
	}
	struct pgc_range *moved = !n ? NULL : sim_fault_hit(SIM_FAULT_PGC_ALLOC) ? NULL : malloc(n * sizeof(*moved));
	/*
	 * Room for pgc_move_commit's declarations, so none of them reallocates:
	 * each of the two removals may split one range (+1, and pgc_declare
	 * wants 2 free slots), each re-insert lands in a hole (+1).
	 */
	if ((n && !moved) || pgc_reserve(m, m->n + 4 + 2 * n)) {
		free(moved);
		return -SIM_ENOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		struct pgc_range r = m->r[first + k];
		r.start = SIM_MAX(r.start, old) - old + new_addr;
		r.end = SIM_MIN(r.end, old + len) - old + new_addr;
		moved[k] = r;
	}
	mv->moved = moved;
	mv->n = n;
	return 0;
}

void pgc_move_commit(struct pgc_map *m, struct pgc_move *mv)
{
	if (mv->noop)
		return;
	int rc = pgc_declare(m, mv->old, mv->old + mv->len, 0, 0, 0);
	rc |= pgc_declare(m, mv->new_addr, mv->new_addr + mv->new_len, 0, 0, 0);
	for (size_t k = 0; k < mv->n; k++) {
		const struct pgc_range *r = &mv->moved[k];
		rc |= pgc_declare(m, r->start, r->end, r->content, r->compress, r->flags);
		m->r[pgc_find(m, r->start)].gen = r->gen;
	}
	SIM_BUG_ON(rc);   /* pgc_move_prepare reserved the room */
	pgc_move_abort(mv);
}

void pgc_move_abort(struct pgc_move *mv)
{
	free(mv->moved);
	mv->moved = NULL;
	mv->n = 0;
}

int pgc_copy(struct pgc_map *dst, const struct pgc_map *src)
{
	if (pgc_reserve(dst, src->n))
		return -SIM_ENOMEM;
	if (src->n)
		memcpy(dst->r, src->r, src->n * sizeof(src->r[0]));
	dst->n = src->n;
	dst->gen = src->gen;
	return 0;
}

void pgc_free(struct pgc_map *m)
{
	free(m->r);
	*m = (struct pgc_map){ 0 };
}

void page_content_get(const struct os *os, const struct page *pg, uint64_t *content, uint32_t *compress,
		      uint32_t *flags)
{
	const struct pgc_range *r = NULL;
	(void)os;

	if (page_test(pg, PG_anon) && pg->mapping && !page_test(pg, PG_ksm)) {
		const struct process *p = pg->mapping;
		r = pgc_lookup(&p->pgc, pg->index << PAGE_SHIFT);
	}
	*content = pgc_content(r);
	*compress = r ? r->compress : 0;
	if (flags)
		*flags = r ? r->flags : 0;
}

int os_page_content(struct os *os, int pid, uint64_t addr, uint64_t len, uint64_t content, uint64_t compress,
		    uint64_t flags, char *err, size_t errlen)
{
	struct process *p = pid > 0 && (size_t)pid < os->nr_procs ? os->procs[pid] : NULL;

	if (!p || !p->alive)
		return sim_errf(err, errlen, SIM_ESTATE, "page_content from pid %d, which is not running", pid);
	if (compress > 100)
		return sim_errf(err, errlen, SIM_ERANGE, "page_content: compress %" PRIu64 " is not 0..100 (percent)",
				compress);
	if (flags & ~(uint64_t)PGC_FLAGS)
		return sim_errf(err, errlen, SIM_ERANGE, "page_content: flags 0x%" PRIx64
				" (1: writes keep the content, 2: zero-filled)", flags);
	if ((flags & PGC_ZERO) && content)
		return sim_errf(err, errlen, SIM_ERANGE, "page_content: zero-filled pages (flags 2) take content 0, not %"
				PRIu64, content);
	if (!len)
		return 0;
	uint64_t start = addr & ~(PAGE_SIZE - 1), last = addr + len - 1;
	if (last < addr || last > UINT64_MAX - PAGE_SIZE)
		return sim_errf(err, errlen, SIM_ERANGE, "page_content: addr 0x%" PRIx64 " + len 0x%" PRIx64 " wraps",
				addr, len);
	uint64_t end = (last | (PAGE_SIZE - 1)) + 1;
	if (pgc_declare(&p->pgc, start, end, content, (uint32_t)compress, (uint32_t)flags))
		return sim_errf(err, errlen, SIM_ENOMEM, "page_content: out of memory");
	return 0;
}
