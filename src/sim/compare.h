/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pagereport-sim compare: a pagereport-guest recording, real against
 * model (src/sim/compare.c).
 */
#ifndef PGR_SIM_COMPARE_H
#define PGR_SIM_COMPARE_H

/* argv[0] is "compare"; returns the process exit status. */
int pgr_sim_compare_main(int argc, char **argv);

#endif /* PGR_SIM_COMPARE_H */
