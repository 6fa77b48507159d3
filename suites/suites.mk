# suites/suites.mk: the example suites and their trained φ, installed in
# $(pkgdatadir)/suites/ so that an installed l2l runs them as they are
# (checkpoints are found relative to the suite file). A checkpoint missing
# there is trained beside the results, never into the installation
# (core/cli/cmd_run.c).
nobase_dist_pkgdata_DATA = suites/quadratic.ini suites/mnist.ini \
	suites/mnist-generalization.ini suites/ci.ini suites/conv.ini suites/conv-long.ini \
	suites/checkpoints/quadratic-lstm.l2l suites/checkpoints/quadratic-lstm-gac.l2l \
	suites/checkpoints/mnist-lstm.l2l suites/checkpoints/mnist-lstm-gac.l2l \
	suites/checkpoints/conv-lstm.l2l suites/checkpoints/conv-lstm-sets.l2l \
	suites/checkpoints/conv-lstm-sub.l2l \
	suites/checkpoints/quadratic-ntm-bfgs.l2l suites/checkpoints/mnist-ntm-bfgs.l2l
