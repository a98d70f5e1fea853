# Build and install the C library: libfapi.a, libfapi.so, the headers and fapi.pc.
#
#   make                          host release build: libfapi.a and libfapi.so (with a SONAME)
#   make thumbv7em                thumbv7em-none-eabihf libfapi.a (no_std, with the panic handler
#                                 that calls the integrator's `fapi_panic_hook`; cargo profile
#                                 `firmware`: opt-level "s", LTO, sha2's compact backend)
#   make install PREFIX=/opt/fapi installs lib/, include/ and lib/pkgconfig/fapi.pc
#                                 (default PREFIX=/usr/local; DESTDIR is honoured)
#   make uninstall PREFIX=...     removes exactly what install put there
#   make check-header             scripts/check-header.sh (header, cdef, version, exported symbols)
#   make check-pkgconfig          tests/pkgconfig/run.sh (install + link a C program via pkg-config)
#
# Cargo's target directory: as cargo says ($CARGO_TARGET_DIR if set, else ./target).
# Linux/ELF only for the shared library's SONAME.

CARGO    ?= cargo
PREFIX   ?= /usr/local
DESTDIR  ?=
LIBDIR   ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL  ?= install

THUMB    := thumbv7em-none-eabihf
# Cargo's own answer (honours CARGO_TARGET_DIR and build.target-dir), else the usual default.
TARGET_DIR := $(shell $(CARGO) metadata --no-deps --format-version 1 2>/dev/null | \
                sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
ifeq ($(TARGET_DIR),)
TARGET_DIR := $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR),$(CURDIR)/target)
endif
HOST_OUT := $(TARGET_DIR)/release
THUMB_OUT := $(TARGET_DIR)/$(THUMB)/firmware

# The workspace version ([workspace.package] in Cargo.toml; fapi-ffi inherits it).
VERSION := $(shell awk '/^\[/{s=($$0=="[workspace.package]")} s&&/^version *=/{gsub(/[" ]/,"");sub(/^version=/,"");print;exit}' $(CURDIR)/Cargo.toml)
VERSION_MAJOR := $(word 1,$(subst ., ,$(VERSION)))
VERSION_MINOR := $(word 2,$(subst ., ,$(VERSION)))
ifeq ($(VERSION),)
$(error could not read [workspace.package] version from Cargo.toml)
endif
# The SONAME follows Cargo's semver (as cargo-c does): 1.x.y -> libfapi.so.1; 0.MINOR.y -> libfapi.so.0.MINOR,
# because before 1.0 a minor release may break the ABI.
ifeq ($(VERSION_MAJOR),0)
SOVERSION := 0.$(VERSION_MINOR)
else
SOVERSION := $(VERSION_MAJOR)
endif
SONAME   := libfapi.so.$(SOVERSION)
REALNAME := libfapi.so.$(VERSION)

# What libfapi.a needs from the system: `rustc --print native-static-libs` says
# "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"; -lc and the unwinder come with the C compiler
# driver (libgcc_s, or libgcc_eh with -static, where an explicit -lgcc_s would fail).
LIBS_PRIVATE := -lutil -lrt -lpthread -lm -ldl

HEADERS  := include/fapi.h include/fapi_cdef.h

.PHONY: all lib thumbv7em install uninstall check-header check-pkgconfig clean print-target-dir

all: lib

# fapi-ffi/build.rs gives the cdylib its SONAME, so a plain cargo build makes the same library.
lib:
	$(CARGO) build -p fapi-ffi --release
	@echo "built $(HOST_OUT)/libfapi.a and $(HOST_OUT)/libfapi.so (SONAME $(SONAME))"

# sha2's compact software backend: a third less flash for SHA-256/512, no measurable slowdown.
# Without the fast ES256 path (about 49 KB of flash; the es256_* fields of fapi_config are then
# refused): `make thumbv7em THUMB_FEATURES=panic-handler,es256-tables` keeps it.
THUMB_FEATURES ?= panic-handler
thumbv7em:
	CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUSTFLAGS='--cfg sha2_backend_soft="compact"' \
	  $(CARGO) build -p fapi-ffi --profile firmware --target $(THUMB) --no-default-features \
	  --features $(THUMB_FEATURES)
	@echo "built $(THUMB_OUT)/libfapi.a (link a fapi_panic_hook of your own)"

# fapi.pc keeps libdir/includedir relative to ${prefix} when they are under PREFIX, so
# `pkg-config --define-prefix` can relocate it.
PC_LIBDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCLUDEDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))

install: lib
	@case "$(PREFIX)" in /*) ;; *) echo "make install: PREFIX must be an absolute path" >&2; exit 1;; esac
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 $(HOST_OUT)/libfapi.a $(DESTDIR)$(LIBDIR)/libfapi.a
	$(INSTALL) -m 755 $(HOST_OUT)/libfapi.so $(DESTDIR)$(LIBDIR)/$(REALNAME)
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libfapi.so
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(PC_LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(PC_INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@LIBS_PRIVATE@|$(LIBS_PRIVATE)|g' fapi.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/fapi.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/fapi.pc
	@echo "installed fapi $(VERSION) into $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libfapi.a $(DESTDIR)$(LIBDIR)/libfapi.so \
	      $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(REALNAME) \
	      $(DESTDIR)$(INCLUDEDIR)/fapi.h $(DESTDIR)$(INCLUDEDIR)/fapi_cdef.h \
	      $(DESTDIR)$(PKGCONFIGDIR)/fapi.pc

check-header:
	scripts/check-header.sh

check-pkgconfig:
	tests/pkgconfig/run.sh

print-target-dir:
	@echo $(TARGET_DIR)

clean:
	$(CARGO) clean -p fapi-ffi
