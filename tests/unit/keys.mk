# Unit tests of the key layer (kdf, tokens, keyring, rc files, wrapping).
KEYS_UNIT_TESTS = tests/unit/t-kdf tests/unit/t-authtok tests/unit/t-keyring \
	tests/unit/t-rcfile tests/unit/t-sigcache tests/unit/t-wrap tests/unit/t-wrap-v3
noinst_PROGRAMS += $(KEYS_UNIT_TESTS)
tests_unit_t_kdf_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_kdf_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_authtok_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_authtok_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_keyring_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_keyring_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_rcfile_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_rcfile_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_sigcache_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_sigcache_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_wrap_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_wrap_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_wrap_v3_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_wrap_v3_LDADD = $(UNIT_TEST_LIBS)
EXTRA_DIST += tests/data/keys/make-v1-fixtures.sh tests/data/keys/wp01 tests/data/keys/wp02 \
	tests/data/keys/wp03 tests/data/keys/wp04 tests/data/keys/wp05 \
	tests/data/keys/setup-private-style.wrapped-passphrase \
	tests/data/keys/setup-private-style.Private.sig tests/data/keys/v3-fixture
