/* tests/fuzz/fuzz_detect.c - format and compression detection, then whichever reader it picks. */
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read_trace(fuzz_file(data, size), TFMT_AUTO);
	return 0;
}
