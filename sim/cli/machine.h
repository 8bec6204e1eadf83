/*
 * sim/cli/machine.h - a whole machine description: hardware + OS.
 *
 * The root of the JSON a user writes (or a preset): {"name", "description",
 * "sources", "calibration", "cpu", "caches", "tlb", "coherence", "uncore",
 * "nodes", "links", "os"}.  Only the driver composes the hw/ and os/ tables
 * into one document, which keeps those layers independent.
 */
#ifndef SIM_CLI_MACHINE_H
#define SIM_CLI_MACHINE_H

#include "hw/hw_cfg.h"
#include "os/os_cfg.h"
#include "sim/config.h"

struct machine_desc {
	char name[64];
	char description[512];
	struct hw_cfg hw;
	struct os_cfg os;
};

extern const struct cfg_table machine_desc_table;

/*
 * Load a machine: `spec` is a preset name or a JSON file path.  Overrides
 * ("a.b=v") are applied in order before parsing.  The result is validated
 * and finalized (SLIT derived when absent).  On error, err names the file,
 * preset or -p argument and the JSON path.
 */
int machine_load(struct machine_desc *m, const char *spec, char *const *overrides, unsigned nr_overrides,
		 char *err, size_t errlen);

/* Pretty JSON of the effective description (malloc'd). */
char *machine_dump(const struct machine_desc *m);

#endif
