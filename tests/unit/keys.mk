# Unit tests of the key layer (kdf, tokens, keyring, rc files, wrapping).
KEYS_UNIT_TESTS = tests/unit/t-kdf tests/unit/t-authtok tests/unit/t-keyring
noinst_PROGRAMS += $(KEYS_UNIT_TESTS)
tests_unit_t_kdf_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_kdf_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_authtok_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_authtok_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_keyring_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_keyring_LDADD = $(UNIT_TEST_LIBS)
