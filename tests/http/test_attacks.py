#!/usr/bin/env python3
"""tests/http/test_attacks.py BINARY - hostile requests against the real
server (`serve`) on loopback with a fresh, seeded SQLite database.

- SQL (and FTS5 query) injection in every parameter of the public and API
  endpoints: never a 5xx, never an SQL error text, data stored verbatim.
- Reflected and stored XSS through pasted bounces (POST /diagnose, the
  shared /d/{id} page, the JSON API) and FAQ searches.
- CSRF on POST /diagnose; API key scopes (no key, a revoked key, a key
  without the scope, minting a key); IDOR on ids; path traversal.
- Open redirects (next=/return=/url= and //host paths on every
  redirecting page), session fixation at staff sign-in, the sign-in
  throttle (429 with Retry-After), stored XSS through FAQ Markdown.

Python 3 standard library only; the helpers come from run.py and
test_faults.py. The last line is "attacks: N passed, M failed".
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import (Fail, Runner, TRAVERSALS, MAKEFILE_MARK, check,  # noqa: E402
                 prepare_db, ROOT)
from test_faults import env_for, start  # noqa: E402

SQLI = [
    "'", "''", "\"", "' OR '1'='1", "' OR 1=1 --", "1' OR '1'='1' --",
    "1; DROP TABLE accounts; --", "1 UNION SELECT sql FROM sqlite_master --",
    "') OR 1=1 --", "\" OR \"\"=\"", "1/**/OR/**/1=1", "%27%20OR%201=1",
    "'; ATTACH DATABASE '/tmp/x.db' AS x; --", "load_extension('x')",
    "-1", "0", "9223372036854775808", "-9223372036854775809", "1e999",
    "NaN", "0x10", " 1", "1 ", "١", "\u0000", "\uffff",
    # FTS5 query syntax reaching MATCH
    "*", "a*", "\"unterminated", "title: x", "{title body}: x", "NEAR(a b",
    "a AND", "OR", "NOT x", "^x", "x + y", "(", ")", "a:b:c", "-x",
]
# SQLite's and FTS5's own words (none of them is in a payload, which the
# answers may echo as data).
SQL_ERRORS = re.compile(rb"SQL logic error|syntax error|no such (column|"
                        rb"table|function)|unrecognized token|fts5: |"
                        rb"malformed MATCH|SQLITE_[A-Z]+\b|database is "
                        rb"locked")
XSS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
       "'><svg onload=alert(1)>", "javascript:alert(1)"]
RAW_XSS = [b"<script>alert(1)", b"<img src=x onerror", b"<svg onload"]


def q(s):
    return urllib.parse.quote(s, safe="")


class Client:
    def __init__(self, port):
        self.port = port

    def req(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = dict(headers or {})
                headers.setdefault("Content-Type", "application/json")
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.headers, r.read()
        finally:
            c.close()


def bearer(key):
    return {"Authorization": "Bearer " + key} if key else {}


def admin(binary, db, *args):
    r = subprocess.run([binary, "admin"] + list(args) + ["--db", db],
                       env=env_for(db), cwd=ROOT, capture_output=True,
                       timeout=60)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def create_key(binary, db, name, scopes):
    rc, out, err = admin(binary, db, "create-key", name, "--scopes", scopes)
    if rc != 0:
        raise Fail("create-key %s: %s" % (name, err.strip()))
    m = re.search(r"key (\d+)", err)
    return out.strip(), m.group(1) if m else None


def clean(st, body, what):
    check(st < 500, "%s: status %d %r" % (what, st, body[:200]))
    check(not SQL_ERRORS.search(body), "%s: SQL error text in %r"
          % (what, body[:300]))


# --- SQL injection ---------------------------------------------------------------

def t_sqli_public(c):
    for p in SQLI:
        for path in ("/faq?q=%s", "/faq?q=%s&page=%s", "/api/v1/faq/search?q=%s",
                     "/api/v1/faq/search?q=x&lang=%s&limit=%s",
                     "/api/v1/faq/suggest?q=%s", "/api/v1/faq/%s",
                     "/faq/%s", "/api/v1/diagnoses/%s", "/d/%s",
                     "/?lang=%s", "/api/v1/faq/categories?lang=%s"):
            url = path.replace("%s", q(p))
            st, _, body = c.req("GET", url)
            clean(st, body, url)
        st, _, body = c.req("GET", "/", headers={"Cookie": "lang=" + q(p),
                                                 "Accept-Language": p[:60]
                                                 .encode("ascii", "replace")
                                                 .decode()})
        clean(st, body, "lang cookie %r" % p)


def t_sqli_api(c, keys):
    full = bearer(keys["full"])
    for p in SQLI:
        for path in ("/api/v1/accounts/%s", "/api/v1/blocks/%s",
                     "/api/v1/requests/%s", "/api/v1/accounts?after=%s",
                     "/api/v1/blocks?account=%s&state=%s&after=%s&limit=%s",
                     "/api/v1/requests?account=%s&state=%s&limit=%s",
                     "/api/v1/audit?after=%s&limit=%s", "/api/v1/keys?x=%s"):
            url = path.replace("%s", q(p))
            st, _, body = c.req("GET", url, headers=full)
            clean(st, body, url)
        st, _, body = c.req("POST", "/api/v1/blocks",
                            {"account": p, "target_kind": p, "target": p,
                             "cause": p}, full)
        clean(st, body, "POST blocks %r" % p)
        check(st in (400, 404, 409, 422), "POST blocks %r: %d" % (p, st))
        st, _, body = c.req("POST", "/api/v1/blocks/%s/state" % q(p),
                            {"state": p}, full)
        clean(st, body, "POST state %r" % p)
        st, _, body = c.req("POST", "/api/v1/requests/%s/decision" % q(p),
                            {"decision": p, "note": p}, full)
        clean(st, body, "POST decision %r" % p)
    # Hostile strings are data: stored and given back verbatim.
    for i, p in enumerate(SQLI[:12]):
        ext = "sqli-%d-%s" % (i, p)
        st, _, body = c.req("POST", "/api/v1/accounts",
                            {"ext_id": ext, "name": p,
                             "contact_email": "x%d@example.org" % i}, full)
        clean(st, body, "POST accounts %r" % p)
        if st != 201:
            continue
        got = json.loads(body)
        st, _, body = c.req("GET", "/api/v1/accounts/%s" % got["id"],
                            headers=full)
        check(st == 200 and json.loads(body).get("name") == p,
              "account name %r came back as %r" % (p, body[:200]))
    st, _, body = c.req("GET", "/api/v1/accounts", headers=full)
    check(st == 200, "accounts list after the attempts: %d" % st)


def t_sqli_body(c):
    for p in SQLI:
        st, _, body = c.req("POST", "/api/v1/diagnoses?input=%s&lang=%s"
                            % (q(p), q(p)), {"text": "550 5.1.1 " + p,
                                             "input": p, "lang": p})
        clean(st, body, "POST diagnoses %r" % p)


# --- XSS -----------------------------------------------------------------------------

def bounce_with(payload):
    return ("Final-Recipient: rfc822; %s@example.org\nAction: failed\n"
            "Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <%s@example.org>"
            ": Recipient address rejected: User unknown %s\n"
            % (payload, payload, payload))


def no_raw(body, what):
    for r in RAW_XSS:
        check(r not in body, "%s: raw %r in the page" % (what, r))


def csrf_pair(c):
    st, h, body = c.req("GET", "/diagnose")
    check(st == 200, "GET /diagnose: %d" % st)
    m = re.search(r"csrf=([0-9a-f]+)", h.get("Set-Cookie", "") or "")
    check(m, "no csrf cookie: %r" % h.get("Set-Cookie"))
    tok = m.group(1)
    check(tok.encode() in body, "the form does not carry the token")
    return tok


def post_diagnose(c, tok_cookie, tok_field, text, share=False):
    form = {"text": text}
    if tok_field is not None:
        form["csrf"] = tok_field
    if share:
        form["share"] = "1"
    hdr = {"Content-Type": "application/x-www-form-urlencoded"}
    if tok_cookie is not None:
        hdr["Cookie"] = "csrf=" + tok_cookie
    return c.req("POST", "/diagnose", urllib.parse.urlencode(form), hdr)


def t_xss_diagnose(c):
    tok = csrf_pair(c)
    for p in XSS:
        st, h, body = post_diagnose(c, tok, tok, bounce_with(p), share=True)
        check(st == 200, "POST /diagnose: %d %r" % (st, body[:200]))
        check(h.get("Content-Type", "").startswith("text/html"),
              "content type %r" % h.get("Content-Type"))
        no_raw(body, "POST /diagnose %r" % p)
        if p.startswith("<script"):
            check(b"&lt;script&gt;" in body, "the payload is not shown "
                  "escaped (was it reflected at all?)")
        m = re.search(rb'/d/([0-9a-f]{16,})', body)
        if m:	# the shared page (stored XSS)
            st, _, page = c.req("GET", "/d/" + m.group(1).decode())
            check(st == 200, "GET /d/%s: %d" % (m.group(1), st))
            no_raw(page, "/d/ page for %r" % p)


def t_xss_json(c):
    for p in XSS:
        st, h, body = c.req("POST", "/api/v1/diagnoses?store=1",
                            {"text": bounce_with(p)})
        check(st == 201, "POST: %d %r" % (st, body[:200]))
        check(h.get("Content-Type", "").startswith("application/json"),
              "content type %r" % h.get("Content-Type"))
        check(h.get("X-Content-Type-Options") == "nosniff", "no nosniff")
        doc = json.loads(body)
        check(p in json.dumps(doc, ensure_ascii=False),
              "the payload is not in the JSON as data")
        st, h, _ = c.req("GET", "/api/v1/diagnoses/" + doc["id"])
        check(st == 200 and h.get("Content-Type", "")
              .startswith("application/json"), "GET: %d" % st)


def t_xss_faq(c):
    for p in XSS:
        st, h, body = c.req("GET", "/faq?q=" + q(p))
        check(st == 200, "/faq?q=%r: %d" % (p, st))
        no_raw(body, "/faq?q=%r" % p)
        st, h, body = c.req("GET", "/faq?q=" + q(p),
                            headers={"Accept": "text/html"})
        no_raw(body, "/faq?q=%r" % p)


# --- CSRF -----------------------------------------------------------------------------

def t_csrf(c):
    tok = csrf_pair(c)
    other = "0" * len(tok)
    text = "550 5.1.1 user unknown"
    for cookie, field, what in ((None, None, "no token"),
                                (tok, None, "cookie without field"),
                                (None, tok, "field without cookie"),
                                (tok, other, "wrong field"),
                                (tok, tok[:-1], "truncated field"),
                                (tok, tok.upper(), "field in upper case"),
                                ("x", "x", "short equal tokens")):
        st, _, body = post_diagnose(c, cookie, field, text)
        check(st == 403, "%s: status %d" % (what, st))
    st, _, _ = post_diagnose(c, tok, tok, text)
    check(st == 200, "the right token: %d" % st)
    # The cookie cannot be read by scripts and is not sent cross-site.
    _, h, _ = c.req("GET", "/diagnose")
    sc = h.get("Set-Cookie", "")
    check("HttpOnly" in sc and "SameSite=Strict" in sc,
          "csrf cookie attributes: %r" % sc)


# --- API keys, scopes, IDOR ----------------------------------------------------------------

def t_scopes(c, keys):
    body = {"account": "acme", "target_kind": "mailbox",
            "target": "x@example.org", "cause": "spam"}
    st, _, b = c.req("POST", "/api/v1/blocks", body)
    check(st == 401, "no key: %d" % st)
    for hdr in ({"Authorization": "Bearer"},
                {"Authorization": "Bearer bd_live_" + "A" * 43},
                {"Authorization": "Basic " + keys["full"]},
                {"Authorization": "bearer  " + keys["full"] + "x"},
                {"Authorization": "Bearer " + keys["full"][:-1]},
                {"X-Api-Key": keys["full"]}):
        st, _, _ = c.req("POST", "/api/v1/blocks", body, hdr)
        check(st == 401, "%r: %d" % (list(hdr.values())[0][:30], st))
    st, _, _ = c.req("POST", "/api/v1/blocks?api_key=" + keys["full"], body)
    check(st == 401, "key in the query string: %d" % st)
    st, _, _ = c.req("POST", "/api/v1/blocks", body, bearer(keys["revoked"]))
    check(st == 401, "revoked key: %d" % st)
    st, _, _ = c.req("POST", "/api/v1/blocks", body, bearer(keys["read"]))
    check(st == 403, "blocks:read key writing a block: %d" % st)
    st, _, _ = c.req("POST", "/api/v1/keys",
                     {"name": "escalate", "scopes": ["keys:admin"]},
                     bearer(keys["write"]))
    check(st == 403, "blocks:write key minting a key: %d" % st)
    st, _, _ = c.req("GET", "/api/v1/keys", headers=bearer(keys["write"]))
    check(st == 403, "blocks:write key listing keys: %d" % st)
    st, _, _ = c.req("GET", "/api/v1/audit", headers=bearer(keys["read"]))
    check(st == 403, "blocks:read key reading the audit: %d" % st)
    st, _, b = c.req("POST", "/api/v1/blocks", body, bearer(keys["write"]))
    check(st in (201, 422), "blocks:write key: %d %r" % (st, b[:200]))


def t_idor(c, keys, ids):
    # Account-bound resources need their own scope, whatever the id.
    for path, key in (("/api/v1/accounts/%s" % ids["account"], "read"),
                      ("/api/v1/requests", "read"),
                      ("/api/v1/blocks/%s" % ids["block"], "acct")):
        st, _, b = c.req("GET", path, headers=bearer(keys[key]))
        check(st == 403, "%s with the %s key: %d" % (path, key, st))
    # Kept analyses are named by unguessable ids, not by a counter.
    a = json.loads(c.req("POST", "/api/v1/diagnoses?store=1",
                         {"text": "550 5.1.1 user unknown"})[2])["id"]
    b = json.loads(c.req("POST", "/api/v1/diagnoses?store=1",
                         {"text": "550 5.1.1 user unknown"})[2])["id"]
    check(re.fullmatch(r"[0-9a-f]{32}", a) and a != b,
          "analysis ids %r, %r" % (a, b))
    check(bin(int(a, 16) ^ int(b, 16)).count("1") > 20,
          "consecutive ids are close: %s %s" % (a, b))
    flip = a[:-1] + ("0" if a[-1] != "0" else "1")
    st, _, _ = c.req("GET", "/api/v1/diagnoses/" + flip)
    check(st == 404, "a neighbour id: %d" % st)
    # The customer portal opens a block only with its link.
    blk = ids["block"]
    for path in ("/unblock/%s" % blk, "/unblock/%s?t=%s" % (blk, "a" * 43),
                 "/unblock/%s?t=" % blk, "/unblock/%s/requests/1" % blk):
        st, _, page = c.req("GET", path)
        check(st in (403, 404), "%s: %d" % (path, st))
        check(b"victim@example.org" not in page, "%s shows the block" % path)
    st, _, page = c.req("GET", "/unblock/%s" % blk,
                        headers={"Cookie": "ub_link=%s" % ("b" * 43)})
    check(st in (403, 404), "forged link cookie: %d" % st)


def t_traversal(c):
    extra = ["/static/.hidden", "/static/./style.css", "/static/css/../../Makefile",
             "/static/" + "a/" * 200 + "x", "/static/%c0%ae%c0%ae/Makefile",
             "/static/..;/Makefile", "/static/style.css/.."]
    for p in TRAVERSALS + extra:
        st, _, body = c.req("GET", p)
        check(st in (400, 404), "%s: status %d" % (p, st))
        check(MAKEFILE_MARK not in body and b"root:" not in body,
              "%s: leaked a file" % p)


# --- open redirects, session fixation, sign-in throttle, FAQ content --------

STAFF_PW = "staff-pass-Qz81w"
STAFF = "agent@attacks.test"
VICTIM = "victim@attacks.test"
OFFSITE = ["//evil.example", "//evil.example/staff", "https://evil.example/",
           "http://evil.example", "/\\evil.example", "\\\\evil.example",
           "/%2f%2fevil.example", "%2F%2Fevil.example",
           "/staff/../\\evil.example", "javascript:alert(1)",
           "/staff%0d%0aLocation:%20https://evil.example",
           "/staff//evil.example", " //evil.example", "///evil.example",
           "https:evil.example", "/staff@evil.example"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def set_cookies(h):
    """name -> value of every Set-Cookie of a response."""
    out = {}
    for v in h.get_all("Set-Cookie") or []:
        k, _, rest = v.partition("=")
        out[k.strip()] = rest.split(";", 1)[0]
    return out


def local_location(loc, what):
    """A Location, when there is one, stays on this site."""
    if loc is None:
        return
    check("\r" not in loc and "\n" not in loc, "%s: CR/LF in %r"
          % (what, loc))
    u = urllib.parse.urlsplit(loc)
    check(loc.startswith("/") and not loc.startswith("//") and
          "\\" not in loc[:2] and not u.scheme and not u.netloc,
          "%s: redirects off-site to %r" % (what, loc))


def login_form(c, cookie=None, nxt=None):
    """GET /staff/login: the csrf cookie and field."""
    path = "/staff/login" + ("?next=" + q(nxt) if nxt is not None else "")
    st, h, body = c.req("GET", path,
                        headers={"Cookie": cookie} if cookie else {})
    check(st == 200, "GET %s: %d" % (path, st))
    local_location(h.get("Location"), path)
    tok = set_cookies(h).get("csrf")
    m = re.search(rb'name="csrf" value="([0-9a-f]+)"', body)
    check(m, "no csrf field on the sign-in form")
    return tok or m.group(1).decode(), m.group(1).decode()


def login(c, email, pw, nxt="/staff", sid=None):
    cookie_tok, field = login_form(c)
    cookie = "csrf=" + cookie_tok + ("; sid=" + sid if sid else "")
    form = {"email": email, "password": pw, "csrf": field}
    if nxt is not None:
        form["next"] = nxt
    return c.req("POST", "/staff/login", urllib.parse.urlencode(form),
                 dict(FORM, Cookie=cookie))


def t_open_redirect(c, ids):
    for bad in OFFSITE:
        # After sign-in: the one redirect driven by a parameter.
        st, h, body = login(c, STAFF, STAFF_PW, nxt=bad)
        check(st == 303, "sign-in with next=%r: %d %r" % (bad, st,
                                                          body[:200]))
        local_location(h.get("Location"), "sign-in next=%r" % bad)
        check(h.get("Location", "").startswith("/staff"),
              "next=%r went to %r" % (bad, h.get("Location")))
        # The form hands the parameter on: it must come out local.
        st, h, body = c.req("GET", "/staff/login?next=" + q(bad))
        m = re.search(rb'name="next" value="([^"]*)"', body)
        check(m is None or m.group(1).startswith(b"/staff") and
              b"evil" not in m.group(1), "the form keeps next=%r as %r"
              % (bad, m and m.group(1)))
        for k in ("next", "return", "url", "redirect", "to"):
            for path in ("/staff/login", "/staff", "/staff/requests",
                         "/faq/1", "/faq", "/", "/diagnose",
                         "/unblock/%s" % ids["block"],
                         "/unblock/%s?t=%s" % (ids["block"], "A" * 22),
                         "/r/1?t=x", "/staff/logout"):
                url = path + ("&" if "?" in path else "?") + k + "=" + q(bad)
                for method in ("GET", "POST"):
                    st, h, _ = c.req(method, url, "", FORM)
                    check(st < 500, "%s %s: %d" % (method, url, st))
                    local_location(h.get("Location"), "%s %s" % (method,
                                                                 url))
    # Paths that look like another host.
    for path in ("//evil.example", "//evil.example/", "///evil.example/",
                 "/\\evil.example", "//evil.example/staff",
                 "/staff//evil.example", "/faq//evil.example",
                 "/%5Cevil.example", "/%2F%2Fevil.example",
                 "/staff/..//evil.example", "/staff/%2e%2e//evil.example"):
        st, h, _ = c.req("GET", path)
        check(st < 500, "GET %s: %d" % (path, st))
        local_location(h.get("Location"), "GET %s" % path)
    # A vote redirects to its own article, whatever the form says.
    tok = csrf_pair(c)
    st, h, _ = c.req("POST", "/faq/1/vote?next=//evil.example",
                     urllib.parse.urlencode({"helpful": "yes", "csrf": tok,
                                             "next": "//evil.example"}),
                     dict(FORM, Cookie="csrf=" + tok))
    check(st == 303, "vote: %d" % st)
    local_location(h.get("Location"), "vote")
    check(h.get("Location", "").startswith("/faq/1"),
          "vote went to %r" % h.get("Location"))


def staff_page(c, sid):
    st, h, _ = c.req("GET", "/staff", headers={"Cookie": "sid=" + sid})
    return st


def t_session_fixation(c):
    planted = "ab" * 32		# the shape of one of ours, never issued
    st, h, _ = login(c, STAFF, STAFF_PW, sid=planted)
    check(st == 303, "sign-in: %d" % st)
    sid = set_cookies(h).get("sid")
    check(sid and re.fullmatch(r"[0-9a-f]{64}", sid),
          "no session cookie at sign-in: %r" % h.get_all("Set-Cookie"))
    check(sid != planted, "the planted sid was kept")
    check(staff_page(c, planted) == 303, "the planted sid signs in")
    check(staff_page(c, sid) == 200, "the new sid does not sign in")
    # A real session presented at the next sign-in is rotated and dies.
    st, h, _ = login(c, STAFF, STAFF_PW, sid=sid)
    sid2 = set_cookies(h).get("sid")
    check(st == 303 and sid2 and sid2 != sid, "no rotation at sign-in")
    check(staff_page(c, sid) == 303, "the old session still works")
    check(staff_page(c, sid2) == 200, "the rotated session does not work")
    # A session given before sign-in on the form is not kept either.
    st, h, _ = c.req("GET", "/staff/login",
                     headers={"Cookie": "sid=" + planted})
    check("sid" not in set_cookies(h) or set_cookies(h)["sid"] in ("", "0"),
          "the sign-in form sets a session: %r" % h.get_all("Set-Cookie"))
    _, h, _ = login(c, STAFF, STAFF_PW)
    sc = [v for v in h.get_all("Set-Cookie") or [] if v.startswith("sid=")]
    check(sc and "HttpOnly" in sc[0] and "SameSite=Strict" in sc[0],
          "session cookie attributes: %r" % sc)


def t_login_throttle(c):
    n = 0
    st = 401
    while st == 401 and n < 20:
        st, h, _ = login(c, VICTIM, "wrong-%d" % n)
        n += 1
    check(st == 429, "after %d failures: %d" % (n, st))
    check(n > 3, "throttled after only %d attempts" % n)
    ra = h.get("Retry-After", "")
    check(ra.isdigit() and 0 < int(ra) <= 3600, "Retry-After %r" % ra)
    # The right password is refused too while throttled: no session.
    st, h, _ = login(c, VICTIM, STAFF_PW)
    check(st == 429 and "sid" not in set_cookies(h),
          "the right password while throttled: %d %r"
          % (st, h.get_all("Set-Cookie")))
    # Another account from the same address is still served.
    st, _, _ = login(c, STAFF, STAFF_PW)
    check(st == 303, "another account after the throttle: %d" % st)


def t_xss_faq_content(c, keys):
    md = ("Click [x](javascript:alert(1)) or [y](JaVaScRiPt:alert(2)) or "
          "[z](data:text/html;base64,PHNjcmlwdD4=) or "
          "![i](javascript:alert(3)).\n\n<script>alert(4)</script>\n\n"
          "<img src=x onerror=alert(5)>\n\n<a href=\"javascript:alert(6)\">"
          "a</a>\n")
    st, _, body = c.req("POST", "/api/v1/faq",
                        {"lang": "en", "title": "<script>alert(7)</script>",
                         "state": "public", "problem": md, "solution": md,
                         "symptom": "<svg onload=alert(8)>"},
                        bearer(keys["faq"]))
    check(st == 201, "POST /api/v1/faq: %d %r" % (st, body[:300]))
    aid = json.loads(body)["id"]
    for path in ("/faq/%s" % aid, "/faq/%s?print=1" % aid):
        st, h, page = c.req("GET", path)
        check(st == 200, "GET %s: %d" % (path, st))
        check(b"Click" in page and b">x</a>" in page,
              "%s: the Markdown is not on the page" % path)
        no_raw(page, path)
        low = page.lower()
        check(b'href="javascript:' not in low and b"src=\"javascript:"
              not in low and b'href="data:' not in low,
              "%s: a script URL survived" % path)
        check(b"alert(4)</script>" not in page, "%s: raw script" % path)
        check(b"&lt;script&gt;alert(7)" in page,
              "%s: the title is not shown escaped" % path)


def setup_keys(binary, db):
    keys = {}
    keys["full"], _ = create_key(
        binary, db, "full", "accounts:read,accounts:write,blocks:read,"
        "blocks:write,requests:read,requests:write,requests:decide,"
        "audit:read")
    keys["read"], _ = create_key(binary, db, "read", "blocks:read")
    keys["write"], _ = create_key(binary, db, "write",
                                  "blocks:write,blocks:read")
    keys["acct"], _ = create_key(binary, db, "acct", "accounts:read")
    keys["faq"], _ = create_key(binary, db, "faq", "faq:write")
    keys["revoked"], rid = create_key(binary, db, "revoked", "blocks:write")
    check(rid, "no key id on create-key's stderr")
    rc, _, err = admin(binary, db, "revoke-key", rid)
    check(rc == 0, "revoke-key: %s" % err)
    return keys


def setup_staff(binary, db):
    for who in (STAFF, VICTIM):
        r = subprocess.run([binary, "admin", "create-staff", who, "--role",
                            "agent", "--db", db], env=env_for(db), cwd=ROOT,
                           input=(STAFF_PW + "\n").encode(),
                           capture_output=True, timeout=60)
        check(r.returncode == 0, "create-staff: %s" % r.stderr.decode())


def setup_data(c, keys):
    full = bearer(keys["full"])
    st, _, body = c.req("POST", "/api/v1/accounts",
                        {"ext_id": "acme", "name": "Acme",
                         "contact_email": "owner@example.org"}, full)
    check(st == 201, "create account: %d %r" % (st, body[:200]))
    acc = json.loads(body)["id"]
    st, _, body = c.req("POST", "/api/v1/blocks",
                        {"account_id": acc, "target_kind": "mailbox",
                         "target": "victim@example.org", "cause": "spam"},
                        full)
    check(st == 201, "create block: %d %r" % (st, body[:200]))
    return {"account": acc, "block": json.loads(body)["id"]}


def main():
    if len(sys.argv) != 2:
        print("usage: test_attacks.py BINARY", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="bouncedesk-attacks-")
    runner = Runner()
    t_start = time.time()
    srv = None
    try:
        db = prepare_db(binary, tmp)
        keys = setup_keys(binary, db)
        setup_staff(binary, db)
        srv = start(binary, tmp, db, "attacks")
        c = Client(srv.port)
        ids = setup_data(c, keys)
        runner.run("SQL/FTS injection: public parameters", t_sqli_public, c)
        runner.run("SQL injection: unblock API", t_sqli_api, c, keys)
        runner.run("SQL injection: diagnosis body", t_sqli_body, c)
        runner.run("XSS: POST /diagnose and /d/{id}", t_xss_diagnose, c)
        runner.run("XSS: JSON API", t_xss_json, c)
        runner.run("XSS: FAQ search", t_xss_faq, c)
        runner.run("CSRF on POST /diagnose", t_csrf, c)
        runner.run("API key scopes", t_scopes, c, keys)
        runner.run("IDOR", t_idor, c, keys, ids)
        runner.run("path traversal", t_traversal, c)
        runner.run("open redirects", t_open_redirect, c, ids)
        runner.run("session fixation", t_session_fixation, c)
        runner.run("sign-in throttle (429)", t_login_throttle, c)
        runner.run("stored XSS: FAQ content", t_xss_faq_content, c, keys)
        check(srv.proc.poll() is None, "the server died")
    except Fail as e:
        runner.failed += 1
        print("FAIL set-up: %s" % e)
    finally:
        if srv is not None:
            srv.stop()
            if runner.failed:
                print("--- server log (last lines) ---\n%s" % srv.tail())
        shutil.rmtree(tmp, ignore_errors=True)
    print("(%.1fs)" % (time.time() - t_start))
    print("attacks: %d passed, %d failed" % (runner.passed, runner.failed))
    return 1 if runner.failed or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
