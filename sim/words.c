/*
 * sim/words.c - number suffixes and nearest-word suggestions (see words.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "sim/err.h"
#include "sim/words.h"

static int parse_suffixed(const char *what, const char *v, bool binary, uint64_t *out, char *err, size_t errlen)
{
	uint64_t mul = 1, base = binary ? 1024 : 1000;
	unsigned long long x;
	char *end;

	errno = 0;
	if (!v || !*v || *v == '-' || *v == '+' || *v == ' ')
		goto bad;
	x = strtoull(v, &end, 0);
	if (errno || end == v)
		goto bad;
	switch (*end) {
	case 'k': case 'K': mul = base; end++; break;
	case 'm': case 'M': mul = base * base; end++; break;
	case 'g': case 'G': mul = base * base * base; end++; break;
	case 't': case 'T': mul = base * base * base * base; end++; break;
	default: break;
	}
	if (mul > 1 && binary && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
		end += strlen(end);
	if (*end)
		goto bad;
	if (mul > 1 && x > UINT64_MAX / mul)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: \"%s\" is too large", what, v);
	*out = x * mul;
	return 0;
bad:
	return sim_errf(err, errlen, SIM_ECONFIG, "%s: \"%s\" is not a %s", what, v ? v : "",
			binary ? "size (e.g. 4096, 64K, 2M, 1G)" : "count (e.g. 1000, 10K, 3M)");
}

int sim_parse_count(const char *what, const char *v, uint64_t *out, char *err, size_t errlen)
{
	return parse_suffixed(what, v, false, out, err, errlen);
}

int sim_parse_size(const char *what, const char *v, uint64_t *out, char *err, size_t errlen)
{
	return parse_suffixed(what, v, true, out, err, errlen);
}

static char fold(char c)
{
	return c == '_' ? '-' : c;
}

/*
 * Edit distance counting a swap of two neighbours as one edit ("shwo" is
 * one slip from "show"); words of 48 characters or more are never "near".
 */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[49][49];

	if (la > 48 || lb > 48)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (fold(a[i - 1]) != fold(b[j - 1]));

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *sim_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = SIZE_MAX, len = word ? strlen(word) : 0;

	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!cands[i])
			continue;
		d = distance(word, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	return bd <= 2 && bd * 2 < len ? best : NULL;
}
