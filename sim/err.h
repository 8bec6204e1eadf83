/*
 * sim/err.h - error codes and messages.
 *
 * Functions below main() never exit: they return a negative SIM_E* code and
 * write a human message into a caller-supplied buffer (char *err, size_t
 * errlen).  The message names the file, line or byte offset, or the JSON path
 * of the offending field, so main() can print it as it is.
 */
#ifndef SIM_ERR_H
#define SIM_ERR_H

#include <stddef.h>
#include "sim/types.h"

#define SIM_ERRORS(X)                                          \
	X(OK,      "success")                                  \
	X(NOMEM,   "out of host memory")                       \
	X(CONFIG,  "invalid configuration")                    \
	X(TRACE,   "malformed trace")                          \
	X(IO,      "input/output error")                       \
	X(USAGE,   "invalid command line")                     \
	X(NOTSUP,  "not supported")                            \
	X(RANGE,   "value out of range")                       \
	X(STATE,   "invalid state")                            \
	X(OOM,     "simulated machine out of memory")          \
	X(FAULT,   "unresolvable simulated fault")            \
	X(BUSY,    "resource busy (Linux's EBUSY)")

enum sim_err {
#define SIM_ERR_ENUM(id, msg) SIM_E##id,
	SIM_ERRORS(SIM_ERR_ENUM)
#undef SIM_ERR_ENUM
	NR_SIM_ERRORS
};

/* @return a static string for a (negative or positive) error code. */
const char *sim_strerror(int rc);

/*
 * Format a message into err (if non-NULL) and return -code.  Lets error
 * sites read as: return sim_errf(err, errlen, SIM_ECONFIG, "x: bad %d", v);
 */
int sim_errf(char *err, size_t errlen, int code, const char *fmt, ...) SIM_PRINTF(4, 5);

/* Prefix an existing message with "prefix: " in place. */
void sim_err_prefix(char *err, size_t errlen, const char *fmt, ...) SIM_PRINTF(3, 4);

/*
 * Broken invariants (not bad input) abort after saying where.  Always on:
 * a simulator that silently continues from a corrupt state gives wrong answers.
 */
#define SIM_BUG_ON(cond)                                                    \
	do {                                                                \
		if (unlikely(cond))                                         \
			sim_bug(__FILE__, __LINE__, #cond);                 \
	} while (0)

#ifdef SIM_DEBUG
#define SIM_ASSERT(cond) SIM_BUG_ON(!(cond))
#else
#define SIM_ASSERT(cond) ((void)0)
#endif

_Noreturn void sim_bug(const char *file, int line, const char *what);

#endif
