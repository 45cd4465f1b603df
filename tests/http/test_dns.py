#!/usr/bin/env python3
"""tests/http/test_dns.py BINARY - the sender checks against real servers.

Starts dnsmasq on a free loopback port with the zones written below (good
and broken sender domains, a test IP blacklist and a test domain list), and
small DNS servers of our own that never answer, answer SERVFAIL or answer
truncated without TCP. Runs `bouncedesk check-domain` and the HTTP API and
page against them and checks every verdict, the time limits and that names
that are not domains are never queried. Then, when spamd is installed,
starts it on loopback with network tests off and scores a clean message and
a GTUBE one through the CLI, the API and the page.
Python 3 standard library only. Last line: "dns: N passed, M failed".
"""

import base64
import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
SPAMD = shutil.which("spamd") or "/usr/sbin/spamd"
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


# --- servers ----------------------------------------------------------------

def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (DNS uses both)."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            t.close()
            u.close()
            continue
        t.close()
        u.close()
        return port
    raise Fail("no free port")


def dns_query(name, qtype=1):
    q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", qtype, 1)


def dns_ready(port, timeout=10.0):
    end = time.time() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        while time.time() < end:
            try:
                s.sendto(dns_query("good.test", 15), ("127.0.0.1", port))
                data, _ = s.recvfrom(4096)
                if data[:2] == b"\x42\x42":
                    return
            except OSError:
                pass
    raise Fail("dnsmasq on port %d does not answer" % port)


def dkim_key(bits):
    """A well-formed base64 p= of about the size of an RSA key."""
    n = {1024: 162, 2048: 294}[bits]
    return base64.b64encode(os.urandom(n)).decode()


def txt(name, *strings):
    """A TXT record of one or more strings; no shell, so no quotes (on the
    command line dnsmasq keeps them), and no commas inside a string."""
    for s in strings:
        assert "," not in s and len(s) <= 255, s
    return "--txt-record=%s,%s" % (name, ",".join(strings))


def zone_args():
    key = dkim_key(2048)
    a = [
        "--local=/test/", "--local=/in-addr.arpa/", "--local-ttl=30",
        # good.test: everything right.
        "--mx-host=good.test,mx1.good.test,10",
        "--mx-host=good.test,mx2.good.test,20",
        "--host-record=mx1.good.test,192.0.2.10",
        "--host-record=mx2.good.test,192.0.2.11",
        "--host-record=good.test,192.0.2.80",
        "--host-record=mail.good.test,192.0.2.25",
        "--ptr-record=25.2.0.192.in-addr.arpa,mail.good.test",
        txt("good.test", "v=spf1 mx include:_spf.provider.test -all"),
        txt("good.test", "google-site-verification=abcdef"),
        txt("_spf.provider.test", "v=spf1 ip4:192.0.2.0/24 -all"),
        txt("_dmarc.good.test", "v=DMARC1; p=reject; "
            "rua=mailto:dmarc@good.test"),
        # A 2048-bit key does not fit one 255-byte string: two strings.
        txt("bd._domainkey.good.test", "v=DKIM1; k=rsa; p=" + key[:200],
            key[200:]),
        # bad.test: an IP as MX, an alias, a host without address, two
        # SPF records, a revoked key, DMARC without reports, a listed IP
        # whose reverse name does not come back, a listed domain.
        "--mx-host=bad.test,192.0.2.99,10",
        "--mx-host=bad.test,alias.bad.test,20",
        "--mx-host=bad.test,ghost.bad.test,30",
        "--cname=alias.bad.test,mx1.good.test",
        txt("bad.test", "v=spf1 a +all"),
        txt("bad.test", "v=spf1 mx -all"),
        txt("bd._domainkey.bad.test", "v=DKIM1; p="),
        txt("s1._domainkey.bad.test", "v=DKIM1; p=not*base64"),
        txt("_dmarc.bad.test", "v=DMARC1; p=none"),
        "--ptr-record=66.2.0.192.in-addr.arpa,192-0-2-66.dyn.isp.test",
        "--host-record=192-0-2-66.dyn.isp.test,198.51.100.1",
        "--address=/66.2.0.192.bl.test/127.0.0.2",
        txt("66.2.0.192.bl.test", "Listed for spam - see bl.test"),
        "--address=/bad.test.dbl.test/127.0.1.2",
        # nospf.test: mail but no SPF, no DKIM key, no DMARC.
        "--mx-host=nospf.test,mx1.good.test,10",
        # lookups.test: eleven includes, one lookup each.
        # plusall.test: +all and no provider include.
        txt("plusall.test", "v=spf1 ip4:198.51.100.0/24 +all"),
        "--mx-host=plusall.test,mx1.good.test,10",
        # noa.test: no MX, an address only.
        "--host-record=noa.test,192.0.2.81",
        txt("noa.test", "v=spf1 a include:_spf.provider.test ~all"),
        # bigtxt.test: more TXT than a 512-byte UDP answer holds.
        "--mx-host=bigtxt.test,mx1.good.test,10",
        txt("bigtxt.test", "v=spf1 mx include:_spf.provider.test -all"),
        # Our own sending IPs: one clean, one listed, one the list
        # refuses to answer about.
        "--ptr-record=88.2.0.192.in-addr.arpa,relay2.provider.test",
        "--host-record=relay2.provider.test,192.0.2.88",
        "--address=/88.2.0.192.bl.test/127.0.0.4",
        "--address=/77.2.0.192.bl.test/127.255.255.254",
    ]
    incl = []
    for i in range(11):
        a.append(txt("inc%d.lookups.test" % i, "v=spf1 ip4:203.0.113.%d -all"
                     % i))
        incl.append("include:inc%d.lookups.test" % i)
    # Over 255 bytes: two strings, joined without a space by receivers.
    a.append(txt("lookups.test", "v=spf1 " + " ".join(incl[:6]) + " ",
                 " ".join(incl[6:]) + " -all"))
    a.append("--mx-host=lookups.test,mx1.good.test,10")
    for i in range(5):
        a.append(txt("bigtxt.test", "filler-%d-" % i + "x" * 200))
    return a


def start_dnsmasq(tmp):
    port = free_port()
    log = os.path.join(tmp, "dnsmasq.log")
    argv = [DNSMASQ, "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
            "--keep-in-foreground", "-p", str(port),
            "--listen-address=127.0.0.1", "--bind-interfaces",
            "--log-queries", "--log-facility=" + log,
            "--pid-file=" + os.path.join(tmp, "dnsmasq.pid")] + zone_args()
    errf = open(os.path.join(tmp, "dnsmasq.err"), "wb")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errf)
    p.port = port
    p.log = log
    try:
        dns_ready(port)
    except Fail:
        p.kill()
        p.wait()
        with open(os.path.join(tmp, "dnsmasq.err")) as f:
            raise Fail("dnsmasq did not start: " + f.read()[-500:])
    return p


class FakeDNS(threading.Thread):
    """A UDP DNS server that drops every query, answers SERVFAIL, or
    answers truncated (with no TCP to fall back to)."""

    def __init__(self, mode):
        super().__init__(daemon=True)
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", free_port()))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.stopped = False
        self.queries = 0

    def run(self):
        while not self.stopped:
            try:
                q, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.queries += 1
            if self.mode == "drop" or len(q) < 12:
                continue
            flags = 0x8182 if self.mode == "servfail" else 0x8380
            self.sock.sendto(q[:2] + struct.pack(">HHHHH", flags, 1, 0, 0, 0)
                             + q[12:], peer)

    def stop(self):
        self.stopped = True
        self.join(2)
        self.sock.close()


class Silent(threading.Thread):
    """A TCP server that accepts and never answers (a hung spamd)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def stop(self):
        for c in self.conns:
            c.close()
        self.sock.close()


# --- the binary ---------------------------------------------------------------

def base_env(tmp, resolver, **extra):
    env = dict(os.environ)
    env.update({
        "BOUNCEDESK_SHARE_DIR": ROOT,
        "BOUNCEDESK_DB": os.path.join(tmp, "test.db"),
        "BOUNCEDESK_RESOLVER": resolver,
        "BOUNCEDESK_DNSBL_ZONES": "bl.test,dbl.test",
        "BOUNCEDESK_PROVIDER_SPF_INCLUDE": "_spf.provider.test",
        "BOUNCEDESK_PROVIDER_DKIM_SELECTORS": "bd",
        "BOUNCEDESK_PROVIDER_IPS": "",
        "BOUNCEDESK_PROVIDER_NAME": "Provider",
        "BOUNCEDESK_DNS_TIMEOUT_MS": "1000",
        "BOUNCEDESK_DNS_TRIES": "2",
        "BOUNCEDESK_CHECK_TIMEOUT_MS": "5000",
        "BOUNCEDESK_CHECK_RATE": "10000",
        "BOUNCEDESK_SPAMD": "",
        "BOUNCEDESK_THREADS": "4",
    })
    env.update(extra)
    return env


def cli(binary, env, *args, timeout=30):
    t0 = time.time()
    r = subprocess.run([binary] + list(args), env=env, cwd=ROOT,
                       capture_output=True, timeout=timeout)
    r.elapsed = time.time() - t0
    r.doc = None
    if "--json" in args and r.stdout.strip():
        try:
            r.doc = json.loads(r.stdout)
        except ValueError:
            raise Fail("%s: not JSON: %r" % (args, r.stdout[:300]))
    return r


def verdicts(doc):
    out = {}
    for f in doc["findings"]:
        out.setdefault(f["id"], []).append(f)
    return out


def expect(doc, want, only=False):
    """want: {id: verdict}; each id present with that verdict."""
    have = verdicts(doc)
    for fid, v in want.items():
        check(fid in have, "no finding %s in %s" % (fid, sorted(have)))
        got = {f["verdict"] for f in have[fid]}
        check(got == {v}, "%s: verdict %s, want %s" % (fid, got, v))
        for f in have[fid]:
            check(f.get("explanation"), "%s without explanation" % fid)
    if only:
        extra = set(have) - set(want)
        check(not extra, "unexpected findings %s" % sorted(extra))


def find(doc, fid):
    for f in doc["findings"]:
        if f["id"] == fid:
            return f
    raise Fail("no finding %s" % fid)


class Server:
    def __init__(self, binary, env, tmp, name):
        self.log = open(os.path.join(tmp, name + ".log"), "wb")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0"], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode(errors="replace").strip()
        m = re.match(r"^listening on 127\.0\.0\.1:(\d+)$", line)
        if not m:
            self.stop()
            raise Fail("%s did not start (%r)" % (name, line))
        self.port = int(m.group(1))

    def get(self, path, method="GET", body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.headers, r.read()
        finally:
            c.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def csrf_of(srv):
    st, h, body = srv.get("/")
    m = re.search(r"csrf=([0-9a-f]{64})", h.get("Set-Cookie", ""))
    check(m, "no csrf cookie from /")
    return m.group(1)


def post_form(srv, path, fields, token):
    body = urllib.parse.urlencode(dict(fields, csrf=token))
    return srv.get(path, "POST", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "csrf=" + token})


# --- DNS cases ----------------------------------------------------------------

class Ctx:
    pass


def t_good_domain(c):
    r = cli(c.bin, c.env, "check-domain", "good.test", "--ip", "192.0.2.25",
            "--json", "--lang", "en")
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr[-300:]))
    d = r.doc
    expect(d, {"mx-ok": "pass", "spf-lookups-ok": "pass",
               "spf-all-fail": "pass", "spf-provider": "pass",
               "dkim-ok": "pass", "dmarc-policy": "pass", "dmarc-rua": "pass",
               "a-ok": "pass", "ptr-ok": "pass", "dnsbl-clean": "pass"},
           only=True)
    check(d["summary"] == {"pass": len(d["findings"]), "warn": 0, "fail": 0,
                           "verdict": "pass"}, "summary %r" % d["summary"])
    check(d["complete"] is True, "incomplete")
    check("2048" in find(d, "dkim-ok")["explanation"],
          "the two-string key is not read whole: %r"
          % find(d, "dkim-ok")["explanation"])
    check("mx1.good.test (10), mx2.good.test (20)" in
          find(d, "mx-ok")["explanation"], "MX order")
    check(find(d, "spf-lookups-ok")["explanation"].find(" 2 ") > 0,
          "SPF lookups: %r" % find(d, "spf-lookups-ok")["explanation"])
    check(d["ips"] == ["192.0.2.25"] and d["selectors"] == ["bd"],
          "request %r %r" % (d["ips"], d["selectors"]))
    # The text form says the same, in French by default.
    r = cli(c.bin, c.env, "check-domain", "Good.Test.", "--ip", "192.0.2.25")
    check(r.returncode == 0 and re.match(rb"good.test: %d pass, 0 warn, "
                                         rb"0 fail" % len(d["findings"]),
                                         r.stdout), "text: %r"
          % r.stdout[:200])
    check("reçoit son courrier".encode() in r.stdout, "not in French")


def t_bad_domain(c):
    r = cli(c.bin, c.env, "check-domain", "bad.test", "--ip", "192.0.2.66",
            "--selector", "s1", "--json", "--lang", "en")
    check(r.returncode == 1, "exit %d, want 1" % r.returncode)
    d = r.doc
    expect(d, {"mx-ip": "fail", "mx-cname": "warn", "mx-unresolvable": "fail",
               "spf-multiple": "fail", "dkim-revoked": "fail",
               "dkim-bad": "fail", "dmarc-policy-none": "pass",
               "dmarc-no-rua": "warn", "a-none": "warn",
               "ptr-mismatch": "fail", "ptr-generic": "warn",
               "dnsbl-listed": "fail", "dbl-listed": "fail"})
    check("mx-ok" not in verdicts(d), "mx-ok despite broken hosts")
    check(find(d, "mx-cname")["subject"] == "alias.bad.test" and
          "mx1.good.test" in find(d, "mx-cname")["explanation"], "cname")
    check(find(d, "mx-unresolvable")["subject"] == "ghost.bad.test", "ghost")
    fix = find(d, "spf-multiple")["fix"]
    check(fix in ('bad.test. IN TXT "v=spf1 a mx include:_spf.provider.test '
                  '-all"', 'bad.test. IN TXT "v=spf1 mx a '
                  'include:_spf.provider.test -all"'),
          "merged SPF fix %r" % fix)
    check(find(d, "dkim-bad")["subject"] == "s1._domainkey.bad.test",
          "dkim-bad subject")
    check("rua=mailto:postmaster@bad.test" in find(d, "dmarc-no-rua")["fix"],
          "DMARC fix %r" % find(d, "dmarc-no-rua")["fix"])
    ptr = find(d, "ptr-mismatch")
    check("192-0-2-66.dyn.isp.test" in ptr["explanation"] and
          ptr["fix"] == "192-0-2-66.dyn.isp.test. IN A 192.0.2.66",
          "ptr %r" % ptr)
    bl = find(d, "dnsbl-listed")
    check("127.0.0.2" in bl["explanation"] and "bl.test" in bl["explanation"],
          "listing %r" % bl["explanation"])
    check("removal" in bl["explanation"], "no delisting procedure")
    check(bl.get("detail") == "Listed for spam - see bl.test", "TXT reason %r"
          % bl.get("detail"))
    check("127.0.1.2" in find(d, "dbl-listed")["explanation"], "DBL code")
    check(d["summary"]["verdict"] == "fail", "summary %r" % d["summary"])


def t_spf_cases(c):
    r = cli(c.bin, c.env, "check-domain", "lookups.test", "--json")
    d = r.doc
    expect(d, {"spf-lookups": "fail", "spf-provider-missing": "fail",
               "spf-all-fail": "pass"})
    check(" 11 " in find(d, "spf-lookups")["explanation"], "count %r" %
          find(d, "spf-lookups")["explanation"])
    r = cli(c.bin, c.env, "check-domain", "plusall.test", "--json",
            "--lang", "en")
    d = r.doc
    expect(d, {"spf-all-pass": "fail", "spf-provider-missing": "fail",
               "dkim-missing-ours": "fail", "dmarc-none": "warn"})
    check(find(d, "spf-provider-missing")["fix"] ==
          'plusall.test. IN TXT "v=spf1 ip4:198.51.100.0/24 '
          'include:_spf.provider.test ~all"', "fix %r" %
          find(d, "spf-provider-missing")["fix"])
    check("bd._domainkey.plusall.test" in find(d, "dkim-missing-ours")["fix"],
          "DKIM fix")
    r = cli(c.bin, c.env, "check-domain", "nospf.test", "--json")
    d = r.doc
    expect(d, {"spf-none": "fail", "dmarc-none": "warn", "mx-ok": "pass"})
    check(find(d, "spf-none")["fix"] == 'nospf.test. IN TXT "v=spf1 mx '
          'include:_spf.provider.test ~all"', "fix %r" %
          find(d, "spf-none")["fix"])
    check(find(d, "dmarc-none")["fix"].startswith('_dmarc.nospf.test. IN TXT'
                                                  ' "v=DMARC1; p=none;'),
          "dmarc fix")
    r = cli(c.bin, c.env, "check-domain", "noa.test", "--json")
    expect(r.doc, {"mx-none-a": "warn", "spf-all-soft": "pass",
                   "spf-provider": "pass"})


def t_truncated_answer(c):
    # More than 512 bytes of TXT: c-ares retries over TCP.
    r = cli(c.bin, c.env, "check-domain", "bigtxt.test", "--json")
    d = r.doc
    expect(d, {"spf-lookups-ok": "pass", "spf-provider": "pass"})
    check("spf-dnserror" not in verdicts(d), "TXT not read over TCP")


def t_nxdomain(c):
    r = cli(c.bin, c.env, "check-domain", "gone.test", "--json")
    check(r.returncode == 1, "exit %d" % r.returncode)
    expect(r.doc, {"domain-nxdomain": "fail"}, only=True)


def t_provider_ips(c):
    env = dict(c.env, BOUNCEDESK_PROVIDER_IPS="192.0.2.25,192.0.2.88,"
               "192.0.2.77")
    r = cli(c.bin, env, "check-domain", "good.test", "--json", "--lang", "en")
    d = r.doc
    check(d["ips"] == ["192.0.2.25", "192.0.2.88", "192.0.2.77"],
          "ips %r" % d["ips"])
    expect(d, {"dnsbl-listed-ours": "fail", "dnsbl-refused": "warn",
               "ptr-ok": "pass", "spf-provider": "pass"})
    check(find(d, "dnsbl-listed-ours")["subject"] == "192.0.2.88", "ours")
    check(find(d, "dnsbl-refused")["subject"] == "192.0.2.77", "refused")
    # An IP given replaces ours.
    r = cli(c.bin, env, "check-domain", "good.test", "--ip", "192.0.2.25",
            "--json")
    check(r.doc["ips"] == ["192.0.2.25"] and r.returncode == 0,
          "ips %r" % r.doc["ips"])


def t_not_domains(c):
    bad = ["1.2.3.4", "bad..test", "-x.test", "a" * 64 + ".test",
           "exa mple.test", "localhost", "x.test;id", "probe1.test\\x00",
           "b\u00fccher.test"]
    for name in bad:
        r = cli(c.bin, c.env, "check-domain", name, "--json")
        check(r.returncode == 2, "%r: exit %d" % (name, r.returncode))
        check(r.stderr, "%r: no reason given" % name)
    for ip in ["300.1.1.1", "127.0.0.1", "good.test"]:
        r = cli(c.bin, c.env, "check-domain", "good.test", "--ip", ip)
        check(r.returncode == 2, "ip %r: exit %d" % (ip, r.returncode))
    r = cli(c.bin, c.env, "check-domain", "good.test", "--selector", "a b")
    check(r.returncode == 2, "selector: exit %d" % r.returncode)
    time.sleep(0.2)
    with open(c.dns.log, errors="replace") as f:
        log = f.read()
    for probe in ("1.2.3.4", "bad..test", "mple.test", "localhost",
                  "x.test;id", "probe1", "300.1.1.1"):
        check("query[" not in "".join(l for l in log.splitlines()
                                      if probe in l and "query[" in l),
              "%r was queried" % probe)


def t_timeout(c):
    srv = FakeDNS("drop")
    srv.start()
    try:
        env = dict(c.env, BOUNCEDESK_RESOLVER="127.0.0.1:%d" % srv.port,
                   BOUNCEDESK_DNS_TIMEOUT_MS="300", BOUNCEDESK_DNS_TRIES="2",
                   BOUNCEDESK_CHECK_TIMEOUT_MS="3000")
        r = cli(c.bin, env, "check-domain", "good.test", "--ip",
                "192.0.2.25", "--json", timeout=20)
        d = r.doc
        check(r.elapsed < 3.0, "took %.1f s" % r.elapsed)
        check(srv.queries >= 8, "only %d queries reached the server"
              % srv.queries)
        check(d["complete"] is False, "complete after timeouts")
        check(d["summary"]["pass"] == 0 and d["summary"]["fail"] == 0,
              "summary %r" % d["summary"])
        expect(d, {"domain-dnserror": "warn", "ptr-dnserror": "warn",
                   "dkim-dnserror": "warn"})
        check("timeout" in find(d, "domain-dnserror")["explanation"],
              "reason %r" % find(d, "domain-dnserror")["explanation"])
        # The check's own limit wins over slow retries.
        env.update(BOUNCEDESK_DNS_TIMEOUT_MS="5000", BOUNCEDESK_DNS_TRIES="3",
                   BOUNCEDESK_CHECK_TIMEOUT_MS="800")
        r = cli(c.bin, env, "check-domain", "good.test", "--json",
                timeout=20)
        check(r.elapsed < 2.0, "limit 800 ms, took %.1f s" % r.elapsed)
        check(r.doc["elapsed_ms"] < 1500, "elapsed %r" % r.doc["elapsed_ms"])
        check(r.doc["complete"] is False, "complete")
    finally:
        srv.stop()


def t_servfail(c):
    srv = FakeDNS("servfail")
    srv.start()
    try:
        env = dict(c.env, BOUNCEDESK_RESOLVER="127.0.0.1:%d" % srv.port)
        r = cli(c.bin, env, "check-domain", "good.test", "--json", "--lang",
                "en")
        check(r.elapsed < 2.0, "took %.1f s" % r.elapsed)
        f = find(r.doc, "domain-dnserror")
        check(f["verdict"] == "warn" and "SERVFAIL" in f["explanation"],
              "finding %r" % f)
        check(r.doc["summary"]["pass"] == 0, "a pass out of SERVFAIL")
    finally:
        srv.stop()
    srv = FakeDNS("truncate")
    srv.start()
    try:
        env = dict(c.env, BOUNCEDESK_RESOLVER="127.0.0.1:%d" % srv.port)
        r = cli(c.bin, env, "check-domain", "good.test", "--json")
        check(r.elapsed < 3.0, "took %.1f s" % r.elapsed)
        check(r.doc["summary"]["pass"] == 0 and
              r.doc["summary"]["warn"] > 0, "summary %r" % r.doc["summary"])
    finally:
        srv.stop()


def t_api(c):
    st, h, body = c.srv.get("/api/v1/domains/bad.test/check?ip=192.0.2.66"
                            "&lang=en")
    check(st == 200, "status %d %r" % (st, body[:200]))
    check(h.get("Content-Type", "").startswith("application/json"), "ctype")
    d = json.loads(body)
    expect(d, {"spf-multiple": "fail", "dnsbl-listed": "fail",
               "ptr-mismatch": "fail", "dbl-listed": "fail"})
    check(d["lang"] == "en" and "publishes 2 SPF records" in
          find(d, "spf-multiple")["explanation"], "english")
    # The same check as the CLI, in both languages.
    r = cli(c.bin, c.env, "check-domain", "bad.test", "--ip", "192.0.2.66",
            "--json", "--lang", "en")
    check(sorted(f["id"] for f in d["findings"]) ==
          sorted(f["id"] for f in r.doc["findings"]), "API and CLI differ")
    st, h, body = c.srv.get("/api/v1/domains/good.test/check?ip=192.0.2.25"
                            "&lang=fr")
    d = json.loads(body)
    check(st == 200 and d["summary"]["verdict"] == "pass", "good %r" %
          d["summary"])
    check("reçoit" in find(d, "mx-ok")["explanation"], "french")
    # Answers were cached (dnsmasq gives a 30 s TTL): no new query.
    st, h, body = c.srv.get("/api/v1/domains/good.test/check?ip=192.0.2.25")
    d = json.loads(body)
    check(d["cached"] > 0 and d["queries"] == 0, "cache: %r queries, %r "
          "cached" % (d["queries"], d["cached"]))
    for path, slug in (("/api/v1/domains/1.2.3.4/check", "invalid-domain"),
                       ("/api/v1/domains/a..b/check", "invalid-domain"),
                       ("/api/v1/domains/good.test/check?ip=1.2.3",
                        "invalid-domain"),
                       ("/api/v1/domains/good.test/check?selector=%3Cx%3E",
                        "invalid-domain")):
        st, h, body = c.srv.get(path)
        check(st == 400, "%s: status %d" % (path, st))
        p = json.loads(body)
        check(p["type"].endswith(slug) and p.get("detail"), "problem %r" % p)


def t_rate_limit(c):
    env = dict(c.env, BOUNCEDESK_CHECK_RATE="4")
    srv = Server(c.bin, env, c.tmp, "serve-rate")
    try:
        codes = []
        for _ in range(5):
            st, h, body = srv.get("/api/v1/domains/good.test/check")
            codes.append(st)
        check(codes[:3] == [200, 200, 200] and codes[3:] == [429, 429],
              "statuses %r" % codes)
        st, h, body = srv.get("/api/v1/domains/good.test/check")
        check(st == 429 and int(h.get("Retry-After", "0")) > 0,
              "Retry-After %r" % h.get("Retry-After"))
        check(json.loads(body)["type"].endswith("rate-limited"), "slug")
        st, h, body = srv.get("/check?domain=good.test")
        check(st == 429 and b"<html" in body.lower(), "page %d" % st)
        # Bad names cost nothing: they are refused before the bucket.
        st, h, body = srv.get("/api/v1/domains/x..y/check")
        check(st == 400, "status %d" % st)
    finally:
        srv.stop()


def t_page(c):
    st, h, body = c.srv.get("/check?domain=bad.test&ip=192.0.2.66&lang=en")
    check(st == 200, "status %d" % st)
    page = body.decode()
    for fid, v in (("spf-multiple", "fail"), ("mx-cname", "warn"),
                   ("dnsbl-listed", "fail"), ("dmarc-policy-none", "pass")):
        check('data-finding="%s" data-verdict="%s"' % (fid, v) in page,
              "%s %s not on the page" % (fid, v))
    check(re.search(r'bad\.test\. IN TXT "v=spf1 (a mx|mx a) '
                    r'include:_spf\.provider\.test -all"',
                    html.unescape(page)), "record to publish not shown")
    check('IN TXT "v=spf1' not in page, "quotes not escaped")
    check('class="badge badge--fail"' in page, "no fail badge")
    st, h, body = c.srv.get("/check")
    check(st == 200 and b'name="domain"' in body, "form %d" % st)
    st, h, body = c.srv.get("/check?domain=1.2.3.4")
    check(st == 400 and b'class="form-error"' in body, "error %d" % st)
    st, h, body = c.srv.get("/check?domain=Jane%20%3Cjane%40good.test%3E"
                            "&ip=192.0.2.25")
    check(st == 200 and b'data-finding="mx-ok"' in body,
          "an address as domain: %d" % st)


def t_diagnosis_link(c):
    with open(os.path.join(ROOT, "tests", "data", "dns",
                           "dsn-dmarc.eml")) as f:
        dsn = f.read()
    token = csrf_of(c.srv)
    st, h, body = post_form(c.srv, "/diagnose", {"text": dsn}, token)
    check(st == 200, "status %d" % st)
    m = re.search(r'href="(/check\?domain=[^"]+)"', body.decode())
    check(m, "no check link on an authfailure diagnosis")
    url = html.unescape(m.group(1))
    check("good.test" in url, "link %r" % url)
    st, h, body = c.srv.get(url.replace(" ", "%20").replace("<", "%3C")
                            .replace(">", "%3E"))
    check(st == 200 and b'data-finding="spf-provider"' in body,
          "the link's check: %d" % st)
    # A recipient that does not exist is not a sender problem: no link.
    st, h, body = post_form(c.srv, "/diagnose", {
        "text": "550 5.1.1 <nobody@example.org>: Recipient address "
                "rejected: User unknown in virtual mailbox table"}, token)
    check(st == 200 and b"/check?domain=" not in body, "link on userunknown")


def card_checks(body):
    """(finding id, verdict) of the inline sender checks of a page."""
    return re.findall(r'<li data-finding="([a-z0-9-]+)" '
                      r'data-verdict="([a-z]+)">', body.decode())


def t_diagnosis_inline(c):
    # good.test's SPF, DKIM and DMARC, run by the diagnosis page itself
    # for an authfailure cause: only those groups, in the card.
    with open(os.path.join(ROOT, "tests", "data", "dns",
                           "dsn-dmarc.eml")) as f:
        dsn = f.read()
    token = csrf_of(c.srv)
    st, h, body = post_form(c.srv, "/diagnose", {"text": dsn}, token)
    check(st == 200, "status %d" % st)
    got = dict(card_checks(body))
    check(got.get("spf-provider") == "pass" and
          got.get("dmarc-policy") == "pass", "inline checks %r" % got)
    check(not any(k.startswith(("mx-", "ptr-", "dnsbl-", "dbl-"))
                  for k in got), "other groups shown: %r" % got)
    check(b"<code>good.test</code>" in body, "the domain is not named")
    # The bounce's To: (the sender) when the original is not returned;
    # bad.test's records fail.
    frag = ("From: MAILER-DAEMON@relay1.example.net\nTo: boss@bad.test\n"
            "Subject: failure notice\n\n550 5.7.26 Unauthenticated email "
            "from bad.test is not accepted due to domain's DMARC policy\n")
    st, h, body = post_form(c.srv, "/diagnose", {"text": frag}, token)
    got = dict(card_checks(body))
    check(st == 200 and "fail" in got.values() and
          "spf-provider" not in got, "bad.test inline checks %r" % got)
    # No sender cause, no check.
    st, h, body = post_form(c.srv, "/diagnose", {
        "text": "To: sender@good.test\n\n550 5.1.1 <nobody@example.org>: "
                "User unknown"}, token)
    check(st == 200 and not card_checks(body), "checks on userunknown")
    # Over the per-client check rate the page still answers, without them.
    srv = Server(c.bin, dict(c.env, BOUNCEDESK_CHECK_RATE="1"), c.tmp,
                 "serve-inline-rate")
    try:
        token = csrf_of(srv)
        seen = []
        for _ in range(5):
            st, h, body = post_form(srv, "/diagnose", {"text": dsn}, token)
            check(st == 200 and h.get("Retry-After") is None,
                  "status %d, Retry-After %r" % (st, h.get("Retry-After")))
            seen.append(bool(card_checks(body)))
        check(seen[0] and not seen[-1], "checks per page %r" % seen)
    finally:
        srv.stop()

# --- spamd ----------------------------------------------------------------------

CLEAN = ("From: Alice Martin <alice@good.test>\r\n"
         "To: Bob <bob@example.org>\r\n"
         "Subject: Notes from this morning\r\n"
         "Date: Sun, 22 Nov 2026 10:00:00 +0100\r\n"
         "Message-ID: <notes-1@good.test>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "\r\n"
         "Hi Bob,\r\n\r\nHere are the notes from this morning's meeting. "
         "The next one is on Tuesday at ten.\r\n\r\nAlice\r\n")
SPAMMY = ("From: winner@spam.test\r\nTo: bob@example.org\r\n"
          "Subject: YOU WON\r\n\r\n" + GTUBE + "\r\n")


def start_spamd(tmp):
    if not os.path.exists(SPAMD):
        raise Skip("spamd is not installed (Debian package spamd)")
    home = os.path.join(tmp, "sa-home")
    os.makedirs(home)
    os.chmod(home, 0o777)
    port = free_port()
    sock = os.path.join(tmp, "spamd.sock")
    argv = [SPAMD, "-L", "-x", "-i", "127.0.0.1:%d" % port, "-i", sock,
            "--socketmode=0666", "-m", "2", "--min-children=1",
            "--min-spare=1", "--max-spare=2", "-H", home, "-s", "stderr",
            "--cf=use_bayes 0", "--cf=bayes_auto_learn 0",
            "-r", os.path.join(home, "spamd.pid")]
    if os.geteuid() == 0:
        argv += ["-u", "nobody"]
    log = open(os.path.join(tmp, "spamd.log"), "wb")
    p = subprocess.Popen(argv, stdout=log, stderr=log)
    p.port = port
    p.sock = sock
    p.logf = log
    end = time.time() + 30
    while time.time() < end:
        if p.poll() is not None:
            raise Fail("spamd exited %d" % p.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            if os.path.exists(sock):
                return p
        except OSError:
            pass
        time.sleep(0.1)
    p.kill()
    raise Fail("spamd did not listen within 30 s")


def t_spam_cli(c):
    env = dict(c.env, BOUNCEDESK_SPAMD="127.0.0.1:%d" % c.spamd.port)
    clean = os.path.join(c.tmp, "clean.eml")
    spammy = os.path.join(c.tmp, "spammy.eml")
    with open(clean, "w") as f:
        f.write(CLEAN)
    with open(spammy, "w") as f:
        f.write(SPAMMY)
    a = cli(c.bin, env, "spam-score", clean, "--json", timeout=60)
    check(a.returncode == 0, "clean: exit %d %r" % (a.returncode,
                                                    a.stderr[-300:]))
    b = cli(c.bin, env, "spam-score", spammy, "--json", "--lang", "en",
            timeout=60)
    check(b.returncode == 1, "GTUBE: exit %d" % b.returncode)
    check(a.doc["score"] < 3 and a.doc["over"] is False, "clean %r" % a.doc)
    check(b.doc["score"] >= 1000 and b.doc["over"] is True and
          b.doc["verdict"] == "blocked", "spammy %r" % b.doc["score"])
    check(b.doc["score"] - a.doc["score"] >= 997, "no difference")
    check(b.doc["threshold"] == 3, "threshold %r" % b.doc["threshold"])
    names = [t["name"] for t in b.doc["tests"]]
    check(names[0] == "GTUBE", "tests %r" % names)
    scores = [t["score"] for t in b.doc["tests"]]
    check(scores == sorted(scores, reverse=True), "not sorted %r" % scores)
    check(any(t["name"].startswith("MISSING_") and t.get("explanation")
              for t in b.doc["tests"]), "no explained MISSING_ test")
    check(b.doc["advice"], "no advice")
    # The unix socket, and the text form.
    env["BOUNCEDESK_SPAMD"] = c.spamd.sock
    r = cli(c.bin, env, "spam-score", spammy, timeout=60)
    check(r.returncode == 1 and b"GTUBE" in r.stdout, "socket: %r"
          % r.stdout[:200])


def t_spam_failures(c):
    with open(os.path.join(c.tmp, "m.eml"), "w") as f:
        f.write(CLEAN)
    m = os.path.join(c.tmp, "m.eml")
    r = cli(c.bin, dict(c.env, BOUNCEDESK_SPAMD=""), "spam-score", m)
    check(r.returncode == 3 and b"not configured" in r.stderr,
          "unconfigured: %d %r" % (r.returncode, r.stderr))
    r = cli(c.bin, dict(c.env, BOUNCEDESK_SPAMD="127.0.0.1:%d"
                        % free_port()), "spam-score", m)
    check(r.returncode == 3, "closed port: %d" % r.returncode)
    hung = Silent()
    hung.start()
    try:
        r = cli(c.bin, dict(c.env, BOUNCEDESK_SPAMD="127.0.0.1:%d" % hung.port,
                            BOUNCEDESK_SPAMD_TIMEOUT_MS="500"),
                "spam-score", m)
        check(r.returncode == 3 and r.elapsed < 3, "hung spamd: %d in %.1f s"
              % (r.returncode, r.elapsed))
    finally:
        hung.stop()
    st, h, body = c.srv.get("/api/v1/spam-score", "POST", CLEAN,
                            {"Content-Type": "message/rfc822"})
    check(st == 503 and json.loads(body)["type"].endswith(
        "spamd-not-configured"), "API unconfigured: %d %r" % (st, body[:200]))
    token = csrf_of(c.srv)
    st, h, body = post_form(c.srv, "/spam-score", {"message": CLEAN}, token)
    check(st == 503 and b"card--unknown" in body, "page unconfigured %d" % st)


def t_spam_http(c):
    env = dict(c.env, BOUNCEDESK_SPAMD="127.0.0.1:%d" % c.spamd.port)
    srv = Server(c.bin, env, c.tmp, "serve-spamd")
    try:
        st, h, body = srv.get("/api/v1/spam-score?lang=en", "POST", SPAMMY,
                              {"Content-Type": "message/rfc822"})
        check(st == 200, "status %d %r" % (st, body[:200]))
        d = json.loads(body)
        check(d["over"] is True and d["tests"][0]["name"] == "GTUBE", "API")
        st, h, body = srv.get("/api/v1/spam-score", "POST", CLEAN,
                              {"Content-Type": "text/plain"})
        d2 = json.loads(body)
        check(st == 200 and d2["over"] is False and d2["score"] < d["score"],
              "clean via API %r" % d2)
        st, h, body = srv.get("/api/v1/spam-score", "POST", "  \r\n",
                              {"Content-Type": "text/plain"})
        check(st == 400, "empty: %d" % st)
        token = csrf_of(srv)
        st, h, body = post_form(srv, "/spam-score", {"message": SPAMMY}, token)
        check(st == 200 and b'data-verdict="blocked"' in body and
              b"<code>GTUBE</code>" in body, "page spammy %d" % st)
        st, h, body = post_form(srv, "/spam-score", {"message": CLEAN}, token)
        check(st == 200 and b'data-verdict="ok"' in body, "page clean %d" % st)
        st, h, body = srv.get("/spam-score")
        check(st == 200 and b'name="message"' in body and
              b"card--unknown" not in body, "form %d" % st)
        st, h, body = srv.get("/spam-score", "POST", "message=x", {
            "Content-Type": "application/x-www-form-urlencoded"})
        check(st == 403, "no CSRF token: %d" % st)
    finally:
        srv.stop()


# --- main -------------------------------------------------------------------

def main():
    if len(sys.argv) != 2:
        print("usage: test_dns.py BINARY", file=sys.stderr)
        return 2
    t_start = time.time()
    c = Ctx()
    c.bin = os.path.abspath(sys.argv[1])
    c.tmp = tempfile.mkdtemp(prefix="bd-dns-")
    passed = failed = skipped = 0
    c.dns = c.srv = c.spamd = None

    def run(name, fn):
        nonlocal passed, failed, skipped
        t0 = time.time()
        try:
            fn(c)
            passed += 1
            print("ok   %-22s %.2fs" % (name, time.time() - t0))
        except Skip as e:
            skipped += 1
            print("skip %-22s %s" % (name, e))
        except Fail as e:
            failed += 1
            print("FAIL %-22s %s" % (name, e))
        except Exception:
            failed += 1
            print("FAIL %-22s\n%s" % (name, traceback.format_exc()))
        sys.stdout.flush()

    try:
        if not os.path.exists(DNSMASQ):
            print("FAIL dnsmasq is not installed (Debian dnsmasq-base)")
            failed += 1
        else:
            c.dns = start_dnsmasq(c.tmp)
            c.env = base_env(c.tmp, "127.0.0.1:%d" % c.dns.port)
            r = subprocess.run([c.bin, "migrate"], env=c.env, cwd=ROOT,
                               capture_output=True, timeout=60)
            subprocess.run([c.bin, "seed"], env=c.env, cwd=ROOT,
                           capture_output=True, timeout=60)
            if r.returncode != 0:
                raise Fail("migrate: %r" % r.stderr[-300:])
            c.srv = Server(c.bin, c.env, c.tmp, "serve")
            for name, fn in (("good_domain", t_good_domain),
                             ("bad_domain", t_bad_domain),
                             ("spf_cases", t_spf_cases),
                             ("truncated_answer", t_truncated_answer),
                             ("nxdomain", t_nxdomain),
                             ("provider_ips", t_provider_ips),
                             ("not_domains", t_not_domains),
                             ("timeout", t_timeout),
                             ("servfail_truncate", t_servfail),
                             ("api", t_api),
                             ("rate_limit", t_rate_limit),
                             ("page", t_page),
                             ("diagnosis_link", t_diagnosis_link),
                             ("diagnosis_inline", t_diagnosis_inline),
                             ("spam_failures", t_spam_failures)):
                run(name, fn)
            try:
                c.spamd = start_spamd(c.tmp)
            except Skip as e:
                skipped += 2
                print("skip spam_cli, spam_http: %s" % e)
            except Fail as e:
                failed += 1
                print("FAIL spamd: %s" % e)
            if c.spamd is not None:
                run("spam_cli", t_spam_cli)
                run("spam_http", t_spam_http)
    except Fail as e:
        failed += 1
        print("FAIL setup: %s" % e)
    except Exception:
        failed += 1
        print("FAIL setup:\n%s" % traceback.format_exc())
    finally:
        if c.srv is not None:
            c.srv.stop()
        for p in (c.dns, c.spamd):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if c.spamd is not None:
            c.spamd.logf.close()
        if failed == 0:
            shutil.rmtree(c.tmp, ignore_errors=True)
        else:
            print("logs kept in %s" % c.tmp)
    print("dns: %.1f s" % (time.time() - t_start))
    line = "dns: %d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
