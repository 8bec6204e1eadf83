/* sim/presets.c - lookup in the generated preset table. */
#include <string.h>
#include "sim/presets.h"

const char *preset_find(const char *name)
{
	for (const struct preset_blob *p = preset_blobs; p->name; p++)
		if (!strcmp(p->name, name))
			return p->json;
	return NULL;
}
