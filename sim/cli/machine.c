/*
 * sim/cli/machine.c - the root field table and preset/file loading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sim/cli/hmat.h"
#include "sim/cli/machine.h"
#include "sim/err.h"
#include "sim/presets.h"

#define M_FIELD(key_, type_, member, ...) \
	{ .key = key_, .type = type_, .off = offsetof(struct machine_desc, member), __VA_ARGS__ }

static const struct cfg_field machine_fields[] = {
	M_FIELD("name", CFG_STR, name, .str_len = sizeof(((struct machine_desc *)0)->name), .def_str = "unnamed",
		.doc = "short name of the machine"),
	M_FIELD("description", CFG_STR, description, .str_len = sizeof(((struct machine_desc *)0)->description),
		.def_str = "", .doc = "what the machine is"),
	CFG_F_ANY("sources", "where each figure comes from (free-form)"),
	CFG_F_ANY("calibration", "published figures the preset was calibrated against (free-form)"),
	M_FIELD("cpu", CFG_OBJ, hw.cpu, .sub = &cpu_cfg_table, .doc = "cores"),
	M_FIELD("caches", CFG_OBJ, hw.caches, .sub = &caches_cfg_table, .doc = "cache hierarchy"),
	M_FIELD("tlb", CFG_OBJ, hw.tlb, .sub = &tlb_cfg_table, .doc = "TLBs and page-walk caches"),
	M_FIELD("coherence", CFG_OBJ, hw.coherence, .sub = &coherence_cfg_table, .doc = "MESI directory"),
	M_FIELD("uncore", CFG_NS, hw.uncore, .def = 20000, .max = 1000000000,
		.doc = "ns from an L3 miss to leaving the socket (mesh/ring, home agent)"),
	M_FIELD("nodes", CFG_ARR, hw.nodes, .sub = &node_cfg_table,
		.count_off = offsetof(struct machine_desc, hw.nr_nodes), .max_elems = HW_MAX_NODES,
		.flags = CFG_REQUIRED, .doc = "NUMA nodes in physical address order"),
	M_FIELD("links", CFG_ARR, hw.links, .sub = &link_cfg_table,
		.count_off = offsetof(struct machine_desc, hw.nr_links), .max_elems = HW_MAX_LINKS,
		.doc = "interconnect links between nodes"),
	M_FIELD("os", CFG_OBJ, os, .sub = &os_cfg_table, .doc = "operating-system parameters"),
};

const struct cfg_table machine_desc_table = CFG_TABLE("machine", struct machine_desc, machine_fields, NULL);

static bool looks_like_file(const char *spec)
{
	struct stat st;

	return strchr(spec, '/') || strstr(spec, ".json") || stat(spec, &st) == 0;
}

int machine_load(struct machine_desc *m, const char *spec, char *const *overrides, unsigned nr_overrides,
		 char *err, size_t errlen)
{
	cfg_doc_t *doc = NULL;
	char origin[300];
	int rc;

	if (looks_like_file(spec)) {
		snprintf(origin, sizeof(origin), "%s", spec);
		rc = cfg_doc_load_file(&doc, spec, err, errlen);
	} else {
		const char *json = preset_find(spec);
		if (!json) {
			char names[512] = "";
			for (const struct preset_blob *p = preset_blobs; p->name; p++) {
				strncat(names, p == preset_blobs ? "" : ", ", sizeof(names) - strlen(names) - 1);
				strncat(names, p->name, sizeof(names) - strlen(names) - 1);
			}
			return sim_errf(err, errlen, SIM_ECONFIG,
					"--machine %s: no such preset or file (presets: %s)", spec, names);
		}
		snprintf(origin, sizeof(origin), "preset %s", spec);
		rc = cfg_doc_load_string(&doc, json, origin, err, errlen);
	}
	if (rc)
		return rc;
	for (unsigned i = 0; i < nr_overrides; i++) {
		rc = cfg_doc_override(doc, overrides[i], err, errlen);
		if (rc)
			goto out;
	}
	rc = cfg_parse(&machine_desc_table, doc, m, err, errlen);
	if (!rc)
		rc = hw_cfg_finalize(&m->hw, err, errlen);
	if (!rc)
		rc = hmat_fill(m, err, errlen);   /* the OS's node performance table (docs/tiering.md) */
	if (rc)
		sim_err_prefix(err, errlen, "%s", origin);
out:
	cfg_doc_free(doc);
	return rc;
}

char *machine_dump(const struct machine_desc *m)
{
	return cfg_dump_string(&machine_desc_table, m);
}
