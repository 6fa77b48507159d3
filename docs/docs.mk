# docs/docs.mk: the manual page l2l(1) and the bash completion of l2l,
# installed where man and bash-completion look. tests/robust/cli.sh checks
# that the page names every command and option of `l2l help`.
dist_man1_MANS = docs/l2l.1
dist_bashcomp_DATA = docs/bash-completion/l2l
