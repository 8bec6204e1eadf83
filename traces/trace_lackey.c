/*
 * traces/trace_lackey.c - Valgrind lackey memory traces
 * (valgrind --tool=lackey --trace-mem=yes).
 *
 * lackey prints one reference per line: "I  ADDR,SIZE" for an instruction
 * fetch and " L ", " S ", " M " for loads, stores and modifies, ADDR in hex
 * without 0x and SIZE in decimal.  Valgrind's own lines share the log: the
 * "==PID==" banner, "--PID--" debug lines, and with --trace-sched=yes /
 * --trace-syscalls=yes "SCHED[...]" and "SYSCALL[...]" lines.  Every line is
 * first classified (lackey_classify) and only then parsed, so a later version
 * can turn SCHED lines into thread switches and SYSCALL lines into control
 * records by handling their class; today they are skipped.
 *
 * Every I line becomes a TOP_IFETCH record with gap 0: lackey reports each
 * instruction, and cachegrind validation needs each fetch as an access.
 * The whole trace is thread 0.
 */
#include <string.h>
#include "sim/err.h"
#include "traces/trace_internal.h"

enum lackey_line {
	LL_EMPTY,
	LL_RECORD,         /* I / L / S / M reference */
	LL_BANNER,         /* ==PID== Valgrind messages */
	LL_DEBUG,          /* --PID-- Valgrind debug output */
	LL_SCHED,          /* SCHED[tid]: ... (--trace-sched=yes) */
	LL_SYSCALL,        /* SYSCALL[pid,tid](...) (--trace-syscalls=yes) */
	LL_OTHER,          /* anything else (program output sharing the log) */
};

static bool pid_fence(const char *s, size_t n, char c)
{
	size_t i = 2;

	if (n < 5 || s[0] != c || s[1] != c)
		return false;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i > 2 && i + 1 < n && s[i] == c && s[i + 1] == c;
}

static enum lackey_line lackey_classify(const char *s, size_t n)
{
	if (!n)
		return LL_EMPTY;
	if (n >= 2 && s[0] == 'I' && s[1] == ' ')
		return LL_RECORD;
	if (n >= 3 && s[0] == ' ' && (s[1] == 'L' || s[1] == 'S' || s[1] == 'M') && s[2] == ' ')
		return LL_RECORD;
	if (pid_fence(s, n, '='))
		return LL_BANNER;
	if (pid_fence(s, n, '-'))
		return LL_DEBUG;
	if (n >= 6 && !memcmp(s, "SCHED[", 6))
		return LL_SCHED;
	if (n >= 8 && !memcmp(s, "SYSCALL[", 8))
		return LL_SYSCALL;
	return LL_OTHER;
}

/*
 * Parse a line classified LL_RECORD.  @return 0 with op/addr/size, or -1 with
 * *what naming the part that was wrong.
 */
static int lackey_record(const char *s, size_t n, int *op, uint64_t *addr, uint64_t *size, const char **what)
{
	size_t i, digits = 0;
	uint64_t a = 0, z = 0;

	if (s[0] == 'I') {
		*op = TOP_IFETCH;
		i = 1;
	} else {
		*op = s[1] == 'L' ? TOP_LOAD : s[1] == 'S' ? TOP_STORE : TOP_MODIFY;
		i = 2;
	}
	while (i < n && s[i] == ' ')
		i++;
	for (; i < n && s[i] != ','; i++, digits++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0 || a >> 60) {
			*what = "a hexadecimal address of at most 64 bits";
			return -1;
		}
		a = a << 4 | (unsigned)d;
	}
	if (!digits) {
		*what = "a hexadecimal address";
		return -1;
	}
	if (i == n) {
		*what = "',' and a size after the address";
		return -1;
	}
	digits = 0;
	for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		z = z * 10 + (uint64_t)(s[i] - '0');
		if (z > UINT16_MAX)
			break;
	}
	if (!digits || z == 0 || z > UINT16_MAX) {
		*what = "a decimal size in 1..65535";
		return -1;
	}
	while (i < n && s[i] == ' ')
		i++;
	if (i != n) {
		*what = "the end of the line after the size";
		return -1;
	}
	*addr = a;
	*size = z;
	return 0;
}

static int lackey_next(trace_reader_t *r, char *err, size_t errlen)
{
	struct trace_rec *rec = r->rec;
	size_t n = r->n;
	int rc = 0;

	while (n < TRACE_BATCH_RECS) {
		const char *line, *what;
		size_t len;
		uint64_t addr, size;
		int op;

		rc = trace_getline(r, &line, &len, err, errlen);
		if (rc <= 0)
			break;
		rc = 0;
		switch (lackey_classify(line, len)) {
		case LL_RECORD:
			if (lackey_record(line, len, &op, &addr, &size, &what)) {
				rc = sim_errf(err, errlen, SIM_ETRACE, "%s:%llu: expected %s, found '%.*s'", r->path,
					      (unsigned long long)r->lineno, what, (int)SIM_MIN(len, 80), line);
				goto out;
			}
			rec[n] = (struct trace_rec){ .addr = addr, .size = (uint16_t)size, .op = (uint8_t)op };
			n++;
			break;
		case LL_SCHED:        /* thread switches: not interpreted yet */
		case LL_SYSCALL:      /* system calls: not interpreted yet */
		case LL_BANNER:
		case LL_DEBUG:
		case LL_OTHER:
		case LL_EMPTY:
		default:
			break;
		}
	}
out:
	r->n = n;
	return rc;
}

static const struct trace_reader_ops lackey_reader_ops = {
	.next = lackey_next,
};

int trace_lackey_open(trace_reader_t *r, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	r->ops = &lackey_reader_ops;
	return 0;
}

bool trace_lackey_sniff(const uint8_t *buf, size_t len)
{
	const char *s = (const char *)buf, *end = s + len;
	bool first = true;

	for (unsigned lines = 0; s < end && lines < 64; lines++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		enum lackey_line k;

		if (!nl && lines)
			break;                /* a cut-off last line proves nothing */
		if (n && s[n - 1] == '\r')
			n--;
		k = lackey_classify(s, n);
		if (k == LL_BANNER || k == LL_DEBUG)
			return true;
		if (first && k == LL_RECORD) {
			int op;
			uint64_t a, z;
			const char *what;
			return lackey_record(s, n, &op, &a, &z, &what) == 0;
		}
		if (k != LL_EMPTY)
			first = false;
		if (!nl)
			break;
		s = nl + 1;
	}
	return false;
}
