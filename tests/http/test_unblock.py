#!/usr/bin/env python3
"""tests/http/test_unblock.py BINARY - the life of a block through the API.

Starts the real `serve` on a fresh seeded database with API keys made by
`bouncedesk admin create-key`, and a webhook receiver on loopback (an
http.server thread) registered through POST /api/v1/webhooks. Drives a
block from its creation by the platform to its lifting, checks every event
arrives once with a valid Standard Webhooks signature, the escalation to a
permanent block, the scope x endpoint matrix, and a SIGKILL in the middle of
writes and slow deliveries. The last line is "unblock: N passed, M failed".
"""

import base64
import email
import email.policy
import hashlib
import hmac
import http.cookiejar
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import shutil
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import run as h  # noqa: E402  (the shared helpers of the HTTP suite)

ROOT = h.ROOT
check = h.check
Fail = h.Fail

SCOPES = ["accounts:read", "accounts:write", "blocks:read", "blocks:write",
          "blocks:admin", "requests:read", "requests:write",
          "requests:decide", "audit:read", "webhooks:admin", "keys:admin",
          "reports:read", "reports:write", "faq:write"]


# --- webhook receiver ---------------------------------------------------------

class Receiver:
    """Records every POST it gets: (webhook-id, timestamp, signature,
    body). delay: seconds to sleep before answering each one."""

    def __init__(self, delay=0.0):
        self.got = []
        self.lock = threading.Lock()
        self.delay = delay
        rcv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                entry = (self.headers.get("webhook-id"),
                         self.headers.get("webhook-timestamp"),
                         self.headers.get("webhook-signature"), body)
                with rcv.lock:
                    rcv.got.append(entry)
                if rcv.delay:
                    time.sleep(rcv.delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port

    def entries(self):
        with self.lock:
            return list(self.got)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class SmtpSink:
    """A few commands of SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
    QUIT) on loopback; keeps (mail_from, [rcpt], message bytes) of each
    accepted message. refuse: how many DATA to answer 451 first."""

    def __init__(self, refuse=0):
        self.got = []
        self.refused = 0
        self.refuse = refuse
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 sink.test ESMTP")
                frm, rcpt = None, []
                while True:
                    line = self.rfile.readline(4096)
                    if not line:
                        return
                    cmd = line.decode("ascii", "replace").strip()
                    verb = cmd[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 sink.test")
                    elif verb == "MAIL":
                        frm, rcpt = cmd[10:].strip(), []
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        rcpt.append(cmd[8:].strip())
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        data = []
                        while True:
                            l = self.rfile.readline(8192)
                            if not l or l == b".\r\n":
                                break
                            if l.startswith(b".."):
                                l = l[1:]
                            data.append(l)
                        with sink.lock:
                            if sink.refused < sink.refuse:
                                sink.refused += 1
                                self.reply("451 try again later")
                                continue
                            sink.got.append((frm, rcpt, b"".join(data)))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 ok")
                    else:
                        self.reply("502 not here")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def messages(self):
        with self.lock:
            return [(f, r, email.message_from_bytes(
                m, policy=email.policy.default)) for f, r, m in self.got]

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def verify(secret, entry):
    """Standard Webhooks: v1,base64(HMAC-SHA256(key, id.ts.body)) with key
    the base64 part of whsec_..."""
    wid, ts, sig, body = entry
    check(wid and ts and sig, "missing webhook headers: %r" % (entry[:3],))
    check(secret.startswith("whsec_"), "secret %r" % secret)
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, wid.encode() + b"." + ts.encode() + b"." + body,
                   hashlib.sha256).digest()
    want = "v1," + base64.b64encode(mac).decode()
    check(any(hmac.compare_digest(s, want) for s in sig.split(" ")),
          "bad signature for %s: %r, want %r" % (wid, sig, want))
    check(abs(int(ts) - time.time()) < 600, "timestamp %s too far" % ts)


# --- API helpers --------------------------------------------------------------

class Api:
    def __init__(self, port):
        self.t = h.Target("mhd", port)

    def call(self, method, path, key=None, body=None, headers=None):
        hd = dict(headers or {})
        if key is not None:
            hd["Authorization"] = "Bearer " + key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hd["Content-Type"] = "application/json"
        st, rh, raw = self.t.get(path, method, data, hd)
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return st, rh, doc

    def ok(self, method, path, key, body=None, want=200, headers=None):
        st, rh, doc = self.call(method, path, key, body, headers)
        check(st == want, "%s %s: %d, want %d: %r" % (method, path, st, want,
                                                       doc))
        return doc


def create_key(binary, db, name, scopes, account=None):
    env = h.base_env(db)
    more = ["--account", account] if account is not None else []
    r = subprocess.run([binary, "admin", "create-key", name, "--scopes",
                        ",".join(scopes)] + more, env=env, cwd=ROOT,
                       capture_output=True, timeout=30)
    if r.returncode != 0:
        raise Fail("create-key %s: %s" % (name, r.stderr.decode()))
    key = r.stdout.decode().strip()
    check(key.startswith("bd_live_"), "key %r" % key)
    return key


def outbox(db, endpoint):
    c = sqlite3.connect(db, timeout=10)
    try:
        return c.execute("SELECT event_id, event_type, delivered_at FROM "
                         "outbox WHERE endpoint_id = ? ORDER BY id",
                         (endpoint,)).fetchall()
    finally:
        c.close()


def wait_delivered(db, endpoint, timeout):
    """Waits until every outbox row of the endpoint is delivered; returns
    the rows."""
    end = time.time() + timeout
    while True:
        rows = outbox(db, endpoint)
        if rows and all(r[2] is not None for r in rows):
            return rows
        if time.time() > end:
            left = [r for r in rows if r[2] is None]
            raise Fail("%d of %d outbox rows undelivered after %.0fs" %
                       (len(left), len(rows), timeout))
        time.sleep(0.2)


_n = [0]


def new_account(api, key, lang="en"):
    _n[0] += 1
    ext = "acct-%d-%d" % (os.getpid(), _n[0])
    doc = api.ok("POST", "/api/v1/accounts", key, {
        "ext_id": ext, "name": "Customer %d" % _n[0],
        "contact_email": "owner%d@example.org" % _n[0], "lang": lang,
        "domains": ["site%d-%d.example.org" % (os.getpid(), _n[0])],
        "mailboxes": ["box%d-%d@example.org" % (os.getpid(), _n[0])]},
        want=201)
    check(doc["ext_id"] == ext, "ext_id %r" % doc.get("ext_id"))
    return doc


def new_block(api, key, ext, cause="spam"):
    return api.ok("POST", "/api/v1/blocks", key, {
        "account": ext, "target_kind": "website",
        "target": "www.example.org", "cause": cause,
        "figures": {"messages_per_hour": 4200}}, want=201)


def answers_for(items):
    out = {}
    for it in items:
        if it["needs_details"]:
            out[it["item"]] = {"confirmed": True,
                               "details": "done for " + it["item"]}
        else:
            out[it["item"]] = True
    return out


# --- cases --------------------------------------------------------------------

def t_lifecycle(ctx):
    api, k, rcv, db = ctx["api"], ctx["keys"], ctx["rcv"], ctx["db"]
    acc = new_account(api, k["platform"])
    ctx["life_account"] = acc
    blk = new_block(api, k["platform"], acc["ext_id"])
    check(blk["state"] == "active" and blk["escalated"] is False,
          "new block: %r" % blk)
    check("/unblock/%d?t=" % blk["id"] in blk.get("unblock_url", ""),
          "no customer link: %r" % blk.get("unblock_url"))
    # The customer reads the checklist and files the request.
    b = api.ok("GET", "/api/v1/blocks/%d" % blk["id"], k["customer"])
    items = b["checklist"]["remediation"]
    check(len(items) >= 3, "checklist too short: %r" % items)
    # A missing required item is refused with the reason.
    partial = answers_for(items[1:])
    st, _, doc = api.call("POST", "/api/v1/blocks/%d/requests" % blk["id"],
                          k["customer"], {"self_sent": False,
                                          "answers": partial})
    check(st == 422 and doc.get("detail"), "partial checklist: %d %r" %
          (st, doc))
    r = api.ok("POST", "/api/v1/blocks/%d/requests" % blk["id"],
               k["customer"], {"self_sent": False,
                               "answers": answers_for(items),
                               "message": "we removed the form"}, want=201)
    check(r["state"] == "submitted", "filed: %r" % r)
    rid = r["id"]
    # A second open request for the same block is a conflict.
    st, _, _ = api.call("POST", "/api/v1/blocks/%d/requests" % blk["id"],
                        k["customer"], {"self_sent": False,
                                        "answers": answers_for(items)})
    check(st == 409, "second open request: %d" % st)
    # Staff ask for information; the customer answers; staff approve.
    r = api.ok("POST", "/api/v1/requests/%d/decision" % rid, k["staff"],
               {"decision": "info", "comment": "which form was it?"})
    check(r["state"] == "info_requested", "info: %r" % r)
    st, _, _ = api.call("POST", "/api/v1/requests/%d/decision" % rid,
                        k["staff"], {"decision": "info"})
    check(st == 409 or st == 422, "info twice / no comment: %d" % st)
    r = api.ok("POST", "/api/v1/requests/%d/answer" % rid, k["customer"],
               {"message": "the contact form on /contact.php"})
    check(r["state"] == "submitted", "answered: %r" % r)
    r = api.ok("POST", "/api/v1/requests/%d/decision" % rid, k["staff"],
               {"decision": "approve", "comment": "thanks"})
    check(r["state"] == "approved", "approved: %r" % r)
    b = api.ok("GET", "/api/v1/blocks/%d" % blk["id"], k["customer"])
    check(b["state"] == "lifted", "block after approval: %r" % b["state"])
    # Approving again is an illegal transition.
    st, _, _ = api.call("POST", "/api/v1/requests/%d/decision" % rid,
                        k["staff"], {"decision": "approve"})
    check(st == 409, "approve twice: %d" % st)
    # The audit trail has every step, with who and from where.
    g = api.ok("GET", "/api/v1/requests/%d" % rid, k["staff"])
    acts = [e["action"] for e in g["audit"]]
    for a in ("request.submitted", "request.info_requested",
              "request.answered", "request.approved"):
        check(a in acts, "audit lacks %s: %r" % (a, acts))
    for e in g["audit"]:
        check(e["actor"]["kind"] == "api" and e["actor"]["name"] in
              ("portal", "ticketing") and e["actor"]["address"] ==
              "127.0.0.1" and e["at"], "audit event %r" % e)
    # Every event reached the receiver, signed, each id once.
    rows = wait_delivered(db, ctx["endpoint"], 30)
    types = [r[1] for r in rows]
    for a in ("account.created", "block.created", "request.submitted",
              "request.info_requested", "request.answered",
              "request.approved", "block.lifted"):
        check(a in types, "outbox lacks %s: %r" % (a, types))
    got = rcv.entries()
    ids = [e[0] for e in got]
    check(len(ids) == len(set(ids)), "an id was delivered twice: %r" %
          sorted(i for i in ids if ids.count(i) > 1))
    check(set(ids) == set(r[0] for r in rows),
          "received ids differ from the outbox: %d vs %d" %
          (len(set(ids)), len(rows)))
    for e in got:
        verify(ctx["secret"], e)
        ev = json.loads(e[3])
        check(ev["type"] in types and "data" in ev and "timestamp" in ev,
              "envelope %r" % ev)
    # The payload of the approval names this request and its block.
    appr = [json.loads(e[3]) for e in got
            if json.loads(e[3])["type"] == "request.approved"]
    check(any(a["data"]["request"]["id"] == rid for a in appr),
          "approval event of request %d not received" % rid)
    # A tampered body fails the check (the verifier itself can fail).
    try:
        verify(ctx["secret"], (got[0][0], got[0][1], got[0][2],
                               got[0][3] + b" "))
    except Fail:
        pass
    else:
        raise Fail("verify() accepted a tampered body")


def t_escalation(ctx):
    api, k = ctx["api"], ctx["keys"]
    acc = new_account(api, k["platform"], "fr")
    ctx["esc_account"] = acc
    b1 = new_block(api, k["platform"], acc["ext_id"])
    api.ok("POST", "/api/v1/blocks/%d/state" % b1["id"], k["admin"],
           {"state": "lifted", "comment": "first time"})
    b2 = new_block(api, k["platform"], acc["ext_id"], "quota")
    check(b2["state"] == "active" and b2["repeat_count"] == 2,
          "second block: %r" % b2)
    api.ok("POST", "/api/v1/blocks/%d/state" % b2["id"], k["admin"],
           {"state": "lifted"})
    b3 = new_block(api, k["platform"], acc["ext_id"])
    check(b3["state"] == "permanent" and b3["escalated"] is True and
          b3["repeat_count"] == 3, "third block not permanent: %r" % b3)
    items = api.ok("GET", "/api/v1/blocks/%d" % b3["id"],
                   k["customer"])["checklist"]["remediation"]
    r = api.ok("POST", "/api/v1/blocks/%d/requests" % b3["id"],
               k["customer"], {"self_sent": False,
                               "answers": answers_for(items)}, want=201)
    check(r["permanent_block"] is True and r["warning"] == "repeat" and
          r["blocks_in_window"] == 3, "filing warning: %r" % r)
    # Staff without admin rights cannot lift it, by approval or directly.
    st, _, doc = api.call("POST", "/api/v1/requests/%d/decision" % r["id"],
                          k["staff"], {"decision": "approve"})
    check(st == 403, "non-admin approval of a permanent block: %d %r" %
          (st, doc))
    st, _, _ = api.call("POST", "/api/v1/blocks/%d/state" % b3["id"],
                        k["staff"], {"state": "lifted"})
    check(st == 403, "non-admin lift: %d" % st)
    b = api.ok("GET", "/api/v1/blocks/%d" % b3["id"], k["customer"])
    check(b["state"] == "permanent", "block moved: %r" % b["state"])
    # An admin key may.
    r2 = api.ok("POST", "/api/v1/requests/%d/decision" % r["id"],
                k["admin"], {"decision": "approve", "comment": "last time"})
    check(r2["state"] == "approved", "admin approval: %r" % r2)
    b = api.ok("GET", "/api/v1/blocks/%d" % b3["id"], k["customer"])
    check(b["state"] == "lifted", "after admin approval: %r" % b["state"])


CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
STAFF_PW = {"agent": "agent-pass-Qw83n", "admin": "admin-pass-Zt61v"}


class Browser:
    """A cookie jar; follows no redirect, so each answer can be checked."""

    def __init__(self, port):
        self.port = port
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        self.op = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def go(self, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" %
                                     (self.port, path), data=data)
        req.add_header("Accept-Language", "en")
        try:
            r = self.op.open(req, timeout=20)
            return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def csrf(self, html):
        m = CSRF_RE.search(html)
        check(m, "no CSRF field on the page")
        return m.group(1)

    def login(self, email, pw):
        st, _, html = self.go("/staff/login")
        st, hd, html = self.go("/staff/login", {
            "email": email, "password": pw, "next": "/staff",
            "csrf": self.csrf(html)})
        check(st in (302, 303) and hd.get("Location", "").endswith("/staff"),
              "sign-in as %s: %d %r" % (email, st, hd.get("Location")))


def t_staff_permanent(ctx):
    """Through the staff pages: an agent can neither approve the request
    of a permanent block nor lift it; an admin can."""
    api, k = ctx["api"], ctx["keys"]
    acc = new_account(api, k["platform"])
    for i in range(2):
        b = new_block(api, k["platform"], acc["ext_id"])
        api.ok("POST", "/api/v1/blocks/%d/state" % b["id"], k["admin"],
               {"state": "lifted"})
    b3 = new_block(api, k["platform"], acc["ext_id"])
    check(b3["state"] == "permanent", "third block %r" % b3["state"])
    items = api.ok("GET", "/api/v1/blocks/%d" % b3["id"],
                   k["customer"])["checklist"]["remediation"]
    rid = api.ok("POST", "/api/v1/blocks/%d/requests" % b3["id"],
                 k["customer"], {"self_sent": False,
                                 "answers": answers_for(items)},
                 want=201)["id"]
    agent = Browser(ctx["serve"].port)
    agent.login("agent@ub.test", STAFF_PW["agent"])
    st, _, html = agent.go("/staff/requests/%d" % rid)
    check(st == 200, "agent's request page: %d" % st)
    st, _, _ = agent.go("/staff/requests/%d" % rid, {
        "csrf": agent.csrf(html), "decision": "approve", "comment": "ok"})
    check(st == 403, "agent approval of a permanent block: %d" % st)
    st, _, html = agent.go("/staff/blocks/%d" % b3["id"])
    check(st == 200, "agent's block page: %d" % st)
    st, _, _ = agent.go("/staff/blocks/%d" % b3["id"], {
        "csrf": agent.csrf(html), "state": "lifted", "comment": "x"})
    check(st == 403, "agent lift of a permanent block: %d" % st)
    b = api.ok("GET", "/api/v1/blocks/%d" % b3["id"], k["admin"])
    check(b["state"] == "permanent", "an agent moved it: %r" % b["state"])
    admin = Browser(ctx["serve"].port)
    admin.login("admin@ub.test", STAFF_PW["admin"])
    st, _, html = admin.go("/staff/requests/%d" % rid)
    st, hd, _ = admin.go("/staff/requests/%d" % rid, {
        "csrf": admin.csrf(html), "decision": "approve",
        "comment": "last chance"})
    check(st in (302, 303) and "done=approve" in hd.get("Location", ""),
          "admin approval: %d %r" % (st, hd.get("Location")))
    b = api.ok("GET", "/api/v1/blocks/%d" % b3["id"], k["admin"])
    check(b["state"] == "lifted", "after the admin: %r" % b["state"])
    r = api.ok("GET", "/api/v1/unblock-requests/%d" % rid, k["staff"])
    ev = [e for e in r["audit"] if e["action"] == "request.approved"]
    check(ev and ev[0]["actor"]["kind"] == "staff" and
          ev[0]["actor"]["name"] == "admin@ub.test" and
          ev[0]["actor"]["address"] == "127.0.0.1", "audit %r" % ev)


def t_html_lifecycle(ctx):
    """The same life through the HTML forms: the customer follows the
    link of the block notification, files with the checklist, answers;
    an agent asks and approves on the staff pages; the receiver gets the
    request's events, signed, each id once."""
    api, k, rcv, db = ctx["api"], ctx["keys"], ctx["rcv"], ctx["db"]
    port = ctx["serve"].port
    acc = new_account(api, k["platform"])
    blk = new_block(api, k["platform"], acc["ext_id"])
    bid = blk["id"]
    link = urllib.parse.urlparse(blk["unblock_url"])
    cust = Browser(port)
    st, hd, _ = cust.go(link.path + "?" + link.query)
    check(st in (302, 303) and hd.get("Location", "").endswith(
        "/unblock/%d" % bid), "link: %d %r" % (st, hd.get("Location")))
    st, _, html = cust.go("/unblock/%d" % bid)
    check(st == 200 and 'name="sent"' in html, "block page: %d" % st)
    # "Did you send it yourself?" No: the remediation checklist.
    st, _, html = cust.go("/unblock/%d?sent=no" % bid)
    check(st == 200, "checklist page: %d" % st)
    items = api.ok("GET", "/api/v1/blocks/%d" % bid,
                   k["customer"])["checklist"]["remediation"]
    form = {"csrf": cust.csrf(html), "sent": "no",
            "message": "the form was abused"}
    for it in items:
        check('name="c_%s"' % it["item"] in html, "no %s box" % it["item"])
        form["c_" + it["item"]] = "on"
        form["d_" + it["item"]] = "done: " + it["item"]
    st, hd, _ = cust.go("/unblock/%d" % bid, form)
    m = re.search(r"/unblock/%d/requests/(\d+)\?filed=1$" % bid,
                  hd.get("Location", ""))
    check(st in (302, 303) and m, "filing: %d %r" % (st, hd.get("Location")))
    rid = int(m.group(1))
    agent = Browser(port)
    agent.login("agent@ub.test", STAFF_PW["agent"])
    st, _, html = agent.go("/staff/requests/%d" % rid)
    check(st == 200 and "the form was abused" in html,
          "staff request page: %d" % st)
    st, hd, _ = agent.go("/staff/requests/%d" % rid, {
        "csrf": agent.csrf(html), "decision": "info",
        "comment": "which page had the form?"})
    check(st in (302, 303), "ask: %d" % st)
    path = "/unblock/%d/requests/%d" % (bid, rid)
    st, _, html = cust.go(path)
    check(st == 200 and "which page had the form?" in html,
          "the question is not shown to the customer: %d" % st)
    st, hd, _ = cust.go(path + "/answer", {"csrf": cust.csrf(html),
                                           "answer": "contact.php"})
    check(st in (302, 303) and "answered=1" in hd.get("Location", ""),
          "answer: %d %r" % (st, hd.get("Location")))
    st, _, html = agent.go("/staff/requests/%d" % rid)
    st, hd, _ = agent.go("/staff/requests/%d" % rid, {
        "csrf": agent.csrf(html), "decision": "approve", "comment": "ok"})
    check(st in (302, 303), "approve: %d" % st)
    r = api.ok("GET", "/api/v1/unblock-requests/%d" % rid, k["staff"])
    check(r["state"] == "approved" and r["block"]["state"] == "lifted",
          "after the pages: %r / %r" % (r["state"], r["block"]["state"]))
    kinds = dict((e["action"], e["actor"]["kind"]) for e in r["audit"])
    check(kinds.get("request.submitted") == "customer" and
          kinds.get("request.answered") == "customer" and
          kinds.get("request.info_requested") == "staff" and
          kinds.get("request.approved") == "staff", "actors %r" % kinds)
    rows = wait_delivered(db, ctx["endpoint"], 30)
    got = rcv.entries()
    ids = [e[0] for e in got]
    check(len(ids) == len(set(ids)), "an id was delivered twice")
    check(set(ids) == set(r[0] for r in rows), "receiver and outbox differ")
    mine = set()
    for e in got:
        verify(ctx["secret"], e)
        ev = json.loads(e[3])
        req = ev["data"].get("request") or {}
        if req.get("id") == rid:
            mine.add(ev["type"])
    for a in ("request.submitted", "request.info_requested",
              "request.answered", "request.approved"):
        check(a in mine, "no %s webhook for request %d: %r" % (a, rid,
                                                               mine))


def forge_link(db, bid, exp):
    """A link token of block bid expiring at exp, signed as the server
    signs them (the secret is in the settings table)."""
    c = sqlite3.connect(db, timeout=10)
    try:
        row = c.execute("SELECT value FROM settings WHERE key = "
                        "'unblock.link_secret'").fetchone()
    finally:
        c.close()
    check(row is not None, "no link secret in the settings")
    raw = exp.to_bytes(8, "big") + os.urandom(16)
    tag = hmac.new(bytes.fromhex(row[0]), b"link:%d:" % bid + raw,
                   hashlib.sha512).digest()[:16]
    return base64.urlsafe_b64encode(raw + tag).decode().rstrip("=")


def t_links(ctx):
    """Notification links open once, expire, belong to their block; the
    cookie they leave opens the blocks of that account and no other."""
    api, k, db = ctx["api"], ctx["keys"], ctx["db"]
    port = ctx["serve"].port
    acc_a = new_account(api, k["platform"])
    acc_b = new_account(api, k["platform"])
    a1 = new_block(api, k["platform"], acc_a["ext_id"])
    a2 = new_block(api, k["platform"], acc_a["ext_id"])
    b1 = new_block(api, k["platform"], acc_b["ext_id"])
    link = urllib.parse.urlparse(a1["unblock_url"])
    tok = urllib.parse.parse_qs(link.query)["t"][0]
    # Another block's token: refused, consumes nothing.
    st, _, _ = Browser(port).go("/unblock/%d?t=%s" % (b1["id"], tok))
    check(st == 403, "another block's token: %d" % st)
    cust = Browser(port)
    st, hd, _ = cust.go(link.path + "?" + link.query)
    check(st in (302, 303) and hd.get("Location", "").endswith(
        "/unblock/%d" % a1["id"]), "first use: %d" % st)
    st, _, _ = cust.go("/unblock/%d" % a1["id"])
    check(st == 200, "block through the cookie: %d" % st)
    st, _, _ = cust.go("/unblock/%d" % a2["id"])
    check(st == 200, "same account's other block: %d" % st)
    st, _, html = cust.go("/unblock/%d" % b1["id"])
    check(st == 403 and 'id="block-target"' not in html,
          "another account's block through the cookie: %d" % st)
    # Second use, from the same browser or another: 410 with advice.
    for who in (cust, Browser(port)):
        st, _, html = who.go(link.path + "?" + link.query)
        check(st == 410 and "latest notification" in html,
              "second use: %d" % st)
    # A fresh link of the same block still works (each answer has one).
    fresh = api.ok("GET", "/api/v1/blocks/%d" % a1["id"], k["customer"])
    f = urllib.parse.urlparse(fresh["unblock_url"])
    check(f.query != link.query, "the link did not change")
    st, _, _ = Browser(port).go(f.path + "?" + f.query)
    check(st in (302, 303), "fresh link: %d" % st)
    # Expired: 410; a valid signature is needed to get that far.
    old = forge_link(db, a2["id"], int(time.time()) - 60)
    st, _, html = Browser(port).go("/unblock/%d?t=%s" % (a2["id"], old))
    check(st == 410 and "expired" in html, "expired link: %d" % st)
    live = forge_link(db, a2["id"], int(time.time()) + 600)
    st, _, _ = Browser(port).go("/unblock/%d?t=%s" % (a2["id"], live))
    check(st in (302, 303), "forged-with-secret live link: %d" % st)
    bad = live[:-2] + ("AA" if live[-2:] != "AA" else "BB")
    st, _, _ = Browser(port).go("/unblock/%d?t=%s" % (a2["id"], bad))
    check(st == 403, "tampered link: %d" % st)
    # Without any cookie: no block.
    st, _, _ = Browser(port).go("/unblock/%d" % a1["id"])
    check(st == 403, "no cookie: %d" % st)


def t_bound_key(ctx):
    """A key bound to account A sees and writes only A's accounts,
    blocks and requests; B's ids are 404, writes for B are refused."""
    api, k, db = ctx["api"], ctx["keys"], ctx["db"]
    acc_a = new_account(api, k["platform"])
    acc_b = new_account(api, k["platform"])
    ba = new_block(api, k["platform"], acc_a["ext_id"])
    bb = new_block(api, k["platform"], acc_b["ext_id"])
    items = api.ok("GET", "/api/v1/blocks/%d" % bb["id"],
                   k["customer"])["checklist"]["remediation"]
    rb = api.ok("POST", "/api/v1/blocks/%d/requests" % bb["id"],
                k["customer"], {"self_sent": False,
                                "answers": answers_for(items)}, want=201)
    kb = create_key(ctx["binary"], db, "bound-%d" % acc_a["id"],
                    ["accounts:read", "accounts:write", "blocks:read",
                     "blocks:write", "requests:read", "requests:write"],
                    account=acc_a["ext_id"])
    for path in ("/api/v1/blocks/%d" % bb["id"],
                 "/api/v1/accounts/%d" % acc_b["id"],
                 "/api/v1/requests/%d" % rb["id"],
                 "/api/v1/blocks?account=%d" % acc_b["id"]):
        st, _, _ = api.call("GET", path, kb)
        check(st == 404, "bound key GET %s: %d" % (path, st))
    api.ok("GET", "/api/v1/blocks/%d" % ba["id"], kb)
    api.ok("GET", "/api/v1/accounts/%d" % acc_a["id"], kb)
    lst = api.ok("GET", "/api/v1/blocks?limit=100", kb)["items"]
    check(lst and all(x["account_id"] == acc_a["id"] for x in lst),
          "bound block list: %r" % [x["account_id"] for x in lst])
    accs = api.ok("GET", "/api/v1/accounts", kb)["items"]
    check([x["id"] for x in accs] == [acc_a["id"]], "bound accounts %r" %
          [x["id"] for x in accs])
    reqs = api.ok("GET", "/api/v1/requests", kb)["items"]
    check(rb["id"] not in [x["id"] for x in reqs], "B's request listed")
    st, _, _ = api.call("POST", "/api/v1/blocks", kb, {
        "account": acc_b["ext_id"], "target_kind": "website",
        "target": "www.example.org", "cause": "spam"})
    check(st == 403, "bound key creates B's block: %d" % st)
    st, _, _ = api.call("POST", "/api/v1/blocks/%d/requests" % bb["id"], kb,
                        {"self_sent": False, "answers": answers_for(items)})
    check(st == 404, "bound key files on B's block: %d" % st)
    st, _, _ = api.call("POST", "/api/v1/requests/%d/withdraw" % rb["id"],
                        kb)
    check(st == 404, "bound key withdraws B's request: %d" % st)
    r = api.ok("GET", "/api/v1/requests/%d" % rb["id"], k["staff"])
    check(r["state"] == "submitted", "B's request changed: %r" % r["state"])
    st, _, _ = api.call("POST", "/api/v1/accounts", kb, {
        "ext_id": "x-%d" % acc_a["id"], "name": "x",
        "contact_email": "x@example.org"})
    check(st == 403, "bound key creates an account: %d" % st)
    # The same key bound to A may write A's.
    api.ok("POST", "/api/v1/blocks", kb, {
        "account": acc_a["ext_id"], "target_kind": "website",
        "target": "www.example.org", "cause": "spam"}, want=201)


def matrix_routes(ctx):
    """(method, path, scope, body) for every API route of issue 5."""
    blk, rid, acc = ctx["m_block"], ctx["m_req"], ctx["m_acct"]
    return [
        ("POST", "/api/v1/accounts", "accounts:write", {}),
        ("GET", "/api/v1/accounts", "accounts:read", None),
        ("GET", "/api/v1/accounts/%d" % acc, "accounts:read", None),
        ("POST", "/api/v1/blocks", "blocks:write", {}),
        ("GET", "/api/v1/blocks", "blocks:read", None),
        ("GET", "/api/v1/blocks/%d" % blk, "blocks:read", None),
        ("POST", "/api/v1/blocks/%d/state" % blk, "blocks:admin", {}),
        ("POST", "/api/v1/blocks/%d/requests" % blk, "requests:write", {}),
        ("GET", "/api/v1/requests", "requests:read", None),
        ("GET", "/api/v1/requests/%d" % rid, "requests:read", None),
        ("POST", "/api/v1/requests/%d/decision" % rid, "requests:decide",
         {}),
        ("POST", "/api/v1/requests/%d/answer" % rid, "requests:write", {}),
        ("POST", "/api/v1/requests/%d/withdraw" % ctx["m_closed"],
         "requests:write", {"comment": "x"}),
        ("GET", "/api/v1/unblock-requests", "requests:read", None),
        ("GET", "/api/v1/unblock-requests/%d" % rid, "requests:read", None),
        ("POST", "/api/v1/unblock-requests/%d/decision" % rid,
         "requests:decide", {}),
        ("POST", "/api/v1/unblock-requests/%d/answer" % rid,
         "requests:write", {}),
        ("POST", "/api/v1/unblock-requests/%d/withdraw" % ctx["m_closed"],
         "requests:write", {"comment": "x"}),
        ("GET", "/api/v1/audit", "audit:read", None),
        ("POST", "/api/v1/keys", "keys:admin", {}),
        ("GET", "/api/v1/keys", "keys:admin", None),
        ("POST", "/api/v1/webhooks", "webhooks:admin", {}),
        ("GET", "/api/v1/webhooks", "webhooks:admin", None),
    ]


def t_matrix(ctx):
    """Each single-scope key, no key and a bad key against each route:
    401 without a valid key, 403 without the scope, and with it a GET is
    200 and a POST (with an empty or unusable body, so nothing changes)
    gets past authorisation: 2xx or a 4xx about the request itself."""
    api, k = ctx["api"], ctx["keys"]
    acc = new_account(api, k["platform"])
    blk = new_block(api, k["platform"], acc["ext_id"])
    ctx["m_acct"], ctx["m_block"] = acc["id"], blk["id"]
    items = api.ok("GET", "/api/v1/blocks/%d" % blk["id"],
                   k["customer"])["checklist"]["remediation"]
    ctx["m_req"] = api.ok("POST", "/api/v1/blocks/%d/requests" % blk["id"],
                          k["customer"], {"self_sent": False,
                                          "answers": answers_for(items)},
                          want=201)["id"]
    # A withdrawn request for the withdraw route: with the scope it is a
    # conflict (409), so the matrix changes nothing.
    blk2 = new_block(api, k["platform"], acc["ext_id"], "quota")
    closed = api.ok("POST", "/api/v1/blocks/%d/requests" % blk2["id"],
                    k["customer"], {"self_sent": True, "answers": {
                        "sending_changed": {"confirmed": True,
                                            "details": "moved"}}},
                    want=201)["id"]
    api.ok("POST", "/api/v1/requests/%d/withdraw" % closed, k["customer"])
    ctx["m_closed"] = closed
    bad = "bd_live_" + "A" * 43
    n = 0
    errs = []
    for method, path, scope, body in matrix_routes(ctx):
        for who, key in [("none", None), ("bad", bad)]:
            st, rh, _ = api.call(method, path, key, body)
            n += 1
            if st != 401 or "Bearer" not in rh.get("WWW-Authenticate", ""):
                errs.append("%s %s [%s]: %d" % (method, path, who, st))
        for s in SCOPES:
            st, _, doc = api.call(method, path, ctx["single"][s], body)
            n += 1
            if s != scope:
                if st != 403:
                    errs.append("%s %s [%s]: %d, want 403" %
                                (method, path, s, st))
            elif method == "GET":
                if st != 200:
                    errs.append("%s %s [%s]: %d, want 200" %
                                (method, path, s, st))
            elif st in (401, 403) or st >= 500:
                errs.append("%s %s [%s]: %d %r" % (method, path, s, st,
                                                   doc))
    check(not errs, "%d of %d cells wrong:\n  %s" % (len(errs), n,
                                                     "\n  ".join(errs)))
    check(n == len(matrix_routes(ctx)) * (len(SCOPES) + 2), "cells %d" % n)
    # The request is still open: no POST of the matrix changed it.
    r = api.ok("GET", "/api/v1/requests/%d" % ctx["m_req"], k["staff"])
    check(r["state"] == "submitted", "matrix changed the request: %r" %
          r["state"])


def t_idempotency(ctx):
    api, k = ctx["api"], ctx["keys"]
    acc = new_account(api, k["platform"])
    body = {"account": acc["ext_id"], "target_kind": "mailbox",
            "target": "box@example.org", "cause": "compromised"}
    hd = {"Idempotency-Key": "blk-%s" % acc["ext_id"]}
    a = api.ok("POST", "/api/v1/blocks", k["platform"], body, 201, hd)
    st, rh, b = api.call("POST", "/api/v1/blocks", k["platform"], body, hd)
    check(st == 201 and b["id"] == a["id"] and
          rh.get("Idempotent-Replayed") == "true",
          "replay: %d %r" % (st, b))
    lst = api.ok("GET", "/api/v1/blocks?account=%d" % acc["id"],
                 k["platform"])
    check(len(lst["items"]) == 1, "replay created a block: %r" % lst)


def t_conditional(ctx):
    """/api/v1/unblock-requests (with /api/v1/requests as an alias), ETag
    on GET, If-Match on changes (412 when stale), and `since` on lists."""
    api, k = ctx["api"], ctx["keys"]
    acc = new_account(api, k["platform"])
    blk = new_block(api, k["platform"], acc["ext_id"], "quota")
    st, rh, b = api.call("GET", "/api/v1/blocks/%d" % blk["id"], k["admin"])
    tag = rh.get("ETag", "")
    check(st == 200 and tag.startswith('"') and tag.endswith('"'),
          "block ETag %r" % tag)
    st, _, doc = api.call("POST", "/api/v1/blocks/%d/state" % blk["id"],
                          k["admin"], {"state": "permanent"},
                          {"If-Match": '"b%d-0000"' % blk["id"]})
    check(st == 412 and doc.get("type", "").endswith("precondition-failed"),
          "stale If-Match on a block: %d %r" % (st, doc))
    st, _, _ = api.call("POST", "/api/v1/blocks/%d/state" % blk["id"],
                        k["admin"], {"state": "permanent"},
                        {"If-Match": "W/" + tag})
    check(st == 412, "weak tag accepted: %d" % st)
    st, rh, doc = api.call("POST", "/api/v1/blocks/%d/state" % blk["id"],
                           k["admin"], {"state": "permanent"},
                           {"If-Match": '"x", ' + tag})
    check(st == 200 and doc["state"] == "permanent", "If-Match list: %d %r"
          % (st, doc))
    check(rh.get("ETag") and rh.get("ETag") != tag,
          "ETag did not change with the state: %r" % rh.get("ETag"))
    # The old tag is now stale.
    st, _, _ = api.call("POST", "/api/v1/blocks/%d/state" % blk["id"],
                        k["admin"], {"state": "lifted"}, {"If-Match": tag})
    check(st == 412, "old block tag accepted: %d" % st)
    # Requests under their documented path.
    blk2 = new_block(api, k["platform"], acc["ext_id"], "quota")
    st, rh, r = api.call("POST", "/api/v1/blocks/%d/requests" % blk2["id"],
                         k["customer"], {"self_sent": True, "answers": {
                             "sending_changed": {"confirmed": True,
                                                 "details": "moved"}}})
    check(st == 201, "file: %d %r" % (st, r))
    loc = rh.get("Location", "")
    check(loc == "/api/v1/unblock-requests/%d" % r["id"], "Location %r" % loc)
    st, rh, g = api.call("GET", loc, k["staff"])
    st2, rh2, g2 = api.call("GET", "/api/v1/requests/%d" % r["id"],
                            k["staff"])
    check(st == 200 and st2 == 200 and g["id"] == g2["id"] == r["id"],
          "alias: %d %d" % (st, st2))
    rtag = rh.get("ETag")
    check(rtag and rtag == rh2.get("ETag"), "request ETag %r / %r" %
          (rtag, rh2.get("ETag")))
    st, _, _ = api.call("POST", loc + "/decision", k["staff"],
                        {"decision": "info", "comment": "why?"},
                        {"If-Match": '"r%d-stale"' % r["id"]})
    check(st == 412, "stale If-Match on a decision: %d" % st)
    g = api.ok("GET", loc, k["staff"])
    check(g["state"] == "submitted", "412 changed the request: %r" %
          g["state"])
    st, rh, d = api.call("POST", loc + "/decision", k["staff"],
                         {"decision": "info", "comment": "why?"},
                         {"If-Match": rtag})
    check(st == 200 and d["state"] == "info_requested", "decision with the "
          "tag: %d %r" % (st, d))
    st, _, _ = api.call("POST", loc + "/answer", k["customer"],
                        {"message": "because"}, {"If-Match": rtag})
    check(st == 412, "answer with the tag before the decision: %d" % st)
    api.ok("POST", loc + "/answer", k["customer"], {"message": "because"},
           headers={"If-Match": "*"})
    # since: ISO 8601 (Z or an offset) or unix time; changed rows only.
    now = int(time.time())
    future = now + 3600
    for q in (str(future), time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime(future)),
              time.strftime("%Y-%m-%dT%H:%M:%S+02:00",
                            time.gmtime(future + 7200))):
        for path in ("/api/v1/unblock-requests", "/api/v1/blocks"):
            lst = api.ok("GET", "%s?since=%s&account=%d" %
                         (path, q.replace("+", "%2B"), acc["id"]),
                         k["admin"])
            check(lst["items"] == [], "%s since %s: %r" % (path, q, lst))
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60))
    lst = api.ok("GET", "/api/v1/unblock-requests?since=%s&account=%d" %
                 (past, acc["id"]), k["admin"])
    check([i["id"] for i in lst["items"]] == [r["id"]], "since past: %r" %
          lst)
    lst = api.ok("GET", "/api/v1/blocks?since=%d&account=%d" %
                 (now - 60, acc["id"]), k["admin"])
    check(sorted(i["id"] for i in lst["items"]) ==
          sorted([blk["id"], blk2["id"]]), "blocks since: %r" % lst)
    lst = api.ok("GET", "/api/v1/audit?since=%d&account=%d" %
                 (future, acc["id"]), k["admin"])
    check(lst["items"] == [], "audit since the future: %r" % lst)
    lst = api.ok("GET", "/api/v1/audit?since=%s&account=%d" %
                 (past, acc["id"]), k["admin"])
    acts = [e["action"] for e in lst["items"]]
    check("account.created" in acts and "request.answered" in acts,
          "audit since: %r" % acts)
    for bad in ("yesterday", "2024-13-01", "2024-02-30T00:00:00Z",
                "2024-06-01T10:00:00"):
        st, _, _ = api.call("GET", "/api/v1/blocks?since=" + bad,
                            k["admin"])
        check(st == 400, "since=%s: %d" % (bad, st))


def route_table():
    """(method, pattern) of every /api route of web/routes.c."""
    with open(os.path.join(ROOT, "web", "routes.c")) as f:
        src = f.read()
    out = set()
    for m in re.finditer(r'\{\s*(HTTP_[A-Z]+(?:\s*\|\s*HTTP_[A-Z]+)*)\s*,'
                         r'\s*"([^"]+)"', src):
        if not m.group(2).startswith("/api/"):
            continue
        for meth in re.findall(r"HTTP_([A-Z]+)", m.group(1)):
            out.add((meth.lower(), m.group(2)))
    return out


def t_openapi(ctx):
    """GET /api/openapi.json is OpenAPI 3.1 and matches the route table
    both ways."""
    api = ctx["api"]
    st, rh, doc = api.call("GET", "/api/openapi.json")
    check(st == 200 and rh.get("Content-Type", "").startswith(
        "application/json"), "status %d, type %r" % (st,
                                                    rh.get("Content-Type")))
    check(doc["openapi"].startswith("3.1."), "version %r" % doc["openapi"])
    table = route_table()
    check(len(table) >= 40, "only %d /api routes parsed" % len(table))
    documented = set()
    for path, ops in doc["paths"].items():
        for meth, o in ops.items():
            if meth not in ("get", "post", "put", "patch", "delete"):
                continue
            documented.add((meth, path))
            check(o.get("responses"), "%s %s: no responses" % (meth, path))
            names = set(p["name"] for p in o.get("parameters", [])
                        if p["in"] == "path")
            want = set(re.findall(r"\{([a-z_]+)\}", path))
            check(names == want, "%s %s: path parameters %r, want %r" %
                  (meth, path, sorted(names), sorted(want)))
            if meth in ("post", "put", "patch") and \
                    not path.endswith("/withdraw") and \
                    not path.endswith("/false-positive"):
                check(o.get("requestBody"), "%s %s: no request body" %
                      (meth, path))
            if o.get("security"):
                check("401" in o["responses"] and "403" in o["responses"],
                      "%s %s: secured without 401/403" % (meth, path))
    missing = sorted(table - documented)
    extra = sorted(documented - table)
    check(not missing, "routes not documented: %r" % missing)
    check(not extra, "documented but not routed: %r" % extra)
    # Each documented scope is the one the matrix found enforced.
    for method, path, scope, _ in matrix_routes(ctx):
        tmpl = re.sub(r"/\d+", "/{id}", path)
        o = doc["paths"][tmpl][method.lower()]
        check(o["security"] == [{"bearer": [scope]}], "%s %s documents %r"
              % (method, tmpl, o["security"]))


# --- crash --------------------------------------------------------------------

def t_crash(ctx):
    """SIGKILL while writes and slow deliveries are in flight; after a
    restart every acknowledged write is there and every event arrives."""
    api, k, db, binary, tmp = (ctx["api"], ctx["keys"], ctx["db"],
                               ctx["binary"], ctx["tmp"])
    slow = Receiver(delay=0.5)
    ctx["closers"].append(slow)
    wh = api.ok("POST", "/api/v1/webhooks", k["admin"],
                {"url": slow.url()}, want=201)
    acked = {"accounts": [], "blocks": [], "requests": []}
    unacked = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n):
        while not stop.is_set():
            try:
                acc = new_account(api, k["platform"])
                with lock:
                    acked["accounts"].append(acc["id"])
                b = new_block(api, k["platform"], acc["ext_id"], "quota")
                with lock:
                    acked["blocks"].append(b["id"])
                st, _, r = api.call(
                    "POST", "/api/v1/blocks/%d/requests" % b["id"],
                    k["customer"], {"self_sent": True, "answers": {
                        "sending_changed": {"confirmed": True,
                                            "details": "newsletter moved"}}})
                if st == 201:
                    with lock:
                        acked["requests"].append(r["id"])
            except (Fail, OSError, ValueError, KeyError, TypeError):
                # The server died under us: not acknowledged.
                with lock:
                    unacked[0] += 1
            # Paced, so the backlog stays a few dozen slow deliveries.
            time.sleep(0.2)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    # Kill once the slow receiver is busy and rows are still queued.
    end = time.time() + 20
    while time.time() < end:
        rows = outbox(db, wh["id"])
        if len(slow.entries()) >= 2 and sum(r[2] is None for r in rows) >= 5:
            break
        time.sleep(0.05)
    # One write surely in flight: its head and half its body are sent.
    half = new_account(api, k["platform"])
    acked["accounts"].append(half["id"])
    body = json.dumps({"account": half["ext_id"], "target_kind": "website",
                       "target": "inflight.example.org",
                       "cause": "spam"}).encode()
    cut = socket.create_connection(("127.0.0.1", ctx["serve"].port))
    cut.sendall(b"POST /api/v1/blocks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer " + k["platform"].encode() +
                b"\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body) +
                body[:len(body) // 2])
    time.sleep(0.1)
    srv = ctx["serve"]
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    srv.stop()
    stop.set()
    for t in threads:
        t.join(15)
    cut.close()
    pending = sum(r[2] is None for r in outbox(db, wh["id"]))
    check(pending > 0, "nothing was in flight at the kill")
    check(acked["blocks"], "no write acknowledged before the kill")
    print("     crash: %d accounts, %d blocks, %d requests acknowledged, "
          "%d writes cut by the kill (and one half sent), %d deliveries "
          "pending" %
          (len(acked["accounts"]), len(acked["blocks"]),
           len(acked["requests"]), unacked[0], pending))
    srv = h.start_serve(binary, tmp, db, "serve2")
    ctx["serve"] = srv
    api2 = Api(srv.port)
    ctx["api"] = api2
    for a in acked["accounts"]:
        api2.ok("GET", "/api/v1/accounts/%d" % a, k["platform"])
    for b in acked["blocks"]:
        api2.ok("GET", "/api/v1/blocks/%d" % b, k["platform"])
    for r in acked["requests"]:
        d = api2.ok("GET", "/api/v1/requests/%d" % r, k["staff"])
        check(d["state"] == "submitted", "request %d: %r" % (r, d["state"]))
    # The write cut in half left nothing behind.
    lst = api2.ok("GET", "/api/v1/blocks?account=%d" % half["id"],
                  k["platform"])
    check(lst["items"] == [], "a half-received write was kept: %r" % lst)
    # Each acknowledged block has its event queued for the slow endpoint.
    c = sqlite3.connect(db, timeout=10)
    try:
        payloads = [json.loads(p) for (p,) in c.execute(
            "SELECT payload FROM outbox WHERE endpoint_id = ? AND "
            "event_type = 'block.created'", (wh["id"],))]
    finally:
        c.close()
    queued = set(p["data"]["block"]["id"] for p in payloads)
    check(set(acked["blocks"]) <= queued, "acknowledged blocks without an "
          "event: %r" % sorted(set(acked["blocks"]) - queued))
    # Rows leased by the dead process come back after their lease
    # (timeout + 30 s); then everything is delivered.
    rows = wait_delivered(db, wh["id"], 120)
    got = slow.entries()
    ids = [e[0] for e in got]
    check(set(ids) == set(r[0] for r in rows),
          "received %d distinct ids, outbox has %d (missing %r)" %
          (len(set(ids)), len(rows),
           sorted(set(r[0] for r in rows) - set(ids))[:5]))
    for e in got:
        verify(wh["secret"], e)
    print("     crash: %d events, %d deliveries (%d repeated after the "
          "restart, deduplicated by webhook-id)" %
          (len(rows), len(ids), len(ids) - len(set(ids))))


def t_mail(ctx):
    """Each change of a request reached the customer by e-mail through the
    relay, in the account's language, once per event, including the one
    the relay refused first (retried after its backoff)."""
    db, sink = ctx["db"], ctx["sink"]
    check(sink.refused == 1, "the sink refused %d messages" % sink.refused)
    c = sqlite3.connect(db, timeout=10)
    try:
        end = time.time() + 90
        while True:
            left = c.execute("SELECT count(*) FROM mail_outbox WHERE "
                             "delivered_at IS NULL").fetchone()[0]
            if left == 0 or time.time() > end:
                break
            time.sleep(0.5)
        check(left == 0, "%d mails unsent" % left)
        rows = c.execute("SELECT event_id, event_type, attempts FROM "
                         "mail_outbox").fetchall()
        # Every request event of the webhook outbox has its mail row.
        ev = set(r[0] for r in c.execute(
            "SELECT event_id FROM outbox WHERE event_type LIKE "
            "'request.%'"))
    finally:
        c.close()
    check(ev <= set(r[0] for r in rows), "request events without a mail")
    check(any(r[2] >= 2 for r in rows), "no mail needed a second attempt")
    msgs = sink.messages()
    mids = [m["Message-ID"].strip("<>").split("@")[0] for _, _, m in msgs]
    check(set(mids) == set(r[0] for r in rows), "Message-IDs %d, mail "
          "rows %d" % (len(set(mids)), len(rows)))
    life = ctx["life_account"]
    mine = [(f, r, m) for f, r, m in msgs
            if r == ["<%s>" % life["contact_email"]]]
    subjects = [str(m["Subject"]) for _, _, m in mine]
    for word in ("received", "information needed", "answer received",
                 "approved"):
        check(any(s.endswith(": " + word) for s in subjects),
              "no '%s' mail: %r" % (word, subjects))
    for f, _, m in mine:
        check(f == "<support@example.net>", "MAIL FROM %r" % f)
        check(m["To"] == life["contact_email"], "To %r" % m["To"])
        check(m.get_content_type() == "text/plain", "type %s" %
              m.get_content_type())
    info = [m for _, _, m in mine if str(m["Subject"]).endswith("needed")]
    check("which form was it?" in info[0].get_content(),
          "the question is not in the mail: %r" % info[0].get_content())
    fr = ctx["esc_account"]
    subj = [str(m["Subject"]) for _, r, m in msgs
            if r == ["<%s>" % fr["contact_email"]]]
    check(any(s.startswith("Demande de d\u00e9blocage") for s in subj),
          "no French subject for a French account: %r" % subj)


# --- runner -------------------------------------------------------------------

def setup(binary, tmp, ctx):
    db = h.prepare_db(binary, tmp)
    ctx["db"] = db
    keys = {}
    keys["platform"] = create_key(binary, db, "platform", [
        "accounts:read", "accounts:write", "blocks:read", "blocks:write"])
    keys["customer"] = create_key(binary, db, "portal", [
        "blocks:read", "requests:read", "requests:write"])
    keys["staff"] = create_key(binary, db, "ticketing", [
        "requests:read", "requests:decide", "audit:read", "blocks:read"])
    keys["admin"] = create_key(binary, db, "admin", SCOPES)
    ctx["keys"] = keys
    env = h.base_env(db)
    for who, role in (("agent@ub.test", "agent"), ("admin@ub.test", "admin")):
        r = subprocess.run([binary, "admin", "create-staff", who, "--role",
                            role], env=env, cwd=ROOT, capture_output=True,
                           input=(STAFF_PW[role] + "\n").encode(),
                           timeout=60)
        check(r.returncode == 0, "create-staff: %s" % r.stderr.decode())
    ctx["single"] = dict((s, create_key(binary, db, "only-" + s, [s]))
                         for s in SCOPES)
    os.environ["BOUNCEDESK_WEBHOOK_HTTP_LOOPBACK"] = "1"
    os.environ["BOUNCEDESK_WEBHOOK_INTERVAL_MS"] = "200"
    sink = SmtpSink(refuse=1)
    ctx["closers"].append(sink)
    ctx["sink"] = sink
    os.environ["BOUNCEDESK_SMTP_RELAY"] = "smtp://127.0.0.1:%d" % sink.port
    ctx["serve"] = h.start_serve(binary, tmp, db)
    ctx["api"] = Api(ctx["serve"].port)
    rcv = Receiver()
    ctx["closers"].append(rcv)
    ctx["rcv"] = rcv
    wh = ctx["api"].ok("POST", "/api/v1/webhooks", keys["admin"],
                       {"url": rcv.url()}, want=201)
    ctx["endpoint"], ctx["secret"] = wh["id"], wh["secret"]


def main():
    if len(sys.argv) != 2:
        print("usage: test_unblock.py BINARY", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    t_start = time.time()
    runner = h.Runner()
    tmp = tempfile.mkdtemp(prefix="bd-unblock-")
    ctx = {"binary": binary, "tmp": tmp, "closers": []}
    try:
        setup(binary, tmp, ctx)
        runner.run("life of a block, signed webhooks", t_lifecycle, ctx)
        runner.run("escalation to a permanent block", t_escalation, ctx)
        runner.run("life of a block through the HTML forms",
                   t_html_lifecycle, ctx)
        runner.run("permanent block through the staff pages",
                   t_staff_permanent, ctx)
        runner.run("one-time links and the account cookie", t_links, ctx)
        runner.run("keys bound to one account", t_bound_key, ctx)
        runner.run("scope x endpoint matrix", t_matrix, ctx)
        runner.run("Idempotency-Key on POST", t_idempotency, ctx)
        runner.run("ETag, If-Match, since, /unblock-requests",
                   t_conditional, ctx)
        runner.run("OpenAPI document matches the routes", t_openapi, ctx)
        runner.run("SIGKILL with writes and deliveries in flight", t_crash,
                   ctx)
        runner.run("customer e-mail through the SMTP relay", t_mail, ctx)
    except Fail as e:
        runner.failed += 1
        print("FAIL set-up: %s" % e)
    finally:
        srv = ctx.get("serve")
        if srv is not None:
            srv.stop(signal.SIGTERM)
            if runner.failed:
                print("--- %s log ---\n%s" % (srv.name, srv.tail()))
        for c in ctx["closers"]:
            c.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("(%.1fs)" % (time.time() - t_start))
    print("unblock: %d passed, %d failed" % (runner.passed, runner.failed))
    return 1 if runner.failed or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
