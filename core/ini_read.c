/* ini_read.c: parse first into a list of entries with line numbers; the
 * suite is validated against the option tables afterwards. */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ini_read.h"
#include "log.h"

struct reader {
    FILE *f;
    const char *path;
    int line;      /* lines handed to inih so far */
    int bad;       /* errors found by the reader itself */
    int last_section_line;
    struct ini_doc *doc;
    char section[256];
};

/* fgets that counts lines and refuses what inih would silently cut or
 * misread: lines longer than its buffer and NUL bytes. */
static char *counting_reader(char *str, int num, void *stream)
{
    struct reader *r = stream;
    int len = 0, c = 0;
    while (len < num - 1 && (c = fgetc(r->f)) != EOF) {
        if (c == 0) {
            if (!r->bad)
                l2l_error("%s:%d: a NUL byte: this is not a text INI file", r->path, r->line + 1);
            r->bad++;
            c = ' ';
        }
        str[len++] = (char)c;
        if (c == '\n')
            break;
    }
    if (len == 0)
        return NULL;
    str[len] = 0;
    r->line++;
    if (str[len - 1] != '\n' && c != EOF) {
        int next = fgetc(r->f);
        if (next != EOF && next != '\n') {
            l2l_error("%s:%d: line longer than %d characters", r->path, r->line, num - 2);
            r->bad++;
            while ((c = fgetc(r->f)) != EOF && c != '\n')
                ;
        }
    }
    return str;
}

static char *dup_or_die(const char *s, int *oom)
{
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

static int add_section(struct reader *r, const char *section)
{
    struct ini_doc *doc = r->doc;
    if (doc->n_sections == doc->cap_sections) {
        int cap = doc->cap_sections ? 2 * doc->cap_sections : 16;
        void *p = realloc(doc->sections, sizeof *doc->sections * (size_t)cap);
        if (!p)
            return 0;
        doc->sections = p;
        doc->cap_sections = cap;
    }
    int oom = 0;
    doc->sections[doc->n_sections].name = dup_or_die(section, &oom);
    doc->sections[doc->n_sections].line = r->line;
    if (oom)
        return 0;
    doc->n_sections++;
    return 1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    struct reader *r = user;
    struct ini_doc *doc = r->doc;
    /* inih calls with key == NULL at each new section when built with
     * INI_CALL_HANDLER_ON_NEW_SECTION; Debian's is not, so sections are
     * noticed when they change (an empty section is caught by line scan). */
    if (key == NULL)
        return 1;
    if (strcmp(section, r->section)) {
        snprintf(r->section, sizeof r->section, "%s", section);
    }
    for (int k = 0; k < doc->n; k++)
        if (!strcmp(doc->e[k].section, section) && !strcmp(doc->e[k].key, key)) {
            l2l_error("%s:%d: [%s] %s: duplicate key (first set at line %d)", r->path, r->line,
                      section, key, doc->e[k].line);
            r->bad++;
            return 1;
        }
    if (doc->n == doc->cap) {
        int cap = doc->cap ? 2 * doc->cap : 64;
        void *p = realloc(doc->e, sizeof *doc->e * (size_t)cap);
        if (!p)
            return 0;
        doc->e = p;
        doc->cap = cap;
    }
    int oom = 0;
    struct ini_entry *e = &doc->e[doc->n];
    e->section = dup_or_die(section, &oom);
    e->key = dup_or_die(key, &oom);
    e->value = dup_or_die(value, &oom);
    e->line = r->line;
    if (oom) {
        free(e->section); free(e->key); free(e->value);
        return 0;
    }
    doc->n++;
    return 1;
}

/* Sections with their header lines, found by a plain scan (inih does not
 * report sections without keys, nor their lines). */
static int scan_sections(const char *path, struct reader *r)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char buf[512];
    r->line = 0;
    while (fgets(buf, sizeof buf, f)) {
        size_t len = strlen(buf);
        if (len && buf[len - 1] == '\n')
            r->line++;
        else if (len == sizeof buf - 1)
            continue; /* middle of a long line: reported by the parser */
        else
            r->line++;
        char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '[')
            continue;
        char *end = strchr(p, ']');
        if (!end)
            continue;
        *end = 0;
        char *name = p + 1;
        while (*name == ' ')
            name++;
        for (char *q = end - 1; q >= name && *q == ' '; q--)
            *q = 0;
        if (!add_section(r, name)) {
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

int ini_read(const char *path, struct ini_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    struct reader r = {0};
    r.path = path;
    r.doc = doc;
    r.f = fopen(path, "rb");
    if (!r.f) {
        l2l_error("%s: cannot open the suite file: %s", path, strerror(errno));
        return L2L_EIO;
    }
    errno = 0;
    int rc = ini_parse_stream(counting_reader, &r, handler, &r);
    int read_error = ferror(r.f), read_errno = errno;
    fclose(r.f);
    if (read_error) {
        l2l_error("%s: cannot read the suite file: %s", path,
                  read_errno ? strerror(read_errno) : "read error");
        ini_doc_free(doc);
        return L2L_EIO;
    }
    if (rc == -2 || scan_sections(path, &r) < 0) {
        l2l_error("%s: out of memory", path);
        ini_doc_free(doc);
        return L2L_ENOMEM;
    }
    if (rc > 0) {
        l2l_error("%s:%d: syntax error: expected [section], key = value, or a ; comment", path, rc);
        r.bad++;
    }
    if (r.bad) {
        ini_doc_free(doc);
        return L2L_EINPUT;
    }
    return 0;
}

void ini_doc_free(struct ini_doc *doc)
{
    for (int k = 0; k < doc->n; k++) {
        free(doc->e[k].section);
        free(doc->e[k].key);
        free(doc->e[k].value);
    }
    for (int k = 0; k < doc->n_sections; k++)
        free(doc->sections[k].name);
    free(doc->e);
    free(doc->sections);
    memset(doc, 0, sizeof *doc);
}
