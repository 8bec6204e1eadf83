/*
 * tests/fuzz/fuzz_replay.c - a short full replay on the tiny preset: any
 * trace (format detected, text or native usually) through the OS and the
 * hardware, first 2000 accesses, with the report built.  Errors must be
 * clean (negative code, message); everything else must not crash.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_util.h"
#include "sim/cli/run.h"
#include "sim/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_opts *o = calloc(1, sizeof(*o));
	simrun_t *s = NULL;
	char err[1024] = "";
	int rc;

	if (!o)
		abort();
	o->machine = "tiny";
	o->traces[0].path = fuzz_file(data, size);
	o->traces[0].fmt = TFMT_AUTO;
	o->nr_traces = 1;
	o->seed = 1;
	o->quiet = true;
	o->max_accesses = 2000;
	rc = simrun_create(&s, o, err, sizeof(err));
	if (!rc)
		rc = simrun_run(s, err, sizeof(err));
	if (rc) {
		fuzz_require(rc < 0 && err[0], "a replay error has a message", o->traces[0].path);
	} else {
		rep_t *r;

		if (!rep_create(&r)) {
			simrun_report(s, r);
			rep_destroy(r);
		}
	}
	simrun_destroy(s);
	free(o);
	return 0;
}
