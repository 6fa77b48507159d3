/* escape.c: one escaping function per output language (see escape.h). */
#include <string.h>
#include "escape.h"

void l2l_esc_gnuplot(FILE *f, const char *s)
{
    /* gnuplot 5.4 misreads runs of doubled quotes ('a''''b', '''a'), and
     * its macro expander, blind to double quotes, takes the ' of "'" for
     * the end of a string and expands the @NAME after it: a quote is
     * joined as the octal escape "\047", like a control character. */
    int open = 0, pieces = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        int joined = ch < 0x20 || ch == 0x7f || ch == '\'';
        if (joined && open) {
            fputc('\'', f);
            open = 0;
        }
        if (joined) {
            if (pieces++)
                fputc('.', f);
            fprintf(f, "\"\\%03o\"", ch);
            continue;
        }
        if (!open) {
            fputs(pieces++ ? ".'" : "'", f);
            open = 1;
        }
        fputc(ch, f);
    }
    if (open)
        fputc('\'', f);
    else if (!pieces)
        fputs("''", f);
}

void l2l_esc_comment(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, f);
    }
}

void l2l_esc_html(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
}

void l2l_esc_md(FILE *f, const char *s)
{
    /* CommonMark lets any ASCII punctuation be escaped; these are the ones
     * with a meaning inside a line (our text never starts one): emphasis,
     * code, links and images ('[' suffices), HTML, entities, a heading's
     * closing '#', table cells, strikethrough, GitHub's $math$. */
    static const char special[] = "\\`*_{}[]<>#|~&$";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f) {
            fputc(' ', f);
            continue;
        }
        if (strchr(special, ch))
            fputc('\\', f);
        fputc(ch, f);
    }
}

void l2l_esc_md_code(FILE *f, const char *info, const char *text)
{
    size_t run = 0, longest = 0;
    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    size_t fence = longest < 3 ? 3 : longest + 1;
    for (size_t k = 0; k < fence; k++)
        fputc('`', f);
    fprintf(f, "%s\n%s", info, text);
    if (*text && text[strlen(text) - 1] != '\n')
        fputc('\n', f);
    for (size_t k = 0; k < fence; k++)
        fputc('`', f);
    fputc('\n', f);
}

static void csv_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void l2l_esc_csv(FILE *f, const char *s)
{
    if (s[strcspn(s, ",\"\r\n")])
        csv_quoted(f, s);
    else
        fputs(s, f);
}

void l2l_esc_csv_quoted(FILE *f, const char *s)
{
    csv_quoted(f, s);
}
