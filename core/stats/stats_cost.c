/* stats_cost.c: what an optimizer costs and when a learned one pays for
 * its meta-training (STATS.md, "Break-even of a learned optimizer"). */
#include <math.h>
#include "stats.h"

double st_break_even(double meta, long t_ref, double c_ref, long t_learned, double c_learned,
                     double *savings)
{
    *savings = NAN;
    if (t_learned < 0) /* never reaches the target: it saves nothing */
        return INFINITY;
    if (t_ref < 0 || isnan(c_ref) || isnan(c_learned))
        return NAN;
    /* s = time_ref_to_target − time_learned_to_target, per training */
    *savings = (double)t_ref * c_ref - (double)t_learned * c_learned;
    if (!(*savings > 0))
        return INFINITY;
    return isnan(meta) ? NAN : meta / *savings;
}
