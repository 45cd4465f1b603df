#!/usr/bin/env python3
"""tests/http/test_faq.py BINARY - the FAQ search through HTTP, for real.

Starts `serve` on a fresh seeded database and drives /api/v1/faq/search:
a pasted bounce line answers with a "diagnosis" (the verdict of the engine
and the articles its rules link) besides the results, a plain query does
not, and a misspelt word is corrected. The last line is
"faq: N passed, M failed".
"""

import json
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import run as h  # noqa: E402  (the shared helpers of the HTTP suite)

check = h.check
Fail = h.Fail

BOUNCE_LINE = ("550 5.1.1 <nobody@example.net>: Recipient address rejected: "
               "User unknown in virtual mailbox table")


def search(t, q, lang=None):
    qs = {"q": q}
    if lang:
        qs["lang"] = lang
    st, _, data = t.get("/api/v1/faq/search?" + urllib.parse.urlencode(qs))
    check(st == 200, "search %r: status %d" % (q, st))
    try:
        return json.loads(data)
    except ValueError:
        raise Fail("search %r: not JSON: %r" % (q, data[:200]))


def t_pasted_line(t):
    for lang in ("en", "fr"):
        doc = search(t, BOUNCE_LINE, lang)
        d = doc.get("diagnosis")
        check(isinstance(d, dict), "%s: no diagnosis object: %s" %
              (lang, json.dumps(doc)[:300]))
        check(d.get("reason") == "userunknown", "%s: reason %r" %
              (lang, d.get("reason")))
        check(d.get("status") == "5.1.1", "%s: status %r" %
              (lang, d.get("status")))
        check(isinstance(d.get("explanation"), str) and d["explanation"],
              "%s: no explanation" % lang)
        faq = d.get("faq") or []
        check(len(faq) > 0, "%s: the rule links no article" % lang)
        for a in faq:
            st, _, body = t.get("/api/v1/faq/%d" % a["id"])
            check(st == 200, "%s: article %d answers %d" %
                  (lang, a["id"], st))
            check(json.loads(body).get("lang") == lang,
                  "%s: article %d is in another language" % (lang, a["id"]))
            art = search(t, a["title"], lang)
            check(any(r["id"] == a["id"] for r in art["results"]),
                  "%s: linked article %d not found by its title" %
                  (lang, a["id"]))
        # The search results are there too.
        check(len(doc.get("results", [])) > 0, "%s: no results" % lang)
    # The two languages explain in their own words.
    en = search(t, BOUNCE_LINE, "en")["diagnosis"]["explanation"]
    fr = search(t, BOUNCE_LINE, "fr")["diagnosis"]["explanation"]
    check(en != fr, "same explanation in French and English: %r" % en)


def t_page_verdict(t):
    """The /faq page leads with the verdict and its articles, above the
    results; a plain query shows neither."""
    qs = urllib.parse.urlencode({"q": BOUNCE_LINE})
    st, _, body = t.get("/faq?" + qs, headers={"Accept-Language": "en"})
    check(st == 200, "/faq: status %d" % st)
    page = body.decode("utf-8", "replace")
    d = search(t, BOUNCE_LINE, "en")["diagnosis"]
    check('id="faq-verdict"' in page, "no verdict on the page")
    v = page.index('id="faq-verdict"')
    check(v < page.index('id="faq-results-title"'),
          "the verdict is not above the results")
    for a in d["faq"]:
        check('href="%s"' % a["url"] in page[v:page.index("</aside>", v)],
              "linked article %s not in the verdict" % a["url"])
    st, _, body = t.get("/faq?q=quota", headers={"Accept-Language": "en"})
    check(st == 200 and b'id="faq-verdict"' not in body,
          "a verdict for a plain query")


def t_plain_query(t):
    for q in ("quota", "mailbox full", "mot de passe"):
        doc = search(t, q)
        check("diagnosis" not in doc, "%r: a diagnosis for a plain query" % q)


def t_typo(t):
    doc = search(t, "authentifcation", "fr")
    check(doc.get("did_you_mean") == "authentification",
          "did_you_mean %r" % doc.get("did_you_mean"))
    check(len(doc.get("results", [])) > 0, "no results after correction")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(h.ROOT, "build", "bouncedesk")
    runner = h.Runner()
    tmp = tempfile.mkdtemp(prefix="bd-faq-")
    t_start = time.time()
    srv = None
    try:
        db = h.prepare_db(binary, tmp)
        srv = h.start_serve(binary, tmp, db)
        t = h.Target("mhd", srv.port)
        runner.run("pasted bounce line leads with the diagnosis",
                   t_pasted_line, t)
        runner.run("/faq page leads with the verdict", t_page_verdict, t)
        runner.run("plain queries have no diagnosis", t_plain_query, t)
        runner.run("misspelt word corrected", t_typo, t)
    except Fail as e:
        runner.failed += 1
        print("FAIL set-up: %s" % e)
    finally:
        if srv is not None:
            srv.stop(signal.SIGTERM)
            if runner.failed:
                print("--- serve log ---\n%s" % srv.tail())
        shutil.rmtree(tmp, ignore_errors=True)
    print("(%.1fs)" % (time.time() - t_start))
    print("faq: %d passed, %d failed" % (runner.passed, runner.failed))
    return 1 if runner.failed or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
