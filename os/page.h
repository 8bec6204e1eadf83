/*
 * os/page.h - the frame descriptor (Linux's struct page) and its list links.
 *
 * One struct page describes one 4 KiB physical frame of the simulated
 * machine.  Descriptors are created lazily, one pageblock (512 frames) at a
 * time, the first time anything needs a frame of that block, so a 1 TiB
 * machine that touches a few GiB pays for a few GiB of descriptors only.
 * Frames never move in host memory once created, so pointers to them stay
 * valid until physmem_destroy().
 *
 * Ownership of the fields follows Linux: the page allocator (os/page_alloc.c)
 * owns PG_buddy/PG_pcp, `order` of free blocks and `lru` while a frame is
 * free; once a frame is handed out, everything else (mapping, index,
 * mapcount, LRU membership, the remaining PG_* bits) belongs to the memory
 * manager above (os-mm: faults, rmap, reclaim, migration).
 */
#ifndef OS_PAGE_H
#define OS_PAGE_H

#include "sim/types.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ULL << PAGE_SHIFT)

/* ---- intrusive doubly linked list (Linux's list_head) ------------------- */

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list_insert_between(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert after the head (the list becomes LIFO when popped from the head). */
static inline void list_add(struct list_head *n, struct list_head *h)
{
	list_insert_between(n, h, h->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	list_insert_between(n, h->prev, h);
}

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = NULL;
}

#define list_entry(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- page flags ------------------------------------------------------------ */

/*
 * Bit numbers of page->flags, Linux's names and meanings.  PG_buddy and
 * PG_pcp are page *types* in Linux (kept in page_type, not flags); here
 * they are two more bits.
 */
#define PAGE_FLAGS(X)                                                              \
	X(PG_locked, "locked")             /* I/O or migration in progress */       \
	X(PG_writeback, "writeback")       /* being written back */                 \
	X(PG_referenced, "referenced")     /* accessed since last reclaim scan */   \
	X(PG_uptodate, "uptodate")         /* contents valid */                     \
	X(PG_dirty, "dirty")               /* must be written back before reuse */  \
	X(PG_lru, "lru")                   /* on an LRU list (page->lru) */         \
	X(PG_head, "head")                 /* first frame of a compound page */     \
	X(PG_tail, "tail")                 /* later frame of a compound page */     \
	X(PG_active, "active")             /* on the active LRU list */             \
	X(PG_workingset, "workingset")     /* refaulted recently */                 \
	X(PG_reserved, "reserved")         /* never given to the allocator */       \
	X(PG_private, "private")           /* page->private is in use */            \
	X(PG_reclaim, "reclaim")           /* rotate to tail after writeback */     \
	X(PG_swapbacked, "swapbacked")     /* anon/shmem: backed by swap */         \
	X(PG_unevictable, "unevictable")   /* on the unevictable list */            \
	X(PG_mlocked, "mlocked")           /* mapped by an mlock()ed VMA */         \
	X(PG_anon, "anon")                 /* anonymous (PAGE_MAPPING_ANON) */      \
	X(PG_swapcache, "swapcache")       /* in the swap cache */                  \
	X(PG_buddy, "buddy")               /* head of a free block in a free list */\
	X(PG_pcp, "pcp")                   /* on a per-CPU free list */                \
	X(PG_hugetlb, "hugetlb")           /* head of a hugetlb page (pool-managed) */ \
	X(PG_ksm, "ksm")                   /* a KSM page: mapping is its stable node (os/ksm.c) */

enum pageflags {
#define PAGE_FLAG_ENUM(id, name) id,
	PAGE_FLAGS(PAGE_FLAG_ENUM)
#undef PAGE_FLAG_ENUM
	NR_PAGEFLAGS
};
_Static_assert(NR_PAGEFLAGS <= 32, "page flags fit 32 bits");
extern const char *const pageflag_names[];

/* ---- the descriptor -------------------------------------------------------- */

struct page {
	uint64_t pfn;             /* this frame's number (physical address >> 12) */
	uint32_t flags;           /* 1u << PG_* */
	int32_t refcount;         /* _refcount: 0 while free, 1 after page_alloc() */
	int32_t mapcount;         /* page-table mappings (Linux's _mapcount + 1) */
	uint8_t order;            /* buddy order of a free head; allocation order of an allocated head */
	uint8_t node;             /* node id */
	uint8_t zone;             /* enum zone_type */
	uint8_t pcp_index;        /* allocator private: pcp list of a PG_pcp frame */
	struct list_head lru;     /* free list, pcp list, or (allocated) an LRU list */
	void *mapping;            /* reverse-map owner: anon_vma / address space / NULL */
	uint64_t index;           /* page offset in the owner (anon: virtual page number) */
	uint64_t private;         /* owner's private word (swap entry, compound head pfn, ...) */
	uint32_t last_cpupid;     /* NUMA balancing: last faulting (cpu + 1) << 8 | pid & 0xff; 0 = none */
	uint32_t mlock_count;     /* on the unevictable list: mlocked VMAs mapping it (folio->mlock_count) */
};

static inline bool page_test(const struct page *p, enum pageflags f)
{
	return (p->flags >> f) & 1u;
}

static inline void page_set(struct page *p, enum pageflags f)
{
	p->flags |= 1u << f;
}

static inline void page_clear(struct page *p, enum pageflags f)
{
	p->flags &= ~(1u << f);
}

static inline struct page *lru_to_page(struct list_head *l)
{
	return list_entry(l, struct page, lru);
}

#endif
