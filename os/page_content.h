/*
 * os/page_content.h - what a page holds, as far as the memory manager can
 * tell: a content id and a compressed size.
 *
 * Traces carry addresses, never data, yet two mechanisms depend on the
 * data: KSM merges pages with identical contents (os/ksm.c) and zswap/zram
 * store pages compressed (os/zswap.c).  A trace therefore declares contents
 * with the page_content control record (docs/trace-format.md):
 *
 *   page_content addr len content compress flags
 *
 * says that the pages overlapping [addr, addr + len) of the process hold
 * content id `content` and compress to `compress` percent of a page.
 *   - content 0: every page is unique (the default for undeclared memory);
 *     pages with the same non-zero id hold identical bytes, in this process
 *     and in every other one (ids are global, like a checksum);
 *   - compress 0: unknown, the machine's os.zswap.default_compress applies;
 *     1..100: compressed size in percent of 4 KiB; 100 means incompressible;
 *   - flags: PGC_KEEP (1): writes keep the content (the program rewrites
 *     the same data); without it a page written after it was first filled
 *     holds unique data from then on, until another record covers it.
 *     PGC_ZERO (2): the pages are zero-filled (content must be 0): swap-out
 *     only notes them in the swap zeromap, and KSM merges them as one
 *     content (use_zero_pages is 0).
 * The declaration describes the data the first writes put there.  Whether
 * a page was written again is known where it matters, in ksmd, from the
 * page-table dirty bit (os/ksm.c); the compressed size is not affected.
 *
 * Declarations are per process (an mm property: threads share them; fork
 * copies them, as the child's memory starts as a copy of the parent's;
 * mremap moves them with the pages, pgc_move_prepare and pgc_move_commit).
 * They cost nothing to runs that make none: the lookups happen only at
 * swap-out, swap-in and in ksmd.
 */
#ifndef OS_PAGE_CONTENT_H
#define OS_PAGE_CONTENT_H

#include "sim/types.h"

#define PGC_KEEP 1u               /* flags: rewrites keep the content */
#define PGC_ZERO 2u               /* flags: zero-filled pages */
#define PGC_FLAGS (PGC_KEEP | PGC_ZERO)
#define PGC_ZERO_CONTENT UINT64_MAX   /* the content id zero-filled pages share (KSM) */

struct pgc_range {
	uint64_t start, end;      /* [start, end), page aligned */
	uint64_t content;         /* 0: unique */
	uint32_t compress;        /* percent of a page; 0: unknown */
	uint32_t flags;           /* PGC_* */
	uint64_t gen;             /* which declaration of the map (1, 2, ...): a re-declaration resets rewrites */
};

/* The declarations of one address space, sorted by start, non-overlapping. */
struct pgc_map {
	struct pgc_range *r;
	size_t n, cap;
	uint64_t gen;             /* declarations so far */
};

/*
 * Declare [start, end) (page aligned, start < end): earlier declarations
 * overlapping it are cut away; content 0 with compress 0 only removes.
 * @return 0 or -SIM_ENOMEM (the map is unchanged then).
 */
int pgc_declare(struct pgc_map *m, uint64_t start, uint64_t end, uint64_t content, uint32_t compress,
		uint32_t flags);
/* The declaration covering addr, or NULL. */
const struct pgc_range *pgc_lookup(const struct pgc_map *m, uint64_t addr);
/*
 * mremap's move (move_vma): the declarations of [old, old + len) go to
 * [new, new + len) with the pages they describe, keeping their generation
 * (a move is not a re-declaration); what the target [new, new + new_len)
 * declared before is replaced, holes and a grown tail (new_len > len)
 * included, and [old, old + len) is left undeclared.  The ranges must not
 * overlap; new_len >= len.
 *
 * Two steps, so that nothing can fail once the page tables have moved:
 * pgc_move_prepare copies the declarations to move and reserves the room
 * the move needs (@return 0 or -SIM_ENOMEM, nothing changed and nothing
 * to free); then exactly one of pgc_move_commit (m must not have changed
 * in between; cannot fail) or pgc_move_abort.
 */
struct pgc_move {
	struct pgc_range *moved;
	size_t n;
	uint64_t old, len, new_addr, new_len;
	bool noop;   /* nothing declared on either side: the commit changes nothing (not even the generation) */
};
int pgc_move_prepare(struct pgc_map *m, uint64_t old, uint64_t len, uint64_t new_addr, uint64_t new_len,
		     struct pgc_move *mv);
void pgc_move_commit(struct pgc_map *m, struct pgc_move *mv);
void pgc_move_abort(struct pgc_move *mv);
/* dst becomes a copy of src (fork).  @return 0 or -SIM_ENOMEM. */
int pgc_copy(struct pgc_map *dst, const struct pgc_map *src);
void pgc_free(struct pgc_map *m);

struct os;
struct page;

/* The content id a declaration gives its pages (PGC_ZERO_CONTENT for zero-filled ones). */
static inline uint64_t pgc_content(const struct pgc_range *r)
{
	return r ? ((r->flags & PGC_ZERO) ? PGC_ZERO_CONTENT : r->content) : 0;
}

/*
 * The content of an anonymous page: the declaration of its owner at its
 * address (page->mapping is the owning process, page->index the virtual
 * page).  *content (pgc_content), *compress and *flags (may be NULL) are 0
 * when nothing is declared.
 */
void page_content_get(const struct os *os, const struct page *pg, uint64_t *content, uint32_t *compress,
		      uint32_t *flags);

/*
 * The page_content control record of thread `tid` of pid: validates and
 * declares.  addr + len must not wrap; compress must be 0..100; flags PGC_FLAGS.
 * @return 0, or a negative code with err naming the argument.
 */
int os_page_content(struct os *os, int pid, uint64_t addr, uint64_t len, uint64_t content, uint64_t compress,
		    uint64_t flags, char *err, size_t errlen);

#endif
