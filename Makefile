# streampeer_tcp: build, test, demo and install.
#
#   make demo      build the release library and run the C echo example
#   make test      everything a change must pass (what CI runs)
#   make header    regenerate include/streampeer_tcp.h from the sources
#   make install   PREFIX=/usr/local DESTDIR= (library, header, pkg-config)

CARGO   ?= cargo
CC      ?= cc
CXX     ?= c++
PYTHON  ?= python3
PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include

CWARN   := -std=c11 -Wall -Wextra -Werror -Wpedantic
CFLAGS  ?= -O1 -g
BUILD   := build
VENV    := .venv
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

DEBUG_DIR   := target/debug
RELEASE_DIR := target/release
C_TESTS     := $(patsubst c-tests/%.c,$(BUILD)/c-tests/%,$(wildcard c-tests/test_*.c))
EXAMPLES    := $(BUILD)/examples/echo_server $(BUILD)/examples/echo_client \
               $(BUILD)/examples/send_dictionary

.PHONY: all lib lib-debug header demo test lint cargo-test c-test py-test fuzz wheel wheel-check \
        check-mem check-asan check-tsan check-sanitizers check-faults bench bench-smoke \
        windows test-windows \
        install install-check clean FORCE

all: lib

# The Rust build is driven by cargo, which knows when to rebuild.
lib:
	$(CARGO) build --release --locked

lib-debug:
	$(CARGO) build --locked

header:
	SPTCP_WRITE_HEADER=1 $(CARGO) build --locked
	@echo "include/streampeer_tcp.h regenerated"

# --- tests ---------------------------------------------------------------

test: lint cargo-test c-test check-sanitizers check-faults py-test install-check wheel-check bench-smoke
	@echo "make test: all passed"

lint: $(VENV)/.ready
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(VENV)/bin/python -m pyflakes python python-tests examples fuzz/seeds.py bench

# Includes tests/header_fresh.rs: the committed header equals the generated one.
cargo-test:
	$(CARGO) test --locked

$(BUILD)/c-tests/%: c-tests/%.c c-tests/check.h include/streampeer_tcp.h FORCE | lib-debug
	@mkdir -p $(@D)
	$(CC) $(CWARN) $(CFLAGS) -Iinclude -o $@ $< -pthread \
	    -L$(DEBUG_DIR) -lstreampeer_tcp -Wl,-rpath,$(abspath $(DEBUG_DIR))

$(BUILD)/c-tests/header_cxx: c-tests/header_cxx.cpp include/streampeer_tcp.h FORCE | lib-debug
	@mkdir -p $(@D)
	$(CXX) -std=c++11 -Wall -Wextra -Werror -Iinclude -o $@ $< \
	    -L$(DEBUG_DIR) -lstreampeer_tcp -Wl,-rpath,$(abspath $(DEBUG_DIR))

c-test: $(C_TESTS) $(BUILD)/c-tests/header_cxx
	@sh c-tests/run.sh $^

# The C tests again under valgrind memcheck, AddressSanitizer + UBSan +
# LeakSanitizer, and ThreadSanitizer (each says SKIPPED when its tool is
# missing; .ci/run installs them).
check-mem: $(C_TESTS)
	@sh c-tests/memcheck.sh $(C_TESTS)

check-asan:
	@SOAK_CYCLES=2000 sh c-tests/sanitize.sh asan

check-tsan:
	@sh c-tests/sanitize.sh tsan

check-sanitizers: check-mem check-asan check-tsan

# Network faults (blackhole, reset, loss) in a namespace of its own.
$(BUILD)/faults: c-tests/faults.c c-tests/check.h include/streampeer_tcp.h FORCE | lib-debug
	$(CC) $(CWARN) $(CFLAGS) -Iinclude -o $@ $< -pthread \
	    -L$(DEBUG_DIR) -lstreampeer_tcp -Wl,-rpath,$(abspath $(DEBUG_DIR))

check-faults: $(BUILD)/faults
	@sh c-tests/faults.sh $(BUILD)/faults

$(VENV)/.ready:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check pytest pyflakes "setuptools>=70.1" wheel
	@touch $@

# The examples are built too: test_examples.py runs them.
py-test: $(VENV)/.ready lib-debug $(BUILD)/examples/send_dictionary $(BUILD)/examples/echo_server
	SPTCP_LIB=$(abspath $(DEBUG_DIR))/libstreampeer_tcp.so \
	STREAMPEER_TCP_LIB=$(abspath $(DEBUG_DIR))/libstreampeer_tcp.so PYTHONPATH=$(abspath python) \
	    $(VENV)/bin/python -m pytest -q -rs python-tests

# --- Python wheel -------------------------------------------------------

# A platform wheel of python/streampeer_tcp with the release library inside.
wheel: lib $(VENV)/.ready
	@rm -rf $(BUILD)/wheel-src $(BUILD)/wheels
	@mkdir -p $(BUILD)/wheel-src
	cp -r python/pyproject.toml python/setup.py python/README.md python/streampeer_tcp $(BUILD)/wheel-src/
	rm -rf $(BUILD)/wheel-src/streampeer_tcp/__pycache__
	cp $(RELEASE_DIR)/libstreampeer_tcp.so $(BUILD)/wheel-src/streampeer_tcp/
	$(VENV)/bin/pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
	    -w $(BUILD)/wheels $(BUILD)/wheel-src
	@ls $(BUILD)/wheels

# Installs the wheel into a fresh virtual environment and runs the examples.
wheel-check: wheel
	sh python/wheel_check.sh

# --- benchmarks (make bench; only the smoke run is part of make test) ---------

BENCH_DEFS = $(shell pkg-config --exists libuv 2>/dev/null && echo -DHAVE_LIBUV) \
             $(shell pkg-config --exists SDL2_net 2>/dev/null && echo -DHAVE_SDL2NET)
BENCH_PKGS = $(shell pkg-config --exists libuv 2>/dev/null && echo libuv) \
             $(shell pkg-config --exists SDL2_net 2>/dev/null && echo SDL2_net)

$(BUILD)/bench/bench: bench/bench.c include/streampeer_tcp.h FORCE | lib
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -Iinclude $(BENCH_DEFS) \
	    $(if $(strip $(BENCH_PKGS)),$$(pkg-config --cflags $(BENCH_PKGS))) -o $@ $< \
	    -L$(RELEASE_DIR) -lstreampeer_tcp -Wl,-rpath,$(abspath $(RELEASE_DIR)) \
	    $(if $(strip $(BENCH_PKGS)),$$(pkg-config --libs $(BENCH_PKGS))) -lpthread

bench:
	sh bench/setup.sh
	$(MAKE) --no-print-directory $(BUILD)/bench/bench
	$(BUILD)/bench-venv/bin/python bench/run.py --reps $(or $(BENCH_REPS),5) || python3 bench/run.py --reps $(or $(BENCH_REPS),5)

bench-smoke: $(BUILD)/bench/bench
	$(PYTHON) bench/run.py --smoke

# --- fuzzing (not part of make test) --------------------------------------

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := decode_variant stream_reads

# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them. Each target runs FUZZ_SECONDS from seeds that the
# library writes; a crash stops the run and leaves its input in
# fuzz/artifacts/<target>/.
fuzz: $(VENV)/.ready lib-debug
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	SPTCP_LIB=$(abspath $(DEBUG_DIR))/libstreampeer_tcp.so $(VENV)/bin/python fuzz/seeds.py
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	    RUSTC_BOOTSTRAP=1 cargo fuzz run -O $$t corpus/$$t -- \
	        -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 || exit 1; \
	done

# --- demo ----------------------------------------------------------------

$(BUILD)/examples/%: examples/%.c include/streampeer_tcp.h FORCE | lib
	@mkdir -p $(@D)
	$(CC) $(CWARN) -O2 -Iinclude -o $@ $< \
	    -L$(RELEASE_DIR) -lstreampeer_tcp -Wl,-rpath,$(abspath $(RELEASE_DIR))

demo: $(EXAMPLES)
	@sh examples/run_demo.sh $(BUILD)/examples

# --- Windows (cross-built with MinGW-w64, tested under Wine) -----------------

WIN_TARGET := x86_64-pc-windows-gnu
WIN_PKG    := $(BUILD)/windows/streampeer_tcp-$(VERSION)-x86_64-windows
# llvm-dlltool writes import libraries in the short format MSVC's lib.exe
# writes; MinGW's dlltool is the fallback.
WIN_DLLTOOL := $(firstword $(foreach t,llvm-dlltool llvm-dlltool-14 x86_64-w64-mingw32-dlltool,\
                 $(shell command -v $(t) 2>/dev/null)))

# The DLL, its import libraries and the header, in a folder ready to zip.
windows:
	$(CARGO) build --release --locked --target $(WIN_TARGET)
	@rm -rf $(WIN_PKG)
	install -d $(WIN_PKG)/bin $(WIN_PKG)/lib $(WIN_PKG)/include
	install -m 644 target/$(WIN_TARGET)/release/streampeer_tcp.dll $(WIN_PKG)/bin/
	install -m 644 target/$(WIN_TARGET)/release/libstreampeer_tcp.dll.a $(WIN_PKG)/lib/
	install -m 644 target/$(WIN_TARGET)/release/libstreampeer_tcp.a $(WIN_PKG)/lib/
	install -m 644 include/streampeer_tcp.h $(WIN_PKG)/include/
	@# For MSVC: a .def listing the header's functions, and the import
	@# library made from it (c-tests/windows.sh links a program with it).
	$(PYTHON) tools/abi.py def > $(WIN_PKG)/lib/streampeer_tcp.def
	@[ -n "$(WIN_DLLTOOL)" ] || { echo "windows: no dlltool (apt-get install llvm or binutils-mingw-w64-x86-64)"; exit 1; }
	$(WIN_DLLTOOL) -m i386:x86-64 -D streampeer_tcp.dll -d $(WIN_PKG)/lib/streampeer_tcp.def \
	    -l $(WIN_PKG)/lib/streampeer_tcp.lib
	@echo "windows: $(WIN_PKG)" && ls -R $(WIN_PKG)

test-windows:
	@WIN_PKG=$(WIN_PKG) WIN_DLLTOOL="$(WIN_DLLTOOL)" sh c-tests/windows.sh

# --- install -------------------------------------------------------------

$(BUILD)/streampeer_tcp.pc: streampeer_tcp.pc.in Cargo.toml
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCDIR@|$(INCDIR)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

install: lib $(BUILD)/streampeer_tcp.pc
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)
	install -m 644 include/streampeer_tcp.h $(DESTDIR)$(INCDIR)/
	install -m 755 $(RELEASE_DIR)/libstreampeer_tcp.so $(DESTDIR)$(LIBDIR)/
	install -m 644 $(RELEASE_DIR)/libstreampeer_tcp.a $(DESTDIR)$(LIBDIR)/
	install -m 644 $(BUILD)/streampeer_tcp.pc $(DESTDIR)$(LIBDIR)/pkgconfig/

# Installs into a scratch prefix and builds an example against it through
# pkg-config, the way a user would.
install-check:
	@rm -rf $(BUILD)/stage-prefix
	$(MAKE) --no-print-directory install PREFIX=$(abspath $(BUILD))/stage-prefix \
	    DESTDIR= BUILD=$(BUILD)/install-build
	sh c-tests/install_check.sh $(abspath $(BUILD))/stage-prefix
	@rm -rf $(BUILD)/destdir
	$(MAKE) --no-print-directory install PREFIX=/usr DESTDIR=$(abspath $(BUILD))/destdir \
	    BUILD=$(BUILD)/install-build-destdir
	test -f $(BUILD)/destdir/usr/include/streampeer_tcp.h
	test -f $(BUILD)/destdir/usr/lib/libstreampeer_tcp.so
	grep -q '^prefix=/usr$$' $(BUILD)/destdir/usr/lib/pkgconfig/streampeer_tcp.pc
	@echo "install-check: PREFIX and DESTDIR layouts OK"

clean:
	$(CARGO) clean
	rm -rf $(BUILD)

FORCE:
