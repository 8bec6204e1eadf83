/*
 * sim/cli/cliopt.c - uniform messages for bad options (see cliopt.h).
 */
#include <string.h>
#include "sim/cli/cliopt.h"
#include "sim/words.h"

void cli_unknown_option(const char *cmd, const char *arg, const char *const *valid)
{
	char word[128];
	const char *near;
	size_t n = 0, len = strcspn(arg, "=");

	while (valid[n])
		n++;
	snprintf(word, sizeof(word), "%.*s", (int)len, arg);
	near = sim_nearest(word, valid, n);
	fprintf(stderr, "%s: unknown option %s%s%s%s\n", cmd, word, near ? " (did you mean " : "", near ? near : "",
		near ? "?)" : "");
}

void cli_bad_option(const char *cmd, int c, int argc, char **argv, const struct option *lo)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	const char *valid[128];
	char names[128][40];
	size_t n = 0;

	if (c == ':') {
		if (optopt && optopt < 256 && strncmp(arg, "--", 2))
			fprintf(stderr, "%s: option -%c needs a value\n", cmd, optopt);
		else
			fprintf(stderr, "%s: option %s needs a value\n", cmd, arg);
		return;
	}
	if (optopt && strncmp(arg, "--", 2)) {
		fprintf(stderr, "%s: unknown option -%c\n", cmd, optopt);
		return;
	}
	for (; lo && lo->name && n < 127; lo++, n++) {
		snprintf(names[n], sizeof(names[n]), "--%s", lo->name);
		valid[n] = names[n];
	}
	valid[n] = NULL;
	cli_unknown_option(cmd, arg, valid);
}
