/* sim/err.c - error strings and message formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"

static const char *const sim_err_text[] = {
#define SIM_ERR_TEXT(id, msg) msg,
	SIM_ERRORS(SIM_ERR_TEXT)
#undef SIM_ERR_TEXT
};
_Static_assert(ARRAY_SIZE(sim_err_text) == NR_SIM_ERRORS, "error table out of sync");

const char *sim_strerror(int rc)
{
	if (rc < 0)
		rc = -rc;
	if (rc >= NR_SIM_ERRORS)
		return "unknown error";
	return sim_err_text[rc];
}

int sim_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code > 0 ? -code : code;
}

void sim_err_prefix(char *err, size_t errlen, const char *fmt, ...)
{
	char pre[512], old[1024];
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	snprintf(old, sizeof(old), "%s", err);
	snprintf(err, errlen, "%s: %s", pre, old);
}

void sim_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "numasim: internal error at %s:%d: %s\n", file, line, what);
	abort();
}
