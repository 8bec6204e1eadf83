/*
 * traces/trace_champsim.c - ChampSim binary traces (struct input_instr).
 *
 * Each instruction is 64 little-endian bytes:
 *     0  u64 ip
 *     8  u8  is_branch          9  u8 branch_taken
 *    10  u8  dst_regs[2]       12  u8 src_regs[4]
 *    16  u64 dst_mem[2]        32  u64 src_mem[4]
 * A zero memory slot is unused.  One instruction becomes a TOP_IFETCH of ip
 * (4 bytes), then a TOP_LOAD per non-zero src_mem, then a TOP_STORE per
 * non-zero dst_mem, all with gap 0 (every instruction is a record).  ChampSim
 * records no access sizes: fetches are given 4 bytes (a typical x86
 * instruction fits, and it never straddles a line more often than real code)
 * and data accesses 8 bytes (a 64-bit word, ChampSim's own assumption when
 * it splits accesses into lines).  Branch fields are ignored.  One trace is
 * one thread (tid 0).
 *
 * Register fields give the load dependences (TREC_DEP): every register
 * remembers the most recent load its value derives from (directly, or
 * through instructions without loads that computed it), and an
 * instruction's first load is dependent when one of its source registers
 * derives from the most recent earlier load - the one TREC_DEP names.
 * Values derived from older loads are treated as ready (that load was
 * issued earlier and is most likely done; the flag cannot name it).  The
 * stack pointer, flags and instruction pointer (ChampSim's registers 6, 25
 * and 26) are never tracked: a pop writes the stack pointer from its address
 * arithmetic, not from the loaded value, and would chain every pop to the
 * one before.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "traces/trace_internal.h"

#define CS_REC        64
#define CS_MAX_OUT    7          /* 1 fetch + 4 loads + 2 stores */
#define CS_IFETCH_SIZE 4
#define CS_DATA_SIZE   8
#define CS_REG_SP      6
#define CS_REG_FLAGS   25
#define CS_REG_IP      26

struct cs_state {
	uint64_t nr_loads;             /* loads so far; load k has sequence number k (1-based) */
	uint64_t reg_load[256];        /* per register: sequence number of the load it derives from, 0 none */
};

static inline bool cs_tracked(uint8_t reg)
{
	return reg && reg != CS_REG_SP && reg != CS_REG_FLAGS && reg != CS_REG_IP;
}

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int cs_next(trace_reader_t *r, char *err, size_t errlen)
{
	struct cs_state *cs = r->priv;
	struct trace_rec *rec = r->rec;
	size_t n = r->n;
	int rc;

	while (n < r->batch && n + CS_MAX_OUT <= TRACE_BATCH_RECS) {
		const uint8_t *p, *end = r->buf + r->len;

		if (r->len - r->pos < CS_REC) {
			if (!r->src_eof) {
				if ((rc = trace_refill(r, err, errlen)))
					return rc;
				continue;
			}
			if (r->len == r->pos)
				break;
			return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a %d-byte ChampSim "
					"record, found the end of the file after %zu bytes", r->path,
					(unsigned long long)(r->base + r->pos), CS_REC, r->len - r->pos);
		}
		for (p = r->buf + r->pos; end - p >= CS_REC && n < r->batch && n + CS_MAX_OUT <= TRACE_BATCH_RECS; p += CS_REC) {
			uint64_t src = 0, before = cs->nr_loads;

			for (unsigned i = 0; i < 4; i++)
				if (cs_tracked(p[12 + i]) && cs->reg_load[p[12 + i]] > src)
					src = cs->reg_load[p[12 + i]];
			rec[n++] = (struct trace_rec){ .addr = le64(p), .size = CS_IFETCH_SIZE, .op = TOP_IFETCH };
			for (unsigned i = 0; i < 4; i++) {
				uint64_t a = le64(p + 32 + 8 * i);
				if (!a)
					continue;
				rec[n++] = (struct trace_rec){ .addr = a, .size = CS_DATA_SIZE, .op = TOP_LOAD,
							       .flags = src && src == cs->nr_loads &&
									cs->nr_loads == before ? TREC_DEP : 0 };
				cs->nr_loads++;
			}
			/* destinations derive from this instruction's last load, else from its sources */
			for (unsigned i = 0; i < 2; i++)
				if (cs_tracked(p[10 + i]))
					cs->reg_load[p[10 + i]] = cs->nr_loads != before ? cs->nr_loads : src;
			for (unsigned i = 0; i < 2; i++) {
				uint64_t a = le64(p + 16 + 8 * i);
				if (a)
					rec[n++] = (struct trace_rec){ .addr = a, .size = CS_DATA_SIZE, .op = TOP_STORE };
			}
		}
		r->pos = (size_t)(p - r->buf);
	}
	r->n = n;
	return 0;
}

static void cs_destroy(trace_reader_t *r)
{
	free(r->priv);
	r->priv = NULL;
}

static const struct trace_reader_ops cs_reader_ops = {
	.next = cs_next,
	.destroy = cs_destroy,
};

int trace_champsim_open(trace_reader_t *r, char *err, size_t errlen)
{
	r->ops = &cs_reader_ops;
	r->priv = calloc(1, sizeof(struct cs_state));
	if (!r->priv)
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", r->path);
	return 0;
}
