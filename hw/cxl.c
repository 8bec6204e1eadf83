/*
 * hw/cxl.c - CXL flit arithmetic and the Type-3 device controller (cxl.h).
 *
 * The controller is booked like the links and DDR buses (sim/resv.h): each
 * tracker and each direction's data path is a calendar, so a line that is
 * resolved later but arrives earlier still finds the gap it would have had.
 * A line takes the tracker that frees first (lowest index on ties), holds
 * it for `latency`, then moves over the data path of its direction.  Only
 * trackers with a booking ending after the line's arrival ("live", a
 * bitmap) are probed: any other is free at once, so the lowest-index one of
 * those ends the search, and a loaded device with thousands of trackers
 * costs the live ones, not all of them.
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
	d->last_end = calloc(cfg->queue, sizeof(*d->last_end));
	d->run_start = calloc(cfg->queue, sizeof(*d->run_start));
	d->live = calloc((cfg->queue + 63) / 64, sizeof(*d->live));
	if (!d->trackers || !d->last_end || !d->run_start || !d->live) {
		cxl_dev_destroy(d);
		return -SIM_ENOMEM;
	}
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
	free(d->last_end);
	free(d->run_start);
	free(d->live);
	d->trackers = NULL;
	d->last_end = NULL;
	d->run_start = NULL;
	d->live = NULL;
	resv_destroy(&d->path[0]);
	resv_destroy(&d->path[1]);
}

void cxl_dev_set_horizon(struct cxl_dev *d, const sim_time_t *horizon)
{
	for (unsigned i = 0; i < d->nr_trackers; i++)
		d->trackers[i].horizon = horizon;
	d->horizon = horizon;
	d->path[0].horizon = horizon;
	d->path[1].horizon = horizon;
}

static sim_time_t path_time(const struct cxl_dev *d, uint32_t bytes)
{
	return ((uint64_t)bytes * 1000000u + d->mbps - 1) / d->mbps;
}

/*
 * The tracker a line arriving at t takes: the first (lowest index) free at
 * t, else the one that frees first, lowest index on ties.  Most answers
 * need no probe of a calendar: a tracker not live, or live with nothing
 * booked past t, is free at t; one held without a break from before
 * t + latency to its last booking's end (run_start, last_end) has no room
 * before that end and nothing booked after it, so it frees exactly then.
 * Only a tracker whose unbroken run starts past t + latency is probed
 * (there may be room before it).
 * So the search walks the live trackers below the first idle one.  Live
 * trackers whose bookings are all over before the horizon leave the
 * bitmap (nothing arrives before it).
 */
static unsigned pick_tracker(struct cxl_dev *d, sim_time_t t)
{
	const unsigned words = (d->nr_trackers + 63) / 64;
	sim_time_t best = SIM_TIME_MAX;
	unsigned pick = 0;

	for (unsigned w = 0; w < words; w++) {
		uint64_t m = d->live[w];
		unsigned base = w * 64, idle;

		/* the first tracker of this word not live, if any below nr_trackers */
		idle = ~m ? base + (unsigned)__builtin_ctzll(~m) : UINT32_MAX;
		if (idle >= d->nr_trackers)
			idle = UINT32_MAX;
		for (; m; m &= m - 1) {
			unsigned i = base + (unsigned)__builtin_ctzll(m);
			sim_time_t start;

			if (i > idle)
				break;
			if (d->last_end[i] <= t) {
				if (d->horizon && d->last_end[i] <= *d->horizon)
					d->live[w] &= ~(1ull << (i - base));
				return i;
			}
			if (d->run_start[i] < t + d->latency) {
				start = d->last_end[i];
			} else {
				start = resv_probe(&d->trackers[i], t, d->latency);
				if (start == t)
					return i;
			}
			if (start < best) {
				best = start;
				pick = i;
			}
		}
		if (idle != UINT32_MAX)
			return idle;
	}
	return pick;
}

sim_time_t cxl_dev_pass(struct cxl_dev *d, sim_time_t t, uint32_t bytes, bool out)
{
	sim_time_t ser = path_time(d, bytes), s, p, wait;
	unsigned pick = pick_tracker(d, t);

	s = resv_book(&d->trackers[pick], t, d->latency);
	/* keep [run_start, last_end) held without a break (it may start later than the true run) */
	if (s > d->last_end[pick])
		d->run_start[pick] = s;
	else if (s + d->latency == d->run_start[pick])
		d->run_start[pick] = s;
	d->last_end[pick] = SIM_MAX(d->last_end[pick], s + d->latency);
	d->live[pick / 64] |= 1ull << (pick % 64);
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
