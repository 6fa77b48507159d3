/* plot_csv.h: a small reader for the results directory's CSV files
 * (RFC 4180: a header line, comma-separated fields, a field in double
 * quotes may hold commas, doubled quotes and line breaks) that finds
 * columns by name and names FILE:LINE in every error. The header is one
 * line. */
#ifndef L2L_PLOT_CSV_H
#define L2L_PLOT_CSV_H
#include <stdio.h>

#define CSV_MAX_COLS 64
#define CSV_MAX_RECORD (1 << 20)

struct csv {
    FILE *f;
    char path[4096];
    long line;                /* line where the current record starts (1 = header) */
    long phys;                /* lines read */
    int cr;                   /* the line last read ended in CRLF */
    char *buf;                /* owned: the line last read */
    size_t cap;
    char *rec;                /* owned: the current record, split in place */
    size_t rec_cap;
    int n_header;             /* fields in the header */
    int n;                    /* fields in the current line */
    char *field[CSV_MAX_COLS];
    char *header[CSV_MAX_COLS];
    char *header_buf;         /* owned */
};

/* Opens DIR/NAME and reads its header. cols lists the column names wanted
 * (ending with NULL); a name starting with '?' is optional. idx[k] receives
 * the column's index, or -1 for an absent optional column. A missing file
 * or a missing required column is an error naming the file. */
int csv_open(struct csv *c, const char *dir, const char *name, const char *const *cols, int *idx);
/* Reads the next row: 1, 0 at the end, < 0 on error (printed). A row with
 * a field count other than the header's is an error. */
int csv_next(struct csv *c);
/* Field i of the current row; "" when i < 0. */
const char *csv_str(const struct csv *c, int i);
/* Field i as a number ("nan", "inf" accepted). Empty gives NAN when
 * allow_empty, else an error. */
int csv_num(const struct csv *c, int i, int allow_empty, double *out);
/* Field i as an integer >= 0 (empty gives -1 when allow_empty). */
int csv_long(const struct csv *c, int i, int allow_empty, long *out);
/* Copies field i into dst[len]; an over-long value is an error. */
int csv_copy(const struct csv *c, int i, char *dst, size_t len);
/* csv_copy of a name (names.h); anything else is an error naming
 * FILE:LINE and the column. */
int csv_name(const struct csv *c, int i, char *dst, size_t len);
void csv_close(struct csv *c);
#endif
