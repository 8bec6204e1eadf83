/*
 * sim/words.h - the small text helpers every command line shares: numbers
 * with K/M/G suffixes, and the nearest valid word for a misspelled one.
 *
 * Sizes (bytes) take binary suffixes K/M/G/T = 2^10.. (with an optional
 * "B"/"iB"); counts take decimal ones K/M/G = 10^3.., as the workload specs
 * always did, so `-n 3M` means three million accesses and `--size 3M` three
 * MiB.
 */
#ifndef SIM_WORDS_H
#define SIM_WORDS_H

#include <stddef.h>
#include "sim/types.h"

/* "3M", "0x1000", "10K": 0, or -SIM_ECONFIG with "what: \"v\" is not a count/size ..." in err. */
int sim_parse_count(const char *what, const char *v, uint64_t *out, char *err, size_t errlen);
int sim_parse_size(const char *what, const char *v, uint64_t *out, char *err, size_t errlen);

/*
 * The candidate closest to `word` by edit distance (Levenshtein, '-' and '_'
 * equal), or NULL when none is close enough to be a likely typo: at most 2
 * edits, and fewer than half the word's letters.
 */
const char *sim_nearest(const char *word, const char *const *cands, size_t n);

#endif
