# core/plugins/plugins.mk: loading plugins and reading their option tables.
# Uses util.
PLUGINS_INCLUDES = $(UTIL_INCLUDES) -I$(top_srcdir)/core/plugins
noinst_LTLIBRARIES += core/plugins/libl2lplugins.la
core_plugins_libl2lplugins_la_SOURCES = \
	core/plugins/options.c core/plugins/options.h \
	core/plugins/plugin_loader.c core/plugins/plugin_loader.h
core_plugins_libl2lplugins_la_CPPFLAGS = $(AM_CPPFLAGS) $(PLUGINS_INCLUDES)
core_plugins_libl2lplugins_la_CFLAGS = $(CORE_CFLAGS)
