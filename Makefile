# streampeer_tcp: build, test, demo and install. Long recipes live in
# scripts beside what they build; this file only names the targets.
#
#   make demo          build the release library and run the C echo example
#   make test          everything a change must pass (what CI runs)
#   make header        regenerate include/streampeer_tcp.h from the sources
#   make install       PREFIX=/usr/local DESTDIR= (library, headers, pkg-config, CMake)
#   make docs          the guides, the API reference and the pictures, in build/docs/
#   make bench         the comparison benchmarks (bench/run.py)
#   make fuzz          the fuzz targets, FUZZ_SECONDS each
#   make windows       the Windows package; make test-windows tests it under Wine
#   make wheel         the Python wheel (manylinux_2_17); make wheel-check installs and runs it
#   make sdist         the Python source distribution; make sdist-check pip-installs it (cargo builds it)

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
DEBUG   := target/debug
RELEASE := target/release
C_TESTS := $(patsubst c-tests/%.c,$(BUILD)/c-tests/%,$(wildcard c-tests/test_*.c))
EXAMPLES := $(BUILD)/examples/echo_server $(BUILD)/examples/echo_client $(BUILD)/examples/send_dictionary \
            $(BUILD)/examples/group_echo_server $(BUILD)/examples/getting_started $(BUILD)/examples/typed_values \
            $(BUILD)/examples/connect_by_name $(BUILD)/examples/message_server $(BUILD)/examples/uds_command \
            $(BUILD)/examples/cxx_echo_server $(BUILD)/examples/cxx_echo_client $(BUILD)/examples/tls_echo
CXXWARN := -std=c++17 -Wall -Wextra -Werror -Wpedantic -fno-exceptions -fno-rtti
WIN_PKG := $(BUILD)/windows/streampeer_tcp-$(VERSION)-x86_64-windows
WIN_DLLTOOL := $(firstword $(foreach t,llvm-dlltool llvm-dlltool-14 x86_64-w64-mingw32-dlltool,\
                 $(shell command -v $(t) 2>/dev/null)))
LINK_DEBUG := -L$(DEBUG) -lstreampeer_tcp -Wl,-rpath,$(abspath $(DEBUG))
LIB_ENV := SPTCP_LIB=$(abspath $(DEBUG))/libstreampeer_tcp.so \
           STREAMPEER_TCP_LIB=$(abspath $(DEBUG))/libstreampeer_tcp.so PYTHONPATH=$(abspath python)

.PHONY: all lib lib-debug header demo test lint check-targets check-exports cargo-test c-test check-cxx py-test check-mem check-asan \
        check-tsan check-sanitizers check-faults check-tls-interop bench bench-quick bench-busy bench-smoke fuzz wheel wheel-check \
        windows test-windows install install-check docs clean FORCE

all: lib
lib:
	$(CARGO) build --release --locked
lib-debug:
	$(CARGO) build --locked
header:
	SPTCP_WRITE_HEADER=1 $(CARGO) build --locked
	@echo "include/streampeer_tcp.h regenerated"

# --- tests (tests/header_fresh.rs checks the committed header) -------------
test: lint check-targets cargo-test c-test check-cxx check-exports check-sanitizers check-faults check-tls-interop py-test install-check wheel-check sdist-check bench-smoke
	@echo "make test: all passed"
lint: $(VENV)/.ready
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(VENV)/bin/python -m pyflakes python python-tests examples fuzz/seeds.py bench tools
cargo-test:
	$(CARGO) test --locked
check-targets:
	@sh tools/check-targets.sh
check-exports: lib
	@PYTHON=$(PYTHON) sh c-tests/exports.sh $(RELEASE)/libstreampeer_tcp.so
$(BUILD)/c-tests/%: c-tests/%.c c-tests/check.h include/streampeer_tcp.h FORCE | lib-debug
	@mkdir -p $(@D)
	$(CC) $(CWARN) $(CFLAGS) -Iinclude -o $@ $< -pthread $(LINK_DEBUG)
$(BUILD)/c-tests/header_cxx: c-tests/header_cxx.cpp include/streampeer_tcp.h FORCE | lib-debug
	@mkdir -p $(@D)
	$(CXX) -std=c++11 -Wall -Wextra -Werror -Iinclude -o $@ $< $(LINK_DEBUG)
c-test: $(C_TESTS) $(BUILD)/c-tests/header_cxx
	@sh c-tests/run.sh $^
# The C++ header: its coverage of the C API, tests with g++ and clang++, under
# valgrind and ASan, and the C++ examples.
check-cxx: lib-debug
	@CXX=$(CXX) sh c-tests/cxx/run.sh
# valgrind, ASan + UBSan + LSan, TSan; each says SKIPPED without its tool.
check-mem: $(C_TESTS)
	@sh c-tests/memcheck.sh $(C_TESTS)
check-asan:
	@SOAK_CYCLES=2000 sh c-tests/sanitize.sh asan
check-tsan:
	@sh c-tests/sanitize.sh tsan
check-sanitizers: check-mem check-asan check-tsan
# Network faults (blackhole, reset, loss) in a namespace of its own.
check-faults: $(BUILD)/c-tests/faults
	@sh c-tests/faults.sh $(BUILD)/c-tests/faults
# TLS interop: ours against openssl s_server / s_client and Python's ssl,
# TLS 1.2 and 1.3 both ways, and the failure cases; SKIPPED without openssl.
check-tls-interop: $(BUILD)/c-tests/tls_interop
	@PYTHON=$(PYTHON) sh c-tests/tls_interop.sh $(BUILD)/c-tests/tls_interop
$(VENV)/.ready:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check pytest pyflakes "setuptools>=70.1" wheel
	@touch $@
py-test: $(VENV)/.ready lib-debug $(EXAMPLES)
	$(LIB_ENV) $(VENV)/bin/python -m pytest -q -rs python-tests
install-check:
	@MAKE="$(MAKE)" sh c-tests/install_check.sh
wheel-check: wheel
	sh python/wheel_check.sh $(VENV)

# --- packages, benchmarks, fuzzing ------------------------------------------
# The wheel's library is linked against glibc 2.17 (cargo-zigbuild and Zig from PyPI,
# installed into $(VENV)); the sdist carries the crate and builds it with cargo.
wheel: $(VENV)/.ready
	sh python/build_wheel.sh $(VENV) $(BUILD)/wheels
.PHONY: sdist sdist-check
sdist: $(VENV)/.ready
	sh python/build_sdist.sh $(VENV)/bin/python $(BUILD)/sdist
sdist-check: sdist
	sh python/sdist_check.sh $(BUILD)/sdist
windows:
	PYTHON=$(PYTHON) sh tools/package-windows.sh $(WIN_PKG) "$(WIN_DLLTOOL)"
test-windows:
	@WIN_PKG=$(WIN_PKG) WIN_DLLTOOL="$(WIN_DLLTOOL)" sh c-tests/windows.sh
$(BUILD)/bench/bench: bench/bench.c include/streampeer_tcp.h FORCE | lib
	sh bench/build.sh $@
# bench-quick: the same on one CPU (bench/run.py --one-cpu); bench-busy:
# with every CPU kept busy by a nice-19 spinner (bench/run.py --busy).
bench-quick: BENCH_ARGS = --one-cpu
bench-busy: BENCH_ARGS = --busy
bench bench-quick bench-busy:
	sh bench/setup.sh
	$(MAKE) --no-print-directory $(BUILD)/bench/bench
	$(BUILD)/bench-venv/bin/python bench/run.py $(BENCH_ARGS) --reps $(or $(BENCH_REPS),5) || python3 bench/run.py $(BENCH_ARGS) --reps $(or $(BENCH_REPS),5)
bench-smoke: $(BUILD)/bench/bench
	$(PYTHON) bench/run.py --smoke
	$(PYTHON) bench/run.py --smoke --one-cpu --figures pingpong,var
	$(PYTHON) bench/run.py --smoke --busy --figures pingpong
fuzz: $(VENV)/.ready lib-debug
	sh fuzz/run.sh $(abspath $(DEBUG))/libstreampeer_tcp.so $(VENV)/bin/python

# --- demo and install ---------------------------------------------------------
$(BUILD)/examples/%: examples/%.c include/streampeer_tcp.h FORCE | lib
	@mkdir -p $(@D)
	$(CC) $(CWARN) -O2 -Iinclude -o $@ $< -pthread -L$(RELEASE) -lstreampeer_tcp -Wl,-rpath,$(abspath $(RELEASE))
$(BUILD)/examples/cxx_%: examples/cxx_%.cpp include/streampeer_tcp.hpp include/streampeer_tcp.h FORCE | lib
	@mkdir -p $(@D)
	$(CXX) $(CXXWARN) -O2 -Iinclude -o $@ $< -pthread -L$(RELEASE) -lstreampeer_tcp -Wl,-rpath,$(abspath $(RELEASE))
demo: $(EXAMPLES)
	@sh examples/run_demo.sh $(BUILD)/examples
# The guides, the API reference (C header and Python package) and the pictures,
# in build/docs/ (python-tests/test_docs.py builds and checks the same site).
docs: lib
	$(PYTHON) tools/docs.py build $(BUILD)/docs
$(BUILD)/streampeer_tcp.pc: streampeer_tcp.pc.in Cargo.toml
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCDIR@|$(INCDIR)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@
# The .so is laid as .so.$(VERSION) (SONAME .so.MAJOR, set by build.rs) with
# the links .so.MAJOR -> .so.$(VERSION) and .so -> .so.MAJOR; the CMake files
# (cmake/*.in) find everything from their own place (relocatable).
install: lib $(BUILD)/streampeer_tcp.pc
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/streampeer_tcp $(DESTDIR)$(INCDIR)
	install -m 644 include/streampeer_tcp.h $(wildcard include/streampeer_tcp.hpp) $(DESTDIR)$(INCDIR)/
	install -m 755 $(RELEASE)/libstreampeer_tcp.so $(DESTDIR)$(LIBDIR)/libstreampeer_tcp.so.$(VERSION)
	ln -sfn libstreampeer_tcp.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libstreampeer_tcp.so.$(firstword $(subst ., ,$(VERSION)))
	ln -sfn libstreampeer_tcp.so.$(firstword $(subst ., ,$(VERSION))) $(DESTDIR)$(LIBDIR)/libstreampeer_tcp.so
	install -m 644 $(RELEASE)/libstreampeer_tcp.a $(DESTDIR)$(LIBDIR)/
	install -m 644 $(BUILD)/streampeer_tcp.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	@echo "install: cmake/*.cmake.in -> $(DESTDIR)$(LIBDIR)/cmake/streampeer_tcp/"
	@for f in streampeer_tcpConfig streampeer_tcpConfigVersion; do \
	    sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@SOMAJOR@|$(firstword $(subst ., ,$(VERSION)))|g' \
	        -e "s|@INCDIR_FROM_LIBDIR@|$$(realpath -m --relative-to=$(LIBDIR) $(INCDIR))|g" \
	        -e "s|@STATIC_LIBS@|$$(sed -n 's/^Libs.private: *//p' streampeer_tcp.pc.in | sed 's/-l//g; s/ \{1,\}/;/g')|g" \
	        -e "s|@SIZEOF_VOID_P@|$$(($$(getconf LONG_BIT) / 8))|g" \
	        cmake/$$f.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/streampeer_tcp/$$f.cmake || exit 1; \
	done
clean:
	$(CARGO) clean
	rm -rf $(BUILD)
FORCE:
