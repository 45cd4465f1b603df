#!/usr/bin/env python3
"""tests/http/run.py BINARY - the HTTP integration suite.

Starts the real binary twice on a fresh SQLite database: `serve` on a free
loopback port (libmicrohttpd) and `fcgi` on a unix socket behind a real nginx
(deploy/nginx-test.conf.in), runs the same cases against both and checks they
answer alike. Then stops both with SIGTERM while a request is in flight.
Python 3 standard library only. The last line is "http: N passed, M failed".
"""

import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NGINX = "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else \
    (shutil.which("nginx") or "/usr/sbin/nginx")
MAX_BODY = 65536
# A string from the repository's Makefile: must never come back as a body.
MAKEFILE_MARK = b"PKG_CFLAGS"


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise Fail("process exited with %d before listening" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise Fail("port %d not listening after %.0fs" % (port, timeout))


def read_line(proc, timeout=10.0):
    """One line of the child's stdout, or None at a timeout or exit."""
    end = time.time() + timeout
    buf = b""
    fd = proc.stdout.fileno()
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            c = os.read(fd, 1)
            if not c:
                return None
            if c == b"\n":
                return buf.decode("utf-8", "replace")
            buf += c
        elif proc.poll() is not None:
            return None
    return None


class Server:
    """A child process with its stderr kept in a file of the temp dir."""

    def __init__(self, name, argv, env, tmp):
        self.name = name
        self.log = os.path.join(tmp, name + ".log")
        self.logf = open(self.log, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                     stderr=self.logf, cwd=ROOT)

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        return self.proc.returncode

    def tail(self, n=40):
        try:
            with open(self.log, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""


class Target:
    def __init__(self, name, port):
        self.name = name
        self.port = port

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def get(self, path, method="GET", body=None, headers=None):
        c = self.conn()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, r.headers, data
        finally:
            c.close()


# --- set-up ---------------------------------------------------------------

def base_env(db):
    env = dict(os.environ)
    env.update({
        "BOUNCEDESK_DB": db,
        "BOUNCEDESK_SHARE_DIR": ROOT,
        "BOUNCEDESK_MAX_BODY": str(MAX_BODY),
        "BOUNCEDESK_THREADS": "8",
        "BOUNCEDESK_CONN_TIMEOUT": "10",
    })
    return env


def prepare_db(binary, tmp):
    db = os.path.join(tmp, "test.db")
    env = base_env(db)
    r = subprocess.run([binary, "migrate", "--db", db], env=env, cwd=ROOT,
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        raise Fail("migrate failed: %s" % r.stderr.decode(errors="replace"))
    r = subprocess.run([binary, "seed", "--db", db], env=env, cwd=ROOT,
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        print("note: seed exited %d: %s" % (r.returncode,
              r.stderr.decode(errors="replace").strip()))
    return db


def start_serve(binary, tmp, db, name="serve"):
    env = base_env(db)
    srv = Server(name, [binary, "serve", "--listen", "127.0.0.1:0",
                        "--db", db], env, tmp)
    line = read_line(srv.proc)
    m = re.match(r"^listening on 127\.0\.0\.1:(\d+)$", line or "")
    if not m:
        srv.stop(signal.SIGKILL)
        raise Fail("%s: no 'listening on 127.0.0.1:PORT' line (got %r); "
                   "log:\n%s" % (name, line, srv.tail()))
    srv.port = int(m.group(1))
    wait_port(srv.port, srv.proc)
    return srv


def start_fcgi(binary, tmp, db, sock):
    env = base_env(db)
    srv = Server("fcgi", [binary, "fcgi", "--socket", sock, "--db", db],
                 env, tmp)
    line = read_line(srv.proc)
    if line is None or not os.path.exists(sock):
        srv.stop(signal.SIGKILL)
        raise Fail("fcgi did not start (got %r); log:\n%s" % (line, srv.tail()))
    return srv


def start_nginx(tmp, sock):
    prefix = os.path.join(tmp, "nginx")
    for d in ("tmp", "logs"):
        os.makedirs(os.path.join(prefix, d), exist_ok=True)
    port = free_port()
    with open(os.path.join(ROOT, "deploy", "nginx-test.conf.in")) as f:
        conf = f.read()
    for k, v in (("@PREFIX@", prefix), ("@PORT@", str(port)),
                 ("@SOCKET@", sock), ("@SHARE@", ROOT),
                 ("@MAX_BODY@", "1m")):
        conf = conf.replace(k, v)
    check(not re.search(r"@[A-Z_]+@", conf), "unfilled placeholder in nginx conf")
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    srv = Server("nginx", [NGINX, "-c", path, "-p", prefix + "/"], None, tmp)
    srv.prefix = prefix
    srv.port = port
    wait_port(port, srv.proc)
    return srv


# --- cases ------------------------------------------------------------------

def problem(status, headers, body, want):
    check(status == want, "status %d, want %d" % (status, want))
    ct = headers.get("Content-Type", "")
    check(ct.startswith("application/problem+json"),
          "content type %r, want application/problem+json" % ct)
    doc = json.loads(body)
    for k in ("type", "title", "status"):
        check(k in doc, "problem without %r: %r" % (k, doc))
    check(doc["status"] == want, "problem status %r" % doc["status"])
    return doc


def t_home(t):
    st, h, body = t.get("/")
    check(st == 200, "GET / status %d" % st)
    check(h.get("Content-Type", "").startswith("text/html"),
          "content type %r" % h.get("Content-Type"))
    check(b"<html" in body.lower(), "no <html> in the home page")
    csp = h.get("Content-Security-Policy", "")
    check("frame-ancestors" in csp, "CSP without frame-ancestors: %r" % csp)
    check(h.get("X-Content-Type-Options", "").lower() == "nosniff",
          "X-Content-Type-Options %r" % h.get("X-Content-Type-Options"))
    check(h.get("Referrer-Policy"), "no Referrer-Policy")


def t_healthz(t):
    st, h, body = t.get("/healthz")
    check(st == 200, "status %d" % st)
    check(h.get("Content-Type", "").startswith("application/json"),
          "content type %r" % h.get("Content-Type"))
    doc = json.loads(body)
    check(doc.get("status") == "ok", "healthz %r" % doc)
    check(h.get("Content-Security-Policy"), "no CSP on an API answer")


def t_metrics(t):
    for _ in range(3):
        t.get("/healthz")
    t.get("/no-such-page-for-metrics")
    st, h, body = t.get("/metrics")
    check(st == 200, "status %d" % st)
    check(h.get("Content-Type", "").startswith("text/plain"),
          "content type %r" % h.get("Content-Type"))
    text = body.decode()
    counters = {}
    for m in re.finditer(r"^(\w+_total)\{([^}]*)\} (\d+(?:\.\d+)?)$", text, re.M):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        counters[(m.group(1), labels.get("route"), labels.get("status"))] = \
            float(m.group(3))
    ok = [v for (n, r, s), v in counters.items()
          if r == "/healthz" and s == "200"]
    check(ok and ok[0] >= 3, "no requests counter for /healthz 200 >= 3 "
          "in:\n%s" % text[:800])
    check(any(s == "404" for (n, r, s) in counters), "no 404 counted")
    check(re.search(r"^# TYPE \w+ histogram$", text, re.M), "no histogram")
    check(re.search(r'^\w+_bucket\{[^}]*le="\+Inf"[^}]*\} \d+', text, re.M),
          "histogram without le=\"+Inf\" bucket")
    check(re.search(r"^\w+_count(\{[^}]*\})? \d+", text, re.M), "no _count")


def t_not_found(t):
    problem(*t.get("/no/such/page"), 404)


def t_method(t):
    st, h, body = t.get("/healthz", method="DELETE")
    problem(st, h, body, 405)
    check("GET" in h.get("Allow", ""), "Allow %r" % h.get("Allow"))


def raw_exchange(port, head, body=b"", wait_first=0.5, timeout=10):
    """Sends head, then (unless an answer came first) body; returns the
    status and the whole answer. Survives the server closing early."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(head)
        r, _, _ = select.select([s], [], [], wait_first)
        if not r and body:
            try:
                s.sendall(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        return read_response(s)
    finally:
        s.close()


def read_response(s):
    """Reads one HTTP/1.1 answer with a Content-Length from a socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            c = s.recv(65536)
        except ConnectionResetError:
            break
        if not c:
            break
        data += c
    head, _, rest = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    check(m, "no status line in %r" % data[:200])
    lines = head.decode("latin-1").split("\r\n")[1:]
    hdrs = {}
    for ln in lines:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get("content-length", "-1"))
    while n >= 0 and len(rest) < n:
        try:
            c = s.recv(65536)
        except ConnectionResetError:
            break
        if not c:
            break
        rest += c
    return int(m.group(1)), hdrs, rest


def t_too_large_declared(t):
    body = b"x" * (MAX_BODY + 1)
    head = ("POST /api/v1/diagnoses HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
            % len(body)).encode()
    st, h, rest = raw_exchange(t.port, head, body)
    check(st == 413, "status %d, want 413" % st)
    check(h.get("content-type", "").startswith("application/problem+json"),
          "content type %r" % h.get("content-type"))
    check(json.loads(rest).get("status") == 413, "problem %r" % rest[:200])


def t_too_large_chunked(t):
    c = t.conn()
    try:
        c.putrequest("POST", "/api/v1/diagnoses")
        c.putheader("Content-Type", "text/plain")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"y" * 8192
        for _ in range(MAX_BODY // len(chunk) + 2):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        problem(r.status, r.headers, r.read(), 413)
    finally:
        c.close()


def t_body_under_limit(t):
    body = json.dumps({"text": "550 5.1.1 <nobody@example.org>: "
                       "Recipient address rejected: User unknown"})
    st, h, data = t.get("/api/v1/diagnoses", method="POST", body=body,
                        headers={"Content-Type": "application/json"})
    check(st != 413 and st < 500, "POST of %d bytes: status %d %r"
          % (len(body), st, data[:200]))


def t_static(t):
    with open(os.path.join(ROOT, "static", "style.css"), "rb") as f:
        want = f.read()
    st, h, body = t.get("/static/style.css")
    check(st == 200, "status %d" % st)
    check(body == want, "body differs from static/style.css (%d vs %d bytes)"
          % (len(body), len(want)))
    check(h.get("Content-Type", "").startswith("text/css"),
          "content type %r" % h.get("Content-Type"))
    etag = h.get("ETag")
    check(etag, "no ETag")
    check(h.get("Cache-Control"), "no Cache-Control")
    st, h2, body = t.get("/static/style.css", headers={"If-None-Match": etag})
    check(st == 304, "If-None-Match: status %d, want 304" % st)
    check(body == b"", "304 with a body")
    st, _, _ = t.get("/static/style.css", headers={"If-None-Match": '"nope"'})
    check(st == 200, "other ETag: status %d, want 200" % st)
    st, _, _ = t.get("/static/no-such-file.css")
    check(st == 404, "missing file: status %d" % st)


TRAVERSALS = [
    "/static/../Makefile",
    "/static/%2e%2e/Makefile",
    "/static/%2E%2E/Makefile",
    "/static/..%2fMakefile",
    "/static/..%2FMakefile",
    "/static/%2e%2e%2fMakefile",
    "/static/./../Makefile",
    "/static/../../../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/style.css%00",
    "/static/%00../Makefile",
    "/static/..%00/Makefile",
    "/static/..\\Makefile",
    "/static/%5c..%5cMakefile",
    "/static/..%5c..%5cMakefile",
    "/static/%252e%252e/Makefile",
    "/static/%zz/../Makefile",
    "/static/%",
]


def t_traversal(t):
    for p in TRAVERSALS:
        st, h, body = t.get(p)
        check(st in (400, 404), "%s: status %d" % (p, st))
        check(MAKEFILE_MARK not in body and b"root:" not in body,
              "%s: leaked a file" % p)


def t_head(t):
    st, h, body = t.get("/", method="HEAD")
    check(st == 200, "status %d" % st)
    check(body == b"", "HEAD with a body of %d bytes" % len(body))
    st2, h2, full = t.get("/")
    check(h.get("Content-Length") == str(len(full)),
          "HEAD Content-Length %r, GET body %d" % (h.get("Content-Length"),
                                                   len(full)))
    st, h, body = t.get("/healthz", method="HEAD")
    check(st == 200 and body == b"", "HEAD /healthz: %d %r" % (st, body))


def t_keepalive(t):
    c = t.conn()
    try:
        c.connect()
        sock = c.sock
        for method, path, want in (("GET", "/healthz", 200), ("GET", "/", 200),
                                   ("GET", "/static/style.css", 200),
                                   ("GET", "/nope", 404), ("HEAD", "/", 200),
                                   ("DELETE", "/healthz", 405),
                                   ("GET", "/healthz", 200)):
            c.request(method, path)
            r = c.getresponse()
            r.read()
            check(r.status == want, "%s %s: %d, want %d" % (method, path,
                                                             r.status, want))
            check(not r.will_close, "%s %s: server closes" % (method, path))
            check(c.sock is sock, "%s %s: a new connection" % (method, path))
    finally:
        c.close()


def t_query_and_headers(t):
    # The raw query, a header and a cookie reach the handler through both
    # transports: each of them picks the language.
    st, h, _ = t.get("/?lang=en&x=%20y")
    check(st == 200 and h.get("Content-Language") == "en",
          "?lang=en: %d %r" % (st, h.get("Content-Language")))
    st, h, _ = t.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    check(h.get("Content-Language") == "en",
          "Accept-Language en: %r" % h.get("Content-Language"))
    st, h, _ = t.get("/", headers={"Cookie": "a=b; lang=en"})
    check(h.get("Content-Language") == "en",
          "Cookie lang=en: %r" % h.get("Content-Language"))
    st, h, _ = t.get("/", headers={"Accept-Language": "fr-FR"})
    check(h.get("Content-Language") == "fr",
          "Accept-Language fr: %r" % h.get("Content-Language"))


CASES = [
    ("home page and security headers", t_home),
    ("healthz", t_healthz),
    ("metrics", t_metrics),
    ("404 problem", t_not_found),
    ("405 problem with Allow", t_method),
    ("413 declared length", t_too_large_declared),
    ("413 chunked upload", t_too_large_chunked),
    ("body under the limit", t_body_under_limit),
    ("static file, ETag, 304", t_static),
    ("path traversal", t_traversal),
    ("HEAD", t_head),
    ("keep-alive", t_keepalive),
    ("query, headers, cookies", t_query_and_headers),
]

SAME = [
    ("GET", "/", None), ("HEAD", "/", None), ("GET", "/healthz", None),
    ("GET", "/nope", None), ("POST", "/healthz", b"x"),
    ("GET", "/static/style.css", None), ("GET", "/static/../Makefile", None),
    ("GET", "/api/v1/diagnoses/999999", None),
    ("POST", "/api/v1/diagnoses", b"{"),
    ("GET", "/?lang=en", None),
]


def t_same(a, b):
    """The same requests give the same status, type and problem slug."""
    for method, path, body in SAME:
        hdr = {"Content-Type": "application/json"} if body else {}
        ra = a.get(path, method=method, body=body, headers=hdr)
        rb = b.get(path, method=method, body=body, headers=hdr)
        check(ra[0] == rb[0], "%s %s: %s %d, %s %d" % (method, path, a.name,
              ra[0], b.name, rb[0]))
        ca = ra[1].get("Content-Type", "").split(";")[0]
        cb = rb[1].get("Content-Type", "").split(";")[0]
        check(ca == cb, "%s %s: %r vs %r" % (method, path, ca, cb))
        if ca == "application/problem+json":
            pa, pb = json.loads(ra[2]), json.loads(rb[2])
            check(pa.get("type") == pb.get("type"),
                  "%s %s: type %r vs %r" % (method, path, pa.get("type"),
                                            pb.get("type")))
        if ca in ("application/json", "text/css") and method == "GET":
            check(ra[2] == rb[2] or path == "/healthz",
                  "%s %s: bodies differ" % (method, path))


def t_nginx_prod_conf(tmp):
    """The shipped deploy/nginx.conf passes `nginx -t`."""
    d = os.path.join(tmp, "prodconf")
    os.makedirs(d, exist_ok=True)
    params = "/etc/nginx/fastcgi_params"
    if os.path.exists(params):
        shutil.copy(params, os.path.join(d, "fastcgi_params"))
    else:
        open(os.path.join(d, "fastcgi_params"), "w").close()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\n"
                "http {\n include %s;\n}\n"
                % (d, d, os.path.join(ROOT, "deploy", "nginx.conf")))
    r = subprocess.run([NGINX, "-t", "-q", "-c", conf, "-p", d + "/",
                        "-g", "daemon off;"], capture_output=True, timeout=20)
    check(r.returncode == 0, "nginx -t: %s" % r.stderr.decode(errors="replace"))


# --- graceful shutdown -------------------------------------------------------

def slow_post_head(n):
    return ("POST /api/v1/diagnoses HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % n).encode()


def t_serve_shutdown(binary, tmp, db):
    """SIGTERM with a request half sent: it still gets a whole answer, new
    connections are refused, and the process exits 0."""
    srv = start_serve(binary, tmp, db, name="serve-shutdown")
    try:
        body = b"550 5.1.1 <nobody@example.org>: User unknown\n" * 20
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(slow_post_head(len(body)) + body[:len(body) // 2])
        time.sleep(0.3)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        check(srv.proc.poll() is None, "exited with a request in flight")
        refused = False
        try:
            socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
        except OSError:
            refused = True
        check(refused, "still accepting new connections after SIGTERM")
        s.sendall(body[len(body) // 2:])
        st, h, rest = read_response(s)
        s.close()
        check(st < 500, "in-flight request answered %d" % st)
        check(str(len(rest)) == h.get("content-length"),
              "incomplete answer: %d of %s bytes" % (len(rest),
                                                    h.get("content-length")))
        try:
            rc = srv.proc.wait(10)
        except subprocess.TimeoutExpired:
            raise Fail("still running 10 s after SIGTERM")
        check(rc == 0, "exit status %d" % rc)
    finally:
        srv.stop(signal.SIGKILL)


FCGI_BEGIN, FCGI_END, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def fcgi_record(rtype, rid, content):
    return struct.pack("!BBHHBx", 1, rtype, rid, len(content), 0) + content


def fcgi_params(pairs):
    out = b""
    for k, v in pairs:
        k, v = k.encode(), v.encode()
        for n in (len(k), len(v)):
            out += struct.pack("!B", n) if n < 128 else \
                struct.pack("!I", n | 0x80000000)
        out += k + v
    return out


def fcgi_begin(params, keep=False, rid=1):
    """BEGIN_REQUEST (responder) and the whole PARAMS stream."""
    return (fcgi_record(FCGI_BEGIN, rid, struct.pack("!HB5x", 1, 1 if keep else 0))
            + fcgi_record(FCGI_PARAMS, rid, fcgi_params(params))
            + fcgi_record(FCGI_PARAMS, rid, b""))


def fcgi_stdin(body, rid=1):
    out = b""
    for i in range(0, len(body), 32768):
        out += fcgi_record(FCGI_STDIN, rid, body[i:i + 32768])
    return out + fcgi_record(FCGI_STDIN, rid, b"")


def fcgi_read(s):
    """Reads records up to END_REQUEST; returns (status, headers, body)."""
    out, data = b"", b""
    while True:
        while len(data) >= 8:
            _, rtype, _, clen, plen = struct.unpack("!BBHHBx", data[:8])
            if len(data) < 8 + clen + plen:
                break
            if rtype == FCGI_STDOUT:
                out += data[8:8 + clen]
            elif rtype == FCGI_END:
                head, _, body = out.partition(b"\r\n\r\n")
                hdrs = {}
                for ln in head.decode("latin-1").split("\r\n"):
                    k, _, v = ln.partition(":")
                    hdrs[k.strip().lower()] = v.strip()
                m = re.match(r"(\d{3})", hdrs.get("status", ""))
                check(m, "no Status line in %r" % out[:120])
                return int(m.group(1)), hdrs, body
            data = data[8 + clen + plen:]
        c = s.recv(65536)
        check(c, "FastCGI connection closed before END_REQUEST")
        data += c


def fcgi_connect(sock):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock)
    return s


def cgi_params(method, uri, body=b"", doc=True, extra=()):
    path, _, query = uri.partition("?")
    p = [("REQUEST_METHOD", method), ("REQUEST_URI", uri),
         ("QUERY_STRING", query), ("REMOTE_ADDR", "127.0.0.1"),
         ("CONTENT_LENGTH", str(len(body)) if body else "")]
    if doc:
        p.append(("DOCUMENT_URI", path))
    return p + list(extra)


def t_fcgi_direct(sock):
    """The FastCGI adapter spoken to directly: a 10 KB body written whole,
    REQUEST_URI decoded once when no DOCUMENT_URI is given, headers from
    HTTP_* parameters, and a 413 whose body is drained so that the kept
    connection serves the next request."""
    with open(os.path.join(ROOT, "static", "style.css"), "rb") as f:
        css = f.read()
    s = fcgi_connect(sock)
    try:
        s.sendall(fcgi_begin(cgi_params("GET", "/static/style.css"), keep=True)
                  + fcgi_stdin(b""))
        st, h, body = fcgi_read(s)
        check(st == 200 and body == css, "style.css: %d, %d bytes" % (st, len(body)))
        check(h.get("content-length") == str(len(css)), "Content-Length %r"
              % h.get("content-length"))
        etag = h.get("etag")
        check(etag, "no ETag from the app")
        s.sendall(fcgi_begin(cgi_params("GET", "/static/style.css",
                                        extra=[("HTTP_IF_NONE_MATCH", etag)]),
                             keep=True) + fcgi_stdin(b""))
        st, h, body = fcgi_read(s)
        check(st == 304 and body == b"", "If-None-Match: %d" % st)
        s.sendall(fcgi_begin(cgi_params("GET", "/static/style%2Ecss?v=1",
                                        doc=False), keep=True) + fcgi_stdin(b""))
        st, h, body = fcgi_read(s)
        check(st == 200 and body == css, "REQUEST_URI only: %d" % st)
        for uri in ("/static/%2e%2e/Makefile", "/static/..%2fMakefile",
                    "/static/%00x", "/static/%zz"):
            s.sendall(fcgi_begin(cgi_params("GET", uri, doc=False), keep=True)
                      + fcgi_stdin(b""))
            st, h, body = fcgi_read(s)
            check(st in (400, 404) and MAKEFILE_MARK not in body,
                  "REQUEST_URI %s: %d" % (uri, st))
        big = b"z" * (MAX_BODY + 4096)
        s.sendall(fcgi_begin(cgi_params("POST", "/api/v1/diagnoses", big,
                                        extra=[("CONTENT_TYPE", "text/plain")]),
                             keep=True) + fcgi_stdin(big))
        st, h, body = fcgi_read(s)
        check(st == 413, "oversized body: %d" % st)
        check(h.get("content-type", "").startswith("application/problem+json"),
              "413 content type %r" % h.get("content-type"))
        s.sendall(fcgi_begin(cgi_params("HEAD", "/healthz"), keep=True)
                  + fcgi_stdin(b""))
        st, h, body = fcgi_read(s)
        check(st == 200 and body == b"", "HEAD after the 413: %d %r" % (st, body[:50]))
        s.sendall(fcgi_begin(cgi_params("GET", "/",
                                        extra=[("HTTP_ACCEPT_LANGUAGE", "en")]))
                  + fcgi_stdin(b""))
        st, h, body = fcgi_read(s)
        check(st == 200 and h.get("content-language") == "en",
              "HTTP_ACCEPT_LANGUAGE: %d %r" % (st, h.get("content-language")))
    finally:
        s.close()


def t_fcgi_shutdown(fcgi, sock, nginx_port):
    """SIGTERM while nginx holds kept-alive connections and a worker reads a
    half-sent body: the request completes, the process exits 0 promptly."""
    # Leave kept-alive upstream connections in nginx's pool.
    for _ in range(4):
        http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=5)
    for _ in range(4):
        c = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=5)
        c.request("GET", "/healthz")
        c.getresponse().read()
        c.close()
    body = b"421 4.7.0 try again later\n" * 40
    s = fcgi_connect(sock)
    params = cgi_params("POST", "/api/v1/diagnoses", body,
                        extra=[("CONTENT_TYPE", "text/plain")])
    s.sendall(fcgi_begin(params) + fcgi_record(FCGI_STDIN, 1, body[:len(body) // 2]))
    time.sleep(0.3)
    t0 = time.time()
    fcgi.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    check(fcgi.proc.poll() is None, "exited with a request in flight")
    s.sendall(fcgi_stdin(body[len(body) // 2:]))
    st, h, rest = fcgi_read(s)
    s.close()
    check(st < 500, "in-flight request answered %d" % st)
    check(h.get("content-length") == str(len(rest)), "incomplete answer")
    try:
        rc = fcgi.proc.wait(5)
    except subprocess.TimeoutExpired:
        raise Fail("fcgi still running 5 s after SIGTERM")
    check(rc == 0, "exit status %d" % rc)
    check(time.time() - t0 < 5, "took %.1fs to stop" % (time.time() - t0))
    check(not os.path.exists(sock), "socket file left behind")


def t_clean_exit(srv):
    """The server that ran every case exits 0 on SIGTERM (under the
    sanitizers this is where a leak report would turn up)."""
    rc = srv.stop(signal.SIGTERM, timeout=15)
    check(rc == 0, "exit status %d; log:\n%s" % (rc, srv.tail(20)))


# --- runner -------------------------------------------------------------------

class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn, *args):
        t0 = time.time()
        try:
            fn(*args)
        except Fail as e:
            self.failed += 1
            print("FAIL %s: %s" % (name, e))
            return False
        except Exception as e:   # a crash of the case is a failure too
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
            traceback.print_exc(limit=3)
            return False
        self.passed += 1
        print("ok   %s (%.2fs)" % (name, time.time() - t0))
        return True


def main():
    if len(sys.argv) != 2:
        print("usage: run.py BINARY", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="bouncedesk-http-")
    # nginx workers may run as another user (nobody when started as root):
    # they must reach the socket and the temp files.
    os.chmod(tmp, 0o755)
    sock = os.path.join(tmp, "fcgi.sock")
    runner = Runner()
    servers = []
    t_start = time.time()
    try:
        db = prepare_db(binary, tmp)
        serve = start_serve(binary, tmp, db)
        servers.append(serve)
        fcgi = start_fcgi(binary, tmp, db, sock)
        servers.append(fcgi)
        nginx = start_nginx(tmp, sock)
        servers.append(nginx)
        targets = [Target("mhd", serve.port), Target("fcgi+nginx", nginx.port)]
        for name, fn in CASES:
            for t in targets:
                runner.run("%s [%s]" % (name, t.name), fn, t)
        runner.run("same answers through both transports", t_same, *targets)
        runner.run("FastCGI protocol, spoken directly", t_fcgi_direct, sock)
        runner.run("shipped deploy/nginx.conf passes nginx -t",
                   t_nginx_prod_conf, tmp)
        runner.run("graceful shutdown [mhd]", t_serve_shutdown, binary, tmp, db)
        runner.run("graceful shutdown [fcgi]", t_fcgi_shutdown, fcgi, sock,
                   nginx.port)
        runner.run("clean exit after the suite [mhd]", t_clean_exit, serve)
    except Fail as e:
        runner.failed += 1
        print("FAIL set-up: %s" % e)
    finally:
        for s in reversed(servers):
            s.stop(signal.SIGQUIT if s.name == "nginx" else signal.SIGTERM)
        if runner.failed:
            for s in servers:
                print("--- %s log (last lines) ---\n%s" % (s.name, s.tail()))
            for f in ("error.log", "access.log"):
                p = os.path.join(tmp, "nginx", f)
                if os.path.exists(p):
                    with open(p, errors="replace") as fh:
                        lines = fh.read().splitlines()[-30:]
                    print("--- nginx %s ---\n%s" % (f, "\n".join(lines)))
        shutil.rmtree(tmp, ignore_errors=True)
    print("(%.1fs)" % (time.time() - t_start))
    print("http: %d passed, %d failed" % (runner.passed, runner.failed))
    return 1 if runner.failed or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
