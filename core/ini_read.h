/* ini_read.h: an INI file as a list of (section, key, value, line), read
 * with inih through a reader that counts lines, so that every later error
 * can name FILE:LINE. */
#ifndef L2L_INI_READ_H
#define L2L_INI_READ_H

struct ini_entry {
    char *section, *key, *value;
    int line;
};

struct ini_section {
    char *name;
    int line;
};

struct ini_doc {
    int n, cap;
    struct ini_entry *e;
    int n_sections, cap_sections;
    struct ini_section *sections; /* in file order, even when empty */
};

/* Parses path. Syntax errors, over-long lines, NUL bytes and duplicate keys
 * are printed as "PATH:LINE: ..."; returns 0, L2L_EINPUT or L2L_EIO. */
int ini_read(const char *path, struct ini_doc *doc);
void ini_doc_free(struct ini_doc *doc);
#endif
