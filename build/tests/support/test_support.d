build/tests/support/test_support.o: tests/support/test_support.c \
 tests/support/test.h
tests/support/test.h:
