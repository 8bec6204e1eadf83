/*
 * sim/config.h - typed configuration from JSON through field tables.
 *
 * Each component owns a plain C struct for its parameters and a table that
 * says, per field: JSON key, type, offset, default, bounds and a doc string
 * with the unit.  cfg_parse() walks the table once at start-up; components
 * never see JSON.  Every error names the JSON path, e.g.
 *     nodes[1].ddr.tRCD: must be 1..200, got 0
 * Unknown keys are errors (typos must not silently fall back to defaults).
 *
 * cfg_dump() turns a parsed struct back into JSON with every default filled
 * in: that is the "effective config" echoed into each report.
 *
 * Overrides (`-p nodes.1.ddr.tRCD=22`, `-p 'nodes[*].ddr.tCL=20'`) edit the
 * JSON document before parsing, so they obey exactly the same checks.
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stddef.h>
#include "sim/types.h"

enum cfg_type {
	CFG_BOOL,      /* bool */
	CFG_U32,       /* uint32_t */
	CFG_U64,       /* uint64_t */
	CFG_SIZE,      /* uint64_t bytes; JSON number or "32K"/"1.5M"/"2G"/"1T" (binary units) */
	CFG_NS,        /* uint64_t picoseconds; JSON number of nanoseconds (fractions allowed) */
	CFG_ENUM,      /* uint32_t index into names[]; JSON string */
	CFG_STR,       /* char[str_len]; JSON string */
	CFG_OBJ,       /* nested struct described by sub */
	CFG_ARR,       /* fixed array of sub structs, count at count_off */
	CFG_U32_LIST,  /* fixed array of uint32_t, count at count_off */
	CFG_ANY,       /* free-form JSON kept only for documentation (e.g. "sources") */
};

#define CFG_REQUIRED 1u  /* key must be present */

struct cfg_table;

struct cfg_field {
	const char *key;
	enum cfg_type type;
	size_t off;
	uint64_t def;                 /* default for numbers/bools/enums */
	uint64_t min, max;            /* inclusive bounds for numbers (ps for CFG_NS) */
	const char *doc;              /* meaning and unit, shown by `numasim config doc` */
	const char *const *names;     /* CFG_ENUM: NULL-terminated name list */
	const struct cfg_table *sub;  /* CFG_OBJ, CFG_ARR */
	size_t count_off;             /* CFG_ARR, CFG_U32_LIST: uint32_t count */
	uint32_t max_elems;           /* CFG_ARR, CFG_U32_LIST: capacity */
	size_t str_len;               /* CFG_STR: buffer size */
	const char *def_str;          /* CFG_STR default */
	unsigned flags;
};

struct cfg_table {
	const char *name;             /* for docs */
	const struct cfg_field *fields;
	size_t nfields;
	size_t size;                  /* sizeof the struct */
	/*
	 * Optional cross-field check after all fields parsed.  `path` is the
	 * JSON path of this object ("" at the root).  @return 0 or -SIM_ECONFIG
	 * with a message naming path.field.
	 */
	int (*validate)(void *obj, const char *path, char *err, size_t errlen);
};

#define CFG_TABLE(sname, type_, fields_, validate_) \
	{ sname, fields_, ARRAY_SIZE(fields_), sizeof(type_), validate_ }

/* Field constructors.  S is the struct type, F the member name (also the key). */
#define CFG_F_BOOL(S, F, dflt, doc_) \
	{ .key = #F, .type = CFG_BOOL, .off = offsetof(S, F), .def = (dflt), .max = 1, .doc = doc_ }
#define CFG_F_U32(S, F, lo, hi, dflt, doc_) \
	{ .key = #F, .type = CFG_U32, .off = offsetof(S, F), .def = (dflt), .min = (lo), .max = (hi), .doc = doc_ }
#define CFG_F_U64(S, F, lo, hi, dflt, doc_) \
	{ .key = #F, .type = CFG_U64, .off = offsetof(S, F), .def = (dflt), .min = (lo), .max = (hi), .doc = doc_ }
#define CFG_F_SIZE(S, F, lo, hi, dflt, doc_) \
	{ .key = #F, .type = CFG_SIZE, .off = offsetof(S, F), .def = (dflt), .min = (lo), .max = (hi), .doc = doc_ }
/* bounds and default in picoseconds; JSON gives nanoseconds */
#define CFG_F_NS(S, F, lo_ps, hi_ps, dflt_ps, doc_) \
	{ .key = #F, .type = CFG_NS, .off = offsetof(S, F), .def = (dflt_ps), .min = (lo_ps), .max = (hi_ps), .doc = doc_ }
#define CFG_F_ENUM(S, F, names_, dflt, doc_) \
	{ .key = #F, .type = CFG_ENUM, .off = offsetof(S, F), .def = (dflt), .names = (names_), .doc = doc_ }
#define CFG_F_STR(S, F, dflt, doc_) \
	{ .key = #F, .type = CFG_STR, .off = offsetof(S, F), .str_len = sizeof(((S *)0)->F), .def_str = (dflt), .doc = doc_ }
#define CFG_F_OBJ(S, F, table, doc_) \
	{ .key = #F, .type = CFG_OBJ, .off = offsetof(S, F), .sub = &(table), .doc = doc_ }
#define CFG_F_ARR(S, F, countF, table, doc_) \
	{ .key = #F, .type = CFG_ARR, .off = offsetof(S, F), .sub = &(table), .count_off = offsetof(S, countF), \
	  .max_elems = ARRAY_SIZE(((S *)0)->F), .doc = doc_ }
#define CFG_F_U32_LIST(S, F, countF, lo, hi, doc_) \
	{ .key = #F, .type = CFG_U32_LIST, .off = offsetof(S, F), .count_off = offsetof(S, countF), .min = (lo), .max = (hi), \
	  .max_elems = ARRAY_SIZE(((S *)0)->F), .doc = doc_ }
#define CFG_F_ANY(key_, doc_) \
	{ .key = key_, .type = CFG_ANY, .doc = doc_ }

/* Opaque JSON document (a jansson json_t underneath). */
typedef struct cfg_doc cfg_doc_t;

/*
 * Load a JSON file.  Errors carry "path:line:col: message".
 * @return 0 or -SIM_ECONFIG / -SIM_EIO.
 */
int cfg_doc_load_file(cfg_doc_t **out, const char *path, char *err, size_t errlen);
/* Same from a string; `origin` names it in errors (e.g. "preset skx-2s"). */
int cfg_doc_load_string(cfg_doc_t **out, const char *text, const char *origin, char *err, size_t errlen);
void cfg_doc_free(cfg_doc_t *doc);

/*
 * Apply one "path=value" override.  Path segments are separated by '.'; an
 * array index is written "nodes.1" or "nodes[1]"; "*" (or "[*]") applies to
 * every element.  The value is parsed as JSON when it is valid JSON (42,
 * true, [1,2], "x"), else taken as a string.  Missing objects are created.
 */
int cfg_doc_override(cfg_doc_t *doc, const char *assignment, char *err, size_t errlen);

/* Parse the document (or the sub-object at key `key`, NULL for the root). */
int cfg_parse(const struct cfg_table *t, const cfg_doc_t *doc, void *out, char *err, size_t errlen);

/* Fill a struct with the table's defaults (as if parsed from {}). */
int cfg_defaults(const struct cfg_table *t, void *out, char *err, size_t errlen);

/* The effective configuration as a pretty JSON string (malloc'd, sorted as the table). */
char *cfg_dump_string(const struct cfg_table *t, const void *obj);

/* Print every key with type, default, bounds and doc (`numasim config doc`). */
void cfg_print_doc(const struct cfg_table *t, const char *prefix, void *fp);

/* Parse "32K", "1.5M", "2G", plain numbers.  @return 0 or -SIM_ERANGE. */
int cfg_parse_size(const char *s, uint64_t *out);



/* For report writers: the effective configuration as a jansson value (new reference). */
struct json_t;
struct json_t *cfg_dump_json(const struct cfg_table *t, const void *obj);
/* Borrow the document's root (jansson json_t *). */
struct json_t *cfg_doc_root(const cfg_doc_t *doc);
#endif
