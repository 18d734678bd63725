# attrib — build, test, benchmark and demo.
#
#   make            build build/attrib
#   make test       install missing packages, build, run every test
#   make demo       install missing packages, build, analyze the lab scenarios, write reports
#   make asan       unit tests + ingest of all shared captures under ASan+UBSan
#   make bench      benchmark against ndpiReader on the large capture
#   make fuzz       build the libFuzzer harnesses (clang)
#   make calibrate  score 200 generated scenarios against their truth,
#                   write the figures into docs/calibration.md
#   make install    PREFIX=/usr/local DESTDIR=
#
# Sources are found by folder: capture/, analyze/ (and its subfolders) and
# cli/ build the program; tests/unit/test_*.c are one cmocka binary each.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
SANITIZE ?=
V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS := libpcap libndpi sqlite3 jansson yaml-0.1 libgcrypt gnutls zlib libmaxminddb
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -Wno-unused-parameter \
        -Wno-format-truncation
ifeq ($(SANITIZE),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
       -fno-sanitize-recover=all
HARDEN :=
else ifeq ($(SANITIZE),thread)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
HARDEN :=
else
OPT := -O2 -g
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection
endif
CFLAGS ?=
EXTRA_CFLAGS ?=
CFLAGS += $(EXTRA_CFLAGS) -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -fPIE \
          -MMD -MP -I. $(PKG_CFLAGS)
LDFLAGS += -pie -Wl,-z,relro,-z,now $(if $(filter 1,$(SANITIZE)),-fsanitize=address$(comma)undefined) \
           $(if $(filter thread,$(SANITIZE)),-fsanitize=thread)
comma := ,
LDLIBS  += $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(sort $(wildcard capture/*.c) $(wildcard analyze/*.c) $(wildcard analyze/*/*.c) \
              $(wildcard analyze/*/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard pcaps/gen/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
SQL_SRC  := $(sort $(wildcard analyze/evidence/*.sql))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBA     := $(BUILD)/libattrib.a
ATTRIB   := $(BUILD)/attrib

.PHONY: scenarios calibrate all deps check unit asan asan-check tsan bench demo demo-run fuzz install clean test oracle-tshark
.DEFAULT_GOAL := all
.SECONDARY:

all: $(ATTRIB)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The schema is compiled in, so the binary needs no data files.
# schema.sql makes a new case; schema_v3.sql is the layout of cases made
# before schema version 4 (kept to read, verify and extend them).
$(BUILD)/%.inc: analyze/evidence/%.sql
	@mkdir -p $(dir $@)
	$(Q)sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $< > $@
$(BUILD)/analyze/evidence/store.o: $(SQL_SRC:analyze/evidence/%.sql=$(BUILD)/%.inc)
$(BUILD)/analyze/evidence/store.o: CFLAGS += -I$(BUILD)

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(ATTRIB): $(CLI_OBJ) $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS) $(CMOCKA_LIBS)

# The scenario generator: pcaps/gen/X.c plus pcaps/gen/lib/*.c.
GEN_LIB_SRC := $(sort $(wildcard pcaps/gen/lib/*.c))
GEN_LIB_OBJ := $(GEN_LIB_SRC:%.c=$(BUILD)/%.o)
$(BUILD)/gen/%: $(BUILD)/pcaps/gen/%.o $(GEN_LIB_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(GEN_LIB_OBJ) $(LIBA) $(LDLIBS)

# Regenerates the lab captures and checks them byte for byte.
scenarios: $(BUILD)/gen/scenario
	@sh tests/gen-scenarios.sh $(BUILD)/gen/scenario

# Calibration: 200 generated scenarios of the lab world scored against
# their ground truth, twice (base rate 0.5 and 0.4; 1-2 minutes on 2
# cores); the figures go into docs/calibration.md. make test runs a
# 20-scenario smoke version.
CALIBRATE := python3 tests/calibration/calibrate.py --attrib $(ATTRIB) \
	--gen $(BUILD)/gen/scenario
calibrate: all $(BUILD)/gen/scenario
	@$(CALIBRATE) --n 200 --write-doc docs/calibration.md > /dev/null
	@$(CALIBRATE) --n 200 --base-rate 0.4 --brief \
	  --write-doc docs/calibration.md --marker figures-base-rate > /dev/null
	@$(CALIBRATE) --n 100 --world costly --brief \
	  --write-doc docs/calibration.md --marker figures-costly > /dev/null
	@$(CALIBRATE) --n 100 --world claims --brief \
	  --write-doc docs/calibration.md --marker figures-claims > /dev/null
	@echo "calibrate: figures written to docs/calibration.md"

# Missing Debian packages: installed when root, else the apt-get line is printed.
deps:
	@sh .ci/deps

# Unit tests only (no package install): every tests/unit/test_*.c.
unit: $(TEST_BIN)
	@sh tests/run-unit.sh $(TEST_BIN)

# Oracle: attrib's DNS/TLS/HTTP indicators and every flow's Community ID
# against tshark on the shared captures (also run by check; skipped with a
# message without tshark).
oracle-tshark: all
	@sh tests/oracle/tshark-indicators.sh $(ATTRIB)
	@sh tests/oracle/tshark-communityid.sh $(ATTRIB)

# Everything make test runs, without the package step.
# Every step runs even when an earlier one fails; tests/step.sh keeps the
# tally and the last line says what passed and what failed.
# The steps run CHECK_JOBS at a time (default: the online cores), longest
# first; make's --output-sync prints each step's output whole when it
# ends. A step never depends on another's output except live, which runs
# the ASan build the asan step makes, and tshark-communityid, which reads
# tshark's output from the cache tshark-indicators fills
# (tests/oracle/tshark-run.sh). CHECK_JOBS=1 runs them one by one.
STEP := sh tests/step.sh
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
CHECK_STEPS := tshark-indicators asan tsan ndpi-agreement kill-resume \
	jobs-identical tamper tshark-communityid kill9 fuzz live accounting \
	report concurrent snaplen capfmt diskfull merge slurm unit intel \
	hostile defrag inputs interrupt readonly old-layout regress reproducible \
	score-e2e cli attribution-scenarios calibration-smoke scenarios
check: all $(BUILD)/gen/scenario
	@$(STEP) --reset
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) --output-sync=recurse \
	  $(CHECK_STEPS:%=check-%)
	@$(STEP) --summary

.PHONY: $(CHECK_STEPS:%=check-%)
check-unit:
	@$(STEP) unit $(MAKE) --no-print-directory unit
check-scenarios:
	@$(STEP) scenarios $(MAKE) --no-print-directory scenarios
check-asan:
	@$(STEP) asan $(MAKE) --no-print-directory asan-check
check-tsan:
	@$(STEP) tsan $(MAKE) --no-print-directory tsan
check-jobs-identical:
	@$(STEP) jobs-identical sh tests/ingest/jobs-identical.sh $(ATTRIB)
check-kill-resume:
	@$(STEP) kill-resume sh tests/ingest/kill-resume.sh $(ATTRIB) 20
check-tamper:
	@$(STEP) tamper bash tests/custody/tamper.sh $(ATTRIB)
check-kill9:
	@$(STEP) kill9 bash tests/custody/kill9.sh $(ATTRIB)
check-diskfull:
	@$(STEP) diskfull bash tests/custody/diskfull.sh $(ATTRIB)
check-snaplen:
	@$(STEP) snaplen python3 tests/custody/snaplen.py $(ATTRIB)
check-capfmt:
	@$(STEP) capfmt python3 tests/custody/capfmt.py $(ATTRIB)
check-inputs:
	@$(STEP) inputs bash tests/custody/inputs.sh $(ATTRIB)
check-interrupt:
	@$(STEP) interrupt bash tests/custody/interrupt.sh $(ATTRIB)
check-readonly:
	@$(STEP) readonly bash tests/custody/readonly.sh $(ATTRIB)
check-old-layout:
	@$(STEP) old-layout bash tests/custody/old-layout.sh $(ATTRIB)
check-concurrent:
	@$(STEP) concurrent bash tests/custody/concurrent.sh $(ATTRIB)
check-live: check-asan
	@$(STEP) live bash tests/live/run.sh $(ATTRIB) build/asan/attrib
check-regress:
	@$(STEP) regress sh tests/run-regress.sh $(ATTRIB)
check-accounting:
	@$(STEP) accounting sh tests/accounting/run.sh $(ATTRIB)
check-defrag:
	@$(STEP) defrag sh tests/defrag/run.sh $(ATTRIB)
check-score-e2e:
	@$(STEP) score-e2e sh tests/score/e2e.sh $(ATTRIB)
check-reproducible:
	@$(STEP) reproducible sh tests/score/reproducible.sh $(ATTRIB)
check-merge:
	@$(STEP) merge bash tests/scale/merge.sh $(ATTRIB) $(BUILD)/gen/scenario
check-slurm:
	@$(STEP) slurm bash -c 'mkdir -p build/check && bash tests/scale/slurm.sh $(ATTRIB) 2>&1 \
	  | tee build/check/slurm.log; exit $${PIPESTATUS[0]}'
check-report:
	@$(STEP) report sh tests/report/run.sh $(ATTRIB)
check-hostile:
	@$(STEP) hostile bash tests/hostile/run.sh $(ATTRIB)
check-ndpi-agreement:
	@$(STEP) ndpi-agreement sh tests/oracle/ndpi-agreement.sh $(ATTRIB)
check-tshark-indicators:
	@$(STEP) tshark-indicators sh tests/oracle/tshark-indicators.sh $(ATTRIB)
check-tshark-communityid: check-tshark-indicators
	@$(STEP) tshark-communityid sh tests/oracle/tshark-communityid.sh $(ATTRIB)
check-intel:
	@$(STEP) intel python3 tests/intel/run.py $(ATTRIB)
check-cli:
	@$(STEP) cli python3 tests/cli/run.py $(ATTRIB)
check-attribution-scenarios:
	@$(STEP) attribution-scenarios python3 tests/scenarios/run.py $(ATTRIB)
check-calibration-smoke:
	@$(STEP) calibration-smoke $(CALIBRATE) --n 20 --smoke
check-fuzz:
	@$(STEP) fuzz sh -c 'mkdir -p build/fuzz && sh tests/fuzz/build.sh --run 10 > build/fuzz/smoke.log 2>&1 \
	  && echo "fuzz: every harness ran 10 s without a finding (log: build/fuzz/smoke.log)" \
	  || { tail -40 build/fuzz/smoke.log; echo "fuzz: a harness failed"; exit 1; }'

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory check

asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory asan-check

# ThreadSanitizer build of the multi-worker ingest over the lab and nDPI
# captures (tests/ingest/tsan.sh).
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan SANITIZE=thread build/tsan/attrib
	@sh tests/ingest/tsan.sh build/tsan/attrib

asan-check:
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 build/asan/attrib unit
	@sh tests/asan-ingest-all.sh build/asan/attrib

bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build/bench-nochain \
	  EXTRA_CFLAGS=-DATTRIB_BENCH_NO_CHAIN build/bench-nochain/attrib
	@$(MAKE) --no-print-directory BUILD=build/bench-nostore \
	  EXTRA_CFLAGS=-DATTRIB_BENCH_NO_STORE build/bench-nostore/attrib
	@$(MAKE) --no-print-directory BUILD=build/bench-dpionly \
	  EXTRA_CFLAGS="-DATTRIB_BENCH_NO_STORE -DATTRIB_BENCH_NO_EXTRACT" \
	  build/bench-dpionly/attrib
	@# every benchmark runs; the exit status says whether all met their targets
	@rc=0; sh tests/bench/run.sh $(ATTRIB) build/bench-nochain/attrib \
	  build/bench-nostore/attrib build/bench-dpionly/attrib || rc=1; \
	sh tests/bench/score-bench.sh $(ATTRIB) || rc=1; \
	sh tests/bench/merge-bench.sh $(ATTRIB) || rc=1; exit $$rc

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(ATTRIB)

fuzz:
	@sh tests/fuzz/build.sh

# The program, its manual page and bash completion, the sample models and
# the documentation.
install: $(ATTRIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/doc/attrib
	install -m 0755 $(ATTRIB) $(DESTDIR)$(PREFIX)/bin/attrib
	sed 's|/usr/local|$(PREFIX)|g' docs/attrib.1 > $(DESTDIR)$(PREFIX)/share/man/man1/attrib.1
	chmod 0644 $(DESTDIR)$(PREFIX)/share/man/man1/attrib.1
	install -m 0644 docs/attrib.bash-completion \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/attrib
	install -m 0644 README.md docs/*.md docs/report-schema.json \
	  $(DESTDIR)$(PREFIX)/share/doc/attrib/
	cd models && find . -type d -exec install -d \
	  '$(DESTDIR)$(PREFIX)/share/attrib/models/{}' \; && \
	  find . -type f -exec install -m 0644 '{}' \
	  '$(DESTDIR)$(PREFIX)/share/attrib/models/{}' \;

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
