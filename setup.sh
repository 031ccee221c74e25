#!/bin/bash
# ecryptfs-ng set-up for a fresh Debian 12 machine (run as root, or it asks sudo).
#   ./setup.sh demo   install dependencies, build, install, run the demo
#   ./setup.sh test   install dependencies, build (normal + ASan/UBSan/fuzz), run every test
#   ./setup.sh deps | build      the first steps alone
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi

DEPS=(
	build-essential autoconf automake libtool pkg-config
	libgcrypt20-dev libkeyutils-dev keyutils libpam0g-dev libfuse3-dev fuse3
	# the openssl key module (src/key_mod/openssl)
	libssl-dev
	# the pkcs11 key module (src/key_mod/pkcs11) and its tests' token
	libp11-kit-dev p11-kit softhsm2 opensc
	# the tpm2 key module (src/key_mod/tpm2) and its tests' TPM
	libtss2-dev swtpm swtpm-tools tpm2-tools
	clang libclang-rt-14-dev
	attr acl e2fsprogs strace util-linux
	# ecryptfs-setup-swap and its test (tests/private/t-setup-swap.sh)
	cryptsetup-bin fdisk
	# the real-kernel harness (tests/kernel)
	qemu-system-x86 cpio kmod busybox-static libsqlite3-0
	# pgrep for ecryptfs-migrate-home in the VM (tests/kernel/t-private-xcheck.sh)
	procps
	python3 expect pamtester valgrind
	# tests/pam/t-system.sh: a real sshd on the loopback address, logged into with a password
	openssh-server openssh-client sshpass
	# the reference oracle (tests/lib/reference.sh): ecryptfs-utils 111 needs NSS
	libnss3 libnspr4 openssl passwd
)

deps() {
	if [ -z "${ECFS_SKIP_APT:-}" ]; then
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${DEPS[@]}"
	fi
}

configure_into() {	# DIR CONFIGURE-ARGS...
	local dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" && ../configure -q --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
		--libdir="/usr/lib/$(gcc -print-multiarch)" "$@")
}

build() {
	[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null
	[ -f build/Makefile ] || configure_into build --enable-werror
	make -C build -j"$(nproc)" >/dev/null
}

build_asan() {
	[ -f build-asan/Makefile ] || configure_into build-asan --enable-werror \
		--enable-sanitizers --enable-fuzzers CC=clang
	make -C build-asan -j"$(nproc)" >/dev/null
}

case ${1:-demo} in
deps) deps ;;
build) deps; build ;;
demo)
	deps; build
	make -C build install >/dev/null
	ldconfig
	exec ./scripts/demo.sh
	;;
test)
	deps; build; build_asan
	exec tests/run.sh -b build -a build-asan
	;;
*) echo "usage: $0 demo|test|deps|build" >&2; exit 2 ;;
esac
