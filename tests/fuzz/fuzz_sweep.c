/*
 * tests/fuzz/fuzz_sweep.c - the sweep-spec loader, then the grid: every
 * point id, machine argument and override label of a spec that loads, and
 * the checks that keep outputs inside the sweep directory.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz_util.h"
#include "experiments/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct sweep_spec *s = NULL;
	char err[1024] = "";
	int rc = sweep_spec_load(&s, path, err, sizeof(err));

	if (rc) {
		fuzz_require(rc < 0 && s == NULL && strstr(err, path) != NULL, "spec error names the file", err);
		return 0;
	}
	fuzz_require(s->nr_workloads > 0 && s->nr_metrics > 0, "required axes", path);
	for (size_t w = 0; w < s->nr_workloads; w++)
		fuzz_require(sweep_name_ok(s->workloads[w].name), "workload names stay in the directory",
			     s->workloads[w].name);
	/* a grid too large to walk here is still fine to load */
	size_t n = sweep_nr_points(s);
	for (size_t i = 1; i <= n && i <= 4096; i++) {
		struct sweep_point p;
		char *m, *o;

		sweep_point_get(s, i, &p);
		fuzz_require(!strchr(p.id, '/') && strcmp(p.id, "..") && p.id[0] == 'p', "point ids are file names",
			     p.id);
		m = sweep_machine_arg(s, p.machine);
		o = sweep_override_label(s, p.override);
		fuzz_require(m && o, "labels", path);
		free(m);
		free(o);
	}
	sweep_spec_free(s);
	return 0;
}
