# tests/robust/robust.mk: the robustness tests (bad suites, arguments,
# plugins, data and checkpoints; divergence; real signals; write errors;
# FIFOs, devices, huge files and running out of memory),
# shell scripts that run the built `l2l` from the top build directory; and
# the fuzzing and sanitizer material used by .ci/fuzz and .ci/sanitize.
# See docs/robustness.md.
ROBUST_TESTS = tests/robust/bad_suites.sh tests/robust/bad_args.sh \
	tests/robust/bad_plugins.sh tests/robust/bad_data.sh \
	tests/robust/bad_checkpoints.sh tests/robust/diverge.sh \
	tests/robust/signals.sh tests/robust/write_errors.sh \
	tests/robust/checkpoint_status.sh
ROBUST_TESTS += tests/robust/compare.sh
ROBUST_TESTS += tests/robust/unsafe_writes.sh tests/robust/concurrent.sh
ROBUST_TESTS += tests/robust/plot_inconsistent.sh
ROBUST_TESTS += tests/robust/hostile_names.sh
ROBUST_TESTS += tests/robust/resources.sh
ROBUST_TESTS += tests/robust/cli.sh
ROBUST_TESTS += tests/robust/second_order.sh
ROBUST_TESTS += tests/robust/quadratic_file.sh
# mpirun at 2 and 3 ranks: the same bits, a killed rank (skipped without MPI)
ROBUST_TESTS += tests/robust/mpi.sh
ROBUST_TESTS += tests/robust/sets.sh
ROBUST_TESTS += tests/robust/judgment.sh
TESTS += $(ROBUST_TESTS)
EXTRA_DIST += $(ROBUST_TESTS) tests/robust/common.sh docs/robustness.md \
	tests/fuzz/build.sh tests/fuzz/fuzz_common.h tests/fuzz/fuzz_suite.c \
	tests/fuzz/fuzz_idx.c tests/fuzz/fuzz_checkpoint.c tests/fuzz/fuzz_plot_csv.c \
	tests/fuzz/corpus \
	tests/valgrind.supp tests/lsan.supp .ci/fuzz .ci/sanitize

# Test-only plugins of the robustness tests (loaded by path, never
# installed): hooks that fail or signal on request, and two builds of the
# same optimizer the loader must refuse (a name with a comma, a default
# that does not parse).
check_LTLIBRARIES += tests/plugins/faulty_opt.la tests/plugins/faulty_obj.la \
	tests/plugins/comma_name.la tests/plugins/bad_default.la
tests_plugins_faulty_opt_la_SOURCES = tests/plugins/faulty_opt.c
tests_plugins_faulty_opt_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_faulty_obj_la_SOURCES = tests/plugins/faulty_obj.c
tests_plugins_faulty_obj_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_comma_name_la_SOURCES = tests/plugins/faulty_opt.c
tests_plugins_comma_name_la_CFLAGS = $(AM_CFLAGS) -DFAULTY_NAME='"sgd,fast"'
tests_plugins_comma_name_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_bad_default_la_SOURCES = tests/plugins/faulty_opt.c
tests_plugins_bad_default_la_CFLAGS = $(AM_CFLAGS) -DFAULTY_BAD_DEFAULT
tests_plugins_bad_default_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
