/*
 * traces/trace_native.c - the numasim native binary format (.nst): reader
 * and writer.  The byte layout is specified in docs/trace-format.md.
 *
 * Design for decode speed: a memory record is a tag byte whose bits give the
 * op and the byte widths of everything that follows - a fixed-width zigzag
 * address delta (0 bytes = "same stride as last time"), an optional size
 * byte (absent = same size as last time) and an optional gap byte - so the
 * position of the next record is known from the tag alone and the decoder's
 * loop-carried dependency is one load and a few additions.  Deltas are taken
 * from the previous address of the same thread and stream (instruction
 * fetches and data accesses keep separate predecessors, so a loop's code and
 * its data do not spoil each other's deltas).  Typical records are 2-4 bytes.
 *
 * The decoder runs over the reader's 1 MiB block without bounds checks as
 * long as at least NST_MAX_REC bytes remain (no record is longer), and only
 * the last bytes of the file go through the checked copy of the same code.
 * Thread switches, control records and the end marker leave the tight loop
 * for a separate, slower routine: they are rare.  Runs of bare records (the
 * tag alone: sweeps) get a loop of their own, nst_run_bare, and so do runs
 * of plain records (a tag and a delta, no size or gap byte: random and
 * strided accesses), nst_run_plain.
 *
 * Version 2 adds the DEP prefix tag: "the next data access depends on the
 * previous load" (TREC_DEP).  A prefix rather than a bit keeps every
 * version-1 record byte-identical (the tag has no free bit), costs a byte
 * only on dependent records, and stays inside the tight loop.  Version-1
 * files are still read; the writer always writes version 2.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "traces/trace_internal.h"

#define NST_VERSION     2         /* written; 1 is still read (no DEP tag) */
#define NST_VERSION_MIN 1
#define NST_HDR_SIZE    32
#define NST_HDR_MAX     4096      /* readers skip header bytes past 32, up to this */
#define NST_MAX_REC     96        /* longest record: control = 1+10+1+6*10+10+5 = 87 */
#define NST_MAX_TID     65535

/* tags */
#define NST_TAG_THREAD  0x80
#define NST_TAG_CTRL    0x81
#define NST_TAG_END     0x82
#define NST_TAG_DEP     0x83      /* version 2: the next record carries TREC_DEP */
/* memory record tag bits (tag < 0x80) */
#define NST_OP_MASK     0x03
#define NST_DW_SHIFT    2         /* bits 2-4: delta width code, 0 = repeat, 7 = 8 bytes */
#define NST_DW_MASK     (7u << NST_DW_SHIFT)
#define NST_PLAIN_LEN   0x97654321u  /* nibble k: 1 + the width of delta code k */
#define NST_STREAK      4         /* bare records in a row before nst_run_bare takes over */
#define NST_SIZE        0x20      /* a size byte follows (0 = a u16 follows it) */
#define NST_GAP         0x40      /* a gap byte follows (0 = a u32 follows it) */

/* decode faults, reported by nst_fault() */
enum nst_fault {
	NF_END = 1,               /* not a fault: END decoded */
	NF_TRUNC = 2,
	NF_OVERFLOW,
	NF_TAG,
	NF_SIZE,
	NF_GAP,
	NF_KIND,
	NF_NARGS,
	NF_TID,
	NF_COUNT,
	NF_TRAILING,
	NF_CTRL,                  /* a control record beyond the limits (nr->why) */
	NF_NOMEM,
	NF_DEP,                   /* DEP prefix not followed by a data access */
};

struct nst_astate {
	uint64_t addr;            /* previous address */
	uint64_t delta;           /* previous delta (for width code 0) */
	uint64_t size;            /* previous size, 0 = none yet */
};

/* per thread: [0] data stream, [1] instruction stream */
struct nst_thread {
	struct nst_astate s[2];
};

struct nst_reader {
	struct nst_thread *thr;
	unsigned nr_thr;          /* allocated entries */
	unsigned cur;             /* current thread */
	uint64_t nr_records;      /* records returned in earlier batches */
	const uint8_t *bad_at;    /* start of the faulty record (in r->buf) */
	uint64_t bad;             /* the offending value */
	unsigned version;         /* of the file being read */
	uint8_t dep;              /* TREC_DEP after a DEP prefix, for the next record */
	const uint8_t *dep_at;    /* where that prefix was (in r->buf) */
	char why[200];            /* NF_CTRL: what is wrong */
	bool ended;
};

static inline uint64_t unzigzag(uint64_t v)
{
	return (v >> 1) ^ (0 - (v & 1));
}

static inline uint64_t zigzag(uint64_t d)
{
	return (d << 1) ^ (uint64_t)((int64_t)d >> 63);
}

/* Little-endian 8-byte load (one mov on little-endian hosts). */
static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Masks keeping the delta bytes of each width code. */
static const uint64_t nst_width_mask[8] = {
	0, 0xff, 0xffff, 0xffffff, 0xffffffffull, 0xffffffffffull, 0xffffffffffffull, ~0ull,
};

static inline uint64_t le_get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/*
 * LEB128: 7 bits per byte, low first, high bit = more.  At most 10 bytes; the
 * tenth may only carry bit 63.  `checked` (a constant after inlining) adds the
 * end-of-buffer test for the tail of the file.
 * @return 0, NF_TRUNC or NF_OVERFLOW.
 */
static inline __attribute__((always_inline)) int
vget(const uint8_t **pp, const uint8_t *end, bool checked, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v, b;

	if (checked && p >= end)
		return NF_TRUNC;
	b = *p++;
	if (likely(b < 0x80)) {
		*out = b;
		*pp = p;
		return 0;
	}
	v = b & 0x7f;
	for (unsigned shift = 7;; shift += 7) {
		if (checked && p >= end)
			return NF_TRUNC;
		b = *p++;
		if (shift == 63 && b > 1)
			return NF_OVERFLOW;
		v |= (b & 0x7f) << shift;
		if (b < 0x80)
			break;
	}
	*out = v;
	*pp = p;
	return 0;
}

static int nst_grow(struct nst_reader *nr, unsigned tid)
{
	unsigned n = nr->nr_thr;
	struct nst_thread *t;

	if (tid < n)
		return 0;
	while (n <= tid)
		n = n ? n * 2 : 4;
	t = realloc(nr->thr, (size_t)n * sizeof(*t));
	if (!t)
		return NF_NOMEM;
	memset(t + nr->nr_thr, 0, (size_t)(n - nr->nr_thr) * sizeof(*t));
	nr->thr = t;
	nr->nr_thr = n;
	return 0;
}

/*
 * Tags other than memory records; *pp points after the tag byte.  r->n is
 * current.  @return 0, NF_END or a fault (with nr->bad set).
 */
static __attribute__((noinline)) int
nst_rare(trace_reader_t *r, struct nst_reader *nr, unsigned tag, const uint8_t **pp,
	 const uint8_t *end, bool checked)
{
	uint64_t v, kind, nargs, args[TRACE_CTRL_MAX_ARGS], ret, gap;
	struct trace_ctrl *c;
	struct trace_rec *rec;
	int rc;

	switch (tag) {
	case NST_TAG_THREAD:
		if ((rc = vget(pp, end, checked, &v)))
			return rc;
		if (v > NST_MAX_TID || (r->nr_threads && v >= r->nr_threads)) {
			nr->bad = v;
			return NF_TID;
		}
		if ((rc = nst_grow(nr, (unsigned)v)))
			return rc;
		nr->cur = (unsigned)v;
		return 0;
	case NST_TAG_CTRL:
		if ((rc = vget(pp, end, checked, &kind)))
			return rc;
		if (kind >= NR_TRACE_CTRLS) {
			nr->bad = kind;
			return NF_KIND;
		}
		if (checked && *pp >= end)
			return NF_TRUNC;
		nargs = *(*pp)++;
		if (nargs > TRACE_CTRL_MAX_ARGS) {
			nr->bad = nargs;
			return NF_NARGS;
		}
		for (unsigned i = 0; i < nargs; i++)
			if ((rc = vget(pp, end, checked, &args[i])))
				return rc;
		if ((rc = vget(pp, end, checked, &ret)) || (rc = vget(pp, end, checked, &gap)))
			return rc;
		if (gap > UINT32_MAX) {
			nr->bad = gap;
			return NF_GAP;
		}
		c = &r->ctrl[r->nctrl];
		memset(c, 0, sizeof(*c));
		c->kind = (uint32_t)kind;
		c->nargs = (uint32_t)nargs;
		memcpy(c->args, args, nargs * sizeof(args[0]));
		c->ret = ret - 1;         /* 0 encodes TRACE_RET_NONE */
		if (trace_ctrl_check(c, nr->why, sizeof(nr->why)))
			return NF_CTRL;
		rec = &r->rec[r->n++];
		*rec = (struct trace_rec){ .gap = (uint32_t)gap, .tid = (uint16_t)nr->cur, .op = TOP_CTRL,
					   .ctrl = (uint16_t)r->nctrl++ };
		return 0;
	case NST_TAG_END:
		if ((rc = vget(pp, end, checked, &v)))
			return rc;
		if (v != nr->nr_records + r->n) {
			nr->bad = v;
			return NF_COUNT;
		}
		return NF_END;
	default:
		nr->bad = tag;
		return NF_TAG;
	}
}

/*
 * Store a memory record with no gap and no flags, as the run loops make
 * them: three 8-byte stores where the compound literal costs six (the
 * struct zeroed, then each field written).  The layout is checked below;
 * on a big-endian host the plain assignment is used.
 */
_Static_assert(offsetof(struct trace_rec, gap) == 8 && offsetof(struct trace_rec, tid) == 12 &&
	       offsetof(struct trace_rec, size) == 14 && offsetof(struct trace_rec, op) == 16 &&
	       offsetof(struct trace_rec, flags) == 17 && offsetof(struct trace_rec, ctrl) == 18,
	       "nst_store_rec's packing of struct trace_rec");
static inline void nst_store_rec(struct trace_rec *o, uint64_t addr, uint16_t tid, uint16_t size, uint8_t op)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w1 = (uint64_t)tid << 32 | (uint64_t)size << 48, w2 = op;

	memcpy((char *)o, &addr, 8);
	memcpy((char *)o + 8, &w1, 8);
	memcpy((char *)o + 16, &w2, 8);
#else
	*o = (struct trace_rec){ .addr = addr, .tid = tid, .size = size, .op = op };
#endif
}

/*
 * A run of bare records: a tag byte with no delta, size or gap (tags 0..3,
 * the op alone), each the same stride and size as the previous record of
 * its stream - what array sweeps and straight-line code are.  Inside a run
 * the next record's position does not depend on the tag just loaded, so
 * the loop branches on "bare or not" (predicted) instead of computing the
 * length, and both streams' addresses stay in registers.  Stops before the
 * first record that is not bare (or whose stream has no size yet, a fault
 * nst_run reports), at `limit` or when the batch is full; *pp gets the
 * position.  @return the new end of the batch.
 */
static __attribute__((noinline)) struct trace_rec *
nst_run_bare(struct nst_astate *st, const uint8_t *p, const uint8_t *limit, struct trace_rec *out,
	     const struct trace_rec *out_end, uint16_t tid, const uint8_t **pp)
{
	uint64_t da = st[0].addr, dd = st[0].delta, ds = st[0].size;
	uint64_t ia = st[1].addr, id = st[1].delta, is = st[1].size;

	while (p < limit && out < out_end) {
		unsigned tag = *p;
		uint64_t addr, size;

		if (tag > NST_OP_MASK)
			break;
		if (tag == TOP_IFETCH) {
			addr = ia += id;
			size = is;
		} else {
			addr = da += dd;
			size = ds;
		}
		if (unlikely(!size)) {
			/* undo: nst_run decodes it again and reports the fault */
			if (tag == TOP_IFETCH)
				ia -= id;
			else
				da -= dd;
			break;
		}
		p++;
		nst_store_rec(out++, addr, tid, (uint16_t)size, (uint8_t)tag);
	}
	st[0].addr = da;
	st[1].addr = ia;
	*pp = p;
	return out;
}

/*
 * A run of plain records: a tag with a delta of 1 to 8 bytes but no size
 * or gap byte (tag bits 5 and 6 clear, tag < 0x80) - what random accesses
 * are (a Zipf trace is nothing else).  As in nst_run_bare, both
 * streams' state stays in registers and the loop branches on "plain or
 * not" (predicted inside a run) instead of merging optional fields.  Stops
 * before the first record that is not plain (or whose stream has no size
 * yet, a fault nst_run reports), at `limit` or when the batch is full; *pp
 * gets the position.  @return the new end of the batch.
 */
static __attribute__((noinline)) struct trace_rec *
nst_run_plain(struct nst_astate *st, const uint8_t *p, const uint8_t *limit, struct trace_rec *out,
	      const struct trace_rec *out_end, uint16_t tid, const uint8_t **pp)
{
	uint64_t da = st[0].addr, dd = st[0].delta, ds = st[0].size;
	uint64_t ia = st[1].addr, id = st[1].delta, is = st[1].size;
	unsigned tag = p < limit ? *p : 0;

	/*
	 * The loop's critical path is finding the next tag.  Unless this
	 * record has an 8-byte delta, the next tag is among the 8 bytes loaded
	 * at this record (records with a 1 to 6-byte delta are 2 to 7 bytes),
	 * so it is shifted out of them rather than loaded once the length is
	 * known: a shift instead of a load on that path.
	 */
	while (p < limit && out < out_end) {
		/* the record's length, 1 + the delta's width, from a nibble table in a constant */
		unsigned dcode = (tag >> NST_DW_SHIFT) & 7;
		unsigned len = (unsigned)(NST_PLAIN_LEN >> (tag & NST_DW_MASK)) & 15;
		uint64_t w = le64(p);
		uint64_t d = unzigzag(le64(p + 1) & nst_width_mask[dcode]);
		uint64_t addr, size;

		/* a bare record leaves too: nst_run_bare is the faster loop for a run of them */
		if ((tag & (0x80 | NST_SIZE | NST_GAP)) || !dcode)
			break;
		if ((tag & NST_OP_MASK) == TOP_IFETCH) {
			if (unlikely(!is))
				break;
			addr = ia += id = d;
			size = is;
		} else {
			if (unlikely(!ds))
				break;
			addr = da += dd = d;
			size = ds;
		}
		nst_store_rec(out++, addr, tid, (uint16_t)size, (uint8_t)(tag & NST_OP_MASK));
		p += len;
		if (likely(len < 8))
			tag = (unsigned)(w >> (8 * len)) & 0xff;
		else
			tag = *p;
	}
	st[0].addr = da;
	st[0].delta = dd;
	st[1].addr = ia;
	st[1].delta = id;
	*pp = p;
	return out;
}

/*
 * Decode records from *pp while *pp < limit and the batch has room.  The
 * caller guarantees NST_MAX_REC readable bytes past limit unless `checked`.
 * @return 0, NF_END (*pp after the END record) or a fault (*pp unchanged at
 * the faulty record, nr->bad_at set).
 *
 * Speed: everything the loop carries from one record to the next is a local
 * (the thread's two streams, copied in, the output pointer and its end,
 * the DEP flag), so no store to the batch - whose byte-sized fields may
 * alias anything - makes the compiler reload it, and the state goes back to
 * the thread's entry only when the loop leaves.  After NST_STREAK bare
 * records in a row (the tag alone: sweeps), nst_run_bare takes over until
 * the run ends, and after NST_STREAK plain ones, nst_run_plain; counting
 * them is branch-free, so mixed traces, where such records come at random,
 * do not pay for the mispredictions a per-record "bare?" branch would cost.
 */
static inline __attribute__((always_inline)) int
nst_run(trace_reader_t *r, struct nst_reader *nr, const uint8_t **pp, const uint8_t *limit,
	const uint8_t *end, bool checked)
{
	const uint8_t *p = *pp, *start = p;
	struct trace_rec *out = r->rec + r->n, *out_end = r->rec + r->batch;
	uint16_t tid = (uint16_t)nr->cur;
	struct nst_astate st[2];  /* the thread's two streams, copied in and back out */
	uint8_t dep = nr->dep;
	unsigned streak = 0;      /* bare records in a row just decoded */
	unsigned pstreak = 0;     /* plain records (no size or gap byte) in a row */
	int rc = 0;

	memcpy(st, nr->thr[tid].s, sizeof(st));
	while (p < limit && out < out_end) {
		unsigned tag;

		if (!checked && streak >= NST_STREAK && !dep) {
			out = nst_run_bare(st, p, limit, out, out_end, tid, &p);
			streak = 0;
			continue;
		}
		if (!checked && pstreak >= NST_STREAK && !dep) {
			out = nst_run_plain(st, p, limit, out, out_end, tid, &p);
			pstreak = 0;
			continue;
		}
		start = p;
		tag = *p++;
		if (likely(tag < 0x80)) {
			unsigned op = tag & NST_OP_MASK;
			bool fetch = op == TOP_IFETCH;
			struct nst_astate *a = &st[fetch];
			unsigned dcode = (tag >> NST_DW_SHIFT) & 7;
			unsigned dw = dcode + (dcode == 7);          /* 0..6, 8 bytes */
			unsigned has_s = (tag >> 5) & 1, has_g = (tag >> 6) & 1;
			uint64_t d, dm, delta, size, gap, addr;

			streak = (streak + 1) & (0 - (unsigned)(tag <= NST_OP_MASK));
			pstreak = (pstreak + 1) & (0 - (unsigned)(dcode && !(tag & (NST_SIZE | NST_GAP))));

			if (checked && (size_t)(end - p) < dw + has_s + has_g) {
				rc = NF_TRUNC;
				break;
			}
			d = checked ? le_get(p, dw) : le64(p) & nst_width_mask[dcode];
			p += dw;
			dm = 0 - (uint64_t)(dcode != 0);
			delta = (unzigzag(d) & dm) | (a->delta & ~dm);
			size = a->size;
			if (!checked && likely(!((has_s & (p[0] == 0)) | (has_g & (p[has_s] == 0))))) {
				/* common case, branch-free: one-byte size and gap */
				uint64_t sm = 0 - (uint64_t)has_s, gm = 0 - (uint64_t)has_g;
				size = ((uint64_t)p[0] & sm) | (size & ~sm);
				gap = (uint64_t)p[has_s] & gm;
				p += has_s + has_g;
			} else {
				gap = 0;
				if (has_s) {
					size = *p++;
					if (!size) {
						if (checked && end - p < 2) {
							rc = NF_TRUNC;
							break;
						}
						size = le_get(p, 2);
						p += 2;
					}
				}
				if (has_g) {
					if (checked && p >= end) {
						rc = NF_TRUNC;
						break;
					}
					gap = *p++;
					if (!gap) {
						if (checked && end - p < 4) {
							rc = NF_TRUNC;
							break;
						}
						gap = le_get(p, 4);
						p += 4;
					}
				}
			}
			if (unlikely(!size)) {
				nr->bad = 0;
				rc = NF_SIZE;
				break;
			}
			if (unlikely(dep) && fetch) {
				rc = NF_DEP;
				break;
			}
			a->size = size;
			a->delta = delta;
			addr = a->addr += delta;
			*out++ = (struct trace_rec){ .addr = addr, .gap = (uint32_t)gap, .tid = tid,
						     .size = (uint16_t)size, .op = (uint8_t)op, .flags = dep };
			dep = 0;
			continue;
		}
		if (tag == NST_TAG_DEP && nr->version >= 2 && !dep) {
			dep = TREC_DEP;
			nr->dep_at = start;
			continue;
		}
		if (dep) {
			rc = NF_DEP;      /* a DEP prefix before anything but a data access */
			break;
		}
		r->n = (size_t)(out - r->rec);
		if (tag == NST_TAG_CTRL && r->nctrl == TRACE_BATCH_CTRLS) {
			p = start;        /* no room: next batch */
			break;
		}
		/* a thread switch may move nr->thr: the state goes back first */
		memcpy(nr->thr[tid].s, st, sizeof(st));
		rc = nst_rare(r, nr, tag, &p, end, checked);
		out = r->rec + r->n;
		if (rc)
			break;
		tid = (uint16_t)nr->cur;
		memcpy(st, nr->thr[tid].s, sizeof(st));
	}
	r->n = (size_t)(out - r->rec);
	memcpy(nr->thr[tid].s, st, sizeof(st));
	nr->dep = dep;
	if (rc == NF_DEP) {
		nr->bad_at = nr->dep_at;
		*pp = start;
		return rc;
	}
	if (rc == NF_END) {
		*pp = p;
	} else if (rc) {
		/*
		 * A fault in a memory record may already have moved its
		 * thread's address; the reader is dead after a fault, so it
		 * does not matter.
		 */
		nr->bad_at = start;
		*pp = start;
	} else {
		*pp = p;
	}
	return rc;
}

static int nst_fault(trace_reader_t *r, struct nst_reader *nr, int f, char *err, size_t errlen)
{
	unsigned long long off = (unsigned long long)(r->base + (uint64_t)(nr->bad_at - r->buf));
	unsigned long long bad = (unsigned long long)nr->bad;
	const char *path = r->path;

	switch (f) {
	case NF_TRUNC:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected the rest of the record, "
				"found the end of the file", path, off);
	case NF_OVERFLOW:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a varint of at most 64 bits, "
				"found a longer one", path, off);
	case NF_TAG:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a record tag, found unknown "
				"tag 0x%02llx", path, off, bad);
	case NF_SIZE:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected an access size in 1..65535, "
				"found %llu", path, off, bad);
	case NF_GAP:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a gap below 2^32, found %llu",
				path, off, bad);
	case NF_KIND:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a control kind below %d, "
				"found %llu", path, off, NR_TRACE_CTRLS, bad);
	case NF_NARGS:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected at most %d control arguments, "
				"found %llu", path, off, TRACE_CTRL_MAX_ARGS, bad);
	case NF_TID:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a thread id below %u, found %llu",
				path, off, r->nr_threads ? r->nr_threads : NST_MAX_TID + 1, bad);
	case NF_COUNT:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected an end record count of %llu, "
				"found %llu", path, off,
				(unsigned long long)(nr->nr_records + r->n), bad);
	case NF_DEP:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a load, store or modify "
				"record after the DEP tag 0x83", path, off);
	case NF_TRAILING:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected the end of the file after "
				"the end record", path, off);
	case NF_CTRL:
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: %s", path, off, nr->why);
	case NF_NOMEM:
	default:
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	}
}

static inline bool batch_full(const trace_reader_t *r)
{
	return r->n >= r->batch || r->nctrl == TRACE_BATCH_CTRLS;
}

static int nst_next(trace_reader_t *r, char *err, size_t errlen)
{
	struct nst_reader *nr = r->priv;
	int rc;

	if (nr->ended)
		return 0;
	for (;;) {
		const uint8_t *p = r->buf + r->pos, *end = r->buf + r->len;

		if (end - p > NST_MAX_REC) {
			rc = nst_run(r, nr, &p, end - NST_MAX_REC, end, false);
			r->pos = (size_t)(p - r->buf);
			if (rc)
				goto out;
			if (batch_full(r))
				break;
		}
		if (!r->src_eof) {
			if ((rc = trace_refill(r, err, errlen)))
				return rc;
			continue;
		}
		rc = nst_run(r, nr, &p, end, end, true);
		r->pos = (size_t)(p - r->buf);
		if (rc)
			goto out;
		if (batch_full(r))
			break;
		nr->bad_at = p;
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: expected a record or the end record, "
				"found the end of the file", r->path,
				(unsigned long long)(r->base + r->pos));
	}
	nr->nr_records += r->n;
	return 0;
out:
	if (rc != NF_END)
		return nst_fault(r, nr, rc, err, errlen);
	/* the end record must be the last thing in the stream */
	if (r->pos == r->len && !r->src_eof && (rc = trace_refill(r, err, errlen)))
		return rc;
	if (r->pos != r->len) {
		nr->bad_at = r->buf + r->pos;
		return nst_fault(r, nr, NF_TRAILING, err, errlen);
	}
	nr->ended = true;
	nr->nr_records += r->n;
	return 0;
}

static void nst_destroy(trace_reader_t *r)
{
	struct nst_reader *nr = r->priv;

	if (nr)
		free(nr->thr);
	free(nr);
	r->priv = NULL;
}

static const struct trace_reader_ops nst_reader_ops = {
	.next = nst_next,
	.destroy = nst_destroy,
};

int trace_native_open(trace_reader_t *r, char *err, size_t errlen)
{
	struct nst_reader *nr;
	uint64_t version, hsize, flags, nthr;
	int rc;

	r->ops = &nst_reader_ops;
	nr = calloc(1, sizeof(*nr));
	if (!nr)
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", r->path);
	r->priv = nr;
	if ((rc = trace_refill(r, err, errlen)))
		return rc;
	if (r->len < 8 || memcmp(r->buf, "NUMASIMT", 8))
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte 0: expected the magic \"NUMASIMT\" of a "
				"native trace", r->path);
	if (r->len < NST_HDR_SIZE)
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %zu: expected a %d-byte header, found the "
				"end of the file", r->path, r->len, NST_HDR_SIZE);
	version = le_get(r->buf + 8, 2);
	hsize = le_get(r->buf + 10, 2);
	flags = le_get(r->buf + 12, 4);
	nthr = le_get(r->buf + 16, 4);
	if (version < NST_VERSION_MIN || version > NST_VERSION)
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte 8: expected format version %d..%d, found "
				"unsupported version %llu", r->path, NST_VERSION_MIN, NST_VERSION,
				(unsigned long long)version);
	nr->version = (unsigned)version;
	if (hsize < NST_HDR_SIZE || hsize > NST_HDR_MAX)
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte 10: expected a header size in %d..%d, "
				"found %llu", r->path, NST_HDR_SIZE, NST_HDR_MAX, (unsigned long long)hsize);
	if (flags & 0xffff)
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte 12: expected no required flags, found "
				"unsupported flags 0x%04llx", r->path, (unsigned long long)(flags & 0xffff));
	if (nthr > NST_MAX_TID + 1)
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte 16: expected at most %d threads, found %llu",
				r->path, NST_MAX_TID + 1, (unsigned long long)nthr);
	if (r->len < hsize)
		return sim_errf(err, errlen, SIM_ETRACE, "%s: byte %zu: expected a %llu-byte header, found "
				"the end of the file", r->path, r->len, (unsigned long long)hsize);
	r->nr_threads = (unsigned)nthr;
	r->pos = (size_t)hsize;
	if (nst_grow(nr, nthr ? (unsigned)nthr - 1 : 0))
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", r->path);
	return 0;
}

/* ---- writer ---- */

struct nst_writer {
	struct nst_reader st;     /* the same per-thread prediction state */
	bool hdr_done;
};

static inline uint8_t *vput(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static void le_put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void nst_header(trace_writer_t *w, struct nst_writer *nw)
{
	uint8_t *h = w->buf + w->len;

	memset(h, 0, NST_HDR_SIZE);
	memcpy(h, "NUMASIMT", 8);
	le_put(h + 8, NST_VERSION, 2);
	le_put(h + 10, NST_HDR_SIZE, 2);
	le_put(h + 12, 0, 4);
	le_put(h + 16, w->nr_threads, 4);
	w->len += NST_HDR_SIZE;
	nw->hdr_done = true;
}

static int nst_put(trace_writer_t *w, const struct trace_rec *r, const struct trace_ctrl *c)
{
	struct nst_writer *nw = w->priv;
	struct nst_reader *s = &nw->st;
	uint8_t *p;

	if (!nw->hdr_done)
		nst_header(w, nw);
	p = w->buf + w->len;
	if (r->tid != s->cur) {
		if (nst_grow(s, r->tid))
			return sim_errf(w->err, sizeof(w->err), SIM_ENOMEM, "%s: out of memory", w->path);
		*p++ = NST_TAG_THREAD;
		p = vput(p, r->tid);
		s->cur = r->tid;
	}
	if (r->op == TOP_CTRL) {
		*p++ = NST_TAG_CTRL;
		p = vput(p, c->kind);
		*p++ = (uint8_t)c->nargs;
		for (unsigned i = 0; i < c->nargs; i++)
			p = vput(p, c->args[i]);
		p = vput(p, c->ret + 1);
		p = vput(p, r->gap);
	} else {
		struct nst_astate *a = &s->thr[r->tid].s[r->op == TOP_IFETCH];
		uint64_t delta = r->addr - a->addr;
		uint8_t *tagp;
		unsigned tag = r->op;

		if (r->flags & TREC_DEP) {
			if (r->op == TOP_IFETCH)
				return sim_errf(w->err, sizeof(w->err), SIM_ERANGE, "%s: record %llu: an "
						"instruction fetch cannot carry TREC_DEP", w->path,
						(unsigned long long)w->nr_records);
			*p++ = NST_TAG_DEP;
		}
		tagp = p++;

		if (delta != a->delta) {
			uint64_t z = zigzag(delta);
			unsigned width = z ? (ilog2_u64(z) >> 3) + 1 : 1;
			if (width == 7)
				width = 8;
			le_put(p, z, width);
			p += width;
			tag |= (width == 8 ? 7 : width) << NST_DW_SHIFT;
			a->delta = delta;
		}
		a->addr = r->addr;
		if (r->size != a->size) {
			tag |= NST_SIZE;
			if (r->size < 256) {
				*p++ = (uint8_t)r->size;
			} else {
				*p++ = 0;
				le_put(p, r->size, 2);
				p += 2;
			}
			a->size = r->size;
		}
		if (r->gap) {
			tag |= NST_GAP;
			if (r->gap < 256) {
				*p++ = (uint8_t)r->gap;
			} else {
				*p++ = 0;
				le_put(p, r->gap, 4);
				p += 4;
			}
		}
		*tagp = (uint8_t)tag;
	}
	w->len = (size_t)(p - w->buf);
	return 0;
}

static int nst_finish(trace_writer_t *w)
{
	struct nst_writer *nw = w->priv;
	uint8_t *p;

	if (!nw->hdr_done)
		nst_header(w, nw);
	p = w->buf + w->len;
	*p++ = NST_TAG_END;
	p = vput(p, w->nr_records);
	w->len = (size_t)(p - w->buf);
	return 0;
}

static const struct trace_writer_ops nst_writer_ops = {
	.put = nst_put,
	.finish = nst_finish,
};

int trace_native_writer_init(trace_writer_t *w)
{
	struct nst_writer *nw = calloc(1, sizeof(*nw));

	if (!nw || nst_grow(&nw->st, 0)) {
		free(nw);
		return sim_errf(w->err, sizeof(w->err), SIM_ENOMEM, "%s: out of memory", w->path);
	}
	w->priv = nw;
	w->ops = &nst_writer_ops;
	return 0;
}

void trace_native_writer_free(trace_writer_t *w)
{
	struct nst_writer *nw = w->priv;

	if (nw)
		free(nw->st.thr);
	free(nw);
	w->priv = NULL;
}

int trace_native_patch_header(trace_writer_t *w, FILE *fp)
{
	uint8_t v[4];

	if (w->comp != TCOMP_NONE || w->nr_threads)
		return 0;
	le_put(v, w->max_tid_seen, 4);
	if (fflush(fp) || fseek(fp, 16, SEEK_SET) || fwrite(v, 1, 4, fp) != 4 || fseek(fp, 0, SEEK_END))
		return sim_errf(w->err, sizeof(w->err), SIM_EIO, "%s: cannot update the header", w->path);
	return 0;
}
