/* tests/sim/test_config.c - field-table parsing, errors naming JSON paths, overrides, dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "sim/config.h"
#include "sim/err.h"

struct inner {
	uint32_t tRCD;
	uint64_t lat;
	bool on;
};
struct outer {
	char name[16];
	uint64_t size;
	uint32_t mode;
	struct inner one;
	struct inner many[4];
	uint32_t nr_many;
	uint32_t list[3];
	uint32_t nr_list;
};

static const char *const modes[] = { "alpha", "beta", NULL };
static const struct cfg_field inner_fields[] = {
	CFG_F_U32(struct inner, tRCD, 1, 200, 19, "nCK"),
	CFG_F_NS(struct inner, lat, 0, 1000000, 2500, "ns"),
	CFG_F_BOOL(struct inner, on, true, "switch"),
};
static const struct cfg_table inner_table = CFG_TABLE("inner", struct inner, inner_fields, NULL);
static const struct cfg_field outer_fields[] = {
	CFG_F_STR(struct outer, name, "anon", "name"),
	CFG_F_SIZE(struct outer, size, 1, 1ULL << 40, 4096, "bytes"),
	CFG_F_ENUM(struct outer, mode, modes, 1, "mode"),
	CFG_F_OBJ(struct outer, one, inner_table, "one"),
	CFG_F_ARR(struct outer, many, nr_many, inner_table, "many"),
	CFG_F_U32_LIST(struct outer, list, nr_list, 10, 254, "list"),
	CFG_F_ANY("sources", "free"),
};
static const struct cfg_table outer_table = CFG_TABLE("outer", struct outer, outer_fields, NULL);

static int parse(const char *json, struct outer *o, char *err, size_t n)
{
	cfg_doc_t *doc;
	int rc = cfg_doc_load_string(&doc, json, "test", err, n);
	if (rc)
		return rc;
	rc = cfg_parse(&outer_table, doc, o, err, n);
	cfg_doc_free(doc);
	return rc;
}

static void config_defaults_and_values(void **state)
{
	struct outer o;
	char err[256];
	(void)state;
	assert_int_equal(parse("{}", &o, err, sizeof(err)), 0);
	assert_string_equal(o.name, "anon");
	assert_int_equal(o.size, 4096);
	assert_int_equal(o.mode, 1);
	assert_int_equal(o.one.tRCD, 19);
	assert_int_equal(o.one.lat, 2500);
	assert_true(o.one.on);
	assert_int_equal(o.nr_many, 0);
	assert_int_equal(parse("{\"name\":\"x\",\"size\":\"1.5M\",\"mode\":\"alpha\",\"one\":{\"lat\":81.4},"
			       "\"many\":[{},{\"tRCD\":22,\"on\":false}],\"list\":[10,21],\"sources\":{\"a\":1}}",
			       &o, err, sizeof(err)), 0);
	assert_string_equal(o.name, "x");
	assert_int_equal(o.size, 1572864);
	assert_int_equal(o.mode, 0);
	assert_int_equal(o.one.lat, 81400);
	assert_int_equal(o.nr_many, 2);
	assert_int_equal(o.many[0].tRCD, 19);
	assert_int_equal(o.many[1].tRCD, 22);
	assert_false(o.many[1].on);
	assert_int_equal(o.nr_list, 2);
	assert_int_equal(o.list[1], 21);
}

static void expect_err(const char *json, const char *msg)
{
	struct outer o;
	char err[256] = "";
	int rc = parse(json, &o, err, sizeof(err));
	assert_int_equal(rc, -SIM_ECONFIG);
	if (!strstr(err, msg)) {
		fprintf(stderr, "expected '%s' in '%s'\n", msg, err);
		fail();
	}
}

static void config_errors_name_paths(void **state)
{
	(void)state;
	expect_err("{\"many\":[{},{\"tRCD\":0}]}", "many[1].tRCD: must be 1..200, got 0");
	expect_err("{\"one\":{\"tRDC\":3}}", "one.tRDC: unknown key");
	expect_err("{\"one\":{\"tRCD\":\"x\"}}", "one.tRCD: expected a number");
	expect_err("{\"one\":{\"tRCD\":-3}}", "one.tRCD: must not be negative");
	expect_err("{\"one\":{\"tRCD\":2.5}}", "one.tRCD: must be a non-negative integer");
	expect_err("{\"mode\":\"gamma\"}", "mode: 'gamma' is not one of: alpha, beta");
	expect_err("{\"size\":\"12Q\"}", "size: '12Q' is not a size");
	expect_err("{\"many\":[{},{},{},{},{}]}", "many: at most 4 elements, got 5");
	expect_err("{\"list\":[10,300]}", "list[1]: must be 10..254, got 300");
	expect_err("{\"name\":\"a-very-long-name-indeed\"}", "name: longer than 15");
	expect_err("{\"one\":[]}", "one: expected an object");
	expect_err("{\"one\":{\"on\":1}}", "one.on: expected true or false");
	expect_err("{\"a\":1,}", "test:1:");
}

static void config_overrides(void **state)
{
	struct outer o;
	char err[256];
	cfg_doc_t *doc;
	(void)state;
	assert_int_equal(cfg_doc_load_string(&doc, "{\"many\":[{},{}]}", "t", err, sizeof(err)), 0);
	assert_int_equal(cfg_doc_override(doc, "many.1.tRCD=30", err, sizeof(err)), 0);
	assert_int_equal(cfg_doc_override(doc, "many[*].lat=7", err, sizeof(err)), 0);
	assert_int_equal(cfg_doc_override(doc, "one.on=false", err, sizeof(err)), 0);
	assert_int_equal(cfg_doc_override(doc, "name=hello", err, sizeof(err)), 0);
	assert_int_equal(cfg_parse(&outer_table, doc, &o, err, sizeof(err)), 0);
	assert_int_equal(o.many[1].tRCD, 30);
	assert_int_equal(o.many[0].lat, 7000);
	assert_int_equal(o.many[1].lat, 7000);
	assert_false(o.one.on);
	assert_string_equal(o.name, "hello");
	assert_int_not_equal(cfg_doc_override(doc, "many.5.tRCD=1", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "index 5 out of range"));
	assert_int_not_equal(cfg_doc_override(doc, "noequals", err, sizeof(err)), 0);
	/* a value that is not UTF-8 (found by fuzz_machine): an error with a message, not an empty one */
	err[0] = 0;
	assert_int_equal(cfg_doc_override(doc, "name=a\xfa" "b", err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "-p name=a"));
	assert_non_null(strstr(err, "UTF-8"));
	err[0] = 0;
	assert_int_equal(cfg_doc_override(doc, "many[*].\x93\x9a=0", err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "key is not valid UTF-8"));
	/* an override with a bad value fails at parse time, naming the path */
	assert_int_equal(cfg_doc_override(doc, "many.0.tRCD=0", err, sizeof(err)), 0);
	assert_int_equal(cfg_parse(&outer_table, doc, &o, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "many[0].tRCD: must be 1..200, got 0"));
	cfg_doc_free(doc);
}

static void config_dump_roundtrip(void **state)
{
	struct outer a, b;
	char err[256];
	cfg_doc_t *doc;
	char *s;
	(void)state;
	assert_int_equal(parse("{\"one\":{\"lat\":81.4},\"many\":[{\"tRCD\":5}],\"list\":[10,20]}", &a, err,
			       sizeof(err)), 0);
	s = cfg_dump_string(&outer_table, &a);
	assert_non_null(s);
	assert_non_null(strstr(s, "\"lat\": 81.4"));
	assert_int_equal(cfg_doc_load_string(&doc, s, "dump", err, sizeof(err)), 0);
	assert_int_equal(cfg_parse(&outer_table, doc, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	cfg_doc_free(doc);
	free(s);
}

static void config_sizes(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(cfg_parse_size("32K", &v), 0);
	assert_int_equal(v, 32768);
	assert_int_equal(cfg_parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(cfg_parse_size("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_not_equal(cfg_parse_size("0.3K", &v), 0);   /* not a whole number of bytes */
	assert_int_not_equal(cfg_parse_size("", &v), 0);
	assert_int_not_equal(cfg_parse_size("-1", &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_defaults_and_values),
		cmocka_unit_test(config_errors_name_paths),
		cmocka_unit_test(config_overrides),
		cmocka_unit_test(config_dump_roundtrip),
		cmocka_unit_test(config_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
