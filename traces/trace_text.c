/*
 * traces/trace_text.c - the numasim text format: reader and writer.
 *
 * One record per line, meant to be written by hand and by scripts (grammar in
 * docs/trace-format.md):
 *
 *     # comment
 *     R 7ffd1000 8            load 8 bytes (thread 0)
 *     T1 W 0x601040 4 +12     thread 1 stores 4 bytes after 12 other instructions
 *     R 7ffd2000 8 dep        a load whose address came from the previous load
 *     mmap addr=0 len=0x200000 prot=3 flags=0x22 fd=-1 offset=0 ret=0x7f0000000000
 *     T1 mbind addr=0x7f0000000000 len=0x200000 mode=bind nodes=0-1
 *
 * Control argument names are the words of the TRACE_CTRLS table in
 * traces/trace.h, so a new control kind is expressible here with no edit.
 * Speed is secondary (a few tens of M lines/s would be wasted on hand-written
 * traces); clear messages with the line number are not.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "traces/trace_internal.h"

#define TEXT_MAX_TOKENS 16

struct tok {
	const char *s;
	size_t n;
};

/* Linux's MPOL_* numbers, so a mode written by name means what the kernel means. */
static const char *const mpol_names[] = {
	"default", "preferred", "bind", "interleave", "local", "preferred_many", "weighted_interleave",
};

/* Accepted shorter spellings of argument names. */
static const struct {
	const char *alias, *name;
} arg_aliases[] = {
	{ "nodes", "nodemask" },
	{ "child", "child_tid" },
	{ "old_nodes", "old_nodemask" },
	{ "new_nodes", "new_nodemask" },
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hexadecimal with optional 0x, at most 16 significant digits. */
static bool parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	if (i == n)
		return false;
	for (; i < n; i++) {
		int d = hexval(s[i]);
		if (d < 0 || v >> 60)
			return false;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return true;
}

static bool parse_dec(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Decimal, 0x-hex, or a negative decimal stored in two's complement (fd=-1). */
static bool parse_num(const char *s, size_t n, uint64_t *out)
{
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(s, n, out);
	if (n > 1 && s[0] == '-') {
		uint64_t v;
		if (!parse_dec(s + 1, n - 1, &v) || v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = 0 - v;
		return true;
	}
	return parse_dec(s, n, out);
}

/* "0-1,3" -> bits 0, 1, 3; or a raw 0x mask. */
static bool parse_nodes(const char *s, size_t n, uint64_t *out)
{
	uint64_t mask = 0;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(s, n, out);
	while (i < n) {
		uint64_t lo, hi;
		size_t j = i;

		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (!parse_dec(s + i, j - i, &lo))
			return false;
		hi = lo;
		if (j < n && s[j] == '-') {
			size_t k = ++j;
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
			if (!parse_dec(s + k, j - k, &hi))
				return false;
		}
		if (hi < lo || hi >= 64)
			return false;
		for (uint64_t b = lo; b <= hi; b++)
			mask |= 1ull << b;
		if (j < n && s[j] != ',')
			return false;
		i = j + (j < n);
		if (j < n && i == n)
			return false;        /* trailing comma */
	}
	*out = mask;
	return true;
}

static bool is_nodemask_arg(const char *name)
{
	size_t n = strlen(name);
	return n >= 8 && !strcmp(name + n - 8, "nodemask");
}

/* Split at blanks, stopping at '#'. @return number of tokens, or -1 if too many. */
static int tokenize(const char *line, size_t len, struct tok *t)
{
	int n = 0;
	size_t i = 0;

	for (;;) {
		size_t j;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			return n;
		j = i;
		while (j < len && line[j] != ' ' && line[j] != '\t' && line[j] != '#')
			j++;
		if (n == TEXT_MAX_TOKENS)
			return -1;
		t[n].s = line + i;
		t[n].n = j - i;
		n++;
		i = j;
	}
}

static bool is_dep(const struct tok *t)
{
	return t->n == 3 && !memcmp(t->s, "dep", 3);
}

#define TERR(...) sim_errf(err, errlen, SIM_ETRACE, __VA_ARGS__)

static int parse_ctrl(trace_reader_t *r, uint32_t kind, const struct tok *t, int nt,
		      struct trace_ctrl *c, uint32_t *gap, char *err, size_t errlen)
{
	const char *path = r->path;
	unsigned long long ln = (unsigned long long)r->lineno;
	unsigned nargs = trace_ctrl_nr_args(kind);
	bool seen[TRACE_CTRL_MAX_ARGS + 1] = { false };

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->nargs = nargs;
	c->ret = TRACE_RET_NONE;
	for (int i = 0; i < nt; i++) {
		const char *eq = memchr(t[i].s, '=', t[i].n);
		char name[TRACE_ARG_NAME_MAX], key[TRACE_ARG_NAME_MAX];
		size_t kl, vl;
		const char *v;
		unsigned a;
		uint64_t val;
		bool ok;

		if (t[i].s[0] == '+') {
			if (!parse_dec(t[i].s + 1, t[i].n - 1, &val) || val > UINT32_MAX)
				return TERR("%s:%llu: expected a gap +N below 2^32, found '%.*s'", path, ln,
					    (int)t[i].n, t[i].s);
			*gap = (uint32_t)val;
			continue;
		}
		if (!eq || eq == t[i].s)
			return TERR("%s:%llu: expected key=value after %s, found '%.*s'", path, ln,
				    trace_ctrl_name(kind), (int)t[i].n, t[i].s);
		kl = (size_t)(eq - t[i].s);
		v = eq + 1;
		vl = t[i].n - kl - 1;
		snprintf(key, sizeof(key), "%.*s", (int)SIM_MIN(kl, sizeof(key) - 1), t[i].s);
		for (unsigned k = 0; k < ARRAY_SIZE(arg_aliases); k++)
			if (!strcmp(key, arg_aliases[k].alias))
				snprintf(key, sizeof(key), "%s", arg_aliases[k].name);
		if (!strcmp(key, "ret")) {
			a = TRACE_CTRL_MAX_ARGS;
		} else {
			for (a = 0; a < nargs; a++)
				if (!strcmp(key, trace_ctrl_arg_name(kind, a, name, sizeof(name))))
					break;
			if (a == nargs) {
				char list[160] = "";
				size_t off = 0;
				for (unsigned k = 0; k < nargs; k++)
					off += (size_t)snprintf(list + off, sizeof(list) - off, "%s ",
								trace_ctrl_arg_name(kind, k, name, sizeof(name)));
				return TERR("%s:%llu: unknown argument '%.*s' for %s (expected %sret)", path, ln,
					    (int)kl, t[i].s, trace_ctrl_name(kind), list);
			}
		}
		if (seen[a])
			return TERR("%s:%llu: argument '%.*s' given twice", path, ln, (int)kl, t[i].s);
		seen[a] = true;
		if (a < nargs && is_nodemask_arg(name)) {
			ok = parse_nodes(v, vl, &val);
		} else if (a < nargs && !strcmp(name, "mode") && vl && (v[0] < '0' || v[0] > '9')) {
			ok = false;
			for (unsigned m = 0; m < ARRAY_SIZE(mpol_names); m++)
				if (strlen(mpol_names[m]) == vl && !memcmp(v, mpol_names[m], vl)) {
					val = m;
					ok = true;
				}
		} else {
			ok = parse_num(v, vl, &val);
		}
		if (!ok)
			return TERR("%s:%llu: expected a number%s for %.*s, found '%.*s'", path, ln,
				    a < nargs && is_nodemask_arg(name) ? " or a node list like 0-1,3" :
				    a < nargs && !strcmp(name, "mode") ? " or a policy name" : "",
				    (int)kl, t[i].s, (int)vl, v);
		if (a == TRACE_CTRL_MAX_ARGS)
			c->ret = val;
		else
			c->args[a] = val;
	}
	return 0;
}

static int parse_line(trace_reader_t *r, const char *line, size_t len, char *err, size_t errlen)
{
	struct tok t[TEXT_MAX_TOKENS];
	const char *path = r->path;
	unsigned long long ln = (unsigned long long)r->lineno;
	struct trace_rec *rec;
	uint64_t tid = 0, addr, size, gap = 0;
	int nt = tokenize(line, len, t), i = 0;
	uint32_t kind;
	int op;

	if (nt < 0)
		return TERR("%s:%llu: expected at most %d fields", path, ln, TEXT_MAX_TOKENS);
	if (!nt)
		return 0;
	if (t[0].s[0] == 'T' && t[0].n > 1) {
		if (!parse_dec(t[0].s + 1, t[0].n - 1, &tid) || tid > UINT16_MAX)
			return TERR("%s:%llu: expected a thread id T0..T65535, found '%.*s'", path, ln,
				    (int)t[0].n, t[0].s);
		i = 1;
	}
	if (i == nt)
		return TERR("%s:%llu: expected an op after %.*s", path, ln, (int)t[0].n, t[0].s);
	rec = &r->rec[r->n];
	memset(rec, 0, sizeof(*rec));
	rec->tid = (uint16_t)tid;

	op = t[i].n != 1 ? -1 : t[i].s[0] == 'R' ? TOP_LOAD : t[i].s[0] == 'W' ? TOP_STORE
		: t[i].s[0] == 'I' ? TOP_IFETCH : t[i].s[0] == 'M' ? TOP_MODIFY : -1;
	if (op < 0) {
		kind = trace_ctrl_lookup(t[i].s, t[i].n);
		if (kind == NR_TRACE_CTRLS)
			return TERR("%s:%llu: expected an op (R W I M) or a control name, found '%.*s'", path,
				    ln, (int)t[i].n, t[i].s);
		char why[200];
		int rc = parse_ctrl(r, kind, t + i + 1, nt - i - 1, &r->ctrl[r->nctrl], &rec->gap, err, errlen);
		if (rc)
			return rc;
		if (trace_ctrl_check(&r->ctrl[r->nctrl], why, sizeof(why)))
			return TERR("%s:%llu: %s", path, ln, why);
		rec->op = TOP_CTRL;
		rec->ctrl = (uint16_t)r->nctrl++;
		r->n++;
		return 0;
	}
	if (++i == nt)
		return TERR("%s:%llu: expected an address after %c", path, ln, t[i - 1].s[0]);
	if (!parse_hex(t[i].s, t[i].n, &addr))
		return TERR("%s:%llu: expected a hexadecimal address, found '%.*s'", path, ln, (int)t[i].n,
			    t[i].s);
	size = op == TOP_IFETCH ? 4 : 8;
	if (++i < nt && t[i].s[0] != '+' && !is_dep(&t[i])) {
		if (!parse_dec(t[i].s, t[i].n, &size) || size == 0 || size > UINT16_MAX)
			return TERR("%s:%llu: expected a size in 1..65535, found '%.*s'", path, ln, (int)t[i].n,
				    t[i].s);
		i++;
	}
	if (i < nt && t[i].s[0] == '+') {
		if (!parse_dec(t[i].s + 1, t[i].n - 1, &gap) || gap > UINT32_MAX)
			return TERR("%s:%llu: expected a gap +N below 2^32, found '%.*s'", path, ln, (int)t[i].n,
				    t[i].s);
		i++;
	}
	if (i < nt && is_dep(&t[i])) {
		if (op == TOP_IFETCH)
			return TERR("%s:%llu: 'dep' marks a data access; an instruction fetch cannot carry it",
				    path, ln);
		rec->flags = TREC_DEP;
		i++;
	}
	if (i < nt)
		return TERR("%s:%llu: unexpected '%.*s' after the record", path, ln, (int)t[i].n, t[i].s);
	rec->op = (uint8_t)op;
	rec->addr = addr;
	rec->size = (uint16_t)size;
	rec->gap = (uint32_t)gap;
	r->n++;
	return 0;
}

static int text_next(trace_reader_t *r, char *err, size_t errlen)
{
	while (r->n < r->batch && r->nctrl < TRACE_BATCH_CTRLS) {
		const char *line;
		size_t len;
		int rc = trace_getline(r, &line, &len, err, errlen);

		if (rc <= 0)
			return rc;
		if ((rc = parse_line(r, line, len, err, errlen)))
			return rc;
	}
	return 0;
}

static const struct trace_reader_ops text_reader_ops = {
	.next = text_next,
};

int trace_text_open(trace_reader_t *r, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	r->ops = &text_reader_ops;
	return 0;
}

/* ---- writer ---- */

/* Small values in decimal, large ones in hex, small negatives as -N. */
static int put_num(char *p, size_t room, uint64_t v)
{
	if (v < 65536)
		return snprintf(p, room, "%llu", (unsigned long long)v);
	if ((int64_t)v < 0 && (int64_t)v >= -65536)
		return snprintf(p, room, "-%llu", (unsigned long long)(0 - v));
	return snprintf(p, room, "0x%llx", (unsigned long long)v);
}

static int text_put(trace_writer_t *w, const struct trace_rec *r, const struct trace_ctrl *c)
{
	static const char ops[] = "RWIM";
	char *p = (char *)w->buf + w->len;
	size_t room = TRACE_WRITER_SLACK;
	int n = 0;

	if (r->tid)
		n += snprintf(p + n, room - (size_t)n, "T%u ", r->tid);
	if (r->op == TOP_CTRL) {
		unsigned nargs = trace_ctrl_nr_args(c->kind);
		char name[TRACE_ARG_NAME_MAX];

		if (c->nargs > nargs)
			return sim_errf(w->err, sizeof(w->err), SIM_ERANGE,
					"%s: record %llu: %s takes %u arguments, got %u", w->path,
					(unsigned long long)w->nr_records, trace_ctrl_name(c->kind), nargs, c->nargs);
		n += snprintf(p + n, room - (size_t)n, "%s", trace_ctrl_name(c->kind));
		for (unsigned i = 0; i < nargs; i++) {
			uint64_t v = i < c->nargs ? c->args[i] : 0;
			trace_ctrl_arg_name(c->kind, i, name, sizeof(name));
			n += snprintf(p + n, room - (size_t)n, " %s=", name);
			if (is_nodemask_arg(name))
				n += snprintf(p + n, room - (size_t)n, "0x%llx", (unsigned long long)v);
			else
				n += put_num(p + n, room - (size_t)n, v);
		}
		if (c->ret != TRACE_RET_NONE) {
			n += snprintf(p + n, room - (size_t)n, " ret=");
			n += put_num(p + n, room - (size_t)n, c->ret);
		}
	} else {
		if ((r->flags & TREC_DEP) && r->op == TOP_IFETCH)
			return sim_errf(w->err, sizeof(w->err), SIM_ERANGE, "%s: record %llu: an instruction "
					"fetch cannot carry TREC_DEP", w->path, (unsigned long long)w->nr_records);
		n += snprintf(p + n, room - (size_t)n, "%c %llx %u", ops[r->op], (unsigned long long)r->addr,
			      r->size);
	}
	if (r->gap)
		n += snprintf(p + n, room - (size_t)n, " +%u", r->gap);
	if (r->op != TOP_CTRL && (r->flags & TREC_DEP))
		n += snprintf(p + n, room - (size_t)n, " dep");
	p[n++] = '\n';
	w->len += (size_t)n;
	return 0;
}

static int text_finish(trace_writer_t *w)
{
	(void)w;
	return 0;
}

static const struct trace_writer_ops text_writer_ops = {
	.put = text_put,
	.finish = text_finish,
};

int trace_text_writer_init(trace_writer_t *w)
{
	w->ops = &text_writer_ops;
	w->len = (size_t)sprintf((char *)w->buf, "# numasim text trace (docs/trace-format.md)\n");
	return 0;
}
