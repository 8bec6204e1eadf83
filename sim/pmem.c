/*
 * sim/pmem.c - sparse frame store: open addressing with linear probing and
 * tombstone-free deletion (backward shift), grown at 50% load.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "sim/pmem.h"

struct slot {
	uint64_t pfn;      /* key + 1; 0 marks an empty slot */
	uint64_t *data;    /* 512 words */
};

struct pmem {
	struct slot *tab;
	size_t cap;        /* power of two */
	size_t n;
};

static inline size_t slot_hash(uint64_t pfn, size_t cap)
{
	return (size_t)((pfn * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

int pmem_create(pmem_t **out)
{
	pmem_t *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return -SIM_ENOMEM;
	pm->cap = 1024;
	pm->tab = calloc(pm->cap, sizeof(*pm->tab));
	if (!pm->tab) {
		free(pm);
		return -SIM_ENOMEM;
	}
	*out = pm;
	return 0;
}

void pmem_destroy(pmem_t *pm)
{
	if (!pm)
		return;
	for (size_t i = 0; i < pm->cap; i++)
		free(pm->tab[i].data);
	free(pm->tab);
	free(pm);
}

static struct slot *find(const pmem_t *pm, uint64_t pfn)
{
	size_t i = slot_hash(pfn, pm->cap);

	for (;;) {
		struct slot *s = &pm->tab[i];
		if (s->pfn == pfn + 1)
			return s;
		if (!s->pfn)
			return NULL;
		i = (i + 1) & (pm->cap - 1);
	}
}

static int grow(pmem_t *pm)
{
	size_t ncap = pm->cap * 2;
	struct slot *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -SIM_ENOMEM;
	for (size_t i = 0; i < pm->cap; i++) {
		if (!pm->tab[i].pfn)
			continue;
		size_t j = slot_hash(pm->tab[i].pfn - 1, ncap);
		while (nt[j].pfn)
			j = (j + 1) & (ncap - 1);
		nt[j] = pm->tab[i];
	}
	free(pm->tab);
	pm->tab = nt;
	pm->cap = ncap;
	return 0;
}

static uint64_t *get_or_add(pmem_t *pm, uint64_t pfn)
{
	struct slot *s = find(pm, pfn);
	size_t i;

	if (s)
		return s->data;
	if ((pm->n + 1) * 2 > pm->cap && grow(pm))
		return NULL;
	i = slot_hash(pfn, pm->cap);
	while (pm->tab[i].pfn)
		i = (i + 1) & (pm->cap - 1);
	pm->tab[i].data = calloc(PMEM_PAGE_SIZE / 8, sizeof(uint64_t));
	if (!pm->tab[i].data)
		return NULL;
	pm->tab[i].pfn = pfn + 1;
	pm->n++;
	return pm->tab[i].data;
}

uint64_t pmem_read64(const pmem_t *pm, uint64_t paddr)
{
	const struct slot *s = find(pm, paddr >> PMEM_PAGE_SHIFT);

	return s ? s->data[(paddr & (PMEM_PAGE_SIZE - 1)) >> 3] : 0;
}

int pmem_write64(pmem_t *pm, uint64_t paddr, uint64_t val)
{
	uint64_t *d;

	if (!val && !find(pm, paddr >> PMEM_PAGE_SHIFT))
		return 0;
	d = get_or_add(pm, paddr >> PMEM_PAGE_SHIFT);
	if (!d)
		return -SIM_ENOMEM;
	d[(paddr & (PMEM_PAGE_SIZE - 1)) >> 3] = val;
	return 0;
}

void pmem_clear_page(pmem_t *pm, uint64_t pfn)
{
	struct slot *s = find(pm, pfn);
	size_t i, j;

	if (!s)
		return;
	free(s->data);
	i = (size_t)(s - pm->tab);
	s->pfn = 0;
	s->data = NULL;
	pm->n--;
	/* backward-shift deletion keeps probe chains intact without tombstones */
	j = i;
	for (;;) {
		j = (j + 1) & (pm->cap - 1);
		if (!pm->tab[j].pfn)
			break;
		size_t home = slot_hash(pm->tab[j].pfn - 1, pm->cap);
		bool move = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
		if (move) {
			pm->tab[i] = pm->tab[j];
			pm->tab[j].pfn = 0;
			pm->tab[j].data = NULL;
			i = j;
		}
	}
}

int pmem_copy_page(pmem_t *pm, uint64_t dst_pfn, uint64_t src_pfn)
{
	struct slot *s = find(pm, src_pfn);
	uint64_t *d;

	if (!s) {
		pmem_clear_page(pm, dst_pfn);
		return 0;
	}
	d = get_or_add(pm, dst_pfn);
	if (!d)
		return -SIM_ENOMEM;
	s = find(pm, src_pfn);   /* the table may have grown */
	memcpy(d, s->data, PMEM_PAGE_SIZE);
	return 0;
}

size_t pmem_nr_pages(const pmem_t *pm)
{
	return pm->n;
}
