/*
 * tests/hw/test_link.c - interconnect routes, serialization, queueing and
 * counters, with exact times, plus a differential check of routing against
 * brute-force enumeration of simple paths on random graphs.
 *
 * Numbers are chosen to read easily: 1000 MB/s is 1 byte per ns, so a
 * 64-byte message serializes in 64 ns.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "tests/support/test.h"
#include "hw/link.h"
#include "sim/err.h"
#include "sim/rng.h"

#define NS 1000ULL

static struct hw_cfg *new_cfg(unsigned nodes)
{
	struct hw_cfg *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->nr_nodes = nodes;
	return c;
}

static void add_link(struct hw_cfg *c, unsigned a, unsigned b, uint64_t lat_ps, uint64_t mbps)
{
	c->links[c->nr_links++] = (struct link_cfg){ .a = a, .b = b, .latency = lat_ps, .bandwidth = mbps };
}

static linknet_t *make(const struct hw_cfg *c)
{
	linknet_t *ln = NULL;
	char err[256];

	assert_int_equal(linknet_create(&ln, c, err, sizeof(err)), 0);
	return ln;
}

/* Messages counted on the direction from -> to (summed over parallel links). */
static uint64_t port_messages(const linknet_t *ln, unsigned from, unsigned to, const char *key)
{
	rep_t *r;
	json_t *arr, *el;
	size_t i;
	uint64_t n = 0;

	assert_int_equal(rep_create(&r), 0);
	linknet_report(ln, 1000 * NS, r);
	arr = json_object_get(rep_root(r), "links");
	assert_true(json_is_array(arr));
	json_array_foreach(arr, i, el) {
		if ((unsigned)json_integer_value(json_object_get(el, "a")) == from &&
		    (unsigned)json_integer_value(json_object_get(el, "b")) == to)
			n += (uint64_t)json_integer_value(json_object_get(el, key));
	}
	rep_destroy(r);
	return n;
}

static void link_idle_line(void **state)
{
	struct hw_cfg *c = new_cfg(4);
	linknet_t *ln;

	(void)state;
	add_link(c, 0, 1, 10 * NS, 1000);
	add_link(c, 1, 2, 10 * NS, 1000);
	add_link(c, 2, 3, 10 * NS, 1000);
	ln = make(c);
	assert_int_equal(linknet_hops(ln, 0, 3), 3);
	assert_int_equal(linknet_hops(ln, 3, 1), 2);
	assert_int_equal(linknet_hops(ln, 2, 2), 0);
	/* store-and-forward: every hop serializes the whole message */
	assert_int_equal(link_idle_latency(ln, 0, 3, 64), 3 * (10 + 64) * NS);
	assert_int_equal(link_idle_latency(ln, 0, 1, 16), (10 + 16) * NS);
	assert_int_equal(link_idle_latency(ln, 1, 1, 64), 0);
	/* no state change: the same again, and a transfer on the idle net agrees */
	assert_int_equal(link_idle_latency(ln, 0, 3, 64), 3 * 74 * NS);
	assert_int_equal(link_transfer(ln, 0, 3, 5 * NS, 64), 3 * 74 * NS);
	assert_int_equal(link_transfer(ln, 2, 2, 5 * NS, 64), 0);
	/* serialization rounds up to whole ps: 3 bytes at 7 MB/s = 428571.4 ps */
	linknet_destroy(ln);
	c->nr_links = 0;
	add_link(c, 0, 1, 0, 7);
	add_link(c, 1, 2, 0, 7);
	add_link(c, 2, 3, 0, 7);
	ln = make(c);
	assert_int_equal(link_idle_latency(ln, 0, 1, 3), 428572);
	linknet_destroy(ln);
	free(c);
}

static void link_queueing(void **state)
{
	struct hw_cfg *c = new_cfg(2);
	linknet_t *ln;
	rep_t *r;
	json_t *el;

	(void)state;
	add_link(c, 0, 1, 10 * NS, 1000);
	ln = make(c);
	assert_int_equal(link_transfer(ln, 0, 1, 0, 64), 74 * NS);
	/* same direction, same time: waits exactly the first one's 64 ns */
	assert_int_equal(link_transfer(ln, 0, 1, 0, 64), (64 + 74) * NS);
	/* opposite direction is independent */
	assert_int_equal(link_transfer(ln, 1, 0, 0, 64), 74 * NS);
	/* arriving while busy until 128 ns: waits 28 ns */
	assert_int_equal(link_transfer(ln, 0, 1, 100 * NS, 16), (28 + 16 + 10) * NS);
	/* arriving after the port freed (144 ns): no wait */
	assert_int_equal(link_transfer(ln, 0, 1, 500 * NS, 64), 74 * NS);

	assert_int_equal(rep_create(&r), 0);
	linknet_report(ln, 1000 * NS, r);
	el = json_array_get(json_object_get(rep_root(r), "links"), 0);
	assert_string_equal(json_string_value(json_object_get(el, "dir")), "0->1");
	assert_int_equal(json_integer_value(json_object_get(el, "bytes")), 64 * 3 + 16);
	assert_int_equal(json_integer_value(json_object_get(el, "messages")), 4);
	assert_int_equal(json_integer_value(json_object_get(el, "busy_ns")), 64 * 3 + 16);
	assert_int_equal(json_integer_value(json_object_get(el, "queue_delay_ns")), 64 + 28);
	assert_int_equal(json_integer_value(json_object_get(el, "queue_delay_max_ns")), 64);
	assert_true(json_real_value(json_object_get(el, "utilisation")) == 0.208);
	el = json_array_get(json_object_get(rep_root(r), "links"), 1);
	assert_string_equal(json_string_value(json_object_get(el, "dir")), "1->0");
	assert_int_equal(json_integer_value(json_object_get(el, "messages")), 1);
	assert_int_equal(json_integer_value(json_object_get(el, "queue_delay_ns")), 0);
	rep_destroy(r);
	linknet_destroy(ln);
	free(c);
}

/* Multi-hop queueing: the second message waits at the first hop only. */
static void link_multihop_queue(void **state)
{
	struct hw_cfg *c = new_cfg(3);
	linknet_t *ln;

	(void)state;
	add_link(c, 0, 1, 10 * NS, 1000);
	add_link(c, 1, 2, 10 * NS, 1000);
	ln = make(c);
	assert_int_equal(link_transfer(ln, 0, 2, 0, 64), 148 * NS);
	/* hop 1 starts at 64, arrives at 138; hop 2 was busy 74..138: free */
	assert_int_equal(link_transfer(ln, 0, 2, 0, 64), (64 + 148) * NS);
	/* traffic entering at node 1 meets the second message's hop 2 (busy 138..202) */
	assert_int_equal(link_transfer(ln, 1, 2, 150 * NS, 64), (52 + 74) * NS);
	linknet_destroy(ln);
	free(c);
}

static void link_ring_routing(void **state)
{
	struct hw_cfg *c = new_cfg(4);
	linknet_t *ln;

	(void)state;
	/* ring 0-1-2-3-0, equal latencies: 0 -> 2 has two 2-hop paths, via 1 wins */
	add_link(c, 0, 1, 10 * NS, 1000);
	add_link(c, 1, 2, 10 * NS, 1000);
	add_link(c, 2, 3, 10 * NS, 1000);
	add_link(c, 3, 0, 10 * NS, 1000);
	ln = make(c);
	assert_int_equal(linknet_hops(ln, 0, 2), 2);
	link_transfer(ln, 0, 2, 0, 64);
	assert_int_equal(port_messages(ln, 0, 1, "messages"), 1);
	assert_int_equal(port_messages(ln, 1, 2, "messages"), 1);
	assert_int_equal(port_messages(ln, 0, 3, "messages"), 0);
	/* 3 -> 1 too: via 0 (lower than 2) */
	link_transfer(ln, 3, 1, 0, 64);
	assert_int_equal(port_messages(ln, 3, 0, "messages"), 1);
	assert_int_equal(port_messages(ln, 0, 1, "messages"), 2);
	assert_int_equal(port_messages(ln, 3, 2, "messages"), 0);
	/* neighbours go direct */
	assert_int_equal(linknet_hops(ln, 0, 3), 1);
	linknet_destroy(ln);

	/* Lower total latency beats lower node ids. */
	c->links[2].latency = 4 * NS;   /* 2-3 */
	c->links[3].latency = 4 * NS;   /* 3-0 */
	ln = make(c);
	link_transfer(ln, 0, 2, 0, 64);
	assert_int_equal(port_messages(ln, 0, 3, "messages"), 1);
	assert_int_equal(port_messages(ln, 3, 2, "messages"), 1);
	assert_int_equal(port_messages(ln, 0, 1, "messages"), 0);
	assert_int_equal(link_idle_latency(ln, 0, 2, 64), 2 * (4 + 64) * NS);
	linknet_destroy(ln);

	/* Fewer hops beat lower latency: a slow direct 0-2 link is used. */
	add_link(c, 0, 2, 1000 * NS, 1000);
	ln = make(c);
	assert_int_equal(linknet_hops(ln, 0, 2), 1);
	assert_int_equal(link_idle_latency(ln, 0, 2, 64), (1000 + 64) * NS);
	linknet_destroy(ln);
	free(c);
}

/* Parallel links between one pair share the load; ties go to the lower link. */
static void link_parallel(void **state)
{
	struct hw_cfg *c = new_cfg(2);
	linknet_t *ln;
	rep_t *r;
	json_t *arr;

	(void)state;
	add_link(c, 0, 1, 10 * NS, 1000);
	add_link(c, 1, 0, 10 * NS, 1000);   /* same pair, listed the other way round */
	ln = make(c);
	assert_int_equal(link_transfer(ln, 0, 1, 0, 64), 74 * NS);
	assert_int_equal(link_transfer(ln, 0, 1, 0, 64), 74 * NS);
	assert_int_equal(link_transfer(ln, 0, 1, 0, 64), (64 + 74) * NS);
	assert_int_equal(rep_create(&r), 0);
	linknet_report(ln, 1000 * NS, r);
	arr = json_object_get(rep_root(r), "links");
	assert_int_equal(json_array_size(arr), 4);
	/* port order: link0 0->1, link0 1->0, link1 1->0, link1 0->1 */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "messages")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 3), "messages")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 3), "link")), 1);
	rep_destroy(r);
	linknet_destroy(ln);
	free(c);
}

static void link_bad_config(void **state)
{
	struct hw_cfg *c = new_cfg(3);
	linknet_t *ln = NULL;
	char err[256] = "";

	(void)state;
	add_link(c, 0, 1, 10 * NS, 1000);
	assert_int_equal(linknet_create(&ln, c, err, sizeof(err)), -SIM_ECONFIG);
	assert_null(ln);
	assert_non_null(strstr(err, "links: node 2 cannot reach node 0"));
	add_link(c, 1, 5, 10 * NS, 1000);
	assert_int_equal(linknet_create(&ln, c, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "links[1]"));
	c->links[1].b = 1;
	assert_int_equal(linknet_create(&ln, c, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "two different nodes"));
	linknet_destroy(NULL);
	free(c);
}

/* ---- differential routing check ------------------------------------------ */

#define DN 6

struct brute {
	uint64_t lat[DN][DN];   /* 0: no link */
	unsigned best_hops;
	uint64_t best_lat;
	unsigned best[DN + 1], best_len;
	unsigned path[DN + 1];
	bool used[DN];
};

/* lexicographic on (hops, latency, node sequence) */
static void brute_dfs(struct brute *b, unsigned u, unsigned dst, unsigned len, uint64_t lat)
{
	if (u == dst) {
		unsigned hops = len - 1;
		bool better = hops < b->best_hops || (hops == b->best_hops && lat < b->best_lat);
		if (!better && hops == b->best_hops && lat == b->best_lat)
			for (unsigned i = 0; i < len; i++)
				if (b->path[i] != b->best[i]) {
					better = b->path[i] < b->best[i];
					break;
				}
		if (better) {
			b->best_hops = hops;
			b->best_lat = lat;
			b->best_len = len;
			memcpy(b->best, b->path, sizeof(b->path));
		}
		return;
	}
	for (unsigned v = 0; v < DN; v++) {
		if (!b->lat[u][v] || b->used[v])
			continue;
		b->used[v] = true;
		b->path[len] = v;
		brute_dfs(b, v, dst, len + 1, lat + b->lat[u][v]);
		b->used[v] = false;
	}
}

static void link_vs_brute_force(void **state)
{
	struct rng rng;

	(void)state;
	rng_seed(&rng, 7, 0);
	for (unsigned g = 0; g < 40; g++) {
		struct hw_cfg *c = new_cfg(DN);
		struct brute b;

		memset(&b, 0, sizeof(b));
		/* a spanning chain keeps it connected, plus random extra links */
		for (unsigned i = 1; i < DN; i++) {
			unsigned j = (unsigned)rng_below(&rng, i);
			uint64_t lat = (1 + rng_below(&rng, 3)) * NS;   /* few values: many latency ties */
			add_link(c, i, j, lat, 1000);
		}
		for (unsigned e = 0; e < 4; e++) {
			unsigned i = (unsigned)rng_below(&rng, DN), j = (unsigned)rng_below(&rng, DN);
			uint64_t lat = (1 + rng_below(&rng, 3)) * NS;
			if (i == j)
				continue;
			add_link(c, i, j, lat, 1000);
		}
		for (unsigned l = 0; l < c->nr_links; l++) {
			unsigned i = c->links[l].a, j = c->links[l].b;
			uint64_t lat = c->links[l].latency;
			if (!b.lat[i][j] || lat < b.lat[i][j])
				b.lat[i][j] = b.lat[j][i] = lat;
		}
		for (unsigned s = 0; s < DN; s++) {
			for (unsigned d = 0; d < DN; d++) {
				linknet_t *ln = make(c);
				b.best_hops = UINT32_MAX;
				b.best_lat = UINT64_MAX;
				memset(b.used, 0, sizeof(b.used));
				b.used[s] = true;
				b.path[0] = s;
				brute_dfs(&b, s, d, 1, 0);
				assert_int_equal(linknet_hops(ln, s, d), b.best_hops);
				assert_int_equal(link_idle_latency(ln, s, d, 0), b.best_lat);
				link_transfer(ln, s, d, 0, 64);
				for (unsigned h = 0; h + 1 < b.best_len; h++)
					assert_int_equal(port_messages(ln, b.best[h], b.best[h + 1], "messages"), 1);
				/* and nothing else moved */
				uint64_t total = 0;
				for (unsigned u = 0; u < DN; u++)
					for (unsigned v = 0; v < DN; v++)
						if (u != v && b.lat[u][v])
							total += port_messages(ln, u, v, "messages");
				assert_int_equal(total, b.best_hops);
				linknet_destroy(ln);
			}
		}
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_idle_line),
		cmocka_unit_test(link_queueing),
		cmocka_unit_test(link_multihop_queue),
		cmocka_unit_test(link_ring_routing),
		cmocka_unit_test(link_parallel),
		cmocka_unit_test(link_bad_config),
		cmocka_unit_test(link_vs_brute_force),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
