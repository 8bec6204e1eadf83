/*
 * tests/traces/test_trace_stats.c - trace_stats against hand counts and a
 * naive reference (sorted array of pages), plus the byte-source layer:
 * concatenated gzip members and zstd frames, peeking, and corrupt input.
 */
#include <zlib.h>
#include <zstd.h>
#include "tests/traces/trace_util.h"
#include "sim/rng.h"
#include "traces/trace_stats.h"
#include "traces/tsource.h"

static void stats_exact(void **state)
{
	static const char text[] =
		"R 1000 8\n"
		"R 1ff8 16\n"          /* straddles pages 1 and 2 */
		"T2 W 5000 4 +10\n"
		"I 400000\n"
		"M 1008 8 +5\n"
		"mmap addr=0 len=4096 prot=3 flags=0x22 fd=-1 offset=0\n"
		"T1 exit +3\n";
	struct trace_stats s;
	enum trace_format fmt;
	char err[512];
	(void)state;

	put_file(tpath("s.txt"), text, strlen(text));
	trace_stats_init(&s);
	assert_int_equal(trace_stats_file(&s, tpath("s.txt"), TFMT_AUTO, &fmt, err, sizeof(err)), 0);
	assert_int_equal(fmt, TFMT_TEXT);
	assert_int_equal(s.stat[TSTAT_RECORDS], 7);
	assert_int_equal(s.stat[TSTAT_LOADS], 2);
	assert_int_equal(s.stat[TSTAT_STORES], 1);
	assert_int_equal(s.stat[TSTAT_IFETCHES], 1);
	assert_int_equal(s.stat[TSTAT_MODIFIES], 1);
	assert_int_equal(s.stat[TSTAT_CONTROL], 2);
	assert_int_equal(s.stat[TSTAT_BYTES], 8 + 16 + 4 + 4 + 8);
	assert_int_equal(s.stat[TSTAT_GAP], 18);
	assert_int_equal(s.stat[TSTAT_PAGES], 4);       /* 0x1, 0x2, 0x5, 0x400 */
	assert_int_equal(s.stat[TSTAT_THREADS], 3);
	assert_int_equal(s.stat[TSTAT_ADDR_MIN], 0x1000);
	assert_int_equal(s.stat[TSTAT_ADDR_MAX], 0x400003);
	assert_int_equal(s.thread_recs[0], 5);
	assert_int_equal(s.thread_recs[1], 1);
	assert_int_equal(s.thread_recs[2], 1);
	assert_int_equal(s.ctrl[TCTRL_MMAP], 1);
	assert_int_equal(s.ctrl[TCTRL_EXIT], 1);
	assert_int_equal(trace_stats_block(&s).n, NR_TRACE_STATS);
	assert_string_equal(trace_stats_block(&s).desc[TSTAT_PAGES].name, "pages_4k");
	trace_stats_free(&s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Footprint of 200k random accesses against sort + unique. */
static void stats_pages_vs_sorted(void **state)
{
	size_t n = 200000;
	uint64_t *pages = malloc(2 * n * sizeof(*pages));
	struct trace_rec *rec = malloc(4096 * sizeof(*rec));
	struct trace_stats s;
	struct rng g;
	size_t np = 0, uniq = 0;
	(void)state;

	rng_seed(&g, 5, 5);
	trace_stats_init(&s);
	for (size_t done = 0; done < n; done += 4096) {
		struct trace_batch b = { rec, SIM_MIN(4096, n - done), NULL, 0 };
		for (size_t i = 0; i < b.n; i++) {
			uint64_t a = rng_below(&g, 1ull << 34) + (rng_below(&g, 2) ? 0 : UINT64_MAX - (1ull << 20));
			memset(&rec[i], 0, sizeof(rec[i]));
			rec[i].addr = a;
			rec[i].size = (uint16_t)(1 + rng_below(&g, 64));
			rec[i].op = (uint8_t)rng_below(&g, 4);
			pages[np++] = a >> 12;
			if (((a + rec[i].size - 1) >> 12) != (a >> 12) && a + rec[i].size - 1 > a)
				pages[np++] = (a + rec[i].size - 1) >> 12;
		}
		assert_int_equal(trace_stats_add(&s, &b), 0);
	}
	qsort(pages, np, sizeof(*pages), cmp_u64);
	for (size_t i = 0; i < np; i++)
		uniq += !i || pages[i] != pages[i - 1];
	assert_int_equal(s.stat[TSTAT_PAGES], uniq);
	assert_int_equal(s.stat[TSTAT_RECORDS], n);
	trace_stats_free(&s);
	free(pages);
	free(rec);
}

/* gzip members and zstd frames written back to back read as one stream. */
static void concatenated_streams(void **state)
{
	static const char part1[] = "R 1000 8\n", part2[] = "W 2000 4\n";
	uint8_t out[512];
	size_t n1, n2;
	struct flats f;
	char err[512];
	(void)state;

	{       /* gzip: two members via gzopen append */
		gzFile gz = gzopen(tpath("cat.txt.gz"), "wb");
		gzwrite(gz, part1, sizeof(part1) - 1);
		gzclose(gz);
		gz = gzopen(tpath("cat.txt.gz"), "ab");
		gzwrite(gz, part2, sizeof(part2) - 1);
		gzclose(gz);
	}
	assert_int_equal(read_all(tpath("cat.txt.gz"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.v[1].r.addr, 0x2000);
	free(f.v);

	n1 = ZSTD_compress(out, sizeof(out), part1, sizeof(part1) - 1, 1);
	n2 = ZSTD_compress(out + n1, sizeof(out) - n1, part2, sizeof(part2) - 1, 1);
	assert_false(ZSTD_isError(n1) || ZSTD_isError(n2));
	put_file(tpath("cat.txt.zst"), out, n1 + n2);
	assert_int_equal(read_all(tpath("cat.txt.zst"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.v[0].r.addr, 0x1000);
	assert_int_equal(f.v[1].r.op, TOP_STORE);
	free(f.v);

	/* garbage after a gzip member is corrupt data, not silently ignored */
	{
		gzFile gz = gzopen(tpath("junk.txt.gz"), "wb");
		FILE *fp;
		gzwrite(gz, part1, sizeof(part1) - 1);
		gzclose(gz);
		fp = fopen(tpath("junk.txt.gz"), "ab");
		fputs("JUNK", fp);
		fclose(fp);
	}
	assert_true(read_all(tpath("junk.txt.gz"), TFMT_AUTO, &f, err, sizeof(err)) == -SIM_ETRACE);
	assert_non_null(strstr(err, "corrupt gzip data at compressed byte"));
	free(f.v);
}

static void source_peek_and_read(void **state)
{
	struct tsrc *s;
	char err[512];
	uint8_t big[10000], got[10000];
	const uint8_t *head;
	size_t n, m;
	(void)state;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13);
	put_file(tpath("raw.bin"), big, sizeof(big));
	assert_int_equal(tsrc_open(&s, tpath("raw.bin"), err, sizeof(err)), 0);
	assert_int_equal(tsrc_compression(s), TCOMP_NONE);
	head = tsrc_peek(s, &n);
	assert_int_equal(n, TSRC_PEEK_MAX);
	assert_memory_equal(head, big, n);
	/* reading in odd pieces returns every byte once, in order */
	m = 0;
	for (size_t piece = 1; m < sizeof(big); piece = piece * 3 + 1) {
		size_t k;
		assert_int_equal(tsrc_read(s, got + m, SIM_MIN(piece, sizeof(big) - m), &k, err, sizeof(err)), 0);
		assert_true(k > 0);
		m += k;
	}
	assert_memory_equal(got, big, sizeof(big));
	assert_int_equal(tsrc_read(s, got, 10, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	tsrc_close(s);

	/* corrupt zstd frame header */
	{
		/* frame header descriptor with the reserved bit (3) set */
		static const uint8_t bad[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		put_file(tpath("bad.zst"), bad, sizeof(bad));
		if (tsrc_open(&s, tpath("bad.zst"), err, sizeof(err)) == 0) {
			assert_int_equal(tsrc_read(s, got, sizeof(got), &n, err, sizeof(err)), -SIM_ETRACE);
			tsrc_close(s);
		}
		if (!strstr(err, "bad.zst: corrupt zstd data at compressed byte"))
			fail_msg("got \"%s\"", err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stats_exact),
		cmocka_unit_test(stats_pages_vs_sorted),
		cmocka_unit_test(concatenated_streams),
		cmocka_unit_test(source_peek_and_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
