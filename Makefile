# numasim build.  `make` builds build/numasim; `make test` installs missing
# dependencies, builds and runs every suite; `make run` runs the main job.
# Sources are discovered by wildcard so adding a module needs no edit here.

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
OPT     ?= -O2 -g
SAN     ?=
PKGS    := jansson zlib liblzma libzstd
DEPS_OK := $(BUILD)/.deps-ok

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  += -std=c11 -pthread -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(SAN) \
           -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-format-truncation $(XCFLAGS) \
           -I. -I$(BUILD)/gen $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm -lpthread

LIB_SRC  := $(sort $(wildcard sim/*.c hw/*.c os/*.c traces/*.c experiments/*.c))
CLI_SRC  := $(sort $(wildcard sim/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
BENCH_SRC:= $(sort $(wildcard tests/bench/bench_*.c))
PRESETS  := $(sort $(wildcard hw/presets/*.json))
GEN_SRC  := $(BUILD)/gen/presets_gen.c

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/presets_gen.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:%.c=$(BUILD)/%)
TEST_HELPER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c))
BENCH_BIN:= $(BENCH_SRC:%.c=$(BUILD)/%)
LIB      := $(BUILD)/libnumasim.a

.SECONDARY: $(TEST_HELPER_OBJ)
.PHONY: all deps test test-san test-fast bench run plots install clean check-layering validate fuzz fuzz-build
all: $(BUILD)/numasim $(BUILD)/numasim.1 $(BUILD)/numasim.bash

# The man page and the bash completion are generated from the binary's own
# --help texts, so they cannot drift from it.
$(BUILD)/numasim.1: $(BUILD)/numasim mk/manpage.sh
	sh mk/manpage.sh $(BUILD)/numasim > $@.tmp && mv $@.tmp $@

$(BUILD)/numasim.bash: $(BUILD)/numasim mk/completion.sh
	sh mk/completion.sh $(BUILD)/numasim > $@.tmp && mv $@.tmp $@

$(DEPS_OK): mk/deps.sh
	@mkdir -p $(BUILD)
	@sh mk/deps.sh
	@touch $@

deps:
	@sh mk/deps.sh

$(GEN_SRC): $(PRESETS) mk/embed_presets.sh
	@mkdir -p $(dir $@)
	sh mk/embed_presets.sh $(PRESETS) > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/presets_gen.o: $(GEN_SRC)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/numasim: $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Test suites link the library and the driver's objects (all but main), so
# they can load machines as the CLI does; an archive pulls in only what a
# suite uses.  Command-line behaviour is tested by running build/numasim
# from tests/*/test_*.sh.
LIBCLI := $(BUILD)/libnumasim-cli.a
$(LIBCLI): $(filter-out $(BUILD)/sim/cli/main.o,$(CLI_OBJ))
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/%: tests/%.c $(LIBCLI) $(LIB) $(TEST_HELPER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(TEST_HELPER_OBJ) $(LIBCLI) $(LIB) $(LDLIBS) -lcmocka

# libFuzzer harnesses (tests/fuzz/, docs/fuzzing.md): `make fuzz` builds them
# with clang in build-fuzz/ and runs each for FUZZ_TIME seconds on its seed
# corpus; the summary line is "N passed, N failed", one per harness.
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:%.c=$(BUILD)/%)
FUZZ_TIME ?= 60
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined

$(BUILD)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(LIBCLI) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -fsanitize=fuzzer -o $@ $< $(LIBCLI) $(LIB) $(LDLIBS)

fuzz-build: $(DEPS_OK) $(FUZZ_BIN)

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  XCFLAGS=-Wno-unknown-warning-option SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" fuzz-build
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_TIME)

test: $(DEPS_OK) $(BUILD)/numasim $(TEST_BIN) $(BENCH_BIN)
	@sh tests/run.sh $(BUILD)

# The same suite under AddressSanitizer + UBSan, in its own build tree.
test-san:
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

bench: $(BUILD)/numasim $(BENCH_BIN)
	@sh tests/bench/run.sh $(BUILD)

run: $(BUILD)/numasim
	@sh experiments/main.sh $(BUILD)/numasim

plots: $(BUILD)/numasim
	$(BUILD)/numasim plot results/main -o results/main/figures

validate: $(BUILD)/numasim
	$(BUILD)/numasim validate

install: $(BUILD)/numasim $(BUILD)/numasim.1 $(BUILD)/numasim.bash
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/numasim/presets $(DESTDIR)$(PREFIX)/share/numasim/plots \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BUILD)/numasim $(DESTDIR)$(PREFIX)/bin/numasim
	install -m 0644 $(BUILD)/numasim.1 $(DESTDIR)$(PREFIX)/share/man/man1/numasim.1
	install -m 0644 $(BUILD)/numasim.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/numasim
	install -m 0644 $(PRESETS) $(DESTDIR)$(PREFIX)/share/numasim/presets/
	install -m 0644 $(wildcard plots/*.gp plots/*.sh) $(DESTDIR)$(PREFIX)/share/numasim/plots/

check-layering:
	@sh tests/sim/test_layering.sh

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
