/* test_util.c - unit tests for src/util: arena, buf, err, log and cfg. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/cfg.h"
#include "bouncedesk/err.h"
#include "bouncedesk/log.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- arena ---- */

static void
test_arena_alignment(void **state)
{
	static const size_t	 sizes[] = { 1, 3, 15, 16, 17, 100, 2048,
				    2049, 5000, 8192, 20000, 7, 1 };
	unsigned char		*p[NELEM(sizes)];
	struct arena		*a;
	size_t			 i, j;

	(void)state;
	assert_non_null(a = arena_new(0));
	for (i = 0; i < NELEM(sizes); i++) {
		p[i] = arena_alloc(a, sizes[i]);
		assert_non_null(p[i]);
		if ((uintptr_t)p[i] % 16 != 0)
			fail_msg("alloc(%zu): got %p, want 16-byte aligned",
			    sizes[i], (void *)p[i]);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	/* No allocation overlaps another: each still holds its own byte. */
	for (i = 0; i < NELEM(sizes); i++)
		for (j = 0; j < sizes[i]; j++)
			if (p[i][j] != (unsigned char)(i + 1))
				fail_msg("alloc %zu byte %zu: got %u, want %zu",
				    i, j, p[i][j], i + 1);
	arena_free(a);
	arena_free(NULL);
}

static void
test_arena_big(void **state)
{
	struct arena	*a;
	unsigned char	*big, *small;
	size_t		 n = 3 * 1024 * 1024, i;

	(void)state;
	assert_non_null(a = arena_new(0));
	assert_non_null(small = arena_alloc(a, 10));
	memset(small, 0xaa, 10);
	assert_non_null(big = arena_alloc(a, n));
	memset(big, 0x55, n);
	for (i = 0; i < 10; i++)
		assert_int_equal(small[i], 0xaa);
	assert_int_equal(big[0], 0x55);
	assert_int_equal(big[n - 1], 0x55);
	assert_int_equal(arena_used(a), 16 + n);
	/* Sizes that overflow are refused, not wrapped. */
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 8));
	assert_null(arena_calloc(a, SIZE_MAX / 2, 3));
	assert_int_equal(arena_used(a), 16 + n);
	arena_free(a);
}

static void
test_arena_calloc(void **state)
{
	struct arena	*a;
	unsigned char	*p;
	size_t		 i;

	(void)state;
	assert_non_null(a = arena_new(0));
	/* Dirty the chunk first so calloc really has to clear. */
	memset(arena_alloc(a, 4000), 0xff, 4000);
	assert_non_null(p = arena_calloc(a, 100, 30));
	for (i = 0; i < 3000; i++)
		if (p[i] != 0)
			fail_msg("calloc byte %zu: got %u, want 0", i, p[i]);
	arena_free(a);
}

static void
test_arena_limit(void **state)
{
	static const struct {
		size_t	 max;
		size_t	 size[4];
		int	 ok[4];
		size_t	 used;		/* after the four calls */
	} cases[] = {
		{ 100, { 64, 32, 1, 4 }, { 1, 1, 0, 0 }, 96 },
		{ 64, { 64, 1, 0, 0 }, { 1, 0, 0, 0 }, 64 },
		{ 63, { 63, 1, 1, 1 }, { 0, 1, 1, 1 }, 48 },
		{ 10000, { 9000, 1000, 900, 96 }, { 1, 0, 1, 0 }, 9920 },
		{ 10000, { 9000, 1000, 900, 80 }, { 1, 0, 1, 1 }, 10000 },
		{ 0, { 100000, 100000, 1, 1 }, { 1, 1, 1, 1 }, 200032 },
	};
	struct arena	*a;
	size_t		 i, j;
	void		*p;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_non_null(a = arena_new(cases[i].max));
		for (j = 0; j < 4; j++) {
			if (cases[i].size[j] == 0 && !cases[i].ok[j])
				continue;
			p = arena_alloc(a, cases[i].size[j]);
			if ((p != NULL) != cases[i].ok[j])
				fail_msg("case %zu call %zu: got %s, want %s",
				    i, j, p ? "memory" : "NULL",
				    cases[i].ok[j] ? "memory" : "NULL");
		}
		if (arena_used(a) != cases[i].used)
			fail_msg("case %zu: used got %zu, want %zu", i,
			    arena_used(a), cases[i].used);
		arena_free(a);
	}
}

static void
test_arena_strings(void **state)
{
	static const char	 raw[4] = { 'a', 'b', 'c', 'd' }; /* no NUL */
	static const struct {
		const char	*s;
		size_t		 n;
		const char	*want;
	} cases[] = {
		{ "hello", 3, "hel" },
		{ "hi", 10, "hi" },
		{ "", 0, "" },
		{ "abc", 0, "" },
		{ "a\0bc", 4, "a" },
		{ raw, 4, "abcd" },
		{ raw, 2, "ab" },
	};
	struct arena	*a;
	char		*s, big[5000];
	size_t		 i;

	(void)state;
	assert_non_null(a = arena_new(0));
	for (i = 0; i < NELEM(cases); i++) {
		s = arena_strndup(a, cases[i].s, cases[i].n);
		assert_non_null(s);
		if (strcmp(s, cases[i].want) != 0)
			fail_msg("strndup case %zu: got '%s', want '%s'", i, s,
			    cases[i].want);
	}
	assert_string_equal(arena_strdup(a, "bounce"), "bounce");
	assert_string_equal(arena_printf(a, "%s-%d-%c", "x", 42, 'z'),
	    "x-42-z");
	assert_string_equal(arena_printf(a, "%s", ""), "");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = arena_printf(a, "<%s>", big);
	assert_non_null(s);
	assert_int_equal(strlen(s), sizeof(big) + 1);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[sizeof(big)], '>');
	arena_free(a);

	/* printf and strdup respect the limit too. */
	assert_non_null(a = arena_new(32));
	assert_null(arena_printf(a, "%s", big));
	assert_null(arena_strdup(a, big));
	assert_non_null(arena_printf(a, "%d", 12345));
	arena_free(a);
}

static void
test_arena_used(void **state)
{
	static const struct {
		size_t	 n, want;	/* used after alloc(n) */
	} steps[] = {
		{ 1, 16 }, { 16, 32 }, { 17, 64 }, { 0, 80 }, { 4096, 4176 },
		{ 8192, 12368 },
	};
	struct arena	*a;
	size_t		 i;

	(void)state;
	assert_non_null(a = arena_new(0));
	assert_int_equal(arena_used(a), 0);
	for (i = 0; i < NELEM(steps); i++) {
		assert_non_null(arena_alloc(a, steps[i].n));
		if (arena_used(a) != steps[i].want)
			fail_msg("after alloc(%zu): used got %zu, want %zu",
			    steps[i].n, arena_used(a), steps[i].want);
	}
	arena_free(a);
}

/* ---- buf ---- */

static void
test_buf_caps(void **state)
{
	static const struct {
		size_t		 max;
		const char	*put[4];
		int		 rc[4];
		const char	*want;
	} cases[] = {
		{ 5, { "abc", "de", "f", NULL }, { P_OK, P_OK, P_ETOOBIG },
		    "abcde" },
		{ 5, { "abcdef", "ab", NULL }, { P_ETOOBIG, P_OK }, "ab" },
		{ 0, { "a", "", NULL }, { P_ETOOBIG, P_OK }, "" },
		{ 1000, { "x", "yy", "zzz", NULL }, { P_OK, P_OK, P_OK },
		    "xyyzzz" },
		{ SIZE_MAX, { "no", "cap", NULL }, { P_OK, P_OK }, "nocap" },
	};
	struct buf	 b;
	size_t		 i, j;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, cases[i].max);
		for (j = 0; cases[i].put[j] != NULL; j++) {
			rc = buf_puts(&b, cases[i].put[j]);
			if (rc != cases[i].rc[j])
				fail_msg("case %zu put '%s': got %s, want %s",
				    i, cases[i].put[j], perr_name(rc),
				    perr_name(cases[i].rc[j]));
		}
		if (strcmp(buf_str(&b), cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i,
			    buf_str(&b), cases[i].want);
		assert_int_equal(b.len, strlen(cases[i].want));
		if (cases[i].max != SIZE_MAX && b.cap > cases[i].max + 1)
			fail_msg("case %zu: cap %zu over max + 1 (%zu)", i,
			    b.cap, cases[i].max + 1);
		buf_cleanup(&b);
	}
}

static void
test_buf_growth(void **state)
{
	struct buf	 b;
	size_t		 i, grows = 0, cap = 0;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 100000; i++) {
		assert_int_equal(buf_putc(&b, 'a' + (int)(i % 26)), P_OK);
		if (b.cap != cap) {
			grows++;
			cap = b.cap;
		}
		if (b.cap > 100001)
			fail_msg("after %zu bytes: cap %zu over max + 1", i,
			    b.cap);
	}
	assert_int_equal(b.len, 100000);
	assert_int_equal(buf_putc(&b, 'x'), P_ETOOBIG);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.p[99999], 'a' + 99999 % 26);
	assert_int_equal(b.p[100000], '\0');
	/* Geometric growth: a handful of reallocs, not one per byte. */
	if (grows > 20)
		fail_msg("grew %zu times for 100000 bytes, want <= 20", grows);
	buf_cleanup(&b);
}

static void
test_buf_failed_append(void **state)
{
	struct buf	 b;
	char		*p;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "hello"), P_OK);
	p = b.p;
	assert_int_equal(buf_puts(&b, "world!"), P_ETOOBIG);
	assert_ptr_equal(b.p, p);
	assert_string_equal(buf_str(&b), "hello");
	assert_int_equal(b.len, 5);
	assert_int_equal(buf_printf(&b, "%s", "123456"), P_ETOOBIG);
	assert_string_equal(buf_str(&b), "hello");
	assert_int_equal(buf_put_html(&b, "<<", 2), P_ETOOBIG);
	assert_string_equal(buf_str(&b), "hello");
	assert_int_equal(b.len, 5);
	assert_int_equal(buf_puts(&b, "world"), P_OK);
	assert_string_equal(buf_str(&b), "helloworld");
	assert_int_equal(buf_putc(&b, '!'), P_ETOOBIG);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_append(&b, "a\0b", 3), P_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.p, "a\0b", 4);
	buf_cleanup(&b);
	assert_null(b.p);
	assert_string_equal(buf_str(&b), "");
}

static void
test_buf_printf(void **state)
{
	struct buf	 b;
	char		 big[300];

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), P_OK);
	assert_string_equal(buf_str(&b), "42-x");
	memset(big, 'b', 60);
	big[60] = '\0';
	/* Fits in the spare room of the first allocation. */
	assert_int_equal(buf_printf(&b, "[%s]", big), P_OK);
	assert_int_equal(b.len, 66);
	/* Needs a second pass after growing. */
	assert_int_equal(buf_printf(&b, "%.20s", big), P_OK);
	assert_int_equal(b.len, 86);
	/* Over max: a partial write must be rolled back. */
	assert_int_equal(buf_printf(&b, "%s", big), P_ETOOBIG);
	assert_int_equal(b.len, 86);
	assert_int_equal(strlen(buf_str(&b)), 86);
	assert_int_equal(buf_printf(&b, "%s", ""), P_OK);
	assert_int_equal(b.len, 86);
	buf_cleanup(&b);

	/* A printf that does not fit max while the capacity is max + 1. */
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "abc"), P_OK);
	assert_int_equal(buf_printf(&b, "%s", "12345678"), P_ETOOBIG);
	assert_string_equal(buf_str(&b), "abc");
	assert_int_equal(buf_printf(&b, "%s", "1234567"), P_OK);
	assert_string_equal(buf_str(&b), "abc1234567");
	buf_cleanup(&b);
}

static void
test_buf_html(void **state)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "plain text", "plain text" },
		{ "", "" },
		{ "a & b", "a &amp; b" },
		{ "<script>alert(1)</script>",
		    "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "\"'`", "&quot;&#39;&#96;" },
		{ "x=\"1\" onload='y'", "x=&quot;1&quot; onload=&#39;y&#39;" },
		{ "&amp;", "&amp;amp;" },
		{ "H\303\251bergeur", "H\303\251bergeur" },
	};
	struct buf	 b;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 1024);
		assert_int_equal(buf_puts(&b, ">"), P_OK);
		assert_int_equal(buf_put_html(&b, cases[i].in,
		    strlen(cases[i].in)), P_OK);
		if (strcmp(buf_str(&b) + 1, cases[i].want) != 0)
			fail_msg("html '%s': got '%s', want '%s'",
			    cases[i].in, buf_str(&b) + 1, cases[i].want);
		assert_int_equal(b.len, 1 + strlen(cases[i].want));
		buf_cleanup(&b);
	}
	/* The cap counts the escaped size: "<<" is 8 bytes. */
	buf_init(&b, 8);
	assert_int_equal(buf_put_html(&b, "<<", 2), P_OK);
	assert_string_equal(buf_str(&b), "&lt;&lt;");
	assert_int_equal(buf_put_html(&b, "&", 1), P_ETOOBIG);
	assert_string_equal(buf_str(&b), "&lt;&lt;");
	buf_cleanup(&b);
}

static void
test_buf_take(void **state)
{
	struct buf	 b;
	size_t		 len = 99;
	char		*s;

	(void)state;
	buf_init(&b, 64);
	s = buf_take(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	assert_int_equal(buf_puts(&b, "bounce"), P_OK);
	s = buf_take(&b, &len);
	assert_string_equal(s, "bounce");
	assert_int_equal(len, 6);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 64);
	free(s);

	/* The buffer is usable again; *len may be NULL. */
	assert_int_equal(buf_puts(&b, "again"), P_OK);
	s = buf_take(&b, NULL);
	assert_string_equal(s, "again");
	free(s);
	buf_cleanup(&b);
}

/* ---- err ---- */

static void
test_err_names(void **state)
{
	static const struct {
		int		 code;
		const char	*name;
	} cases[] = {
		{ P_OK, "ok" }, { P_EINVAL, "einval" },
		{ P_ENOTFOUND, "enotfound" }, { P_ETOOBIG, "etoobig" },
		{ P_ENOMEM, "enomem" }, { P_EDB, "edb" },
		{ P_ECONFLICT, "econflict" }, { P_EFORBIDDEN, "eforbidden" },
		{ P_EUNAUTH, "eunauth" }, { P_EMETHOD, "emethod" },
		{ P_EUNSUPP, "eunsupp" }, { P_ERATE, "erate" },
		{ P_EIO, "eio" },
	};
	size_t	 i, j;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (strcmp(perr_name(cases[i].code), cases[i].name) != 0)
			fail_msg("perr_name(%d): got '%s', want '%s'",
			    cases[i].code, perr_name(cases[i].code),
			    cases[i].name);
		assert_true(strlen(perr_str(cases[i].code)) > 0);
		for (j = 0; j < i; j++)
			if (strcmp(perr_str(cases[i].code),
			    perr_str(cases[j].code)) == 0)
				fail_msg("perr_str(%d) == perr_str(%d)",
				    cases[i].code, cases[j].code);
	}
	assert_string_equal(perr_name(1), "eunknown");
	assert_string_equal(perr_name(-13), "eunknown");
	assert_string_equal(perr_name(INT32_MIN), "eunknown");
	assert_non_null(perr_str(-1000));
}

/* ---- log ---- */

/* Runs fn with stderr sent to a file; returns what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
	FILE	*tmp;
	char	*out;
	long	 n = 0;
	int	 saved;

	assert_non_null(tmp = tmpfile());
	fflush(stderr);
	assert_true((saved = dup(STDERR_FILENO)) >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	if (fseek(tmp, 0, SEEK_END) != 0 || (n = ftell(tmp)) < 0)
		fail_msg("cannot measure captured stderr");
	rewind(tmp);
	assert_non_null(out = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(out, 1, (size_t)n, tmp), (size_t)n);
	fclose(tmp);
	return out;
}

static void
log_json_lines(void)
{
	log_init(0, 1);
	log_info("hello \"%s\"\nline %d\t\x01", "x", 2);
	log_debug("hidden %d", 1);
	log_access(7, "GET", "/api/faq", 200, 1.5, "192.0.2.1");
	errno = ENOENT;
	log_warn("open %s", "cfg");
	log_warnx("bad \xff byte");
}

static void
log_text_lines(void)
{
	log_init(1, 0);
	log_debug("shown %d", 1);
	log_info("two\nlines");
	log_access(8, "POST", "/api/diagnose", 413, 0.25, NULL);
	log_init(0, 0);
}

static size_t
count_lines(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_log(void **state)
{
	char	*out, want[256];
	int	 status;
	pid_t	 pid;

	(void)state;
	out = capture_stderr(log_json_lines);
	if (count_lines(out) != 4)
		fail_msg("json: got %zu lines, want 4:\n%s",
		    count_lines(out), out);
	assert_true(strncmp(out, "{\"time\":\"", 9) == 0);
	/* 2024-01-02T03:04:05.678Z */
	assert_int_equal(out[9 + 10], 'T');
	assert_int_equal(out[9 + 23], 'Z');
	assert_non_null(strstr(out, "\"level\":\"info\",\"msg\":"
	    "\"hello \\\"x\\\"\\nline 2\\t\\u0001\"}\n"));
	assert_null(strstr(out, "hidden"));
	assert_non_null(strstr(out, "\"id\":7,\"method\":\"GET\","
	    "\"route\":\"/api/faq\",\"status\":200,\"ms\":1.500,"
	    "\"remote\":\"192.0.2.1\"}\n"));
	(void)snprintf(want, sizeof(want), "\"msg\":\"open cfg: %s\"",
	    strerror(ENOENT));
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\"msg\":\"bad \\ufffd byte\""));
	free(out);

	out = capture_stderr(log_text_lines);
	if (count_lines(out) != 3)
		fail_msg("text: got %zu lines, want 3:\n%s",
		    count_lines(out), out);
	assert_non_null(strstr(out, "Z debug shown 1\n"));
	assert_non_null(strstr(out, "Z info two\\x0alines\n"));
	assert_non_null(strstr(out, "access id=8 POST /api/diagnose 413 "
	    "0.250ms -\n"));
	free(out);

	/* fatalx() exits with 1; run it in a child, quietly. */
	fflush(stdout);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(2);
		fatalx("stop %d", 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

/* ---- cfg ---- */

static void
test_cfg_defaults(void **state)
{
	struct config	 c;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	cfg_defaults(&c);
	assert_string_equal(c.db_path, "bouncedesk.db");
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_string_equal(c.fcgi_socket, "");
	assert_string_equal(c.base_url, "http://127.0.0.1:8080");
	assert_string_equal(c.provider_name, "H\303\251bergeur");
	assert_string_equal(c.provider_hosts,
	    "*.relay.example.net,smtp-out*.example.net,mail-out*.example.net");
	assert_string_equal(c.share_dir, ".");
	assert_string_equal(c.lang_default, "fr");
	assert_int_equal(c.threads, 8);
	assert_int_equal(c.max_body, 8 * 1024 * 1024);
	assert_int_equal(c.conn_timeout, 30);
	assert_int_equal(c.conn_memory, 64 * 1024);
	assert_int_equal(c.max_conns, 1024);
	assert_int_equal(c.diag_retention_days, 30);
	assert_int_equal(c.verbose, 0);
}

static void
test_cfg_errors(void **state)
{
	static char	 long256[300], long255[300];
	static const struct {
		const char	*in;
		const char	*want;	/* the whole message */
	} cases[] = {
		{ "foo = 1", "line 1: unknown key 'foo'" },
		{ "# c\n\nthreads = 0\n", "line 3: threads: 0 out of range "
		    "1..256" },
		{ "threads = 257", "line 1: threads: 257 out of range 1..256" },
		{ "threads = -1", "line 1: threads: -1 out of range 1..256" },
		{ "threads = 8x", "line 1: threads: '8x' is not a number" },
		{ "threads = 0x10", "line 1: threads: '0x10' is not a number" },
		{ "threads = +8", "line 1: threads: '+8' is not a number" },
		{ "threads =", "line 1: threads: '' is not a number" },
		{ "threads = 8 8", "line 1: threads: '8 8' is not a number" },
		{ "threads = 99999999999999999999999",
		    "line 1: threads: '99999999999999999999999' is not a "
		    "number" },
		{ "max_body = 1023", "line 1: max_body: 1023 out of range "
		    "1024..67108864" },
		{ "max_body = 67108865", "line 1: max_body: 67108865 out of "
		    "range 1024..67108864" },
		{ "conn_timeout = 3601", "line 1: conn_timeout: 3601 out of "
		    "range 1..3600" },
		{ "conn_memory = 16383", "line 1: conn_memory: 16383 out of "
		    "range 16384..16777216" },
		{ "max_conns = 100001", "line 1: max_conns: 100001 out of "
		    "range 1..100000" },
		{ "diag_retention_days = 0", "line 1: diag_retention_days: 0 "
		    "out of range 1..3650" },
		{ "verbose = 3", "line 1: verbose: 3 out of range 0..2" },
		{ "threads", "line 1: expected 'key = value'" },
		{ "= 3", "line 1: expected 'key = value'" },
		{ "db = ok\nthreads 4", "line 2: expected 'key = value'" },
		{ "lang_default = de", "line 1: lang_default: 'de' is not a "
		    "language (fr, en)" },
		{ "lang_default = ", "line 1: lang_default: '' is not a "
		    "language (fr, en)" },
		{ "listen = 127.0.0.1", "line 1: listen: '127.0.0.1' is not "
		    "host:port" },
		{ "listen = :8080", "line 1: listen: ':8080' is not "
		    "host:port" },
		{ "listen = 127.0.0.1:-1", "line 1: listen: port '-1' out of "
		    "range 0..65535" },
		{ "listen = 127.0.0.1:65536", "line 1: listen: port '65536' "
		    "out of range 0..65535" },
		{ "listen = 127.0.0.1:", "line 1: listen: port '' out of "
		    "range 0..65535" },
		{ "listen = \"bad host:80\"", "line 1: listen: bad host in "
		    "'bad host:80'" },
		{ "listen = ::1:80", "line 1: listen: bad host in '::1:80'" },
		{ "listen = [::1:80", "line 1: listen: bad host in "
		    "'[::1:80'" },
		{ "base_url = ftp://x", "line 1: base_url: 'ftp://x' is not "
		    "an http:// or https:// URL" },
		{ "db = \"abc", "line 1: db: missing closing quote" },
		{ "db = \"abc\" x", "line 1: db: text after closing quote" },
		{ "db = ", "line 1: db: must not be empty" },
		{ "db = \"\"", "line 1: db: must not be empty" },
		{ "db = a\001b", "line 1: db: control character in value" },
		{ "verbose = 1\n\n\nThreads = 4", "line 4: unknown key "
		    "'Threads'" },
		{ "fo\001o = 1", "line 1: unknown key 'fo?o'" },
		{ long256, "line 1: db: value too long (256 bytes, max 255)" },
	};
	struct config	 c, orig;
	char		 err[512];
	size_t		 i;
	int		 rc;

	(void)state;
	memcpy(long256, "db = ", 5);
	memset(long256 + 5, 'd', 256);
	memcpy(long255, long256, 5 + 255);
	cfg_defaults(&orig);
	for (i = 0; i < NELEM(cases); i++) {
		c = orig;
		err[0] = '\0';
		rc = cfg_parse_mem(&c, cases[i].in, strlen(cases[i].in), err,
		    sizeof(err));
		if (rc != -1)
			fail_msg("'%s': got rc %d, want -1", cases[i].in, rc);
		if (strcmp(err, cases[i].want) != 0)
			fail_msg("'%s': got \"%s\", want \"%s\"",
			    cases[i].in, err, cases[i].want);
		/* A refused value leaves its field as it was. */
		assert_int_equal(c.threads, orig.threads);
		assert_string_equal(c.listen, orig.listen);
		assert_string_equal(c.lang_default, orig.lang_default);
	}
	/* The longest value that fits is accepted, not truncated. */
	c = orig;
	assert_int_equal(cfg_parse_mem(&c, long255, strlen(long255), err,
	    sizeof(err)), 0);
	assert_int_equal(strlen(c.db_path), 255);

	/* A NUL byte and an err buffer too small for the message. */
	assert_int_equal(cfg_parse_mem(&c, "db = a\0b", 8, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "line 1: NUL byte in line");
	assert_int_equal(cfg_parse_mem(&c, "foo = 1", 7, err, 8), -1);
	assert_string_equal(err, "line 1:");
	assert_int_equal(cfg_parse_mem(&c, "foo = 1", 7, NULL, 0), -1);
}

static void
test_cfg_parse(void **state)
{
	static const char conf[] =
	    "\357\273\277# bouncedesk.conf\n"
	    "\n"
	    "   db   =   /var/lib/bouncedesk/bd.db   \n"
	    "listen=[::1]:8443\r\n"
	    "\tthreads\t=\t16\t# a trailing comment\n"
	    "  # an indented comment\n"
	    "provider_name = \"Mon h\303\251bergeur # 1\"\n"
	    "base_url = \"https://support.example.net/#top\"  # quoted\n"
	    "share_dir = /usr/share/bouncedesk#not-a-comment\n"
	    "fcgi_socket = # empty\n"
	    "lang_default = en\n"
	    "provider_hosts = \"mx*.example.org, out?.example.org\"\n"
	    "max_body = 67108864\n"
	    "verbose = 2\n"
	    "threads = 12";	/* the last line wins, no final newline */
	struct config	 c;
	char		 err[256];

	(void)state;
	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "fcgi_socket", "/run/bd.sock", err,
	    sizeof(err)), 0);
	if (cfg_parse_mem(&c, conf, sizeof(conf) - 1, err, sizeof(err)) != 0)
		fail_msg("parse: got error '%s', want none", err);
	assert_string_equal(c.db_path, "/var/lib/bouncedesk/bd.db");
	assert_string_equal(c.listen, "[::1]:8443");
	assert_int_equal(c.threads, 12);
	assert_string_equal(c.provider_name, "Mon h\303\251bergeur # 1");
	assert_string_equal(c.base_url, "https://support.example.net/#top");
	assert_string_equal(c.share_dir, "/usr/share/bouncedesk#not-a-comment");
	assert_string_equal(c.fcgi_socket, "");
	assert_string_equal(c.lang_default, "en");
	assert_string_equal(c.provider_hosts, "mx*.example.org, out?.example.org");
	assert_int_equal(c.max_body, 64 * 1024 * 1024);
	assert_int_equal(c.verbose, 2);
	assert_int_equal(c.conn_timeout, 30);	/* untouched */

	/* Empty input and comment-only input change nothing. */
	assert_int_equal(cfg_parse_mem(&c, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg_parse_mem(&c, "#\n\n  \n", 6, err, sizeof(err)),
	    0);
	assert_int_equal(c.threads, 12);

	assert_int_equal(cfg_set(&c, "listen", "localhost:1", err,
	    sizeof(err)), 0);
	assert_string_equal(c.listen, "localhost:1");
	assert_int_equal(cfg_set(&c, "listen", "0.0.0.0:65535", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg_set(&c, "nope", "1", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown key 'nope'");
	assert_int_equal(cfg_set(&c, "threads", "300", err, sizeof(err)), -1);
	assert_string_equal(err, "threads: 300 out of range 1..256");
}

static void
test_cfg_unterminated(void **state)
{
	static const char	 text[] = "threads = 123";
	struct config		 c;
	char			 err[256], *heap;
	size_t			 n = sizeof(text) - 1;

	(void)state;
	/* An exact-size heap copy: a read past the end is caught by ASan. */
	assert_non_null(heap = malloc(n));
	memcpy(heap, text, n);
	cfg_defaults(&c);
	assert_int_equal(cfg_parse_mem(&c, heap, n, err, sizeof(err)), 0);
	assert_int_equal(c.threads, 123);
	/* Only len bytes count, whatever follows them. */
	assert_int_equal(cfg_parse_mem(&c, heap, n - 1, err, sizeof(err)), 0);
	assert_int_equal(c.threads, 12);
	memcpy(heap, "db = \"ab", 8);
	assert_int_equal(cfg_parse_mem(&c, heap, 8, err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: db: missing closing quote");
	memcpy(heap, "verbose=", 8);
	assert_int_equal(cfg_parse_mem(&c, heap, 8, err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: verbose: '' is not a number");
	free(heap);
}

static void
test_cfg_env(void **state)
{
	struct config	 c;
	char		 err[256];

	(void)state;
	cfg_defaults(&c);
	assert_int_equal(setenv("BOUNCEDESK_THREADS", "32", 1), 0);
	assert_int_equal(setenv("BOUNCEDESK_LISTEN", "127.0.0.1:9090", 1), 0);
	assert_int_equal(setenv("BOUNCEDESK_DB", "/tmp/env.db", 1), 0);
	assert_int_equal(setenv("BOUNCEDESK_DIAG_RETENTION_DAYS", "7", 1), 0);
	assert_int_equal(setenv("BOUNCEDESK_LANG_DEFAULT", "en", 1), 0);
	if (cfg_parse_env(&c, err, sizeof(err)) != 0)
		fail_msg("env: got error '%s', want none", err);
	assert_int_equal(c.threads, 32);
	assert_string_equal(c.listen, "127.0.0.1:9090");
	assert_string_equal(c.db_path, "/tmp/env.db");
	assert_int_equal(c.diag_retention_days, 7);
	assert_string_equal(c.lang_default, "en");
	assert_int_equal(c.max_conns, 1024);

	assert_int_equal(setenv("BOUNCEDESK_MAX_CONNS", "0", 1), 0);
	assert_int_equal(cfg_parse_env(&c, err, sizeof(err)), -1);
	assert_string_equal(err, "BOUNCEDESK_MAX_CONNS: max_conns: 0 out of "
	    "range 1..100000");
	assert_int_equal(setenv("BOUNCEDESK_MAX_CONNS", "5\n", 1), 0);
	assert_int_equal(cfg_parse_env(&c, err, sizeof(err)), -1);
	unsetenv("BOUNCEDESK_MAX_CONNS");
	unsetenv("BOUNCEDESK_THREADS");
	unsetenv("BOUNCEDESK_LISTEN");
	unsetenv("BOUNCEDESK_DB");
	unsetenv("BOUNCEDESK_DIAG_RETENTION_DAYS");
	unsetenv("BOUNCEDESK_LANG_DEFAULT");
}

static void
test_cfg_file_and_dump(void **state)
{
	struct config	 c, back;
	char		 path[] = "/tmp/test_util_cfg.XXXXXX", err[512];
	char		*text = NULL;
	size_t		 textlen = 0;
	FILE		*fp;
	int		 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs("threads = 3\nverbose = 1\nmax_conns = 5000\n", fp);
	fclose(fp);
	cfg_defaults(&c);
	if (cfg_parse_file(&c, path, err, sizeof(err)) != 0)
		fail_msg("file: got error '%s', want none", err);
	assert_int_equal(c.threads, 3);
	assert_int_equal(c.verbose, 1);
	assert_int_equal(c.max_conns, 5000);

	assert_non_null(fp = fopen(path, "w"));
	fputs("threads = 3\nbogus = 1\n", fp);
	fclose(fp);
	assert_int_equal(cfg_parse_file(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ": line 2: unknown key 'bogus'"));
	unlink(path);
	assert_int_equal(cfg_parse_file(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(ENOENT)));

	/* cfg_dump writes what cfg_parse_mem reads back, quotes included. */
	assert_int_equal(cfg_set(&c, "provider_name", "Say \"hi\" # now", err,
	    sizeof(err)), 0);
	assert_non_null(fp = open_memstream(&text, &textlen));
	cfg_dump(&c, fp);
	fclose(fp);
	assert_non_null(strstr(text, "threads = 3\n"));
	assert_non_null(strstr(text, "db = \"bouncedesk.db\"\n"));
	cfg_defaults(&back);
	if (cfg_parse_mem(&back, text, textlen, err, sizeof(err)) != 0)
		fail_msg("dump reparse: got '%s', want none\n%s", err, text);
	assert_string_equal(back.provider_name, "Say \"hi\" # now");
	assert_string_equal(back.provider_hosts, c.provider_hosts);
	assert_string_equal(back.listen, c.listen);
	assert_int_equal(back.threads, c.threads);
	assert_int_equal(back.max_conns, c.max_conns);
	assert_int_equal(back.verbose, c.verbose);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alignment),
		cmocka_unit_test(test_arena_big),
		cmocka_unit_test(test_arena_calloc),
		cmocka_unit_test(test_arena_limit),
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_arena_used),
		cmocka_unit_test(test_buf_caps),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_buf_failed_append),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_buf_html),
		cmocka_unit_test(test_buf_take),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_cfg_defaults),
		cmocka_unit_test(test_cfg_errors),
		cmocka_unit_test(test_cfg_parse),
		cmocka_unit_test(test_cfg_unterminated),
		cmocka_unit_test(test_cfg_env),
		cmocka_unit_test(test_cfg_file_and_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
