# plugins/optimizers/lstm.mk: build rules for this part of the tree (included by Makefile.am).
