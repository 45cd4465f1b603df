#!/usr/bin/env python3
"""tests/http/test_reports.py BINARY - blocked-message reports end to end.

Runs the real binary (`serve` on a free loopback port) on a fresh SQLite
database made with `migrate` and `seed`, with API keys from `admin
create-key`, and a local webhook receiver. Posts realistic filter reports in
French and English, reads them through their signed links (cookie jar and
redirects, as a browser would), checks expired links, links of another
report, the review form with and without CSRF, the false-positive mark that
reaches the receiver as a signed webhook, the staff API, the trends and the
retention purge. Python 3 standard library only. The last line is
"reports: N passed, M failed".
"""

import base64
import hashlib
import hmac
import http.client
import http.cookiejar
import http.server
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the webhook receiver (the filter's end) ------------------------------

class Hooks:
    def __init__(self):
        self.lock = threading.Lock()
        self.got = []          # (headers dict, body bytes)

    def wait(self, pred, timeout=8.0):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                for h, b in self.got:
                    if pred(h, b):
                        return h, b
            time.sleep(0.05)
        return None


def start_receiver(hooks):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            with hooks.lock:
                hooks.got.append(({k.lower(): v for k, v in
                                   self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


# --- the server -------------------------------------------------------------

class Env:
    """The binary, its database and its keys."""

    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp
        self.db = os.path.join(tmp, "reports.db")
        self.env = dict(os.environ)
        self.env.update({
            "BOUNCEDESK_DB": self.db,
            "BOUNCEDESK_SHARE_DIR": ROOT,
            "BOUNCEDESK_THREADS": "4",
            "BOUNCEDESK_WEBHOOK_HTTP_LOOPBACK": "1",
            "BOUNCEDESK_WEBHOOK_INTERVAL_MS": "150",
            # http: cookies of an https base_url get Secure, which this
            # plain-HTTP client would not send back.
            "BOUNCEDESK_BASE_URL": "http://help.example.net",
        })
        self.proc = None
        self.port = None

    def run(self, *args, stdin=None):
        r = subprocess.run([self.binary] + list(args) + ["--db", self.db],
                           env=self.env, cwd=ROOT, capture_output=True,
                           input=stdin, timeout=60)
        return r

    def prepare(self):
        for cmd in ("migrate", "seed"):
            r = self.run(cmd)
            check(r.returncode == 0, "%s failed: %s" % (cmd, r.stderr))

    def key(self, name, scopes):
        r = self.run("admin", "create-key", name, "--scopes", scopes)
        check(r.returncode == 0, "create-key: %s" % r.stderr)
        k = r.stdout.decode().strip().splitlines()[0]
        check(k.startswith("bd_live_"), "create-key printed %r" % k)
        return k

    def start(self):
        self.log = open(os.path.join(self.tmp, "serve.log"), "wb")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1:0", "--db",
             self.db], env=self.env, cwd=ROOT, stdout=subprocess.PIPE,
            stderr=self.log)
        line = self.proc.stdout.readline().decode().strip()
        m = re.match(r"^listening on 127\.0\.0\.1:(\d+)$", line)
        if not m:
            self.stop()
            raise Fail("serve did not start (got %r)" % line)
        self.port = int(m.group(1))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.log.close()

    def tail(self, n=30):
        try:
            with open(os.path.join(self.tmp, "serve.log"), "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace")
                                 .splitlines()[-n:])
        except OSError:
            return ""

    def sql(self, q, args=()):
        c = sqlite3.connect(self.db, timeout=5)
        try:
            cur = c.execute(q, args)
            rows = cur.fetchall()
            c.commit()
            return rows
        finally:
            c.close()

    # plain HTTP, no redirects followed
    def http(self, method, path, body=None, key=None, headers=None):
        h = dict(headers or {})
        if key is not None:
            h["Authorization"] = "Bearer " + key
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, r.headers, data
        finally:
            c.close()

    def api(self, method, path, body=None, key=None, want=200):
        st, hd, data = self.http(method, path, body, key)
        check(st == want, "%s %s: %d, want %d: %s" % (method, path, st, want,
                                                     data[:400]))
        return json.loads(data) if data else None


class Browser:
    """A cookie jar that follows redirects, as a browser would."""

    def __init__(self, port, lang=None):
        self.port = port
        self.jar = http.cookiejar.CookieJar()
        self.op = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar))
        self.lang = lang

    def get(self, path):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port,
                                                                path))
        if self.lang:
            req.add_header("Accept-Language", self.lang)
        try:
            r = self.op.open(req, timeout=10)
            return r.status, r.geturl(), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.geturl(), e.read().decode()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields).encode()
        req = urllib.request.Request("http://127.0.0.1:%d%s" %
                                     (self.port, path), data=data)
        if self.lang:
            req.add_header("Accept-Language", self.lang)
        try:
            r = self.op.open(req, timeout=10)
            return r.status, r.geturl(), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.geturl(), e.read().decode()

    def cookie(self, name):
        for c in self.jar:
            if c.name == name:
                return c
        return None


# --- fixtures ----------------------------------------------------------------

FR_REPORT = {
    "account": "H-7001",
    "sender": "commandes@boulangerie-dupont.fr",
    "recipients": ["marie.leroy@example.org", "jean.petit@example.net",
                   "contact@traiteur-exemple.fr"],
    "subject": "Offre spéciale : -30 % sur les galettes des rois",
    "message_id": "<20250106093012.4F2A1@boulangerie-dupont.fr>",
    "time": "2025-01-06T09:30:12+01:00",
    "score": 7.2,
    "threshold": 3,
    "tests": [
        {"name": "HTML_MESSAGE", "score": 0.001},
        {"name": "BAYES_99", "score": 3.5},
        {"name": "XV_LOCAL_BULK_PHRASE", "score": 2.1},
        {"name": "MIME_HTML_ONLY", "score": 0.723},
        {"name": "DKIM_VALID", "score": -0.1},
        {"name": "SPF_PASS", "score": -0.001},
    ],
    "checks": [
        {"id": "no_rdns", "detail": "203.0.113.45 n'a pas d'enregistrement PTR"},
        {"id": "spf_without_provider", "detail": "v=spf1 mx -all"},
    ],
    "relay": "smtp-out1.mail.example.net",
    "ip": "203.0.113.45",
    "headers": ("Received: from web01 (web01 [203.0.113.45])\r\n"
                "From: Boulangerie Dupont <commandes@boulangerie-dupont.fr>\r\n"
                "Subject: =?utf-8?q?Offre_sp=C3=A9ciale?=\r\n"
                "\r\nCORPS-DU-MESSAGE-SECRET\r\n"),
}

EN_REPORT = {
    "account": "H-7002",
    "sender": "orders@garden-supplies.example.com",
    "recipients": ["buyer@example.org"],
    "subject": "Your invoice 2025-0117",
    "message_id": "<inv-2025-0117@garden-supplies.example.com>",
    "time": 1736500000,
    "score": 1.4,
    "threshold": 3,
    "tests": [
        {"name": "RDNS_NONE", "score": 1.274},
        {"name": "XV_INVOICE_PATTERN", "score": 0.9},
        {"name": "DKIM_SIGNED", "score": 0.1},
        {"name": "DKIM_VALID", "score": -0.1},
    ],
    "checks": [
        {"id": "blacklisted_ip", "detail": "listed by zen.spamhaus.org"},
        {"id": "dkim_mismatch", "detail": "selector s2025 key does not verify"},
        {"id": "future_check_xyz"},
    ],
    "ip": "2001:db8:4::25",
}


def link_token(link):
    q = urllib.parse.urlparse(link).query
    return urllib.parse.parse_qs(q)["t"][0]


def mint(secret_hex, rid, expiry):
    """A token made like the server makes them (HMAC-SHA-512-256)."""
    mac = hmac.new(bytes.fromhex(secret_hex),
                   ("report:%d:%d" % (rid, expiry)).encode(),
                   hashlib.sha512).digest()[:32]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=") + \
        ".%d" % expiry


def positions(html, names):
    return [html.find("<code>%s</code>" % n) for n in names]


# --- cases -------------------------------------------------------------------

class Suite:
    def __init__(self, e, hooks, hook_port):
        self.e = e
        self.hooks = hooks
        self.hook_port = hook_port
        self.ids = {}

    def setup(self):
        e = self.e
        self.admin = e.key("provisioning", "accounts:write,accounts:read,"
                           "webhooks:admin,blocks:write,blocks:read")
        self.filter = e.key("outbound-filter", "reports:write")
        self.staff = e.key("staff-tool", "reports:read,reports:write")
        self.reader = e.key("dashboard", "reports:read")
        e.start()
        for ext, name, lang, dom in (
                ("H-7001", "Boulangerie Dupont", "fr",
                 "boulangerie-dupont.fr"),
                ("H-7002", "Garden Supplies Ltd", "en",
                 "garden-supplies.example.com")):
            e.api("POST", "/api/v1/accounts", {
                "ext_id": ext, "name": name, "lang": lang,
                "contact_email": "it@" + dom, "domains": [dom]},
                key=self.admin, want=201)
        hook = e.api("POST", "/api/v1/webhooks", {
            "url": "http://127.0.0.1:%d/hook" % self.hook_port,
            "events": ["report.false_positive", "report.review_requested"]},
            key=self.admin, want=201)
        self.hook_secret = hook["secret"]

    def t_auth(self):
        e = self.e
        st, hd, _ = e.http("POST", "/api/v1/filter-reports", FR_REPORT)
        check(st == 401, "no key: %d" % st)
        check("Bearer" in hd.get("WWW-Authenticate", ""), "no challenge")
        st, _, _ = e.http("POST", "/api/v1/filter-reports", FR_REPORT,
                          key=self.reader)
        check(st == 403, "reports:read posting: %d" % st)
        st, _, _ = e.http("GET", "/api/v1/filter-reports", key=self.filter)
        check(st == 403, "reports:write listing: %d" % st)

    def t_post_fr(self):
        e = self.e
        st, hd, data = e.http("POST", "/api/v1/filter-reports", FR_REPORT,
                              key=self.filter)
        check(st == 201, "post: %d %s" % (st, data[:300]))
        r = json.loads(data)
        check(re.match(r"^/r/%d\?t=[A-Za-z0-9_-]{43}\.\d+$" % r["id"],
                       r["link"]), "link %r" % r["link"])
        check(r["url"] == "http://help.example.net" + r["link"],
              "url %r" % r["url"])
        check(hd["Location"] == "/api/v1/filter-reports/%d" % r["id"],
              "Location %r" % hd.get("Location"))
        check(r["score"] == 7.2 and r["threshold"] == 3, "scores %r" % r)
        check(r["top_test"] == "BAYES_99", "top test %r" % r["top_test"])
        check(r["time"] == "2025-01-06T08:30:12Z", "time %r" % r["time"])
        self.ids["fr"] = r["id"]
        self.links = {"fr": r["link"]}
        rows = e.sql("SELECT headers FROM filter_reports WHERE id = ?",
                     (r["id"],))
        check("Received: from web01" in rows[0][0], "headers not kept")
        check("SECRET" not in rows[0][0], "the body was stored")

    def t_post_en(self):
        r = self.e.api("POST", "/api/v1/filter-reports", EN_REPORT,
                       key=self.filter, want=201)
        check(r["over_threshold"] is False, "1.4 over 3?")
        self.ids["en"] = r["id"]
        self.links["en"] = r["link"]

    def t_validation(self):
        e = self.e
        before = e.sql("SELECT count(*) FROM filter_reports")[0][0]
        bad = dict(FR_REPORT)
        bad.update({"sender": "Dupont <x@y>", "score": "high",
                    "recipients": [], "time": "06/01/2025",
                    "ip": "999.1.1.1", "body": "Bonjour...",
                    "tests": [{"name": "BAYES 99", "score": 3}]})
        st, hd, data = e.http("POST", "/api/v1/filter-reports", bad,
                              key=self.filter)
        check(st == 422, "bad report: %d" % st)
        check(hd["Content-Type"].startswith("application/problem+json"),
              "content type %r" % hd["Content-Type"])
        p = json.loads(data)
        fields = {x["field"] for x in p["errors"]}
        for f in ("sender", "score", "recipients", "time", "ip", "body",
                  "tests[0].name"):
            check(f in fields, "%s not listed in %r" % (f, fields))
        check("account" not in fields and "threshold" not in fields,
              "good fields listed: %r" % fields)
        unknown = dict(FR_REPORT, account="H-0000")
        p = e.api("POST", "/api/v1/filter-reports", unknown, key=self.filter,
                  want=422)
        check([x["field"] for x in p["errors"]] == ["account"],
              "unknown account: %r" % p)
        st, _, _ = e.http("POST", "/api/v1/filter-reports", b"{not json",
                          key=self.filter,
                          headers={"Content-Type": "application/json"})
        check(st == 400, "broken JSON: %d" % st)
        after = e.sql("SELECT count(*) FROM filter_reports")[0][0]
        check(after == before, "a refused report was stored")

    def t_page_fr(self):
        b = Browser(self.e.port)
        st, url, html = b.get(self.links["fr"])
        check(st == 200, "page: %d" % st)
        # The token moved into a cookie; the address bar lost it.
        check("t=" not in urllib.parse.urlparse(url).query,
              "token left in the address: %s" % url)
        c = b.cookie("rpt")
        check(c is not None and c.path == "/r/%d" % self.ids["fr"],
              "token cookie %r" % c)
        check('<html lang="fr">' in html, "not in French (account's lang)")
        check("7,2" in html and "Notre filtre antispam" in html,
              "verdict missing")
        # 7.2 on a 0-15 scale: half the bar; the limit 3 is a fifth.
        check('gauge__bar gauge__bar--bad w-50' in html, "score gauge")
        check('gauge__bar gauge__bar--warn w-20' in html, "threshold gauge")
        names = ["BAYES_99", "XV_LOCAL_BULK_PHRASE", "MIME_HTML_ONLY",
                 "HTML_MESSAGE", "SPF_PASS", "DKIM_VALID"]
        pos = positions(html, names)
        check(all(p > 0 for p in pos), "a test is missing: %r" %
              dict(zip(names, pos)))
        check(pos == sorted(pos), "tests not sorted by score: %r" %
              dict(zip(names, pos)))
        row = html[pos[1]:html.find("</tr>", pos[1])]
        check("Pas encore de description" in row,
              "unknown test not shown as such: %r" % row)
        row = html[pos[0]:html.find("</tr>", pos[0])]
        check("filtre bay" in row, "BAYES_99 not explained in French")
        check("Pas de DNS inverse" in html, "check title missing")
        check("Ce qu&#39;il faut corriger" in html, "fix missing")
        check('href="/check?domain&#61;boulangerie-dupont.fr"' in html,
              "sender check link missing")
        check(re.search(r'href="/faq/\d+"', html), "no FAQ link")
        check("CORPS-DU-MESSAGE" not in html, "body shown")
        check('name="csrf"' in html, "no review form")
        # The same page in English, through the cookie.
        st, _, html = b.get("/r/%d?lang=en" % self.ids["fr"])
        check(st == 200 and '<html lang="en">' in html, "English: %d" % st)
        check("No description yet" in html, "no 'No description yet'")
        check("7.2" in html and "No reverse DNS" in html, "English texts")
        check("style=" not in html and "<script>" not in html,
              "inline style or script")
        self.browser_fr = b

    def t_page_en(self):
        b = Browser(self.e.port)
        st, _, html = b.get(self.links["en"])
        check(st == 200, "page: %d" % st)
        check('<html lang="en">' in html, "not in English")
        check("form check(s) failed" in html and "under the limit" in html,
              "checks-only verdict missing")
        check("gauge__bar--good w-10" in html, "1.4/15 gauge: %s" %
              re.findall(r"gauge__bar--\w+ w-\d+", html)[:2])
        check("Sending IP on a blacklist" in html, "blacklist check")
        check("<code>future_check_xyz</code>" in html,
              "unknown check hidden")
        row = html[html.find("<code>XV_INVOICE_PATTERN</code>"):]
        row = row[:row.find("</tr>")]
        check("No description yet" in row, "unknown test: %r" % row)
        check("garden-supplies.example.com" in html, "sender domain")
        check("boulangerie" not in html.lower(),
              "the other account's report leaks")

    def t_tokens(self):
        e = self.e
        fr, en = self.ids["fr"], self.ids["en"]
        tok_fr = link_token(self.links["fr"])
        tok_en = link_token(self.links["en"])
        secret = e.sql("SELECT value FROM settings WHERE key = "
                       "'reports.link_secret'")[0][0]
        now = int(time.time())
        # Our own minting agrees with the server's.
        check(mint(secret, fr, int(tok_fr.split(".")[1])) == tok_fr,
              "token format differs from the documented one")
        cases = [
            ("no token", "/r/%d" % fr, 403),
            ("token of another report", "/r/%d?t=%s" % (fr, tok_en), 403),
            ("its own token on another path", "/r/%d?t=%s" % (en, tok_fr),
             403),
            ("expired", "/r/%d?t=%s" % (fr, mint(secret, fr, now - 60)), 410),
            ("expiry pushed by hand",
             "/r/%d?t=%s.%d" % (fr, tok_fr.split(".")[0], now + 10 ** 7),
             403),
            ("garbage", "/r/%d?t=abc.123" % fr, 403),
            ("valid MAC for a report that does not exist",
             "/r/%d?t=%s" % (en + 1000, mint(secret, en + 1000, now + 600)),
             303),
        ]
        for name, path, want in cases:
            st, hd, data = e.http("GET", path)
            check(st == want, "%s: %d, want %d" % (name, st, want))
            if want in (403, 410):
                check(b"text/html" in hd["Content-Type"].encode(),
                      "%s: not a page" % name)
                check(b"Notre filtre" not in data and
                      b"boulangerie" not in data.lower(),
                      "%s: the report leaks" % name)
        st, _, data = e.http("GET", "/r/%d?t=%s&lang=en" % (
            fr, mint(secret, fr, now - 60)))
        check(b"expired" in data, "410 page does not say expired")
        # A cookie of report A sent to report B's path.
        st, _, data = e.http("GET", "/r/%d" % en,
                             headers={"Cookie": "rpt=" + tok_fr})
        check(st == 403 and b"garden" not in data, "cookie of A opens B")
        # An expired cookie.
        st, _, _ = e.http("GET", "/r/%d" % fr, headers={
            "Cookie": "rpt=" + mint(secret, fr, now - 1)})
        check(st == 410, "expired cookie: %d" % st)
        # The missing report behind a valid token: 404, not a crash.
        b = Browser(e.port)
        st, _, _ = b.get("/r/%d?t=%s" % (en + 1000,
                                         mint(secret, en + 1000, now + 600)))
        check(st == 404, "purged report: %d" % st)

    def t_review(self):
        e, b, fr = self.e, self.browser_fr, self.ids["fr"]
        # Without the CSRF field: refused, nothing recorded.
        st, _, html = b.post("/r/%d/review?lang=en" % fr,
                             {"reason": "fixed", "note": "PTR set"})
        check(st == 403, "no CSRF: %d" % st)
        check(e.sql("SELECT review_at FROM filter_reports WHERE id = ?",
                    (fr,))[0][0] is None, "recorded without CSRF")
        # A wrong token.
        st, _, _ = b.post("/r/%d/review" % fr, {
            "reason": "fixed", "csrf": "0" * 64})
        check(st == 403, "wrong CSRF: %d" % st)
        # Without the session cookie of the report (another browser).
        other = Browser(e.port)
        st, _, html = other.get("/")
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
        st, _, _ = other.post("/r/%d/review" % fr, {
            "reason": "fixed", "csrf": m.group(1) if m else ""})
        check(st == 403, "review without the link: %d" % st)
        st, _, html = b.get("/r/%d?lang=en" % fr)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
        check(m, "no csrf field")
        st, _, html = b.post("/r/%d/review?lang=en" % fr, {
            "reason": "maybe", "csrf": m.group(1)})
        check(st == 422, "bad reason: %d" % st)
        st, url, html = b.post("/r/%d/review?lang=en" % fr, {
            "reason": "fixed", "note": "PTR record added for 203.0.113.45",
            "csrf": m.group(1)})
        check(st == 200 and "review=sent" in url, "review: %d %s" % (st, url))
        check("Your request was sent" in html, "no confirmation")
        check("PTR record added" in html, "note not shown")
        row = e.sql("SELECT review_reason, review_note FROM filter_reports "
                    "WHERE id = ?", (fr,))[0]
        check(row == ("fixed", "PTR record added for 203.0.113.45"),
              "stored %r" % (row,))
        n = e.sql("SELECT count(*) FROM audit_events WHERE action = "
                  "'report.review_requested' AND actor_kind = 'customer'")
        check(n[0][0] == 1, "audit rows %r" % n)
        check(e.sql("SELECT count(*) FROM outbox WHERE event_type = "
                    "'report.review_requested'")[0][0] == 1,
              "no outbox row for the review")
        st, _, html = b.post("/r/%d/review?lang=en" % fr, {
            "reason": "false_positive", "csrf": m.group(1)})
        check(st == 409, "second review: %d" % st)

    def t_false_positive(self):
        e, en = self.e, self.ids["en"]
        st, _, _ = e.http("POST", "/api/v1/filter-reports/%d/false-positive"
                          % en, {"note": "x"}, key=self.reader)
        check(st == 403, "reports:read marking: %d" % st)
        r = e.api("POST", "/api/v1/filter-reports/%d/false-positive" % en,
                  {"note": "Invoice run of a known customer"},
                  key=self.staff)
        check(r["false_positive"]["by"] == "staff-tool", "fp %r" % r)
        rows = e.sql("SELECT event_id, payload FROM outbox WHERE "
                     "event_type = 'report.false_positive'")
        check(len(rows) == 1, "outbox rows: %r" % rows)
        data = json.loads(rows[0][1])["data"]
        check(data["report"]["id"] == en and
              data["report"]["message_id"] == EN_REPORT["message_id"],
              "payload %r" % data)
        check("recipients" not in data["report"], "recipients sent out")
        # The webhook reaches the filter, signed.
        got = self.hooks.wait(lambda h, b: h.get("webhook-id") ==
                              rows[0][0])
        check(got is not None, "webhook not delivered; log:\n" + e.tail())
        h, body = got
        key = base64.b64decode(self.hook_secret[len("whsec_"):])
        want = base64.b64encode(hmac.new(key, ("%s.%s." % (
            h["webhook-id"], h["webhook-timestamp"])).encode() + body,
            hashlib.sha256).digest()).decode()
        check(h["webhook-signature"] == "v1," + want, "bad signature")
        check(json.loads(body)["type"] == "report.false_positive", "type")
        st, _, _ = e.http("POST", "/api/v1/filter-reports/%d/false-positive"
                          % en, key=self.staff)
        check(st == 409, "second mark: %d" % st)
        st, _, _ = e.http("POST", "/api/v1/filter-reports/99999/"
                          "false-positive", key=self.staff)
        check(st == 404, "unknown report: %d" % st)
        # The customer's page says so.
        b = Browser(e.port)
        st, _, html = b.get(self.links["en"])
        check("confirmed it was a false positive" in html, "no FP notice")

    def t_bound_key(self):
        """A key bound to H-7002 sees and posts only H-7002's reports."""
        e = self.e
        r = e.run("admin", "create-key", "garden-only", "--scopes",
                  "reports:read,reports:write", "--account", "H-7002")
        check(r.returncode == 0, "create-key --account: %s" % r.stderr)
        k = r.stdout.decode().strip().splitlines()[0]
        r = e.run("admin", "create-key", "nobody", "--scopes",
                  "reports:read", "--account", "H-404")
        check(r.returncode != 0 and not r.stdout.strip(),
              "a key for an unknown account was made")
        lst = e.api("GET", "/api/v1/filter-reports", key=k)
        ids = [x["id"] for x in lst["items"]]
        check(self.ids["en"] in ids and self.ids["fr"] not in ids,
              "bound list: %r" % ids)
        check(all(x["account"]["ext_id"] == "H-7002"
                  for x in lst["items"]), "another account listed")
        st, _, _ = e.http("GET", "/api/v1/filter-reports?account=H-7001",
                          key=k)
        check(st == 404, "bound key, other account's list: %d" % st)
        st, _, _ = e.http("GET", "/api/v1/filter-reports/%d" %
                          self.ids["fr"], key=k)
        check(st == 404, "bound key reads another account's: %d" % st)
        st, _, _ = e.http("GET", "/api/v1/filter-reports/%d" %
                          self.ids["en"], key=k)
        check(st == 200, "bound key reads its own: %d" % st)
        before = e.sql("SELECT count(*) FROM filter_reports")[0][0]
        st, _, _ = e.http("POST", "/api/v1/filter-reports", FR_REPORT,
                          key=k)
        check(st == 403, "bound key posts for another account: %d" % st)
        st, _, _ = e.http("POST", "/api/v1/filter-reports/%d/"
                          "false-positive" % self.ids["fr"], key=k)
        check(st == 404, "bound key marks another account's: %d" % st)
        after = e.sql("SELECT count(*) FROM filter_reports")[0][0]
        check(after == before, "a refused report was stored")
        st, _, _ = e.http("GET", "/api/v1/filter-reports/trends", key=k)
        check(st == 403, "bound key reads trends: %d" % st)
        # An unbound key still sees both.
        lst = e.api("GET", "/api/v1/filter-reports", key=self.reader)
        ids = [x["id"] for x in lst["items"]]
        check(self.ids["en"] in ids and self.ids["fr"] in ids,
              "unbound list: %r" % ids)

    def t_staff_api(self):
        e = self.e
        lst = e.api("GET", "/api/v1/filter-reports?account=H-7002",
                    key=self.reader)
        check([x["id"] for x in lst["items"]] == [self.ids["en"]],
              "account filter: %r" % lst)
        check(lst["items"][0]["account"]["ext_id"] == "H-7002", "ext id")
        lst = e.api("GET", "/api/v1/filter-reports?limit=1", key=self.reader)
        check(len(lst["items"]) == 1 and lst["next_cursor"], "paging %r" %
              lst)
        st, _, _ = e.http("GET", "/api/v1/filter-reports?account=H-404",
                          key=self.reader)
        check(st == 404, "unknown account: %d" % st)
        st, _, _ = e.http("GET", "/api/v1/filter-reports?limit=0",
                          key=self.reader)
        check(st == 400, "limit 0: %d" % st)
        st, hd, data = e.http("GET", "/api/v1/filter-reports/%d" %
                              self.ids["fr"], key=self.reader,
                              headers={"Accept-Language": "en"})
        check(st == 200, "get: %d" % st)
        r = json.loads(data)
        names = [t["name"] for t in r["tests"]]
        check(names[0] == "BAYES_99" and names[-1] == "DKIM_VALID",
              "order %r" % names)
        unk = [t for t in r["tests"] if t["name"] == "XV_LOCAL_BULK_PHRASE"]
        check(unk and unk[0]["explanation"] is None, "unknown %r" % unk)
        check(r["review"]["reason"] == "fixed", "review %r" % r["review"])
        check(len(r["recipients"]) == 3, "recipients")
        check(r["checks"][0]["title"] == "No reverse DNS", "check title")
        st, _, _ = e.http("GET", "/api/v1/filter-reports/0", key=self.reader)
        check(st == 404, "id 0: %d" % st)

    def t_trends(self):
        e = self.e
        for i in range(3):
            rep = dict(FR_REPORT, message_id="<trend-%d@dupont.fr>" % i)
            e.api("POST", "/api/v1/filter-reports", rep, key=self.filter,
                  want=201)
        t = e.api("GET", "/api/v1/filter-reports/trends?days=7&limit=5",
                  key=self.reader)
        check(t["reports"] == 5 and t["accounts"] == 2, "totals %r" % t)
        top = t["top_tests"][0]
        check(top["name"] == "BAYES_99" and top["reports"] == 4,
              "top test %r" % top)
        check(all(x["name"] not in ("DKIM_VALID", "SPF_PASS")
                  for x in t["top_tests"]), "negative tests counted")
        acc = t["top_accounts"][0]
        check(acc["account"] == "H-7001" and acc["reports"] == 4 and
              acc["name"] == "Boulangerie Dupont", "top account %r" % acc)
        check(t["top_checks"][0]["id"] == "no_rdns", "checks %r" %
              t["top_checks"])
        st, _, _ = e.http("GET", "/api/v1/filter-reports/trends?days=0",
                          key=self.reader)
        check(st == 400, "days=0: %d" % st)

    def t_staff_pages(self):
        e, fr = self.e, self.ids["fr"]
        r = e.run("admin", "create-staff", "agent@provider.example",
                  "--role", "agent", stdin=b"correct horse battery\n")
        check(r.returncode == 0, "create-staff: %s" % r.stderr)
        b = Browser(e.port, lang="en")
        st, url, html = b.get("/staff/reports")
        check(st == 200 and "/staff/login" in url and
              "next=/staff/reports" in url, "no sign-in redirect: %s" % url)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
        st, url, html = b.post("/staff/login", {
            "email": "agent@provider.example",
            "password": "correct horse battery", "next": "/staff/reports",
            "csrf": m.group(1) if m else ""})
        check(st == 200 and url.endswith("/staff/reports"),
              "sign-in: %d %s" % (st, url))
        check("Tests that block most" in html and "BAYES_99" in html,
              "no trends")
        check("H-7001" in html and 'href="/staff/reports/%d"' % fr in html,
              "no report list")
        st, _, html = b.get("/staff/reports?account=H-7002")
        check(st == 200 and 'href="/staff/reports/%d"' % fr not in html,
              "account filter")
        st, _, html = b.get("/staff/reports?account=H-404")
        check(st == 404, "unknown account: %d" % st)
        st, _, html = b.get("/staff/reports/%d" % fr)
        check(st == 200 and "PTR record added" in html,
              "report page: %d" % st)
        check("Mark as a false positive" in html, "no mark form")
        link = re.search(r"<code>http://help\.example\.net(/r/%d\?t&#61;"
                         r"[^<]+)</code>" % fr, html)
        check(link, "no customer link")
        st, _, _ = b.post("/staff/reports/%d/false-positive" % fr,
                          {"note": "no csrf"})
        check(st == 403, "mark without CSRF: %d" % st)
        check(e.sql("SELECT fp_at FROM filter_reports WHERE id = ?",
                    (fr,))[0][0] is None, "marked without CSRF")
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
        st, url, html = b.post("/staff/reports/%d/false-positive?lang=en" %
                               fr, {"note": "Seasonal newsletter",
                                    "csrf": m.group(1)})
        check(st == 200 and "done=1" in url, "mark: %d %s" % (st, url))
        check("Marked as a false positive" in html, "no notice")
        row = e.sql("SELECT fp_by, fp_note FROM filter_reports WHERE id = ?",
                    (fr,))[0]
        check(row == ("agent@provider.example", "Seasonal newsletter"),
              "stored %r" % (row,))
        n = e.sql("SELECT count(*) FROM audit_events WHERE action = "
                  "'report.false_positive' AND actor_kind = 'staff'")[0][0]
        check(n == 1, "staff audit rows: %d" % n)
        got = self.hooks.wait(lambda h, body: b'"id":%d' % fr in body and
                              b"report.false_positive" in body)
        check(got is not None, "staff mark not delivered to the filter")

    def t_block_link(self):
        e = self.e
        b = e.api("POST", "/api/v1/blocks", {
            "account": "H-7001", "target_kind": "mailbox",
            "target": "commandes@boulangerie-dupont.fr", "cause": "spam"},
            key=self.admin, want=201)
        st, _, html = self.browser_fr.get("/r/%d?lang=en" % self.ids["fr"])
        m = re.search(r'href="(/unblock/%d\?t&#61;[A-Za-z0-9_-]+)"' %
                      b["id"], html)
        check(m, "no link to the block")
        # Four reports of this account in 30 days (the trend ones too).
        check(re.search(r"This is message <strong>4</strong> of your "
                        r"account stopped by our filter in the last 30",
                        html), "no repeat warning")
        # The link opens the block page for the customer.
        cust = Browser(e.port)
        st, _, page = cust.get(m.group(1).replace("&#61;", "="))
        check(st == 200 and "commandes@boulangerie-dupont.fr" in page,
              "block link: %d" % st)
        # Then the account's reports, each with a signed link; nobody
        # else sees them.
        st, _, page = cust.get("/unblock/reports?lang=en")
        check(st == 200 and "galettes" in page, "account reports: %d" % st)
        m2 = re.search(r'href="(/r/%d\?t&#61;[^"]+)"' % self.ids["fr"], page)
        check(m2, "no signed link to the report in the account's list")
        st, _, rp = Browser(e.port).get(m2.group(1).replace("&#61;", "="))
        check(st == 200 and "gauge" in rp, "report from the list: %d" % st)
        check(str(self.ids["en"]) not in re.findall(r'/r/(\d+)', page),
              "another account's report in the list")
        st, _, _ = Browser(e.port).get("/unblock/reports")
        check(st == 403, "reports without the account cookie: %d" % st)
        # The English account has no block: no link there.
        st, _, html = Browser(e.port).get(self.links["en"])
        check("/unblock/" not in html.split("<main")[1].split("</main>")[0],
              "a block link on the other account's report")

    def t_retention(self):
        e = self.e
        old = self.ids["en"]
        e.sql("UPDATE filter_reports SET created_at = created_at - 91 * "
              "86400 WHERE id = ?", (old,))
        r = e.api("POST", "/api/v1/filter-reports", FR_REPORT,
                  key=self.filter, want=201)
        check(r["purged"] == 1, "purged %r" % r["purged"])
        st, _, _ = e.http("GET", "/api/v1/filter-reports/%d" % old,
                          key=self.reader)
        check(st == 404, "purged report still read: %d" % st)
        check(e.sql("SELECT count(*) FROM filter_report_tests WHERE "
                    "report_id = ?", (old,))[0][0] == 0, "tests kept")
        st, _, html = Browser(e.port).get(self.links["en"])
        check(st == 404, "link of a purged report: %d" % st)


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        t0 = time.time()
        try:
            fn()
        except Fail as ex:
            self.failed += 1
            print("FAIL %s: %s" % (name, ex))
            return
        except Exception as ex:
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(ex).__name__, ex))
            traceback.print_exc(limit=3)
            return
        self.passed += 1
        print("ok   %s (%.2fs)" % (name, time.time() - t0))


def main():
    if len(sys.argv) != 2:
        print("usage: test_reports.py BINARY", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="bouncedesk-reports-")
    runner = Runner()
    hooks = Hooks()
    recv = start_receiver(hooks)
    e = Env(binary, tmp)
    t0 = time.time()
    try:
        e.prepare()
        s = Suite(e, hooks, recv.server_address[1])
        s.setup()
        for name in ("auth", "post_fr", "post_en", "validation", "page_fr",
                     "page_en", "tokens", "review", "false_positive",
                     "bound_key", "staff_api", "trends", "staff_pages", "block_link",
                     "retention"):
            runner.run(name.replace("_", " "), getattr(s, "t_" + name))
    except Fail as ex:
        runner.failed += 1
        print("FAIL set-up: %s" % ex)
    finally:
        e.stop()
        recv.shutdown()
        if runner.failed:
            print("--- serve log ---\n" + e.tail())
        shutil.rmtree(tmp, ignore_errors=True)
    print("(%.1fs)" % (time.time() - t0))
    print("reports: %d passed, %d failed" % (runner.passed, runner.failed))
    return 1 if runner.failed or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
