// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pgr_strategy_load() with real shared objects built in the tree:
 * examples/largest_first.c as a plug-in, and tests/unit/plugins.c's
 * wrong ones (no descriptor, a taken name, a version from the future, a
 * constructor that registers, two strategies).  Built twice: linked with
 * the exported libpagereport.so, as a tool is (everything loads), and
 * with the library linked in statically (-DSTATIC_LIBRARY), where a
 * plug-in would get a second copy of the library and is refused.
 * Each test runs in its own process (Check's fork mode): the registry
 * starts with the built-ins only.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pagereport/pagereport.h>

#define SEC 1000000000ULL

static char *plugin(const char *dir, const char *name)
{
	const char *b = getenv("top_builddir");
	char *p = NULL;

	ck_assert_int_gt(
		asprintf(&p, "%s/%s/.libs/%s.so", b ? b : ".", dir, name), 0);
	ck_assert_msg(access(p, R_OK) == 0, "%s not built", p);
	return p;
}

#ifdef STATIC_LIBRARY
/* The library is in this program: a plug-in's copy is another one. */
START_TEST(test_load_refuses_a_second_copy)
{
	char *p = plugin("examples", "largest_first_plugin");
	unsigned n = pgr_strategy_count();

	ck_assert_int_eq(pgr_strategy_load(p), -ELIBBAD);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "another copy"));
	ck_assert_uint_eq(pgr_strategy_count(), n);
	free(p);
}
END_TEST
#else
/*
 * The example as a plug-in: registered under its name, its parameter and
 * counter listed, and it runs: with max_batches 2 its passes stop at the
 * budget and it counts them.
 */
START_TEST(test_load_example)
{
	char *p = plugin("examples", "largest_first_plugin");
	struct pgr_node_config nc = { .nr_zones = 1,
				      .zones = { { .nr_pages = 1 << 16 } } };
	struct pgr_param mb = { .name = "largest-first.max_batches",
				.text = "2" };
	struct pgr_reporting_config rc = { .strategy_name = "largest-first",
					   .params = &mb,
					   .nr_params = 1 };
	struct pgr_node *node = pgr_node_create(&nc);
	struct pgr_zone *zone = pgr_node_zone(node, 0);
	struct pgr_sink *sink = pgr_sink_null_create(4);
	struct pgr_param_info pi;
	struct pgr_reporting_stats st;
	uint64_t v, pfn[64];
	char msg[256] = "";
	int id = pgr_strategy_load(p);

	ck_assert_msg(id == PGR_NR_STRATEGIES, "%d: %s", id, pgr_errmsg());
	ck_assert_int_eq(pgr_strategy_from_name("largest-first"), id);
	ck_assert_uint_eq(pgr_strategy_count(), PGR_NR_STRATEGIES + 1);
	ck_assert_int_eq(pgr_strategy_nr_params(id), 4);
	ck_assert_int_eq(pgr_strategy_param_info(id, 3, &pi), 0);
	ck_assert_str_eq(pi.name, "max_batches");
	ck_assert_uint_eq(pi.def, 8);
	ck_assert_int_eq(pgr_strategy_nr_counters(id), 1);

	ck_assert_int_eq(pgr_reporting_register(node, sink, &rc), 0);
	ck_assert_int_eq(pgr_zone_populate(zone), 0);
	ck_assert_int_eq(pgr_reporting_get_param(node, "max_batches", &v), 1);
	ck_assert_uint_eq(v, 2);
	for (unsigned i = 0; i < 64; i++)
		ck_assert_int_eq(pgr_alloc_pages(zone, 9, 1, 0, &pfn[i]), 0);
	for (unsigned i = 0; i < 64; i++)
		ck_assert_int_eq(pgr_free_pages(zone, pfn[i], 9), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, 600 * SEC, NULL),
			 0);
	ck_assert_int_eq(pgr_reporting_get_stats(node, &st), 0);
	ck_assert_uint_gt(st.blocks_reported, 0);
	ck_assert_int_eq(pgr_reporting_get_counter(node, "budget_stops", &v),
			 0);
	ck_assert_uint_gt(v, 0);
	ck_assert_msg(!pgr_node_check(node, msg, sizeof(msg)), "%s", msg);
	pgr_node_destroy(node);
	pgr_sink_destroy(sink);
	free(p);
}
END_TEST

/* Loading it twice: the name is taken, nothing changes. */
START_TEST(test_load_twice)
{
	char *p = plugin("examples", "largest_first_plugin");

	ck_assert_int_eq(pgr_strategy_load(p), PGR_NR_STRATEGIES);
	ck_assert_int_eq(pgr_strategy_load(p), -EEXIST);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "'largest-first' exists"));
	ck_assert_uint_eq(pgr_strategy_count(), PGR_NR_STRATEGIES + 1);
	free(p);
}
END_TEST

/* A plug-in with a fresh and a taken name registers neither. */
START_TEST(test_load_duplicate_is_all_or_nothing)
{
	char *p = plugin("tests/unit", "plugin_dup");

	ck_assert_int_eq(pgr_strategy_load(p), -EEXIST);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "'upstream' exists"));
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "plugin_dup.so"));
	ck_assert_int_eq(pgr_strategy_from_name("dup-fresh"), -EINVAL);
	ck_assert_uint_eq(pgr_strategy_count(), PGR_NR_STRATEGIES);
	free(p);
}
END_TEST

/* Two in one: consecutive ids, the first returned. */
START_TEST(test_load_two)
{
	char *p = plugin("tests/unit", "plugin_two");
	int id = pgr_strategy_load(p);

	ck_assert_int_eq(id, PGR_NR_STRATEGIES);
	ck_assert_str_eq(pgr_strategy_name(id), "two-a");
	ck_assert_str_eq(pgr_strategy_name(id + 1), "two-b");
	ck_assert_int_eq(pgr_strategy_nr_counters(id + 1), 1);
	free(p);
}
END_TEST

/* No descriptor, no registration: not a plug-in, and it is closed. */
START_TEST(test_load_missing_entry_point)
{
	char *p = plugin("tests/unit", "plugin_nodesc");

	ck_assert_int_eq(pgr_strategy_load(p), -ENOEXEC);
	ck_assert_ptr_nonnull(
		strstr(pgr_errmsg(), "no pgr_strategy_plugin descriptor"));
	ck_assert_uint_eq(pgr_strategy_count(), PGR_NR_STRATEGIES);
	free(p);
}
END_TEST

START_TEST(test_load_future_version)
{
	char *p = plugin("tests/unit", "plugin_v99");

	ck_assert_int_eq(pgr_strategy_load(p), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "descriptor version 99"));
	ck_assert_int_eq(pgr_strategy_from_name("v99"), -EINVAL);
	free(p);
}
END_TEST

/* The constructor kind (README before descriptors) still loads. */
START_TEST(test_load_constructor_plugin)
{
	char *p = plugin("tests/unit", "plugin_ctor");

	ck_assert_int_eq(pgr_strategy_load(p), PGR_NR_STRATEGIES);
	ck_assert_str_eq(pgr_strategy_name(PGR_NR_STRATEGIES),
			 "ctor-registered");
	free(p);
}
END_TEST

/* Files that are not plug-ins, and bad arguments. */
START_TEST(test_load_bad_files)
{
	char tmpl[] = "/tmp/pgr-load-XXXXXX";
	char dir[] = "/tmp/pgr-load-dir-XXXXXX";
	int fd = mkstemp(tmpl);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not an ELF\n", 11), 11);
	close(fd);
	ck_assert_int_eq(pgr_strategy_load(tmpl), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "cannot load it"));
	ck_assert_int_eq(pgr_strategy_load("/nonexistent/x.so"), -ENOENT);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "/nonexistent/x.so"));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(pgr_strategy_load(dir), -ENOEXEC);
	ck_assert_int_eq(pgr_strategy_load(NULL), -EINVAL);
	ck_assert_int_eq(pgr_strategy_load(""), -EINVAL);
	/* a bare name is a file here, not a library to search for */
	ck_assert_int_eq(pgr_strategy_load("libc.so.6"), -ENOENT);
	ck_assert_uint_eq(pgr_strategy_count(), PGR_NR_STRATEGIES);
	unlink(tmpl);
	rmdir(dir);
}
END_TEST

/* A bare file name is found in the current directory. */
START_TEST(test_load_bare_name)
{
	char *p = plugin("examples", "largest_first_plugin");
	char *slash = strrchr(p, '/');

	*slash = '\0';
	ck_assert_int_eq(chdir(p), 0);
	ck_assert_int_eq(pgr_strategy_load(slash + 1), PGR_NR_STRATEGIES);
	free(p);
}
END_TEST
#endif

static Suite *load_suite(void)
{
	Suite *s = suite_create("strategy_load");
	TCase *tc = tcase_create("load");

#ifdef STATIC_LIBRARY
	tcase_add_test(tc, test_load_refuses_a_second_copy);
#else
	tcase_add_test(tc, test_load_example);
	tcase_add_test(tc, test_load_twice);
	tcase_add_test(tc, test_load_duplicate_is_all_or_nothing);
	tcase_add_test(tc, test_load_two);
	tcase_add_test(tc, test_load_missing_entry_point);
	tcase_add_test(tc, test_load_future_version);
	tcase_add_test(tc, test_load_constructor_plugin);
	tcase_add_test(tc, test_load_bad_files);
	tcase_add_test(tc, test_load_bare_name);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(load_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
