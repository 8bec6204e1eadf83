/* tests/fuzz/fuzz_text.c - the text trace reader on arbitrary bytes (compressed or not). */
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read_trace(fuzz_file(data, size), TFMT_TEXT);
	return 0;
}
