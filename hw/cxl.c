/*
 * hw/cxl.c - CXL flit arithmetic and the Type-3 device controller (cxl.h).
 *
 * The controller is booked like the links and DDR buses (sim/resv.h): each
 * tracker and each direction's data path is a calendar, so a line that is
 * resolved later but arrives earlier still finds the gap it would have had.
 * A line takes the tracker that frees first (lowest index on ties), holds
 * it for `latency`, then moves over the data path of its direction.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/cxl.h"
#include "sim/err.h"

static const struct stat_desc cxl_dev_stat_desc[] = { CXL_DEV_STATS(STAT_DESC) };
STAT_TABLE_CHECK(cxl_dev_stat_desc, NR_CXL_DEV_STATS);

uint32_t cxl_flit_slots(uint32_t flit)
{
	switch (flit) {
	case 68:  return 4;    /* 2 B protocol id + 4 x 16 B + 2 B CRC */
	case 256: return 15;   /* 2 B header + 15 x 16 B + 8 B CRC + 6 B FEC */
	default:  return 0;
	}
}

sim_time_t cxl_serialize(uint32_t flit, uint32_t bytes, uint64_t mbps)
{
	uint64_t num = (uint64_t)cxl_msg_slots(bytes) * flit * 1000000u;
	uint64_t den = (uint64_t)cxl_flit_slots(flit) * mbps;

	SIM_BUG_ON(!den);
	return (num + den - 1) / den;
}

uint64_t cxl_wire_bytes(uint32_t flit, uint32_t bytes)
{
	uint64_t num = (uint64_t)cxl_msg_slots(bytes) * flit, den = cxl_flit_slots(flit);

	SIM_BUG_ON(!den);
	return (num + den - 1) / den;
}

int cxl_dev_init(struct cxl_dev *d, unsigned node, const struct cxl_dev_cfg *cfg)
{
	memset(d, 0, sizeof(*d));
	d->node = node;
	d->latency = cfg->latency;
	d->mbps = cfg->bandwidth;
	d->nr_trackers = cfg->queue;
	d->trackers = calloc(cfg->queue, sizeof(*d->trackers));
	if (!d->trackers)
		return -SIM_ENOMEM;
	for (unsigned i = 0; i < d->nr_trackers; i++)
		resv_init(&d->trackers[i], NULL);
	resv_init(&d->path[0], NULL);
	resv_init(&d->path[1], NULL);
	return 0;
}

void cxl_dev_destroy(struct cxl_dev *d)
{
	if (d->trackers)
		for (unsigned i = 0; i < d->nr_trackers; i++)
			resv_destroy(&d->trackers[i]);
	free(d->trackers);
	d->trackers = NULL;
	resv_destroy(&d->path[0]);
	resv_destroy(&d->path[1]);
}

void cxl_dev_set_horizon(struct cxl_dev *d, const sim_time_t *horizon)
{
	for (unsigned i = 0; i < d->nr_trackers; i++)
		d->trackers[i].horizon = horizon;
	d->path[0].horizon = horizon;
	d->path[1].horizon = horizon;
}

static sim_time_t path_time(const struct cxl_dev *d, uint32_t bytes)
{
	return ((uint64_t)bytes * 1000000u + d->mbps - 1) / d->mbps;
}

sim_time_t cxl_dev_pass(struct cxl_dev *d, sim_time_t t, uint32_t bytes, bool out)
{
	sim_time_t ser = path_time(d, bytes), best = SIM_TIME_MAX, s, p, wait;
	unsigned pick = 0;

	for (unsigned i = 0; i < d->nr_trackers; i++) {
		sim_time_t start = resv_probe(&d->trackers[i], t, d->latency);
		if (start < best) {
			best = start;
			pick = i;
			if (start == t)
				break;
		}
	}
	s = resv_book(&d->trackers[pick], t, d->latency);
	p = resv_book(&d->path[out], s + d->latency, ser);
	wait = (s - t) + (p - (s + d->latency));
	d->stat[out ? CXL_LINES_OUT : CXL_LINES_IN]++;
	d->stat[out ? CXL_BUSY_OUT : CXL_BUSY_IN] += ser;
	if (s > t)
		d->stat[CXL_TRACKER_WAITS]++;
	d->stat[CXL_QUEUE] += wait;
	if (wait > d->stat[CXL_QUEUE_MAX])
		d->stat[CXL_QUEUE_MAX] = wait;
	return p + ser;
}

sim_time_t cxl_dev_idle(const struct cxl_dev *d, uint32_t bytes)
{
	return d->latency + path_time(d, bytes);
}

uint64_t cxl_dev_mbps(const struct cxl_dev *d, uint32_t bytes)
{
	uint64_t path = (uint64_t)bytes * 1000000u / path_time(d, bytes);

	if (!d->latency)
		return path;
	return SIM_MIN(path, (uint64_t)d->nr_trackers * bytes * 1000000u / d->latency);
}

void cxl_dev_report(const struct cxl_dev *d, sim_time_t end, rep_t *r)
{
	rep_obj_begin(r, NULL);
	rep_u64(r, "node", d->node);
	rep_stat_fields(r, &(struct stat_block){ cxl_dev_stat_desc, d->stat, NR_CXL_DEV_STATS });
	/* Busy time booked past `end` (queued work) can push these above 1. */
	rep_real(r, "utilisation_in", end ? (double)d->stat[CXL_BUSY_IN] / (double)end : 0.0);
	rep_real(r, "utilisation_out", end ? (double)d->stat[CXL_BUSY_OUT] / (double)end : 0.0);
	rep_obj_end(r);
}
