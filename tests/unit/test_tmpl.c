/* test_tmpl.c - unit tests for src/util/tmpl.c: escaping, the raw form,
 * sections, partials, compile errors, the output cap, and the real
 * templates/ directory rendered with both catalogues. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/tmpl.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The repository top, from this file's path (tests/unit/test_tmpl.c). */
static char	 top[4096];

static const char *
topdir(void)
{
	const char	*suffix = "tests/unit/test_tmpl.c";
	size_t		 n = strlen(__FILE__), s = strlen(suffix);

	if (top[0] == '\0') {
		if (n > s && strcmp(&__FILE__[n - s], suffix) == 0)
			snprintf(top, sizeof(top), "%.*s", (int)(n - s),
			    __FILE__);
		else
			snprintf(top, sizeof(top), "./");
	}
	return top;
}

/* Compiles src, renders it with the json text data and a set (may be
 * NULL); returns the render code and the output in *out (caller frees). */
static int
render_str(const struct tmpl_set *set, const char *src, const char *data,
    size_t cap, char **out)
{
	struct json_object	*ctx;
	struct tmpl		*t;
	struct buf		 b;
	char			 err[160];
	int			 rc;

	t = tmpl_compile(src, strlen(src), err, sizeof(err));
	if (t == NULL)
		fail_msg("compile %s: %s", src, err);
	ctx = json_tokener_parse(data);
	if (ctx == NULL)
		fail_msg("bad test json: %s", data);
	buf_init(&b, cap);
	rc = tmpl_render_one(set, t, ctx, &b);
	*out = strdup(buf_str(&b));
	buf_cleanup(&b);
	json_object_put(ctx);
	tmpl_free(t);
	return rc;
}

static void
check(const char *src, const char *data, const char *want)
{
	char	*got;
	int	 rc;

	rc = render_str(NULL, src, data, 1 << 16, &got);
	if (rc != P_OK || strcmp(got, want) != 0)
		fail_msg("render %s with %s: got rc %d \"%s\", want \"%s\"",
		    src, data, rc, got, want);
	free(got);
}

static void
test_escape(void **state)
{
	static const struct { const char *json, *want; } cases[] = {
		{ "\"&\"", "&amp;" }, { "\"<\"", "&lt;" }, { "\">\"", "&gt;" },
		{ "\"\\\"\"", "&quot;" }, { "\"'\"", "&#39;" },
		{ "\"`\"", "&#96;" }, { "\"=\"", "&#61;" },
		{ "\"plain text\"", "plain text" },
		{ "\"\\\"><img src=x onerror=alert(1)>\"",
		    "&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;" },
		{ "\"d\\u00e9j\\u00e0\"", "d\xc3\xa9j\xc3\xa0" },
		{ "42", "42" }, { "-7", "-7" }, { "2.5", "2.5" },
		{ "1e-5", "1e-05" }, { "true", "true" }, { "false", "false" },
		{ "null", "" }, { "[1,2]", "" }, { "{\"a\":1}", "" },
	};
	char	 data[256], want[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		snprintf(data, sizeof(data), "{\"x\":%s}", cases[i].json);
		snprintf(want, sizeof(want), "[%s]", cases[i].want);
		check("[{{x}}]", data, want);
		check("[{{ x }}]", data, want);
	}
	check("[{{missing}}]", "{}", "[]");
}

static void
test_raw(void **state)
{
	(void)state;
	check("{{{raw x}}}", "{\"x\":\"<b>&amp;\\\"'`=</b>\"}",
	    "<b>&amp;\"'`=</b>");
	check("{{{raw  a.b }}}", "{\"a\":{\"b\":\"<i>\"}}", "<i>");
	check("{{{raw x}}}", "{\"x\":12}", "12");
}

static void
test_sections(void **state)
{
	static const struct { const char *src, *data, *want; } cases[] = {
		/* arrays iterate, objects push, scalars render once */
		{ "{{#a}}<{{.}}>{{/a}}", "{\"a\":[1,\"x\",true]}",
		    "<1><x><true>" },
		{ "{{#a}}[{{n}}]{{/a}}", "{\"a\":[{\"n\":1},{\"n\":2}]}",
		    "[1][2]" },
		{ "{{#a}}{{b}}{{/a}}", "{\"a\":{\"b\":\"in\"}}", "in" },
		{ "{{#a}}yes{{/a}}", "{\"a\":true}", "yes" },
		{ "{{#a}}yes{{/a}}", "{\"a\":false}", "" },
		{ "{{#a}}yes{{/a}}", "{\"a\":null}", "" },
		{ "{{#a}}yes{{/a}}", "{\"a\":[]}", "" },
		{ "{{#a}}yes{{/a}}", "{}", "" },
		{ "{{#a}}yes{{/a}}", "{\"a\":\"\"}", "" },
		{ "{{#a}}[{{.}}]{{/a}}", "{\"a\":\"s\"}", "[s]" },
		{ "{{#a}}yes{{/a}}", "{\"a\":0}", "" },
		{ "{{#a}}{{.}}{{/a}}", "{\"a\":3}", "3" },
		{ "{{#a}}yes{{/a}}", "{\"a\":{}}", "yes" },
		/* inverted */
		{ "{{^a}}no{{/a}}", "{\"a\":false}", "no" },
		{ "{{^a}}no{{/a}}", "{\"a\":[]}", "no" },
		{ "{{^a}}no{{/a}}", "{}", "no" },
		{ "{{^a}}no{{/a}}", "{\"a\":null}", "no" },
		{ "{{^a}}no{{/a}}", "{\"a\":[0]}", "" },
		{ "{{^a}}no{{/a}}", "{\"a\":true}", "" },
		{ "{{#a}}x{{/a}}{{^a}}empty{{/a}}", "{\"a\":[]}", "empty" },
		/* nested contexts, outward resolution, dotted names */
		{ "{{#list}}{{name}}@{{site}};{{/list}}",
		    "{\"site\":\"S\",\"list\":[{\"name\":\"a\"},"
		    "{\"name\":\"b\",\"site\":\"T\"}]}", "a@S;b@T;" },
		{ "{{#o}}{{#p}}{{q}}{{top}}{{/p}}{{/o}}",
		    "{\"top\":\"!\",\"o\":{\"p\":{\"q\":\"deep\"}}}",
		    "deep!" },
		{ "{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"abc\"}}}", "abc" },
		{ "{{#o}}{{t.k}}{{/o}}",
		    "{\"t\":{\"k\":\"out\"},\"o\":{\"x\":1}}", "out" },
		/* a dotted name does not look outwards after its first word */
		{ "{{#o}}[{{t.k}}]{{/o}}",
		    "{\"t\":{\"k\":\"out\"},\"o\":{\"t\":{}}}", "[]" },
		{ "{{a.b}}", "{\"a\":\"str\"}", "" },
		/* a number indexes an array */
		{ "{{a.1}}|{{a.2}}|{{a.x}}", "{\"a\":[\"p\",\"q\"]}", "q||" },
		{ "{{#a.0}}has{{/a.0}}{{^a.0}}none{{/a.0}}", "{\"a\":[]}",
		    "none" },
		{ "{{#a.0}}has{{/a.0}}", "{\"a\":[0]}", "" },
		{ "{{#a.0}}has {{n}}{{/a.0}}", "{\"a\":[{\"n\":1}]}",
		    "has 1" },
		/* null found inside does not fall back outwards */
		{ "{{#o}}[{{x}}]{{/o}}", "{\"x\":\"out\",\"o\":{\"x\":null}}",
		    "[]" },
		{ "{{#a}}{{#.}}{{.}},{{/.}}{{/a}}", "{\"a\":[[1,2],[3]]}",
		    "1,2,3," },
		{ "a{{! a comment\n over { lines }}b", "{}", "ab" },
		{ "a{{! ends at the first }} c}}b", "{}", "a c}}b" },
		{ "x{{!}}y", "{}", "xy" },
		{ "{single} }} {{x}}", "{\"x\":1}", "{single} }} 1" },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		check(cases[i].src, cases[i].data, cases[i].want);
}

static struct tmpl_set *
set_of(const char *const *pairs, size_t n)
{
	struct tmpl_set	*set;
	struct tmpl	*t;
	char		 err[160];
	size_t		 i;

	assert_non_null(set = tmpl_set_new());
	for (i = 0; i + 1 < n; i += 2) {
		t = tmpl_compile(pairs[i + 1], strlen(pairs[i + 1]), err,
		    sizeof(err));
		if (t == NULL)
			fail_msg("compile %s: %s", pairs[i], err);
		assert_int_equal(tmpl_set_add(set, pairs[i], t), P_OK);
	}
	return set;
}

static void
test_partials(void **state)
{
	static const char *const pairs[] = {
		"item", "<li>{{name}}</li>",
		"list", "<ul>{{#items}}{{>item}}{{/items}}</ul>",
		"self", "x{{>self}}",
		"count", "{{v}}{{#n}}{{>count}}{{/n}}",
	};
	struct tmpl_set	*set;
	struct buf	 b;
	struct json_object *ctx;
	char		*got;
	int		 rc;

	(void)state;
	set = set_of(pairs, NELEM(pairs));
	rc = render_str(set, "{{>list}}",
	    "{\"items\":[{\"name\":\"a<\"},{\"name\":\"b\"}]}", 4096, &got);
	assert_int_equal(rc, P_OK);
	assert_string_equal(got, "<ul><li>a&lt;</li><li>b</li></ul>");
	free(got);

	/* Endless recursion stops at the depth limit and leaves the buffer
	 * as it was before the call. */
	ctx = json_object_new_object();
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_puts(&b, "before"), P_OK);
	rc = tmpl_render(set, "self", ctx, &b);
	assert_int_equal(rc, P_ETOOBIG);
	assert_string_equal(buf_str(&b), "before");
	buf_cleanup(&b);
	json_object_put(ctx);

	/* Recursion bounded by the data is fine below the limit. */
	rc = render_str(set, "{{>count}}", "{\"v\":1,\"n\":{\"v\":2,"
	    "\"n\":{\"v\":3,\"n\":false}}}", 4096, &got);
	assert_int_equal(rc, P_OK);
	assert_string_equal(got, "123");
	free(got);

	/* A missing partial, and a missing template. */
	rc = render_str(set, "a{{>nope}}b", "{}", 4096, &got);
	assert_int_equal(rc, P_ENOTFOUND);
	free(got);
	rc = render_str(NULL, "{{>item}}", "{}", 4096, &got);
	assert_int_equal(rc, P_ENOTFOUND);
	free(got);
	ctx = json_object_new_object();
	buf_init(&b, 64);
	assert_int_equal(tmpl_render(set, "nope", ctx, &b), P_ENOTFOUND);
	buf_cleanup(&b);
	json_object_put(ctx);

	/* Adding under an existing name replaces the template. */
	assert_int_equal(tmpl_set_add(set, "item",
	    tmpl_compile("({{name}})", 10, NULL, 0)), P_OK);
	rc = render_str(set, "{{>list}}", "{\"items\":[{\"name\":\"z\"}]}",
	    4096, &got);
	assert_int_equal(rc, P_OK);
	assert_string_equal(got, "<ul>(z)</ul>");
	free(got);
	tmpl_set_free(set);
}

static void
test_compile_errors(void **state)
{
	static const struct { const char *src, *want; } cases[] = {
		{ "a\nb\n{{#s}}\nx", "line 3: section 's' is not closed" },
		{ "{{#a}}\n{{#b}}\n{{/a}}",
		    "line 3: {{/a}} does not match {{#b}} opened on line 2" },
		{ "\n\n\n\n{{/x}}", "line 5: {{/x}} closes no section" },
		{ "x\n{{name", "line 2: tag not closed" },
		{ "{{{x}}}", "line 1: bad tag {{{x}}}: the raw form is "
		    "{{{raw name}}}" },
		{ "{{{rawx}}}", "line 1: bad tag" },
		{ "{{{raw }}}", "line 1: bad name" },
		{ "{{&x}}", "line 1: unsupported tag {{&x}}" },
		{ "{{=<% %>=}}", "line 1: unsupported tag" },
		{ "{{}}", "line 1: empty tag" },
		{ "{{a b}}", "line 1: bad name 'a b'" },
		{ "{{a..b}}", "line 1: bad name" },
		{ "{{.a}}", "line 1: bad name" },
		{ "{{a.}}", "line 1: bad name" },
		{ "{{>a.b}}", "line 1: bad name" },
		{ "{{# }}", "line 1: bad name" },
		{ "{{!\n\n}}\n{{<x}}", "line 4: unsupported tag" },
		{ "{{x}}{{{raw y}}\n", "line 1: tag not closed" },
	};
	char		 err[160], deep[33 * 13 + 1];
	struct tmpl	*t;
	size_t		 i, n, len;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		t = tmpl_compile(cases[i].src, strlen(cases[i].src), err,
		    sizeof(err));
		if (t != NULL)
			fail_msg("compile \"%s\": got success, want \"%s\"",
			    cases[i].src, cases[i].want);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("compile \"%s\": got \"%s\", want \"%s\"",
			    cases[i].src, err, cases[i].want);
	}

	/* 32 nested sections compile, 33 do not. */
	for (n = 32; n <= 33; n++) {
		len = 0;
		for (i = 0; i < n; i++, len += 7)
			memcpy(deep + len, "{{#a}}\n", 7);
		for (i = 0; i < n; i++, len += 6)
			memcpy(deep + len, "{{/a}}", 6);
		t = tmpl_compile(deep, len, err, sizeof(err));
		if (n == 32) {
			assert_non_null(t);
			tmpl_free(t);
		} else {
			assert_null(t);
			assert_string_equal(err,
			    "line 33: sections nested deeper than 32");
		}
	}
	/* A tiny error buffer is not overrun; a NULL one is allowed. */
	assert_null(tmpl_compile("{{", 2, err, 4));
	assert_int_equal(strlen(err), 3);
	assert_null(tmpl_compile("{{", 2, NULL, 0));
	/* Embedded NUL bytes are just text. */
	t = tmpl_compile("a\0b", 3, err, sizeof(err));
	assert_non_null(t);
	tmpl_free(t);
}

static void
test_too_big(void **state)
{
	char	*got;
	int	 rc;

	(void)state;
	rc = render_str(NULL, "{{#a}}0123456789{{/a}}", "{\"a\":[1,2,3]}",
	    25, &got);
	assert_int_equal(rc, P_ETOOBIG);
	assert_string_equal(got, "");
	free(got);
	rc = render_str(NULL, "{{#a}}0123456789{{/a}}", "{\"a\":[1,2,3]}",
	    30, &got);
	assert_int_equal(rc, P_OK);
	assert_int_equal(strlen(got), 30);
	free(got);
	/* Escaping counts against the cap too: 6 "<" are 24 bytes. */
	rc = render_str(NULL, "{{x}}", "{\"x\":\"<<<<<<\"}", 23, &got);
	assert_int_equal(rc, P_ETOOBIG);
	free(got);
	/* Work without output is bounded too (nested loops over arrays). */
	rc = render_str(NULL, "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}"
	    "{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}",
	    "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}", 64, &got);
	assert_int_equal(rc, P_ETOOBIG);
	free(got);
}

/* ---- the real templates ---- */

/* Appends to keys (a json object used as a set) every t.NAME used in
 * src; returns how many uses were found. */
static int
scan_t_keys(const char *src, struct json_object *keys)
{
	const char	*p = src, *q;
	char		 key[128];
	int		 uses = 0;
	size_t		 n;

	for (;;) {
		p = strstr(p, "{{");
		if (p == NULL)
			break;
		p += 2;
		while (*p == '{' || *p == '#' || *p == '^' || *p == ' ')
			p++;
		if (strncmp(p, "raw ", 4) == 0)
			p += 4;
		while (*p == ' ')
			p++;
		if (strncmp(p, "t.", 2) != 0)
			continue;
		p += 2;
		for (q = p; *q != '\0' && *q != '}' && *q != ' '; q++)
			;
		n = (size_t)(q - p);
		if (n == 0 || n >= sizeof(key))
			fail_msg("bad t. key near \"%.20s\"", p);
		memcpy(key, p, n);
		key[n] = '\0';
		json_object_object_add(keys, key, NULL);
		uses++;
	}
	return uses;
}

static char *
slurp(const char *path)
{
	FILE	*f;
	char	*s;
	long	 n;

	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void
test_catalogue_has_every_key(void **state)
{
	struct json_object	*keys, *fr, *en, *v;
	struct dirent		*de;
	char			 path[4200];
	char			*src;
	int			 uses = 0;
	size_t			 n;
	DIR			*d;

	(void)state;
	snprintf(path, sizeof(path), "%stemplates/i18n/fr.json", topdir());
	assert_non_null(fr = json_object_from_file(path));
	snprintf(path, sizeof(path), "%stemplates/i18n/en.json", topdir());
	assert_non_null(en = json_object_from_file(path));
	keys = json_object_new_object();
	snprintf(path, sizeof(path), "%stemplates", topdir());
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 5 || strcmp(de->d_name + n - 5, ".html") != 0)
			continue;
		snprintf(path, sizeof(path), "%stemplates/%s", topdir(),
		    de->d_name);
		src = slurp(path);
		uses += scan_t_keys(src, keys);
		free(src);
	}
	closedir(d);
	if (uses < 20)
		fail_msg("only %d {{t.x}} uses found: scanner broken?", uses);
	json_object_object_foreach(keys, k, unused) {
		(void)unused;
		if (!json_object_object_get_ex(fr, k, &v))
			fail_msg("t.%s is used by a template, not in fr.json",
			    k);
		if (!json_object_object_get_ex(en, k, &v))
			fail_msg("t.%s is used by a template, not in en.json",
			    k);
	}
	/* Both catalogues hold the same keys. */
	json_object_object_foreach(fr, kf, vf) {
		(void)vf;
		if (!json_object_object_get_ex(en, kf, &v))
			fail_msg("%s is in fr.json, not in en.json", kf);
	}
	json_object_object_foreach(en, ke, ve) {
		(void)ve;
		if (!json_object_object_get_ex(fr, ke, &v))
			fail_msg("%s is in en.json, not in fr.json", ke);
	}
	json_object_put(keys);
	json_object_put(fr);
	json_object_put(en);
}

static struct json_object *
page_ctx(const struct i18n *i, const char *lang, const char *other)
{
	struct json_object	*c = json_object_new_object();

	json_object_object_add(c, "lang", json_object_new_string(lang));
	json_object_object_add(c, "other_lang",
	    json_object_new_string(other));
	json_object_object_add(c, "t",
	    json_object_get(i18n_catalogue(i, lang)));
	json_object_object_add(c, "csrf",
	    json_object_new_string("tok\"><script>x</script>"));
	json_object_object_add(c, "provider_name",
	    json_object_new_string("Example Mail"));
	json_object_object_add(c, "base_url",
	    json_object_new_string("https://help.example.net"));
	json_object_object_add(c, "title",
	    json_object_new_string(i18n_get(i, lang, "home_title")));
	json_object_object_add(c, "path", json_object_new_string("/"));
	/* page_render's language links (the current address, other lang) */
	json_object_object_add(c, "url_fr",
	    json_object_new_string("/?lang=fr"));
	json_object_object_add(c, "url_en",
	    json_object_new_string("/?lang=en"));
	return c;
}

static void
test_real_templates(void **state)
{
	static const char *const must[] = {
		"method=\"post\" action=\"/diagnose\"",
		"name=\"text\"", "name=\"csrf\"",
		"value=\"tok&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"",
		"action=\"/faq\"", "method=\"get\"", "name=\"q\"",
		"<header", "<nav", "<main id=\"main\"", "<footer",
		"href=\"#main\"", "href=\"/?lang&#61;fr\"",
		"href=\"/?lang&#61;en\"", "Example Mail",
	};
	static const struct { const char *lang, *other, *label; } langs[] = {
		{ "fr", "en", "Collez ici le message d&#39;erreur re\xc3\xa7u" },
		{ "en", "fr", "Paste the error message you received here" },
	};
	struct json_object	*ctx;
	struct tmpl_set		*set;
	struct i18n		*i;
	struct buf		 b;
	char			 err[256], dir[4200], want[64];
	size_t			 k, m;

	(void)state;
	snprintf(dir, sizeof(dir), "%stemplates", topdir());
	set = tmpl_set_load(dir, err, sizeof(err));
	if (set == NULL)
		fail_msg("tmpl_set_load: %s", err);
	snprintf(dir, sizeof(dir), "%stemplates/i18n", topdir());
	i = i18n_load(dir, err, sizeof(err));
	if (i == NULL)
		fail_msg("i18n_load: %s", err);
	for (k = 0; k < NELEM(langs); k++) {
		ctx = page_ctx(i, langs[k].lang, langs[k].other);
		buf_init(&b, 1 << 20);
		assert_int_equal(tmpl_render(set, "home", ctx, &b), P_OK);
		snprintf(want, sizeof(want), "<html lang=\"%s\">",
		    langs[k].lang);
		if (strstr(buf_str(&b), want) == NULL)
			fail_msg("%s: no %s", langs[k].lang, want);
		if (strstr(buf_str(&b), langs[k].label) == NULL)
			fail_msg("%s: no label \"%s\"", langs[k].lang,
			    langs[k].label);
		for (m = 0; m < NELEM(must); m++)
			if (strstr(buf_str(&b), must[m]) == NULL)
				fail_msg("%s: home lacks %s", langs[k].lang,
				    must[m]);
		/* No inline script or style under the CSP. */
		assert_null(strstr(buf_str(&b), "<script>"));
		assert_null(strstr(buf_str(&b), "style="));
		assert_null(strstr(buf_str(&b), "{{"));

		buf_reset(&b);
		json_object_object_add(ctx, "status", json_object_new_int(404));
		json_object_object_add(ctx, "detail",
		    json_object_new_string("<no such page>"));
		assert_int_equal(tmpl_render(set, "error", ctx, &b), P_OK);
		assert_non_null(strstr(buf_str(&b), " 404</p>"));
		assert_non_null(strstr(buf_str(&b), "&lt;no such page&gt;"));
		assert_non_null(strstr(buf_str(&b), "href=\"/\""));
		assert_non_null(strstr(buf_str(&b), "<h1 id=\"error-title\">"
		    "Why did my message not arrive?</h1>") != NULL ||
		    strcmp(langs[k].lang, "fr") == 0 ? "" : NULL);
		buf_reset(&b);
		json_object_object_add(ctx, "error_title",
		    json_object_new_string("Not <Found>"));
		assert_int_equal(tmpl_render(set, "error", ctx, &b), P_OK);
		assert_non_null(strstr(buf_str(&b),
		    "<h1 id=\"error-title\">Not &lt;Found&gt;</h1>"));

		/* The home page shows a form error next to the box. */
		buf_reset(&b);
		json_object_object_add(ctx, "form_error",
		    json_object_new_string("empty <paste>"));
		assert_int_equal(tmpl_render(set, "home", ctx, &b), P_OK);
		assert_non_null(strstr(buf_str(&b), "role=\"alert\""));
		assert_non_null(strstr(buf_str(&b), "empty &lt;paste&gt;"));
		assert_non_null(strstr(buf_str(&b), "aria-invalid=\"true\""));
		buf_cleanup(&b);
		json_object_put(ctx);
	}
	i18n_free(i);
	tmpl_set_free(set);
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
rm_file(const char *dir, const char *name)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void
test_set_load_errors(void **state)
{
	struct tmpl_set	*set;
	struct json_object *ctx;
	struct buf	 b;
	char		 err[256], dir[] = "/tmp/test_tmpl.XXXXXX";

	(void)state;
	assert_null(tmpl_set_load("/nonexistent/templates", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/templates"));

	assert_non_null(mkdtemp(dir));
	put_file(dir, "page.html", "<p>\n{{>part}}\n</p>\n");
	put_file(dir, "part.html", "[{{x}}]");
	put_file(dir, "notes.txt", "{{#not a template");
	assert_non_null(set = tmpl_set_load(dir, err, sizeof(err)));
	ctx = json_tokener_parse("{\"x\":\"<>\"}");
	buf_init(&b, 256);
	assert_int_equal(tmpl_render(set, "page", ctx, &b), P_OK);
	assert_string_equal(buf_str(&b), "<p>\n[&lt;&gt;]\n</p>\n");
	assert_int_equal(tmpl_render(set, "notes", ctx, &b), P_ENOTFOUND);
	buf_cleanup(&b);
	json_object_put(ctx);
	tmpl_set_free(set);

	/* A compile error names the file and the line. */
	put_file(dir, "bad.html", "ok\n{{#s}}\n{{/t}}\n");
	assert_null(tmpl_set_load(dir, err, sizeof(err)));
	assert_string_equal(err, "bad.html: line 3: {{/t}} does not match "
	    "{{#s}} opened on line 2");
	rm_file(dir, "bad.html");
	/* A partial that does not exist stops the load too. */
	rm_file(dir, "part.html");
	assert_null(tmpl_set_load(dir, err, sizeof(err)));
	assert_string_equal(err, "page.html: line 2: no partial 'part'");
	rm_file(dir, "page.html");
	rm_file(dir, "notes.txt");
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_catalogue_has_every_key),
		cmocka_unit_test(test_real_templates),
		cmocka_unit_test(test_set_load_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
