/*
 * os/psi.c - memory stall accounting (see psi.h).
 *
 * "some" is the measure of the union of all stall intervals, kept online
 * with the end of the union so far: an interval starting after it adds its
 * length, one overlapping it adds only what sticks out.  "full" needs every
 * busy CPU stalled: a new task interval on CPU c adds its overlap with the
 * latest task interval of every other busy CPU (each CPU's own intervals
 * never overlap: its thread does one thing at a time).
 */
#include <stdlib.h>
#include "os/fault.h"
#include "os/psi.h"
#include "os/vmscan.h"
#include "sim/err.h"

struct psi {
	unsigned nr_cpus;
	sim_time_t some, full, task, kthread;
	uint64_t stalls;
	sim_time_t union_end;     /* end of the union of intervals seen so far */
	sim_time_t *last_s, *last_e;   /* latest task interval per CPU */
	sim_time_t *cpu_total;
	uint8_t *busy;            /* scratch: busy CPUs for the current record */
};

int psi_create(struct psi **out, unsigned nr_cpus)
{
	struct psi *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -SIM_ENOMEM;
	p->nr_cpus = nr_cpus;
	p->last_s = calloc(nr_cpus, sizeof(*p->last_s));
	p->last_e = calloc(nr_cpus, sizeof(*p->last_e));
	p->cpu_total = calloc(nr_cpus, sizeof(*p->cpu_total));
	p->busy = calloc(nr_cpus, 1);
	if (!p->last_s || !p->last_e || !p->cpu_total || !p->busy) {
		psi_destroy(p);
		return -SIM_ENOMEM;
	}
	*out = p;
	return 0;
}

void psi_destroy(struct psi *psi)
{
	if (!psi)
		return;
	free(psi->last_s);
	free(psi->last_e);
	free(psi->cpu_total);
	free(psi->busy);
	free(psi);
}

void psi_record(struct psi *psi, unsigned cpu, sim_time_t start, sim_time_t ps, bool task, const uint8_t *busy)
{
	sim_time_t end = start + ps;

	if (!ps || cpu >= psi->nr_cpus)
		return;
	if (start >= psi->union_end)
		psi->some += ps;
	else if (end > psi->union_end)
		psi->some += end - psi->union_end;
	if (end > psi->union_end)
		psi->union_end = end;
	if (!task) {
		psi->kthread += ps;
		return;
	}
	psi->task += ps;
	psi->stalls++;
	psi->cpu_total[cpu] += ps;
	sim_time_t lo = start, hi = end;
	for (unsigned c = 0; c < psi->nr_cpus && lo < hi; c++) {
		if (c == cpu || !busy || !busy[c])
			continue;
		lo = SIM_MAX(lo, psi->last_s[c]);
		hi = SIM_MIN(hi, psi->last_e[c]);
	}
	if (lo < hi)
		psi->full += hi - lo;
	psi->last_s[cpu] = start;
	psi->last_e[cpu] = end;
}

static struct psi *os_psi(struct os *os)
{
	return os && os->rcl ? os->rcl->psi : NULL;
}

void psi_memstall_add(struct os *os, unsigned cpu, sim_time_t start, sim_time_t ps)
{
	struct psi *psi = os_psi(os);

	if (!psi || !ps || cpu >= psi->nr_cpus)
		return;
	/* busy CPUs: those that ran a live process */
	for (unsigned c = 0; c < psi->nr_cpus; c++)
		psi->busy[c] = 0;
	for (size_t i = 1; i < os->nr_procs; i++) {
		const struct process *p = os->procs[i];
		if (!p->alive)
			continue;
		for (unsigned c = 0; c < psi->nr_cpus; c++)
			if ((p->cpus_ran[c / 64] >> (c % 64)) & 1)
				psi->busy[c] = 1;
	}
	psi->busy[cpu] = 1;
	psi_record(psi, cpu, start, ps, true, psi->busy);
}

void psi_kthread_add(struct os *os, unsigned cpu, sim_time_t start, sim_time_t ps)
{
	struct psi *psi = os_psi(os);
	if (psi)
		psi_record(psi, cpu, start, ps, false, NULL);
}

void psi_get(const struct psi *psi, struct psi_totals *out)
{
	out->some = psi->some;
	out->full = psi->full;
	out->task = psi->task;
	out->kthread = psi->kthread;
	out->stalls = psi->stalls;
}

sim_time_t psi_cpu_stall(const struct psi *psi, unsigned cpu)
{
	return cpu < psi->nr_cpus ? psi->cpu_total[cpu] : 0;
}
