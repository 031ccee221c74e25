# Unit tests of the format layer (header, packets, extent engine, lower files,
# the kernel-written vector sets).
noinst_PROGRAMS += tests/unit/t-header tests/unit/t-extent tests/unit/t-lowerfile \
	tests/unit/t-vectors
EXTRA_DIST += tests/unit/format-util.h
# The kernel-written vector sets, shipped whole: a set added later is shipped
# without a line here.
EXTRA_DIST += tests/data/vectors
tests_unit_t_header_SOURCES = tests/unit/t-header.c tests/unit/format-util.h
tests_unit_t_header_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_header_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_extent_SOURCES = tests/unit/t-extent.c tests/unit/format-util.h
tests_unit_t_extent_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_extent_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_lowerfile_SOURCES = tests/unit/t-lowerfile.c tests/unit/format-util.h
tests_unit_t_lowerfile_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_lowerfile_LDADD = $(UNIT_TEST_LIBS)
tests_unit_t_vectors_SOURCES = tests/unit/t-vectors.c tests/unit/format-util.h
tests_unit_t_vectors_CFLAGS = $(UNIT_TEST_FLAGS)
tests_unit_t_vectors_LDADD = $(UNIT_TEST_LIBS)
