// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: a small JSON reader and writer for `merge`, which reads
 * back the JSON files that output.c wrote for each shard.  Models no kernel
 * code.  Numbers keep their source text, so a configuration value compares
 * byte for byte with what the experiment formats; strings are unescaped
 * (\uXXXX below 0x80 only: output.c never writes other escapes).  Bad input
 * is an error with a position, never a crash.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct parser {
	const char *s, *p;
	char *err;
	size_t errlen;
	unsigned depth;
};

static int fail(struct parser *ps, const char *what)
{
	if (ps->err && !ps->err[0])
		snprintf(ps->err, ps->errlen, "%s at offset %zu", what,
			 (size_t)(ps->p - ps->s));
	return -EINVAL;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static int push(struct json *v, struct json *item, char *key)
{
	struct json *items = realloc(v->items, (v->n + 1) * sizeof(*items));

	if (!items)
		return -ENOMEM;
	v->items = items;
	if (v->type == JSON_OBJ) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));

		if (!keys)
			return -ENOMEM;
		v->keys = keys;
		keys[v->n] = key;
	}
	items[v->n++] = *item;
	return 0;
}

static int parse_string(struct parser *ps, char **out)
{
	size_t cap = 16, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	ps->p++; /* opening quote */
	for (;;) {
		char c = *ps->p;

		if (!c || (unsigned char)c < 0x20) {
			free(buf);
			return fail(ps, "unterminated string");
		}
		ps->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			char e = *ps->p++;

			switch (e) {
			case '"':
			case '\\':
			case '/':
				c = e;
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u': {
				char hex[5] = { 0 };
				char *end;
				long u;

				/* never read past the terminating NUL */
				if (strnlen(ps->p, 4) < 4) {
					free(buf);
					return fail(ps, "short \\u escape");
				}
				memcpy(hex, ps->p, 4);
				u = strtol(hex, &end, 16);
				if (end != hex + 4 || u <= 0 || u >= 0x80) {
					free(buf);
					return fail(ps,
						    "unsupported \\u escape");
				}
				ps->p += 4;
				c = (char)u;
				break;
			}
			default:
				free(buf);
				return fail(ps, "bad escape");
			}
		}
		if (n + 2 > cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int parse_value(struct parser *ps, struct json *v);

static int parse_container(struct parser *ps, struct json *v, bool obj)
{
	char close = obj ? '}' : ']';
	int err;

	v->type = obj ? JSON_OBJ : JSON_ARR;
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		struct json item = { 0 };
		char *key = NULL;

		skip_ws(ps);
		if (obj) {
			if (*ps->p != '"')
				return fail(ps, "expected a key");
			err = parse_string(ps, &key);
			if (err)
				return err;
			skip_ws(ps);
			if (*ps->p != ':') {
				free(key);
				return fail(ps, "expected ':'");
			}
			ps->p++;
		}
		err = parse_value(ps, &item);
		if (!err)
			err = push(v, &item, key);
		if (err) {
			json_free_value(&item);
			free(key);
			return err;
		}
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		return fail(ps, obj ? "expected ',' or '}'"
				    : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *ps, struct json *v)
{
	int err;

	memset(v, 0, sizeof(*v));
	skip_ws(ps);
	if (++ps->depth > 64)
		return fail(ps, "nested too deeply");
	switch (*ps->p) {
	case '{':
	case '[':
		err = parse_container(ps, v, *ps->p == '{');
		break;
	case '"':
		v->type = JSON_STR;
		err = parse_string(ps, &v->str);
		break;
	default:
		if (!strncmp(ps->p, "null", 4)) {
			v->type = JSON_NULL;
			ps->p += 4;
			err = 0;
		} else if (!strncmp(ps->p, "true", 4)) {
			v->type = JSON_BOOL;
			v->b = true;
			ps->p += 4;
			err = 0;
		} else if (!strncmp(ps->p, "false", 5)) {
			v->type = JSON_BOOL;
			ps->p += 5;
			err = 0;
		} else {
			char *end;
			size_t len;

			errno = 0;
			v->num = strtod(ps->p, &end);
			if (end == ps->p || errno)
				return fail(ps, "bad value");
			len = (size_t)(end - ps->p);
			v->type = JSON_NUM;
			v->str = strndup(ps->p, len);
			if (!v->str)
				return -ENOMEM;
			ps->p = end;
			err = 0;
		}
	}
	ps->depth--;
	return err;
}

struct json *json_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { text, text, err, errlen, 0 };
	struct json *v = calloc(1, sizeof(*v));
	int e;

	if (err && errlen)
		err[0] = '\0';
	if (!v)
		return NULL;
	e = parse_value(&ps, v);
	if (!e) {
		skip_ws(&ps);
		if (*ps.p)
			e = fail(&ps, "trailing characters");
	}
	if (e) {
		if (e == -ENOMEM && err && errlen)
			snprintf(err, errlen, "out of memory");
		json_free(v);
		errno = -e;
		return NULL;
	}
	return v;
}

struct json *json_parse_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	struct json *v;

	if (err && errlen)
		err[0] = '\0';
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (!got)
			break;
	}
	buf[n] = '\0';
	fclose(f);
	v = json_parse(buf, err, errlen);
	free(buf);
	return v;
}

void json_free_value(struct json *v)
{
	for (size_t i = 0; i < v->n; i++) {
		json_free_value(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

void json_free(struct json *v)
{
	if (!v)
		return;
	json_free_value(v);
	free(v);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

const char *json_str_of(const struct json *v)
{
	return v && v->type == JSON_STR ? v->str : NULL;
}

bool json_num_of(const struct json *v, double *r)
{
	if (!v || v->type != JSON_NUM)
		return false;
	*r = v->num;
	return true;
}

void json_write_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void json_write(FILE *f, const struct json *v)
{
	switch (v->type) {
	case JSON_NULL:
		fputs("null", f);
		break;
	case JSON_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case JSON_NUM:
		fputs(v->str, f);
		break;
	case JSON_STR:
		json_write_str(f, v->str);
		break;
	case JSON_ARR:
	case JSON_OBJ:
		fputc(v->type == JSON_OBJ ? '{' : '[', f);
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				fputs(", ", f);
			if (v->type == JSON_OBJ) {
				json_write_str(f, v->keys[i]);
				fputs(": ", f);
			}
			json_write(f, &v->items[i]);
		}
		fputc(v->type == JSON_OBJ ? '}' : ']', f);
		break;
	}
}
