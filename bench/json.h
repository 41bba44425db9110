/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pagereport-bench: the small JSON reader/writer used by `merge` (json.c).
 * Models no kernel code.
 */
#ifndef PGR_BENCH_JSON_H
#define PGR_BENCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	bool b;
	double num;
	char *str;	    /* JSON_STR: the text; JSON_NUM: the source token */
	size_t n;	    /* JSON_ARR/JSON_OBJ: number of items */
	struct json *items; /* JSON_ARR/JSON_OBJ */
	char **keys;	    /* JSON_OBJ */
};

/* NULL with errno and a message in @err (position included) on bad input. */
struct json *json_parse(const char *text, char *err, size_t errlen);
struct json *json_parse_file(const char *path, char *err, size_t errlen);
void json_free(struct json *v);
void json_free_value(struct json *v);
const struct json *json_get(const struct json *obj, const char *key);
const char *json_str_of(const struct json *v);
bool json_num_of(const struct json *v, double *r);
void json_write(FILE *f, const struct json *v);
void json_write_str(FILE *f, const char *s);

#endif /* PGR_BENCH_JSON_H */
