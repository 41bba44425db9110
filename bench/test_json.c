// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The JSON reader that `pagereport-bench merge` uses (bench/json.c): what
 * output.c writes reads back (numbers keep their text), and malformed
 * input of every kind is an error with a position, never a crash or an
 * over-read (run it under ASan: make -C build-san check).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

START_TEST(test_json_reads_output)
{
	char err[128];
	struct json *v =
		json_parse("{\"a\": [1, 2.5e3, -0.000125, null, true, false], "
			   "\"s\": \"q\\\"\\\\\\n\\u0041\", \"o\": {}}",
			   err, sizeof(err));
	const struct json *a;
	double d;

	ck_assert_msg(v != NULL, "%s", err);
	a = json_get(v, "a");
	ck_assert_int_eq(a->type, JSON_ARR);
	ck_assert_uint_eq(a->n, 6);
	ck_assert(json_num_of(&a->items[1], &d) && d == 2500);
	ck_assert_str_eq(a->items[2].str, "-0.000125");
	ck_assert_int_eq(a->items[3].type, JSON_NULL);
	ck_assert(a->items[4].b && !a->items[5].b);
	ck_assert_str_eq(json_str_of(json_get(v, "s")), "q\"\\\nA");
	ck_assert_int_eq(json_get(v, "o")->type, JSON_OBJ);
	ck_assert_ptr_null(json_get(v, "missing"));
	json_free(v);
}
END_TEST

START_TEST(test_json_rejects_bad_input)
{
	static const char *const bad[] = {
		"",	      "{",	  "{\"a\"",  "{\"a\":}",    "[1,",
		"[1 2]",      "\"abc",	  "\"\\u00", "\"\\u",	    "\"\\q\"",
		"{1: 2}",     "tru",	  "[1] x",   "\"\\u0100\"", "-",
		"{\"a\":1,}", "\"a\nb\"",
	};
	char err[128];
	char deep[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json *v = json_parse(bad[i], err, sizeof(err));

		ck_assert_msg(v == NULL, "accepted '%s'", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_msg(strstr(err, "offset"), "'%s': %s", bad[i], err);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	ck_assert_ptr_null(json_parse(deep, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "deeply"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bench_json");
	TCase *tc = tcase_create("json");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_json_reads_output);
	tcase_add_test(tc, test_json_rejects_bad_input);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
