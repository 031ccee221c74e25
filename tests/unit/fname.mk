# Unit tests of filename encryption (fname.c).
noinst_PROGRAMS += tests/unit/t-fname
tests_unit_t_fname_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_fname_LDADD = $(UNIT_TEST_LIBS)
