# tests/robust/robust.mk: the robustness tests (bad suites, arguments,
# plugins, data and checkpoints; divergence; real signals; write errors),
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
TESTS += $(ROBUST_TESTS)
EXTRA_DIST += $(ROBUST_TESTS) tests/robust/common.sh docs/robustness.md \
	tests/fuzz/build.sh tests/fuzz/fuzz_common.h tests/fuzz/fuzz_suite.c \
	tests/fuzz/fuzz_idx.c tests/fuzz/fuzz_checkpoint.c tests/fuzz/corpus \
	tests/valgrind.supp .ci/fuzz .ci/sanitize
