#!/usr/bin/env python3
"""tests/http/test_diag.py BINARY - the diagnosis through HTTP, for real.

Starts `serve` on a fresh seeded database and drives POST/GET
/api/v1/diagnoses, the /diagnose page and the shared /d/{id} page with
fixtures of tests/data/bounces/. The last line is "diag: N passed, M failed".
"""

import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import run as h  # noqa: E402  (the shared helpers of the HTTP suite)

ROOT = h.ROOT
DATA = os.path.join(ROOT, "tests", "data", "bounces")
check = h.check
Fail = h.Fail


def fixture(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def expect(name):
    base = re.sub(r"\.(eml|txt)$", "", name)
    with open(os.path.join(DATA, base + ".expect.json")) as f:
        return json.load(f)


def post(t, body, ctype="text/plain", query=""):
    st, hd, data = t.get("/api/v1/diagnoses" + query, "POST", body,
                         {"Content-Type": ctype})
    try:
        doc = json.loads(data)
    except ValueError:
        raise Fail("not JSON (%d): %r" % (st, data[:200]))
    return st, hd, doc


def same_results(got, want, label):
    """Every expected field of every expected recipient, in order."""
    g = got.get("results", [])
    w = want["results"]
    check(len(g) == len(w), "%s: %d results, want %d: %s" %
          (label, len(g), len(w), json.dumps(g)[:300]))
    for i, (a, b) in enumerate(zip(g, w)):
        for k, v in b.items():
            check(a.get(k) == v, "%s: result %d %s = %r, want %r" %
                  (label, i, k, a.get(k), v))


def t_fragment(t):
    st, hd, doc = post(t, b"550 5.1.1 <ana@example.org>: Recipient address "
                       b"rejected: User unknown in virtual mailbox table "
                       b"(in reply to RCPT TO command)", query="?lang=en")
    check(st == 200, "status %d" % st)
    check(hd.get("Content-Type", "").startswith("application/json"),
          "content type %r" % hd.get("Content-Type"))
    r = doc["results"][0]
    for k, v in (("recipient", "ana@example.org"), ("status", "5.1.1"),
                 ("replycode", "550"), ("reason", "userunknown"),
                 ("hardbounce", True), ("phase", "rcpt")):
        check(r.get(k) == v, "%s = %r, want %r" % (k, r.get(k), v))
    check("does not exist" in r["explanation"], "explanation in English: %r"
          % r["explanation"])
    check(r["steps"], "no steps")
    check(r["faq"] and r["faq"][0]["url"].startswith("/faq/"),
          "no FAQ article linked: %r" % r.get("faq"))
    check(r["evidence"]["rule"], "no evidence")


def t_fixtures(t):
    """Whole messages as message/rfc822 and pasted texts as text/plain."""
    n = 0
    for name in sorted(os.listdir(DATA)):
        if not re.search(r"\.(eml|txt)$", name):
            continue
        ctype = "message/rfc822" if name.endswith(".eml") else "text/plain"
        st, _, doc = post(t, fixture(name), ctype)
        check(st == 200, "%s: status %d" % (name, st))
        same_results(doc, expect(name), name)
        n += 1
    check(n >= 20, "only %d fixtures" % n)


def t_json_body(t):
    body = json.dumps({"text": fixture("frag-dialog-fr.txt").decode(),
                       "lang": "fr"}).encode()
    st, _, doc = post(t, body, "application/json")
    check(st == 200, "status %d" % st)
    same_results(doc, expect("frag-dialog-fr.txt"), "json")
    check(re.search(r"[éèàç]", doc["results"][0]["explanation"]),
          "explanation not in French: %r" % doc["results"][0]["explanation"])


def t_ours(t):
    st, _, doc = post(t, fixture("frag-ours-access-denied.txt"))
    r = doc["results"][0]
    check(r["ours"] is True and r["actor"] == "provider",
          "our block not recognised: %r" % r)


def t_headers(t):
    with open(os.path.join(ROOT, "tests", "data", "headers",
                           "spamassassin.txt"), "rb") as f:
        st, _, doc = post(t, f.read())
    check(st == 200 and doc["input"] == "headers", "input %r" % doc.get("input"))
    hd = doc["headers"]
    check(hd["hops"], "no hops")
    tests = hd["spamassassin"]["tests"]
    scores = [x["score"] for x in tests]
    check(scores == sorted(scores, reverse=True), "tests not sorted by score")


def t_bad_input(t):
    st, hd, doc = post(t, b"")
    h.problem(st, hd, json.dumps(doc).encode(), 400)
    st, hd, doc = post(t, b"x", "image/png")
    h.problem(st, hd, json.dumps(doc).encode(), 415)
    st, hd, doc = post(t, b"{not json", "application/json")
    h.problem(st, hd, json.dumps(doc).encode(), 400)
    st, hd, doc = post(t, b'{"txt": "550"}', "application/json")
    h.problem(st, hd, json.dumps(doc).encode(), 422)
    st, hd, doc = post(t, b'["550 5.1.1"]', "application/json")
    h.problem(st, hd, json.dumps(doc).encode(), 400)
    # Garbage and invalid UTF-8: an "unrecognised" answer, not an error.
    st, _, doc = post(t, bytes(range(256)) * 40)
    check(st == 200 and doc["recognised"] is False,
          "garbage: %d %r" % (st, doc.get("recognised")))
    st, _, doc = post(t, b"\xff\xfe 550 \xc3\x28 \xed\xa0\x80 user unknown")
    check(st == 200, "invalid UTF-8: %d" % st)
    # A message nested deep.
    nest = b""
    for i in range(300):
        nest = (b"Content-Type: message/rfc822\n\n" + nest)
    st, _, doc = post(t, b"From: a@b.example\nSubject: x\n" + nest,
                      "message/rfc822")
    check(st == 200, "deep nesting: %d" % st)


def t_store_and_share(t, db):
    st, hd, doc = post(t, fixture("postfix-dsn-two.eml"), "message/rfc822",
                       "?store=1&lang=fr")
    check(st == 201, "store: status %d" % st)
    sid = doc["id"]
    check(re.fullmatch(r"[0-9a-f]{32}", sid), "id %r" % sid)
    check(hd.get("Location") == "/api/v1/diagnoses/" + sid,
          "Location %r" % hd.get("Location"))
    check(doc["url"].endswith("/d/" + sid), "url %r" % doc["url"])
    # Read back in both languages.
    for lang in ("fr", "en"):
        st, _, data = t.get("/api/v1/diagnoses/%s?lang=%s" % (sid, lang))
        check(st == 200, "get %s: %d" % (lang, st))
        back = json.loads(data)
        same_results(back, expect("postfix-dsn-two.eml"), "stored " + lang)
    fr = json.loads(t.get("/api/v1/diagnoses/%s?lang=fr" % sid)[2])
    en = json.loads(t.get("/api/v1/diagnoses/%s?lang=en" % sid)[2])
    check(fr["results"][0]["explanation"] != en["results"][0]["explanation"],
          "the stored analysis is not kept in both languages")
    st, hd, page = t.get("/d/" + sid, headers={"Accept": "text/html"})
    check(st == 200 and b"card" in page, "share page: %d" % st)
    check(hd.get("Cache-Control") == "private, no-store", "share cache %r"
          % hd.get("Cache-Control"))
    rcpt = expect("postfix-dsn-two.eml")["results"][0].get("recipient")
    if rcpt:
        check(rcpt.encode() in page, "recipient missing from the page")
    # Unknown, malformed and expired ids: 404.
    for bad in ("0" * 32, "xyz", "../../etc/passwd", sid.upper()):
        st, _, _ = t.get("/api/v1/diagnoses/" + urllib.parse.quote(bad))
        check(st == 404, "id %r: %d" % (bad, st))
    con = sqlite3.connect(db)
    con.execute("UPDATE diagnoses SET expires_at = 1 WHERE id = ?", (sid,))
    con.commit()
    con.close()
    st, _, _ = t.get("/api/v1/diagnoses/" + sid)
    check(st == 404, "expired analysis still served: %d" % st)
    st, _, _ = t.get("/d/" + sid, headers={"Accept": "text/html"})
    check(st == 404, "expired share page: %d" % st)


def csrf_session(t):
    c = t.conn()
    c.request("GET", "/")
    r = c.getresponse()
    page = r.read().decode()
    cookie = r.headers.get("Set-Cookie", "").split(";")[0]
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    c.close()
    check(cookie.startswith("csrf=") and m, "no CSRF cookie/field on /")
    return cookie, m.group(1)


def t_page(t):
    cookie, token = csrf_session(t)
    evil = ('550 5.1.1 <x@example.org>: User unknown <script>alert(1)'
            '</script> "><img src=x onerror=alert(2)>')
    form = urllib.parse.urlencode({"csrf": token, "text": evil}).encode()
    hdrs = {"Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie, "Accept": "text/html"}
    st, hd, page = t.get("/diagnose?lang=en", "POST", form, hdrs)
    check(st == 200, "page: %d" % st)
    check(hd.get("Content-Type", "").startswith("text/html"), "not HTML")
    check(b"<script>alert" not in page and b"<img src=x" not in page,
          "pasted markup came back unescaped")
    check(b"&lt;script&gt;" in page, "escaped paste not shown")
    check(b"x@example.org" in page, "recipient not on the page")
    # "Share with support": the page gives the link of the kept analysis.
    form = urllib.parse.urlencode({"csrf": token, "share": "1",
                                   "text": evil}).encode()
    st, _, page = t.get("/diagnose?lang=en", "POST", form, hdrs)
    m = re.search(rb'href="[^"]*/d/([0-9a-f]{32})"', page)
    check(st == 200 and m, "no share link on the page (%d)" % st)
    st, _, shared = t.get("/d/" + m.group(1).decode(),
                          headers={"Accept": "text/html"})
    check(st == 200 and b"x@example.org" in shared, "share link: %d" % st)
    # No token, a wrong token, a token without its cookie: 403.
    for f, c in ((urllib.parse.urlencode({"text": evil}), cookie),
                 (urllib.parse.urlencode({"text": evil, "csrf": "0" * 64}),
                  cookie),
                 (urllib.parse.urlencode({"text": evil, "csrf": token}), "")):
        hd2 = dict(hdrs)
        if c:
            hd2["Cookie"] = c
        else:
            hd2.pop("Cookie")
        st, _, _ = t.get("/diagnose", "POST", f.encode(), hd2)
        check(st == 403, "CSRF not enforced: %d" % st)
    # An empty paste: the form again with a message, 400.
    form = urllib.parse.urlencode({"csrf": token, "text": "  "}).encode()
    st, _, page = t.get("/diagnose", "POST", form, hdrs)
    check(st == 400 and b"<textarea" in page, "empty paste: %d" % st)


def t_concurrent_pages(t):
    """HTML pages from many threads at once: the shared catalogue must
    survive (json-c reference counts are not atomic)."""
    import threading
    paths = ["/", "/faq/1", "/faq?q=quota", "/unblock", "/?lang=en"]
    bad = []

    def worker(k):
        c = t.conn()
        try:
            for i in range(120):
                c.request("GET", paths[(i + k) % len(paths)],
                          headers={"Accept": "text/html"})
                r = c.getresponse()
                body = r.read()
                if r.status != 200 or b"</html>" not in body:
                    bad.append((r.status, paths[(i + k) % len(paths)]))
        except Exception as e:   # a dead server shows up here
            bad.append(repr(e))
        finally:
            c.close()
    th = [threading.Thread(target=worker, args=(k,)) for k in range(12)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    check(not bad, "failed page loads: %r" % bad[:5])
    st, _, _ = t.get("/healthz")
    check(st == 200, "server not answering after the burst: %d" % st)


def main():
    if len(sys.argv) != 2:
        print("usage: test_diag.py BINARY", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    t_start = time.time()
    runner = h.Runner()
    tmp = tempfile.mkdtemp(prefix="bd-diag-")
    os.chmod(tmp, 0o755)    # nginx's workers (not root) reach the socket
    servers = []
    try:
        db = h.prepare_db(binary, tmp)
        serve = h.start_serve(binary, tmp, db)
        servers.append(serve)
        sock = os.path.join(tmp, "fcgi.sock")
        fcgi = h.start_fcgi(binary, tmp, db, sock)
        servers.append(fcgi)
        nginx = h.start_nginx(tmp, sock)
        servers.append(nginx)
        mhd = h.Target("mhd", serve.port)
        ngx = h.Target("fcgi+nginx", nginx.port)
        for t in (mhd, ngx):
            runner.run("fragment [%s]" % t.name, t_fragment, t)
            runner.run("JSON body in French [%s]" % t.name, t_json_body, t)
            runner.run("page with CSRF and escaping [%s]" % t.name, t_page, t)
        runner.run("every fixture, whole and pasted", t_fixtures, mhd)
        runner.run("our own block", t_ours, mhd)
        runner.run("header block", t_headers, mhd)
        runner.run("bad input", t_bad_input, mhd)
        runner.run("keep, share, expire", t_store_and_share, mhd, db)
        for t in (mhd, ngx):
            runner.run("HTML pages from 12 threads [%s]" % t.name,
                       t_concurrent_pages, t)
    except Fail as e:
        runner.failed += 1
        print("FAIL set-up: %s" % e)
    finally:
        for s in reversed(servers):
            s.stop(signal.SIGQUIT if s.name == "nginx" else signal.SIGTERM)
        if runner.failed:
            for s in servers:
                print("--- %s log ---\n%s" % (s.name, s.tail()))
        shutil.rmtree(tmp, ignore_errors=True)
    print("(%.1fs)" % (time.time() - t_start))
    print("diag: %d passed, %d failed" % (runner.passed, runner.failed))
    return 1 if runner.failed or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
