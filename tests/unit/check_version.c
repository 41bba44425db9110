// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The version macros, the library's pgr_version()/pgr_version_string()
 * and configure's PACKAGE_VERSION (which configure.ac reads from
 * <pagereport/version.h>) all say the same thing.  Linked against the
 * exported libpagereport.so, so the functions are the loaded library's.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include <pagereport/pagereport.h>

START_TEST(test_macros_agree)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", PGR_VERSION_MAJOR,
		 PGR_VERSION_MINOR, PGR_VERSION_PATCH);
	ck_assert_str_eq(PGR_VERSION_STRING, want);
	ck_assert_uint_eq(PGR_VERSION_HEX,
			  ((unsigned)PGR_VERSION_MAJOR << 16) |
				  ((unsigned)PGR_VERSION_MINOR << 8) |
				  (unsigned)PGR_VERSION_PATCH);
	/* configure's version is the header's */
	ck_assert_str_eq(PACKAGE_VERSION, PGR_VERSION_STRING);
}
END_TEST

START_TEST(test_library_matches_headers)
{
	ck_assert_uint_eq(pgr_version(), PGR_VERSION_HEX);
	ck_assert_str_eq(pgr_version_string(), PGR_VERSION_STRING);
	/* a static string: the same pointer every time */
	ck_assert_ptr_eq(pgr_version_string(), pgr_version_string());
}
END_TEST

static Suite *version_suite(void)
{
	Suite *s = suite_create("version");
	TCase *tc = tcase_create("version");

	tcase_add_test(tc, test_macros_agree);
	tcase_add_test(tc, test_library_matches_headers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(version_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
