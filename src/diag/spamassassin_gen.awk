# spamassassin_gen.awk - turns db/seed/spamassassin.txt (NAME TAB SCORE
# TAB DESCRIPTION, sorted by name in byte order) and
# db/seed/spamassassin-explain.txt (KEY TAB LANG TAB TEXT; KEY ending in
# "*" is a family prefix) into the C tables included by spamassassin.c.
# Run with LC_ALL=C. Fails on unsorted or malformed input.
BEGIN { FS = "\t"; nr = 0; ne = 0; prev = "" }

function esc(s,    out, i, c) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\"" || c == "\\" || c == "?")
			out = out "\\" c
		else
			out = out c
	}
	return out
}

function die(msg) {
	printf("%s:%d: %s\n", FILENAME, FNR, msg) > "/dev/stderr"
	failed = 1
	exit 1
}

/^#/ || /^[ \t]*$/ { next }

FILENAME ~ /explain/ {
	if (NF != 3 || ($2 != "en" && $2 != "fr"))
		die("want KEY<TAB>en|fr<TAB>TEXT")
	if (!($1 in seen)) {
		seen[$1] = 1
		keys[ne++] = $1
	}
	txt[$1, $2] = $3
	next
}

{
	if (NF != 3 || $1 !~ /^[A-Za-z0-9_]+$/ || $2 !~ /^-?[0-9.]+$/)
		die("want NAME<TAB>SCORE<TAB>DESCRIPTION")
	if (prev != "" && !(prev < $1))
		die("not sorted: " prev " before " $1)
	prev = $1
	rules[nr++] = sprintf("\t{ \"%s\", %s, \"%s\" },", $1, $2 + 0, esc($3))
}

END {
	if (failed)
		exit 1
	print "/* Generated from db/seed/spamassassin*.txt: do not edit. */"
	print "static const struct sa_rule builtin_rules[] = {"
	for (i = 0; i < nr; i++)
		print rules[i]
	print "};"
	print "static const struct sa_expl builtin_expl[] = {"
	for (i = 0; i < ne; i++) {
		k = keys[i]
		pre = 0
		if (substr(k, length(k), 1) == "*") {
			pre = 1
			k = substr(k, 1, length(k) - 1)
		}
		if (!((keys[i], "en") in txt) || !((keys[i], "fr") in txt)) {
			printf("explain: %s lacks en or fr\n", keys[i]) > "/dev/stderr"
			exit 1
		}
		printf("\t{ \"%s\", %d, \"%s\",\n\t    \"%s\" },\n", k, pre,
		    esc(txt[keys[i], "en"]), esc(txt[keys[i], "fr"]))
	}
	print "};"
}
