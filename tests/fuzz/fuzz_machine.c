/*
 * tests/fuzz/fuzz_machine.c - the machine loader with -p overrides, then
 * building the machine it describes.
 *
 * Input: leading lines "-p KEY=VALUE" are overrides; the rest, if any, is
 * the machine JSON (else the tiny preset is loaded).  A machine that loads
 * is built and runs an empty trace when it is small enough for the fuzzing
 * host (<= 512 MiB of simulated memory, <= 64 CPUs): that is where a
 * machine with no memory once wrote past a node mask.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_util.h"
#include "sim/cli/machine.h"
#include "sim/cli/run.h"

#define MAX_OVERRIDES 16

/* The empty text trace the built machine replays (its own memfd). */
static const char *empty_trace(void)
{
	static char path[64];
	FILE *f;

	if (!path[0]) {
		int fd = memfd_create("numasim-fuzz-empty", 0);

		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		f = fopen(path, "w");
		if (!f)
			abort();
		fputs("R 1000 8\n", f);
		fclose(f);
	}
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *p, *ov[MAX_OVERRIDES];
	unsigned nov = 0;
	struct machine_desc *m = calloc(1, sizeof(*m));
	char err[1024] = "";
	const char *spec = "tiny";
	int rc;

	if (!text || !m)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	p = text;
	while (nov < MAX_OVERRIDES && !strncmp(p, "-p ", 3)) {
		char *nl = strchr(p, '\n');

		ov[nov++] = p + 3;
		if (!nl) {
			p += strlen(p);
			break;
		}
		*nl = 0;
		p = nl + 1;
	}
	if (*p)
		spec = fuzz_file((const uint8_t *)p, strlen(p));
	rc = machine_load(m, spec, ov, nov, err, sizeof(err));
	if (rc) {
		fuzz_require(rc < 0 && err[0], "a load error has a message", spec);
	} else {
		uint64_t mem = 0;

		for (unsigned n = 0; n < m->hw.nr_nodes; n++)
			mem += m->hw.nodes[n].memory;
		if (mem <= (512u << 20) && hw_cfg_nr_cpus(&m->hw) <= 64) {
			struct run_opts *o = calloc(1, sizeof(*o));
			simrun_t *s = NULL;

			if (!o)
				abort();
			o->machine = spec;
			o->overrides = ov;
			o->nr_overrides = nov;
			o->traces[0].path = empty_trace();
			o->traces[0].fmt = TFMT_TEXT;
			o->nr_traces = 1;
			o->seed = 1;
			o->quiet = true;
			o->max_accesses = 100;
			rc = simrun_create(&s, o, err, sizeof(err));
			if (!rc)
				rc = simrun_run(s, err, sizeof(err));
			if (rc)
				fuzz_require(rc < 0 && err[0], "a build error has a message", spec);
			simrun_destroy(s);
			free(o);
		}
	}
	free(m);
	free(text);
	return 0;
}
