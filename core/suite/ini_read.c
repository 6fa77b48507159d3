/* ini_read.c: parse first into a list of entries with line numbers; the
 * suite is validated against the option tables afterwards. inih splits the
 * key lines; the reader that hands it each line checks that line's form
 * first (ini_read.h), records the sections, and blanks what it refuses. */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "infile.h"
#include "ini_read.h"
#include "l2l/plugin.h"
#include "log.h"

#define MAX_SECTION 50 /* inih's section buffer, terminating NUL included */

struct reader {
    FILE *f;
    const char *path;
    int line;  /* lines handed to inih so far */
    int bad;   /* errors found by the reader itself */
    int oom;
    int binary; /* a byte no text file has was seen: the rest is not read */
    int cur;   /* current section: index, -1 none yet, -2 a refused header */
    struct ini_doc *doc;
};

static void refuse(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct reader *r, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l2l_error("%s:%d: %s", r->path, r->line, msg);
    r->bad++;
}

/* FNV-1a, continued from h. */
static uint32_t hash_str(uint32_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static uint32_t hash_key(int sec, const char *key)
{
    return hash_str((2166136261u ^ (uint32_t)sec) * 16777619u, key);
}

/* Grows an index table to hold n + 1 items at a load of at most 1/2. */
static int grow(int **slot, unsigned *cap, int n, struct ini_doc *doc, int keys)
{
    if ((unsigned)(n + 1) * 2 <= *cap)
        return 0;
    unsigned ncap = *cap ? *cap * 2 : 64;
    int *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (unsigned k = 0; k < *cap; k++) {
        int v = (*slot)[k];
        if (!v)
            continue;
        uint32_t h = keys ? hash_key(doc->e[v - 1].sec, doc->e[v - 1].key)
                          : hash_str(2166136261u, doc->sections[v - 1].name);
        unsigned j = h & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = v;
    }
    free(*slot);
    *slot = ns;
    *cap = ncap;
    return 0;
}

int ini_find_section(const struct ini_doc *doc, const char *name)
{
    if (!doc->sec_hash_cap)
        return -1;
    unsigned mask = doc->sec_hash_cap - 1;
    for (unsigned j = hash_str(2166136261u, name) & mask; doc->sec_hash[j]; j = (j + 1) & mask)
        if (!strcmp(doc->sections[doc->sec_hash[j] - 1].name, name))
            return doc->sec_hash[j] - 1;
    return -1;
}

static int find_entry(const struct ini_doc *doc, int sec, const char *key)
{
    if (!doc->key_hash_cap)
        return -1;
    unsigned mask = doc->key_hash_cap - 1;
    for (unsigned j = hash_key(sec, key) & mask; doc->key_hash[j]; j = (j + 1) & mask) {
        const struct ini_entry *e = &doc->e[doc->key_hash[j] - 1];
        if (e->sec == sec && !strcmp(e->key, key))
            return doc->key_hash[j] - 1;
    }
    return -1;
}

const struct ini_entry *ini_find_key(const struct ini_doc *doc, int sec, const char *key)
{
    int k = find_entry(doc, sec, key);
    return k < 0 ? NULL : &doc->e[k];
}

/* Why the header [inner] is refused, or NULL when it is well formed. */
static const char *header_problem(const char *inner, size_t len)
{
    if (len == 0)
        return "an empty section name";
    if (inner[0] == ' ' || inner[0] == '\t')
        return "a space after '['";
    if (inner[len - 1] == ' ' || inner[len - 1] == '\t')
        return "a space before ']'";
    if (len >= MAX_SECTION)
        return "longer than 49 characters";
    size_t k = 0;
    while (k < len && inner[k] >= 'a' && inner[k] <= 'z')
        k++;
    if (k == 0)
        return "a section kind that is not lowercase letters";
    if (k == len)
        return NULL;
    if (inner[k] != ' ')
        return inner[k] == '\t' ? "a tab after the section kind" : "a section kind that is not lowercase letters";
    k++;
    if (inner[k] == ' ' || inner[k] == '\t')
        return "more than one space between the section kind and the name";
    /* the name's own grammar is names.c's, checked by the suite reader */
    for (; k < len; k++)
        if (inner[k] == ' ' || inner[k] == '\t')
            return "a space inside the name";
    return NULL;
}

static int add_section(struct reader *r, const char *name, size_t len)
{
    struct ini_doc *doc = r->doc;
    if (doc->n_sections == doc->cap_sections) {
        int cap = doc->cap_sections ? 2 * doc->cap_sections : 16;
        void *p = realloc(doc->sections, sizeof *doc->sections * (size_t)cap);
        if (!p)
            return -1;
        doc->sections = p;
        doc->cap_sections = cap;
    }
    if (grow(&doc->sec_hash, &doc->sec_hash_cap, doc->n_sections, doc, 0) < 0)
        return -1;
    char *copy = strndup(name, len);
    if (!copy)
        return -1;
    int was = ini_find_section(doc, copy);
    if (was >= 0) {
        refuse(r, "section [%s] appears twice (first at line %d)", copy, doc->sections[was].line);
        free(copy);
        r->cur = -2;
        return 0;
    }
    struct ini_section *s = &doc->sections[doc->n_sections];
    s->name = copy;
    s->line = r->line;
    s->first = doc->n;
    s->n = 0;
    unsigned mask = doc->sec_hash_cap - 1, j = hash_str(2166136261u, copy) & mask;
    while (doc->sec_hash[j])
        j = (j + 1) & mask;
    doc->sec_hash[j] = doc->n_sections + 1;
    r->cur = doc->n_sections++;
    return 0;
}

/* inih's find_chars_or_comment: the first of chars, or a ';' that follows
 * a space (an inline comment). */
static const char *chars_or_comment(const char *s, const char *chars)
{
    int was_space = 0;
    while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
        was_space = *s == ' ' || *s == '\t';
        s++;
    }
    return s;
}

/* Checks one line (no line end) as inih will read it; records a section
 * header. Returns 0 to hand the line over, -1 to hand a blank line. */
static int check_line(struct reader *r, char *s)
{
    if (*s == 0 || *s == ';' || *s == '#')
        return 0;
    if (*s == ' ' || *s == '\t') {
        const char *p = s;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == 0 || *p == ';' || *p == '#')
            return 0;
        refuse(r, "indented line '%s': remove the leading space (a value does not continue on the "
               "next line, and a section header or key starts its line)", p);
        return -1;
    }
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (!end) {
            refuse(r, "'%s': expected a section header [KIND] or [KIND NAME] ending in ']'", s);
            r->cur = -2;
            return -1;
        }
        const char *after = end + 1;
        while (*after == ' ' || *after == '\t')
            after++;
        const char *why = header_problem(s + 1, (size_t)(end - s - 1));
        if (!why && *after && *after != ';' && *after != '#')
            why = "text after ']'";
        if (why) {
            refuse(r, "section header '%s': %s; expected [KIND] or [KIND NAME] with one space "
                   "between, NAME of letters, digits, '-', '_' or '.'", s, why);
            r->cur = -2;
            return -1;
        }
        if (add_section(r, s + 1, (size_t)(end - s - 1)) < 0) {
            r->oom = 1;
            return -1;
        }
        return 0;
    }
    const char *sep = chars_or_comment(s, "=:");
    if (*sep != '=') {
        refuse(r, "'%s': expected KEY = VALUE%s", s,
               *sep == ':' ? " ('=', not ':')" : *sep == ';' ? " (a ';' comment starts before any '=')" : "");
        return -1;
    }
    const char *k = s;
    while (k < sep && (*k == ' ' || *k == '\t'))
        k++;
    if (k == sep) {
        refuse(r, "'%s': expected KEY = VALUE, found no key before '='", s);
        return -1;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 (overlong forms,
 * surrogates and code points past U+10FFFF are not valid). */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (int k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

/* Hands inih one physical line, checked (see ini_read.h); a refused line
 * is handed over blank so that inih neither reads it nor stops. */
static char *counting_reader(char *str, int num, void *stream)
{
    struct reader *r = stream;
    int len = 0, c = 0, too_long = 0;
    while ((c = fgetc(r->f)) != EOF) {
        if (c == '\n')
            break;
        if (len < num - 2) /* room for the LF and NUL handed over */
            str[len++] = (char)c;
        else
            too_long = 1;
    }
    if (len == 0 && c == EOF && !too_long)
        return NULL;
    r->line++;
    str[len] = 0;
    int ok = 1;
    if (too_long) {
        refuse(r, "line longer than %d characters (inih's limit)", num - 2);
        ok = 0;
    }
    if (r->line == 1 && len >= 3 && !memcmp(str, "\xEF\xBB\xBF", 3)) {
        memmove(str, str + 3, (size_t)len - 2);
        len -= 3;
    }
    if (len && str[len - 1] == '\r')
        str[--len] = 0; /* CR LF */
    if (r->binary)
        ok = 0;
    if (ok && memchr(str, 0, (size_t)len)) {
        refuse(r, "a NUL byte: this is not a text INI file");
        ok = 0;
        r->binary = 1;
    }
    for (int k = 0; ok && k < len; k++) {
        unsigned char b = (unsigned char)str[k];
        if (b == '\r')
            refuse(r, "a carriage return inside the line (lines end with LF or CR LF)");
        else if ((b < 0x20 && b != '\t') || b == 0x7f)
            refuse(r, "control byte 0x%02X (only TAB is allowed)", b);
        else if (b >= 0x80 && !utf8_len((const unsigned char *)str + k))
            refuse(r, "byte %d is not valid UTF-8: this is not a UTF-8 text INI file", k + 1);
        else {
            if (b >= 0x80)
                k += utf8_len((const unsigned char *)str + k) - 1;
            continue;
        }
        ok = 0;
        r->binary = 1;
    }
    if (!ok || check_line(r, str) < 0)
        str[0] = 0;
    strcat(str, "\n");
    return str;
}

static int add_entry(struct reader *r, const char *section, const char *key, const char *value)
{
    struct ini_doc *doc = r->doc;
    int was = find_entry(doc, r->cur, key);
    if (was >= 0) {
        refuse(r, "[%s] %s: duplicate key (first set at line %d)", section, key, doc->e[was].line);
        return 0;
    }
    if (doc->n == doc->cap) {
        int cap = doc->cap ? 2 * doc->cap : 64;
        void *p = realloc(doc->e, sizeof *doc->e * (size_t)cap);
        if (!p)
            return -1;
        doc->e = p;
        doc->cap = cap;
    }
    if (grow(&doc->key_hash, &doc->key_hash_cap, doc->n, doc, 1) < 0)
        return -1;
    struct ini_entry *e = &doc->e[doc->n];
    e->section = strdup(section);
    e->key = strdup(key);
    e->value = strdup(value);
    e->sec = r->cur;
    e->line = r->line;
    if (!e->section || !e->key || !e->value) {
        free(e->section);
        free(e->key);
        free(e->value);
        return -1;
    }
    unsigned mask = doc->key_hash_cap - 1, j = hash_key(e->sec, key) & mask;
    while (doc->key_hash[j])
        j = (j + 1) & mask;
    doc->key_hash[j] = doc->n + 1;
    if (r->cur >= 0)
        doc->sections[r->cur].n++;
    doc->n++;
    return 0;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    struct reader *r = user;
    if (key == NULL || r->cur == -2) /* keys of a refused header: reported once */
        return 1;
    /* The reader and inih must have read the same header. */
    const char *mine = r->cur >= 0 ? r->doc->sections[r->cur].name : "";
    if (strcmp(section, mine)) {
        refuse(r, "internal error: the line reader saw section [%s], inih [%s]", mine, section);
        return 1;
    }
    if (add_entry(r, section, key, value) < 0) {
        r->oom = 1;
        return 0;
    }
    return 1;
}

int ini_read(const char *path, struct ini_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    struct reader r = {0};
    r.path = path;
    r.doc = doc;
    r.cur = -1;
    char err[L2L_ERRLEN];
    int orc = l2l_fopen_input(path, &r.f, NULL, err, sizeof err);
    if (orc == L2L_EIO) {
        l2l_error("%s: cannot open the suite file: %s", path, strerror(errno));
        return orc;
    }
    if (orc < 0) {
        l2l_error("%s (expected a suite file)", err);
        return orc;
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
    if (rc == -2 || r.oom) {
        l2l_error("l2l: out of memory (reading %s)", path);
        ini_doc_free(doc);
        return L2L_ENOMEM;
    }
    if (rc > 0 && !r.bad) { /* every line inih refuses is refused above first */
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
    free(doc->sec_hash);
    free(doc->key_hash);
    memset(doc, 0, sizeof *doc);
}
