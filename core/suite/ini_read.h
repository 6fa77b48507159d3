/* ini_read.h: an INI file as a list of (section, key, value, line), read
 * with inih through a reader that counts lines, so that every later error
 * can name FILE:LINE.
 *
 * The reader sees every byte inih sees, and refuses whatever the two could
 * read differently, so there is one reading of the file, not two:
 * - a section header is exactly [KIND] or [KIND NAME]: KIND lowercase
 *   letters, one space, NAME letters, digits, '-', '_', '.' (not "." or
 *   ".."), at most 49 bytes in all (inih's section buffer), nothing after
 *   ']' but spaces and a comment; a section appears once;
 * - a line that starts with a space or a tab holds only a comment or
 *   nothing (inih would read it as more of the previous value);
 * - a key line is KEY = VALUE ('=' before any ':' or " ;"), KEY non-empty,
 *   each key once per section;
 * - lines are at most 198 bytes (inih's 200-byte buffer), end with LF or
 *   CR LF; a NUL, a lone CR, any other control byte but TAB, and bytes
 *   that are not UTF-8 are refused (the file is UTF-8 text);
 *   a UTF-8 byte order mark is skipped at the start of the file only.
 * Lookups are by hash, so reading n keys takes O(n). */
#ifndef L2L_INI_READ_H
#define L2L_INI_READ_H

struct ini_entry {
    char *section, *key, *value;
    int sec;  /* index into sections, -1 before any section */
    int line;
};

struct ini_section {
    char *name;
    int line;
    int first, n; /* its entries: e[first .. first + n) */
};

struct ini_doc {
    int n, cap;
    struct ini_entry *e;
    int n_sections, cap_sections;
    struct ini_section *sections; /* in file order, even when empty */
    int *sec_hash;                /* open addressing: index + 1, 0 = empty */
    unsigned sec_hash_cap;
    int *key_hash;                /* (section, key) -> entry index + 1 */
    unsigned key_hash_cap;
};

/* Parses path. Every problem is printed as "PATH:LINE: ..."; returns 0,
 * L2L_EINPUT, L2L_ENOMEM or L2L_EIO. */
int ini_read(const char *path, struct ini_doc *doc);
/* Index of the section called name, or -1. */
int ini_find_section(const struct ini_doc *doc, const char *name);
/* The entry key of section sec (as ini_find_section gives), or NULL. */
const struct ini_entry *ini_find_key(const struct ini_doc *doc, int sec, const char *key);
void ini_doc_free(struct ini_doc *doc);
#endif
