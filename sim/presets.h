/*
 * sim/presets.h - machine descriptions built into the binary.
 *
 * hw/presets/NAME.json is embedded at build time (mk/embed_presets.sh), so
 * `numasim run --machine skx-2s` works from any directory without an
 * installed share/ tree.
 */
#ifndef SIM_PRESETS_H
#define SIM_PRESETS_H

#include <stddef.h>

struct preset_blob {
	const char *name;
	const char *json;
};

/* NULL-name terminated, sorted by file name. */
extern const struct preset_blob preset_blobs[];

/* @return the JSON text of a built-in preset, or NULL. */
const char *preset_find(const char *name);

#endif
