# plugins/common/common.mk: code shared by plugins (the IDX loader and the
# minibatch drawing and replay of the mlp and conv optimizees, the
# data-file search of conv), a libtool convenience
# library linked into each module that needs it. A plugin cannot call the
# core, so what two plugins share lives here, on the plugin side.

noinst_LTLIBRARIES += plugins/common/libl2lplugin.la
plugins_common_libl2lplugin_la_SOURCES = plugins/common/idx.c plugins/common/idx.h \
	plugins/common/input_file.h \
	plugins/common/data_path.c plugins/common/data_path.h \
	plugins/common/minibatch.c plugins/common/minibatch.h
plugins_common_libl2lplugin_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
plugins_common_libl2lplugin_la_LIBADD = $(ZLIB_LIBS)
# Plugins and tests that use it add this to their CPPFLAGS.
PLUGIN_COMMON_CPPFLAGS = -I$(top_srcdir)/plugins/common
