/* test_escape.c: the escaping function of each output language
 * (core/util/escape.c) on hostile text, gnuplot's own reading of what we write
 * (when gnuplot is installed), a CSV round trip through the reader of
 * `l2l plot`, and the grammar of names (core/util/names.c). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "escape.h"
#include "log.h"
#include "names.h"
#include "plot_csv.h"
#include "test_main.h"

/* Hostile free text, each tried through every writer. */
static const char *const hostile[] = {
    "plain title",
    "x\".system(\"touch pwned\").\"",
    "`touch pwned`",
    "$(touch pwned) ${HOME} @macro",
    "it's @GPVAL_TERM, \"'\" @GPVAL_PWD `touch pwned`",
    "it's 'quoted' ''twice''",
    "back\\slash\\n and \\\" and \\'",
    "<script>alert(1)</script> & &amp; \"q\"",
    "# heading | cell *em* _em_ [link](http://x) ![img](y) `code` ~~s~~ $x$",
    "a, b,, c,",
    "\"\"",
    "line one\nline two\r\nthree",
    "tab\there \x01 \x7f",
    "",
    "ünïcödé: σ ≤ 10⁻³",
};
#define N_HOSTILE (sizeof hostile / sizeof hostile[0])

typedef void (*esc_fn)(FILE *, const char *);

/* fn(s) as a string (malloc'd). */
static char *run(esc_fn fn, const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, s);
    fclose(f);
    return buf;
}

static void expect(esc_fn fn, const char *in, const char *want)
{
    char *got = run(fn, in);
    if (strcmp(got, want))
        printf("\n  in '%s': got '%s', want '%s'\n", in, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

static void test_gnuplot(void)
{
    expect(l2l_esc_gnuplot, "sgd", "'sgd'");
    expect(l2l_esc_gnuplot, "", "''");
    expect(l2l_esc_gnuplot, "it's", "'it'.\"\\047\".'s'");
    expect(l2l_esc_gnuplot, "''", "\"\\047\".\"\\047\"");
    expect(l2l_esc_gnuplot, "`touch pwned` \"x\" \\n", "'`touch pwned` \"x\" \\n'");
    expect(l2l_esc_gnuplot, "a\nb", "'a'.\"\\012\".'b'");
    expect(l2l_esc_gnuplot, "\n", "\"\\012\"");
    expect(l2l_esc_gnuplot, "a\n\nb", "'a'.\"\\012\".\"\\012\".'b'");
    /* nothing a script line could end at, nothing that fools gnuplot's macro expander */
    for (size_t k = 0; k < N_HOSTILE; k++) {
        char *got = run(l2l_esc_gnuplot, hostile[k]);
        CU_ASSERT_PTR_NULL(strchr(got, '\n'));
        CU_ASSERT_PTR_NULL(strchr(got, '\r'));
        CU_ASSERT_PTR_NULL(strstr(got, "\"'\"")); /* a quote between "..." */
        free(got);
    }
    expect(l2l_esc_comment, "a\nset title `x`\r", "a?set title `x`?");
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1 << 16, 1);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

/* gnuplot itself reads each escaped string back to the text as written,
 * and runs nothing: the check that matters, on the real parser. */
static void test_gnuplot_reads_back(void)
{
    if (system("gnuplot --version > /dev/null 2>&1") != 0) {
        printf("  (gnuplot not installed: read-back skipped)\n");
        return;
    }
    char dir[] = "/tmp/l2l-escape-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char script[4200], out[4200], pwned[4200], cmd[8600];
    l2l_fmt(script, sizeof script, "%s/t.gp", dir);
    l2l_fmt(out, sizeof out, "%s/out.txt", dir);
    l2l_fmt(pwned, sizeof pwned, "%s/pwned", dir);
    for (size_t k = 0; k < N_HOSTILE; k++) {
        FILE *f = fopen(script, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fprintf(f, "set print '%s/out.txt'\nset title ", dir);
        l2l_esc_gnuplot(f, hostile[k]);
        fputs("\nt = ", f);
        l2l_esc_gnuplot(f, hostile[k]);
        fputs("\nprint t\n", f);
        fclose(f);
        unlink(out);
        l2l_fmt(cmd, sizeof cmd, "cd %s && gnuplot t.gp 2>/dev/null", dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
        char *got = slurp(out), want[512];
        l2l_fmt(want, sizeof want, "%s\n", hostile[k]);
        CU_ASSERT_PTR_NOT_NULL(got);
        if (got && strcmp(got, want))
            printf("\n  gnuplot read '%s' as '%s'\n", hostile[k], got);
        CU_ASSERT(got && !strcmp(got, want));
        free(got);
        CU_ASSERT_NOT_EQUAL(access(pwned, F_OK), 0);
    }
    l2l_fmt(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_html(void)
{
    expect(l2l_esc_html, "<b a=\"1\" c='2'>&amp;</b>",
           "&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;&amp;amp;&lt;/b&gt;");
    expect(l2l_esc_html, "plain text", "plain text");
    for (size_t k = 0; k < N_HOSTILE; k++) {
        char *got = run(l2l_esc_html, hostile[k]);
        CU_ASSERT(!strpbrk(got, "<>\"'"));
        free(got);
    }
}

static void test_markdown(void)
{
    expect(l2l_esc_md, "a|b", "a\\|b");
    expect(l2l_esc_md, "*x* _y_ `z` [l](u) <h> # ~ & $ \\", "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\<h\\> \\# \\~ \\& \\$ \\\\");
    expect(l2l_esc_md, "one\ntwo\r", "one two ");
    expect(l2l_esc_md, "10-d quadratics: 128 (1280)", "10-d quadratics: 128 (1280)");
    for (size_t k = 0; k < N_HOSTILE; k++) {
        char *got = run(l2l_esc_md, hostile[k]);
        CU_ASSERT_PTR_NULL(strchr(got, '\n'));
        /* every special character is preceded by a backslash */
        for (char *p = got; *p; p++)
            if (strchr("|`*_[]<>", *p)) {
                CU_ASSERT(p > got && p[-1] == '\\');
            } else if (*p == '\\') {
                p++;
            }
        free(got);
    }
}

static void md_code(FILE *f, const char *s)
{
    l2l_esc_md_code(f, "ini", s);
}

static void test_markdown_code(void)
{
    expect(md_code, "a = 1\n", "```ini\na = 1\n```\n");
    expect(md_code, "a = 1", "```ini\na = 1\n```\n");
    expect(md_code, "d = ```\n# x\n", "````ini\nd = ```\n# x\n````\n");
    expect(md_code, "`````", "``````ini\n`````\n``````\n");
}

static void test_csv(void)
{
    expect(l2l_esc_csv, "plain", "plain");
    expect(l2l_esc_csv, "", "");
    expect(l2l_esc_csv, "a,b", "\"a,b\"");
    expect(l2l_esc_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    expect(l2l_esc_csv, "a\nb", "\"a\nb\"");
    expect(l2l_esc_csv, "it's `x`", "it's `x`");
    expect(l2l_esc_csv_quoted, "lr=1", "\"lr=1\"");
    expect(l2l_esc_csv_quoted, "s=\"x\"", "\"s=\"\"x\"\"\"");
}

/* Every hostile text written as a field and read back by the CSV reader of
 * `l2l plot`, unchanged, line numbers still those where records start. */
static void test_csv_round_trip(void)
{
    char dir[] = "/tmp/l2l-csv-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[4200];
    l2l_fmt(path, sizeof path, "%s/t.csv", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("k,text,after\n", f);
    for (size_t k = 0; k < N_HOSTILE; k++) {
        fprintf(f, "%zu,", k);
        l2l_esc_csv(f, hostile[k]);
        fputs(",end\n", f);
    }
    fclose(f);
    static const char *const cols[] = {"k", "text", "after", NULL};
    int ix[3];
    struct csv c;
    CU_ASSERT_EQUAL_FATAL(csv_open(&c, dir, "t.csv", cols, ix), 0);
    long line = 2;
    for (size_t k = 0; k < N_HOSTILE; k++) {
        CU_ASSERT_EQUAL_FATAL(csv_next(&c), 1);
        long got;
        CU_ASSERT_EQUAL(csv_long(&c, ix[0], 0, &got), 0);
        CU_ASSERT_EQUAL(got, (long)k);
        CU_ASSERT_STRING_EQUAL(csv_str(&c, ix[1]), hostile[k]);
        CU_ASSERT_STRING_EQUAL(csv_str(&c, ix[2]), "end");
        CU_ASSERT_EQUAL(c.line, line);
        for (const char *p = hostile[k]; *p; p++)
            line += *p == '\n';
        line++;
    }
    CU_ASSERT_EQUAL(csv_next(&c), 0);
    csv_close(&c);
    unlink(path);
    rmdir(dir);
}

static void test_names(void)
{
    static const char *const good[] = {"sgd", "lstm-gac", "a.b+c_d", "0", "_x", "Q10",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL};
    static const char *const bad[] = {"", ".", "..", ".hidden", "-rf", "+1", "a b", "a/b", "a,b",
        "a\"b", "a'b", "a\nb", "a`b`", "$(x)", "x\".system(\"touch pwned\").\"", "<b>", "é",
        "a|b", "a:b", "a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL};
    char err[1024];
    for (int k = 0; good[k]; k++) {
        CU_ASSERT(l2l_name_ok(good[k]));
        CU_ASSERT_EQUAL(l2l_name_check(good[k], err, sizeof err, "x"), 0);
    }
    for (int k = 0; bad[k]; k++) {
        CU_ASSERT(!l2l_name_ok(bad[k]));
        err[0] = 0;
        CU_ASSERT_EQUAL(l2l_name_check(bad[k], err, sizeof err, "f.ini:%d: [optimizer]", 3), L2L_EINPUT);
        CU_ASSERT(!strncmp(err, "f.ini:3: [optimizer] expected a name", 36));
        CU_ASSERT_PTR_NULL(strchr(err, '\n')); /* one line, whatever the name */
    }
    CU_ASSERT(!l2l_name_ok(NULL));
    l2l_name_check("a\nb", err, sizeof err, "p");
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "got 'a\\nb': '\\n' is not allowed"));
    l2l_name_check(".x", err, sizeof err, "p");
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "starts with '.'"));
}

static void test_show(void)
{
    char out[96];
    l2l_show(out, sizeof out, "a\nb\tc\\d\x1b[31m");
    CU_ASSERT_STRING_EQUAL(out, "a\\nb\\tc\\\\d\\x1b[31m");
    char longs[300];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = 0;
    l2l_show(out, sizeof out, longs);
    CU_ASSERT(strlen(out) < sizeof out);
    CU_ASSERT(!strcmp(out + strlen(out) - 3, "..."));
    char tiny[8];
    l2l_show(tiny, sizeof tiny, "\n\n\n\n\n\n");
    CU_ASSERT(strlen(tiny) < sizeof tiny);
}

int main(void)
{
    static const struct l2l_test tests[] = {
        {"gnuplot: single quotes, control characters joined", test_gnuplot},
        {"gnuplot reads every hostile text back, runs nothing", test_gnuplot_reads_back},
        {"HTML", test_html},
        {"Markdown inline text", test_markdown},
        {"Markdown code block fence", test_markdown_code},
        {"CSV fields (RFC 4180)", test_csv},
        {"CSV round trip through the reader of l2l plot", test_csv_round_trip},
        {"the grammar of names", test_names},
        {"values shown in messages", test_show},
        {NULL, NULL},
    };
    return l2l_test_main("escape", tests);
}
