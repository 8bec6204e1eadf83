/*
 * hw/cxl.h - CXL.mem: flit framing of a CXL link and the controller of a
 * Type-3 memory expander.
 *
 * A CXL link carries messages in fixed-size flits made of 16-byte slots.
 * CXL 1.1/2.0 use 68-byte flits: 2 bytes of protocol id, four slots (one
 * header slot, three generic slots; a data flit carries four data slots) and
 * a 2-byte CRC, so 64 of every 68 bytes are slots.  CXL 3.0 adds 256-byte
 * flits: a 2-byte header, 15 slots (240 bytes), 8 bytes of CRC and 6 of FEC.
 * A message takes one header slot (a read request M2S Req, a response
 * header); one that carries data (a read's S2M DRS, a write's M2S RwD) adds
 * a data slot per 16 bytes: a 64-byte line is 1 + 4 = 5 slots, 85 bytes of
 * 68-byte flits.  Under load the slots of different messages share flits
 * (the packing rules let a flit carry several messages), so a message
 * occupies the link for its slots' share of flits, not for whole flits.
 *
 * The expander's controller sits between the link and the device's own DDR
 * channels (hw/ddr.c).  It has `queue` request trackers, each held for the
 * controller's `latency` per line it moves, and one data path per direction
 * that moves a line in 64 B / `bandwidth`.  So it can move at most
 * min(queue * 64 B / latency, bandwidth) per direction; beyond that,
 * messages wait for a tracker or for the data path, and latency grows with
 * load.  hw/link.c passes every line that enters or leaves the device (write
 * data arriving, read data departing) through it; control messages (read
 * requests, coherence messages) do not take a tracker.
 */
#ifndef HW_CXL_H
#define HW_CXL_H

#include "hw/hw_cfg.h"
#include "sim/report.h"
#include "sim/resv.h"

#define CXL_SLOT_BYTES 16

/* Slots a message of `bytes` takes: a header slot, plus its data slots when it carries data. */
static inline uint32_t cxl_msg_slots(uint32_t bytes)
{
	return bytes <= CXL_SLOT_BYTES ? 1 : 1 + (bytes + CXL_SLOT_BYTES - 1) / CXL_SLOT_BYTES;
}

/* Slots in a flit of `flit` bytes (68 or 256); 0 for any other size. */
uint32_t cxl_flit_slots(uint32_t flit);

/*
 * ps a message of `bytes` occupies a link of `mbps` MB/s (10^6 bytes/s) built
 * from `flit`-byte flits: its slots' share of flits, rounded up to a whole ps.
 */
sim_time_t cxl_serialize(uint32_t flit, uint32_t bytes, uint64_t mbps);

/* Bytes on the wire (flit framing included) of a message, rounded up: for docs and tests. */
uint64_t cxl_wire_bytes(uint32_t flit, uint32_t bytes);

#define CXL_DEV_STATS(X)                                                                                   \
	X(CXL_LINES_IN, lines_in, EVENT, "lines", "lines written into the device")                        \
	X(CXL_LINES_OUT, lines_out, EVENT, "lines", "lines read out of the device")                       \
	X(CXL_BUSY_IN, busy_in_ns, EVENT, "ps", "time the inbound data path was moving lines")           \
	X(CXL_BUSY_OUT, busy_out_ns, EVENT, "ps", "time the outbound data path was moving lines")        \
	X(CXL_TRACKER_WAITS, tracker_waits, EVENT, "lines", "lines that found every tracker busy")         \
	X(CXL_QUEUE, queue_delay_ns, EVENT, "ps", "total time lines waited for a tracker or a data path")  \
	X(CXL_QUEUE_MAX, queue_delay_max_ns, GAUGE, "ps", "longest wait of one line")

enum cxl_dev_stat { CXL_DEV_STATS(STAT_ENUM) NR_CXL_DEV_STATS };

/* One Type-3 device's controller.  Embedded in hw/link.c's network. */
struct cxl_dev {
	unsigned node;                /* the memory-only node behind it */
	sim_time_t latency;           /* ps a tracker is held per line */
	uint64_t mbps;                /* each direction's data path, MB/s */
	unsigned nr_trackers;
	struct resv *trackers;        /* one calendar per tracker */
	sim_time_t *run_start, *last_end;    /* [tracker]: held without a break over [run_start, last_end) */
	uint64_t *live;               /* bitmap: trackers whose last_end may be after a line's arrival */
	const sim_time_t *horizon;    /* nothing arrives before it (cxl_dev_set_horizon); NULL: no bound */
	struct resv path[2];          /* data path: [0] into the device, [1] out of it */
	uint64_t stat[NR_CXL_DEV_STATS];
};

int cxl_dev_init(struct cxl_dev *d, unsigned node, const struct cxl_dev_cfg *cfg);
void cxl_dev_destroy(struct cxl_dev *d);
void cxl_dev_set_horizon(struct cxl_dev *d, const sim_time_t *horizon);

/*
 * A line of `bytes` reaches the controller at t, entering the device
 * (`out` false: write data, on its way to the DDR channels) or leaving it
 * (`out` true: read data, on its way to the link).  @return the time it
 * is through: t plus any wait for a tracker and the data path, the data
 * path's transfer time and the controller latency.
 */
sim_time_t cxl_dev_pass(struct cxl_dev *d, sim_time_t t, uint32_t bytes, bool out);

/* The same without booking anything: unloaded time through the controller. */
sim_time_t cxl_dev_idle(const struct cxl_dev *d, uint32_t bytes);

/*
 * MB/s of `bytes` lines the controller can move in one direction: the data
 * path, or the trackers (each held `latency` per line) if they are fewer.
 */
uint64_t cxl_dev_mbps(const struct cxl_dev *d, uint32_t bytes);

/* One object {node, lines_in, ..., utilisation_in, utilisation_out} inside the caller's array. */
void cxl_dev_report(const struct cxl_dev *d, sim_time_t end, rep_t *r);

#endif
