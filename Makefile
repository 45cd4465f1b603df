# bouncedesk - GNU make. `make test` and `make run` do all the set-up.
# Sources are listed one per line in each directory's module.mk.

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/bouncedesk
BUILD	?= build
CC	?= cc
WERROR	?= -Werror
PKGS	 = libmicrohttpd json-c sqlite3 libpcre2-8 gmime-3.0 libcmark \
	   libsodium libcurl fcgi libcares libpsl
# Lazy (=): pkg-config runs only when compiling, after scripts/deps.sh.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lpthread -lm

CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude
CFLAGS	+= -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	   -Wno-format-nonliteral -fno-common
CFLAGS	+= -fstack-protector-strong -fPIE -MMD -MP
CPPFLAGS_FORTIFY = -D_FORTIFY_SOURCE=2
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
ifdef SANITIZE
CFLAGS	+= -O1 -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
LDFLAGS	+= -fsanitize=$(SANITIZE)
else
CFLAGS	+= $(CPPFLAGS_FORTIFY)
endif
ALL_CFLAGS = $(CFLAGS) $(PKG_CFLAGS)

.DEFAULT_GOAL := all
SRCS	 =
UNIT_TESTS =
include src/util/module.mk
include src/store/module.mk
include src/diag/module.mk
include src/kb/module.mk
include src/unblock/module.mk
include src/auth/module.mk
include src/webhook/module.mk
include src/check/module.mk
include src/reports/module.mk
include api/module.mk
include web/module.mk
include tests/unit/module.mk

OBJS	 = $(SRCS:%.c=$(BUILD)/%.o)
LIB	 = $(BUILD)/libbouncedesk.a
BIN	 = $(BUILD)/bouncedesk
UNIT_BINS = $(UNIT_TESTS:%=$(BUILD)/tests/unit/%)

.PHONY: all deps run test check unit integration asan install clean eval \
	bench fuzz serve-db fuzz-smoke fuzz-build load valgrind soak

all: $(BIN) bouncedesk

bouncedesk: $(BIN)
	ln -sf $(BIN) bouncedesk

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(OBJS)
	@rm -f $@
	ar rcs $@ $(OBJS)

# The installed share directory, for a binary run outside the source tree.
$(BUILD)/src/main.o: ALL_CFLAGS += -DBOUNCEDESK_SHAREDIR='"$(SHAREDIR)"'

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/src/main.o $(LIB) $(PKG_LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) -lcmocka

deps:
	@sh scripts/deps.sh

# The README's two commands.
run: deps
	@$(MAKE) --no-print-directory all
	./bouncedesk migrate --db bouncedesk.db
	./bouncedesk seed --db bouncedesk.db
	./bouncedesk serve --db bouncedesk.db --listen 127.0.0.1:8080

test: deps
	@$(MAKE) --no-print-directory check

check: all $(UNIT_BINS)
	@sh tests/run.sh $(BUILD)

unit: $(UNIT_BINS)
	@sh tests/run.sh $(BUILD) unit

integration: all
	@sh tests/run.sh $(BUILD) http

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	    SANITIZE=address,undefined check

eval: all
	@sh scripts/eval.sh

bench: all
	@sh scripts/bench.sh

# libFuzzer targets (tests/fuzz/*.c) against the library built with clang
# and ASan + UBSan in build-fuzz/ (main.c stays out). FUZZ_SECONDS each.
FUZZ_TARGETS = fuzz_diag fuzz_hdrs fuzz_json fuzz_form fuzz_router \
	   fuzz_cfg fuzz_rules fuzz_markdown fuzz_tmpl fuzz_dnsmsg fuzz_spf
FUZZ_BINS = $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_MAKE = $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
	   SANITIZE=fuzzer-no-link,address,undefined

$(BUILD)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_common.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) \
	    $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(FUZZ_MAKE) -j2 fuzz-build
	@sh scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: deps
	@$(FUZZ_MAKE) -j2 fuzz-build
	@sh scripts/fuzz.sh build-fuzz 5 $(FUZZ_TARGETS)

# The unit tests under valgrind memcheck; GLib's own one-time allocations
# are suppressed by tests/valgrind.supp.
VALGRIND = valgrind -q --leak-check=full --error-exitcode=1 \
	   --suppressions=tests/valgrind.supp
valgrind: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do \
		if $(VALGRIND) $$t >$$t.vg.log 2>&1; then \
			echo "valgrind: $${t##*/} clean"; \
		else \
			cat $$t.vg.log; echo "valgrind: $${t##*/} FAILED"; \
			exit 1; \
		fi; \
	done

# Drives the server with wrk for LOAD_SECONDS (scripts/load.sh).
load: all
	@sh scripts/load.sh

# The load mix for SOAK_SECONDS (600), the server's RSS every 10 s, and
# whether it stayed flat (scripts/soak.sh). Not part of `make test`.
soak: all
	@sh scripts/soak.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/bouncedesk
	cp -R templates static db $(DESTDIR)$(SHAREDIR)/

clean:
	rm -rf build build-asan build-fuzz bouncedesk

-include $(OBJS:.o=.d) $(BUILD)/src/main.d
