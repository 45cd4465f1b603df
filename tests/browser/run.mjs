#!/usr/bin/env node
// tests/browser/run.mjs BINARY - the portal tested as a person uses it.
//
// Starts the real server on a free loopback port with a fresh seeded
// database, makes staff users and an API key with `bouncedesk admin`, has
// the "mail platform" report blocks through the REST API, then drives
// Debian's Chromium (playwright-core, executablePath /usr/bin/chromium):
// diagnosis, FAQ, language, keyboard-only use, the whole unblock workflow
// between a customer and staff, and pasted or typed markup that must never
// run. Screenshots of the main pages at 390 and 1280 pixels go to
// tests/browser/screenshots/. The last line is "browser: N passed, M failed".

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const BIN = path.resolve(process.argv[2] || path.join(ROOT, "build", "bouncedesk"));
const SHOTS = path.join(HERE, "screenshots");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const PW = { agent: "agent-pass-Kq81z", admin: "admin-pass-Vw62x" };
const AGENT = "agent@support.test";
const ADMIN = "admin@support.test";
const XSS_SCRIPT = "<script>alert(1)</script>";
const XSS_IMG = "\"><img src=x onerror=alert(1)>";
const BOUNCE = fs.readFileSync(path.join(HERE, "bounce-postfix.txt"), "utf8");
const TIMEOUT = 15000;

let chromium;
try {
	({ chromium } = await import("playwright-core"));
} catch (e) {
	console.log("playwright-core is missing: run `npm ci` in tests/browser (" +
	    e.message + ")");
	console.log("browser: 0 passed, 1 failed");
	process.exit(1);
}

// ---- small helpers -------------------------------------------------------

class Fail extends Error {}

function check(cond, msg) {
	if (!cond)
		throw new Fail(msg);
}

function run(args, env, input) {
	const r = spawnSync(BIN, args, { env, cwd: ROOT, input,
	    encoding: "utf8", timeout: 60000 });
	return { code: r.status, out: r.stdout || "", err: r.stderr || "" };
}

// Starts `bouncedesk serve` and resolves with its port once it says
// "listening on 127.0.0.1:PORT".
function startServer(env, logPath) {
	return new Promise((resolve, reject) => {
		const log = fs.openSync(logPath, "w");
		const proc = spawn(BIN, ["serve", "--listen", "127.0.0.1:0"],
		    { env, cwd: ROOT, stdio: ["ignore", "pipe", log] });
		let buf = "";
		const timer = setTimeout(() => reject(new Error(
		    "no 'listening on' line after 10 s")), 10000);
		proc.on("exit", (code) => reject(new Error(
		    "server exited with " + code + ": " +
		    fs.readFileSync(logPath, "utf8").slice(-2000))));
		proc.stdout.on("data", (d) => {
			buf += d.toString();
			const m = buf.match(/^listening on 127\.0\.0\.1:(\d+)$/m);
			if (m) {
				clearTimeout(timer);
				resolve({ proc, port: Number(m[1]) });
			}
		});
	});
}

async function api(base, key, method, p, body) {
	const r = await fetch(base + p, { method, headers: {
	    "Authorization": "Bearer " + key,
	    "Content-Type": "application/json" },
	    body: body ? JSON.stringify(body) : undefined });
	const text = await r.text();
	let doc = null;
	try {
		doc = JSON.parse(text);
	} catch {
		// leave doc null
	}
	return { status: r.status, doc, text };
}

// Collects what must never happen on a page: dialogs (alert from injected
// markup), script errors, console errors (CSP violations among them).
function watch(page) {
	const issues = [];
	page.on("dialog", (d) => {
		issues.push("dialog: " + d.message());
		d.dismiss().catch(() => {});
	});
	page.on("pageerror", (e) => issues.push("page error: " + e.message));
	page.on("console", (m) => {
		if (m.type() !== "error")
			return;
		// The document itself may answer 4xx on purpose (a form
		// shown again with errors); a failing sub-resource may not.
		const url = (m.location() && m.location().url) || "";
		if (/^Failed to load resource: the server responded/.test(
		    m.text()) && !url.includes("/static/"))
			return;
		issues.push("console: " + m.text());
	});
	return issues;
}

// Checks the page's structure: one h1, landmarks, every visible control
// labelled, images with alt text, and no horizontal scrolling.
async function structure(page, name) {
	const r = await page.evaluate(() => {
		const out = [];
		const n = (s) => document.querySelectorAll(s).length;
		if (n("h1") !== 1)
			out.push(n("h1") + " h1 elements");
		if (n("main") !== 1)
			out.push("no single <main>");
		if (n("header.site-header") !== 1 || n("footer") < 1)
			out.push("no header or footer landmark");
		if (n("nav[aria-label]") < 1)
			out.push("no labelled nav");
		if (!document.documentElement.lang)
			out.push("no lang on <html>");
		for (const el of document.querySelectorAll(
		    "input, select, textarea")) {
			if (el.type === "hidden")
				continue;
			const labelled = (el.id && document.querySelector(
			    "label[for='" + el.id + "']")) ||
			    el.getAttribute("aria-label") ||
			    el.getAttribute("aria-labelledby") ||
			    el.closest("label");
			if (!labelled)
				out.push("unlabelled " + el.tagName + " " +
				    (el.name || el.id));
		}
		for (const img of document.querySelectorAll("img"))
			if (!img.hasAttribute("alt"))
				out.push("img without alt: " + img.src);
		if (document.documentElement.scrollWidth >
		    document.documentElement.clientWidth + 1)
			out.push("scrolls sideways: " +
			    document.documentElement.scrollWidth + " > " +
			    document.documentElement.clientWidth);
		return out;
	});
	check(r.length === 0, name + ": " + r.join("; "));
}

async function text(page, sel) {
	return (await page.locator(sel).first().innerText()).trim();
}

// ---- the suite -------------------------------------------------------------

const results = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bouncedesk-browser-"));
const db = path.join(tmp, "test.db");
const env = { ...process.env, BOUNCEDESK_DB: db,
    BOUNCEDESK_SHARE_DIR: process.env.BOUNCEDESK_SHARE_DIR || ROOT,
    BOUNCEDESK_THREADS: "4" };
let server = null;
let browser = null;
const state = {};	// what one test hands to the next

async function test(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		results.push([name, true]);
		console.log("ok   " + name + " (" + (Date.now() - t0) + " ms)");
	} catch (e) {
		results.push([name, false]);
		console.log("FAIL " + name + ": " + (e instanceof Fail ?
		    e.message : (e.stack || String(e)).split("\n").slice(0, 4)
		    .join("\n")));
	}
}

// A new browser context (its own cookies) and page, with the watch on.
async function open(opts = {}) {
	const ctx = await browser.newContext({ locale: opts.locale || "fr-FR",
	    viewport: { width: opts.width || 1280, height: 900 },
	    javaScriptEnabled: opts.js !== false });
	ctx.setDefaultTimeout(TIMEOUT);
	const page = await ctx.newPage();
	const issues = watch(page);
	return { ctx, page, issues, base: state.base };
}

function clean(issues, what) {
	check(issues.length === 0, what + ": " + issues.join(" | "));
}

async function staffLogin(page, base, email, pw) {
	await page.goto(base + "/staff");
	check(page.url().includes("/staff/login"),
	    "/staff did not send to the sign-in page: " + page.url());
	await page.fill("#email", email);
	await page.fill("#password", pw);
	await Promise.all([page.waitForURL(/\/staff(\?|$)/),
	    page.click("form.stack-form button[type=submit]")]);
}

// Submits a form that posts back to the same address and waits for the
// new page.
async function submitSame(page, sel) {
	await Promise.all([page.waitForResponse((r) =>
	    r.request().isNavigationRequest() &&
	    r.request().method() === "POST"), page.click(sel)]);
	await page.waitForLoadState("load");
}

async function cookie(ctx, name) {
	return (await ctx.cookies()).find((c) => c.name === name);
}

async function setup() {
	fs.mkdirSync(SHOTS, { recursive: true });
	let r = run(["seed", "--db", db], env);
	if (r.code !== 0)
		console.log("note: seed exited " + r.code + ": " + r.err.trim());
	for (const [who, role] of [[AGENT, "agent"], [ADMIN, "admin"]]) {
		r = run(["admin", "create-staff", who, "--role", role, "--db", db],
		    env, PW[role] + "\n");
		check(r.code === 0, "create-staff " + who + ": " + r.err);
	}
	r = run(["admin", "create-key", "platform", "--scopes",
	    "accounts:write,accounts:read,blocks:write,blocks:read," +
	    "requests:read", "--db", db], env);
	check(r.code === 0 && /^bd_live_\S+$/.test(r.out.trim()),
	    "create-key: " + r.out + r.err);
	state.key = r.out.trim();
	server = await startServer(env, path.join(tmp, "server.log"));
	state.base = "http://127.0.0.1:" + server.port;

	// The mail platform reports two accounts' blocks; the second account
	// is blocked three times, so its third block is permanent.
	const a1 = await api(state.base, state.key, "POST", "/api/v1/accounts",
	    { ext_id: "acct-1001", name: "Boulangerie Martin",
	    contact_email: "jeanne@boulangerie-martin.test", lang: "fr",
	    domains: ["boulangerie-martin.test"] });
	check(a1.status === 201, "account: " + a1.status + " " + a1.text);
	const b1 = await api(state.base, state.key, "POST", "/api/v1/blocks",
	    { account: "acct-1001", target_kind: "website",
	    target: "www.boulangerie-martin.test", cause: "spam",
	    figures: { messages_last_hour: 4210 } });
	check(b1.status === 201 && b1.doc.state === "active",
	    "block: " + b1.status + " " + b1.text);
	state.block = b1.doc.id;
	const b2 = await api(state.base, state.key, "POST", "/api/v1/blocks",
	    { account: "acct-1001", target_kind: "website",
	    target: "shop.boulangerie-martin.test", cause: "quota",
	    figures: { messages_last_hour: 1874, recipients_last_hour: 2310 } });
	check(b2.status === 201, "block 2: " + b2.status + " " + b2.text);
	state.shotBlock = b2.doc.id;
	const a2 = await api(state.base, state.key, "POST", "/api/v1/accounts",
	    { ext_id: "acct-2002", name: "Cabinet Leroy",
	    contact_email: "it@cabinet-leroy.test", lang: "fr",
	    mailboxes: ["news@cabinet-leroy.test"] });
	check(a2.status === 201, "account 2: " + a2.status + " " + a2.text);
	let b = null;
	for (let i = 0; i < 3; i++) {
		b = await api(state.base, state.key, "POST", "/api/v1/blocks",
		    { account: "acct-2002", target_kind: "mailbox",
		    target: "news@cabinet-leroy.test", cause: "quota" });
		check(b.status === 201, "block " + i + ": " + b.text);
	}
	check(b.doc.state === "permanent", "third block not permanent: " +
	    b.text);
	state.permBlock = b.doc.id;
}

async function main() {
	browser = await chromium.launch({ executablePath: CHROMIUM,
	    headless: true, args: ["--no-sandbox", "--disable-gpu",
	    "--disable-quic", "--no-first-run",
	    "--disable-background-networking", "--disable-component-update",
	    "--disable-sync"] });

	await test("paste a bounce and read the verdict", async () => {
		const { ctx, page, issues, base } = await open({ locale: "en-GB" });
		await page.goto(base + "/?lang=en");
		await page.fill("#text", BOUNCE);
		await Promise.all([page.waitForURL(/\/diagnose/),
		    page.click(".paste-form button[type=submit]")]);
		check(await text(page, ".card__title") ===
		    "paul.durand@example.org", "recipient: " +
		    await text(page, ".card__title"));
		const badge = await text(page, ".card .badge");
		check(/permanent/i.test(badge), "badge: " + badge);
		const cause = await text(page, ".card__cause");
		check(/does not exist/i.test(cause), "cause: " + cause);
		// Inside a closed <details>: not rendered, so textContent.
		const codes = await page.locator(".codes").first().textContent();
		check(codes.includes("5.1.1") && codes.includes("550"),
		    "codes: " + codes);
		await structure(page, "diagnosis");
		clean(issues, "diagnosis");
		await ctx.close();
	});

	await test("keyboard only: Tab to the paste box, type, Tab, Enter",
	    async () => {
		const { ctx, page, issues, base } = await open({ locale: "en-GB" });
		await page.goto(base + "/?lang=en");
		await page.keyboard.press("Tab");
		check(await page.evaluate(() => document.activeElement
		    .classList.contains("skip-link")),
		    "the first Tab does not reach the skip link");
		let tabs = 1;
		while (tabs < 25 && await page.evaluate(() =>
		    document.activeElement.id) !== "text") {
			await page.keyboard.press("Tab");
			tabs++;
		}
		check(tabs < 25, "Tab never reached the paste box");
		await page.keyboard.type("<nobody@example.org>: host " +
		    "mx.example.org[192.0.2.7] said: 550 5.1.1 User unknown " +
		    "(in reply to RCPT TO command)");
		// Then the "share with support" box, then the button.
		await page.keyboard.press("Tab");
		check(await page.evaluate(() => document.activeElement.id) ===
		    "share", "after the box, focus is not the share choice");
		await page.keyboard.press("Tab");
		const focused = await page.evaluate(() =>
		    document.activeElement.type + ":" +
		    document.activeElement.textContent.trim());
		check(focused.startsWith("submit:"), "after the share choice, " +
		    "focus is " + focused);
		await Promise.all([page.waitForURL(/\/diagnose/),
		    page.keyboard.press("Enter")]);
		check((await text(page, ".card__title")) ===
		    "nobody@example.org", "no verdict after Enter");
		clean(issues, "keyboard");
		await ctx.close();
	});

	await test("usable without JavaScript", async () => {
		const { ctx, page, issues, base } = await open({ js: false });
		await page.goto(base + "/");
		await page.fill("#text", BOUNCE);
		await Promise.all([page.waitForURL(/\/diagnose/),
		    page.click(".paste-form button[type=submit]")]);
		check(await page.locator(".card__cause").count() > 0,
		    "no verdict without JavaScript");
		clean(issues, "no-js");
		await ctx.close();
	});

	await test("search the FAQ with a typo and open the article",
	    async () => {
		const { ctx, page, issues, base } = await open();
		await page.goto(base + "/");
		await page.fill("#q", "boite plene");
		await Promise.all([page.waitForURL(/\/faq\?/),
		    page.press("#q", "Enter")]);
		const dym = page.locator("main a[href*='pleine']");
		check(await dym.count() > 0, "no 'did you mean: boite pleine'");
		const first = page.locator(".faq-results h3 a").first();
		check(await first.count() > 0, "no result for the typo");
		const title = (await first.innerText()).trim();
		await Promise.all([page.waitForURL(/\/faq\/\d+/), first.click()]);
		const h1 = await text(page, "h1");
		check(h1 === title, "article h1 '" + h1 + "' != '" + title + "'");
		state.article = page.url();
		await structure(page, "faq article");
		clean(issues, "faq");
		await ctx.close();
	});

	await test("vote on an article", async () => {
		check(state.article, "no article from the search test");
		const { ctx, page, issues } = await open();
		await page.goto(state.article);
		await Promise.all([page.waitForURL(/\/faq\/\d+/),
		    page.click("button[name=helpful][value=yes]")]);
		const status = page.locator("#vote [role=status]");
		check(await status.count() > 0, "no thanks after the vote");
		check((await status.first().innerText()).trim().length > 0,
		    "empty vote status");
		clean(issues, "vote");
		await ctx.close();
	});

	await test("switch language", async () => {
		const { ctx, page, issues, base } = await open({ locale: "fr-FR" });
		await page.goto(base + "/");
		check(await page.getAttribute("html", "lang") === "fr",
		    "a French browser did not get French");
		const fr = await text(page, "h1");
		await Promise.all([page.waitForURL(/lang=en/),
		    page.click(".lang-switch a[hreflang=en]")]);
		check(await page.getAttribute("html", "lang") === "en",
		    "no English after the switch");
		const en = await text(page, "h1");
		check(en !== fr && /message/i.test(en), "h1 fr '" + fr +
		    "' en '" + en + "'");
		await page.goto(base + "/unblock?lang=en");
		check((await text(page, "h1")) === "Unblock my sending",
		    "unblock page not in English");
		await Promise.all([page.waitForURL(/lang=fr/),
		    page.click(".lang-switch a[hreflang=fr]")]);
		check((await text(page, "h1")) === "Débloquer mes envois",
		    "unblock page not back in French");
		clean(issues, "language");
		await ctx.close();
	});

	await test("staff: sign in, session cookie, customer link", async () => {
		const { ctx, page, issues, base } = await open();
		await page.goto(base + "/staff/requests/1");
		check(page.url().includes("/staff/login?next=/staff/requests/1"),
		    "not sent to sign-in: " + page.url());
		await page.fill("#email", AGENT);
		await page.fill("#password", "wrong-password-1");
		await submitSame(page, "form.stack-form button[type=submit]");
		check((await page.locator("#login-error").count()) === 1,
		    "no error for a wrong password");
		check(!(await cookie(ctx, "sid")), "a session without a password");
		await staffLogin(page, base, AGENT, PW.agent);
		const sid = await cookie(ctx, "sid");
		check(sid && sid.httpOnly && sid.sameSite === "Strict" &&
		    sid.path === "/staff", "sid cookie: " + JSON.stringify(sid));
		check(await page.locator(".staff-bar").count() === 1,
		    "no staff bar");
		await page.click("a[href='/staff/blocks/" + state.block + "']");
		state.code = await text(page, "#customer-code");
		check(/^[A-Za-z0-9_-]{22}$/.test(state.code),
		    "customer code " + state.code);
		await page.goto(base + "/staff/blocks/" + state.permBlock);
		state.permCode = await text(page, "#customer-code");
		state.agentCtx = ctx;
		state.agentPage = page;
		state.agentIssues = issues;
	});

	await test("customer: find the block and file a request", async () => {
		check(state.code, "no customer code");
		const { ctx, page, issues, base } = await open();
		await page.goto(base + "/unblock/" + state.block);
		check(await page.locator("#find-error").count() === 1,
		    "a block opened without its link");
		await page.fill("#block", String(state.block));
		await page.fill("#code", state.code);
		await Promise.all([page.waitForURL(new RegExp("/unblock/" +
		    state.block + "(\\?|$)")),
		    page.click("form[action='/unblock'] button[type=submit]")]);
		check(!page.url().includes("code="), "the code stayed in the URL");
		check((await text(page, "#block-target")) ===
		    "www.boulangerie-martin.test", "block page target");
		await page.check("#sent-no");
		await Promise.all([page.waitForURL(/sent=no/),
		    page.click("#choice-title ~ form button[type=submit]")]);
		const boxes = page.locator("fieldset.checklist input[type=checkbox]");
		check(await boxes.count() >= 7, "checklist has " +
		    await boxes.count() + " items");
		for (const box of await boxes.all())
			await box.check();
		await page.fill("#d_captcha_added", "reCAPTCHA on /contact.php");
		await page.fill("#message", "Sorry: the contact form was " +
		    "abused. " + XSS_SCRIPT + XSS_IMG);
		await structure(page, "unblock form");
		await Promise.all([page.waitForURL(/\/requests\/\d+\?filed=1/),
		    page.click("#form-title ~ form button[type=submit]")]);
		state.requestUrl = page.url().replace(/\?.*/, "");
		state.request = Number(state.requestUrl.match(/(\d+)$/)[1]);
		check(await page.locator("[role=status]").count() > 0,
		    "no confirmation");
		check((await text(page, "#req-state")) === "En cours d'examen",
		    "state " + await text(page, "#req-state"));
		check(await page.locator("img[src='x']").count() === 0,
		    "the message's markup became an element");
		clean(issues, "filing");
		state.custCtx = ctx;
		state.custPage = page;
		state.custIssues = issues;
	});

	await test("customer: permanent block warning and legit checklist",
	    async () => {
		check(state.permCode, "no code for the permanent block");
		const { ctx, page, issues, base } = await open({ locale: "en-GB" });
		await page.goto(base + "/unblock/" + state.permBlock + "?t=" +
		    state.permCode);
		check(!page.url().includes("t="), "token left in the URL");
		const warn = await page.locator(".card--permanent[role=note]")
		    .innerText();
		check(/permanent/i.test(warn) && /administrator/i.test(warn),
		    "no permanent-block warning: " + warn);
		await page.check("#sent-yes");
		await page.click("#choice-title ~ form button[type=submit]");
		await page.check("#c_sending_changed");
		await page.fill("#d_sending_changed",
		    "Newsletter moved to the mailing-list service");
		await Promise.all([page.waitForURL(/\/requests\/\d+\?filed=1/),
		    page.click("#form-title ~ form button[type=submit]")]);
		state.permRequest = Number(page.url().match(
		    /requests\/(\d+)/)[1]);
		clean(issues, "permanent");
		await ctx.close();
	});

	await test("staff asks for information", async () => {
		const page = state.agentPage;
		check(page, "no staff session");
		await page.goto(state.base + "/staff");
		const row = page.locator("a[href='/staff/requests/" +
		    state.request + "']");
		check(await row.count() === 1, "request not in the queue");
		await Promise.all([page.waitForURL(/\/staff\/requests\/\d+$/),
		    row.click()]);
		const answers = await page.locator(".answers").innerText();
		check(answers.includes("reCAPTCHA on /contact.php"),
		    "checklist details missing: " + answers);
		check(await page.locator("img[src='x']").count() === 0,
		    "stored markup became an element on the staff page");
		check((await page.locator(".prewrap").first().innerText())
		    .includes(XSS_SCRIPT), "the message is not shown as text");
		await page.fill("#comment", "Which form was abused, and is " +
		    "the captcha on every form?");
		await Promise.all([page.waitForURL(/done=info/),
		    page.click("button[name=decision][value=info]")]);
		check((await text(page, "#req-state")) === "En attente du client",
		    "state " + await text(page, "#req-state"));
		clean(state.agentIssues, "staff info");
	});

	await test("customer answers", async () => {
		const page = state.custPage;
		check(page, "no customer page");
		await page.goto(state.requestUrl);
		check((await page.locator(".quote").first().innerText())
		    .includes("Which form was abused"), "the question is not shown");
		await page.fill("#answer", "The form on /contact.php; all " +
		    "three forms have the captcha now.");
		await Promise.all([page.waitForURL(/answered=1/),
		    page.click("#answer-title ~ form button[type=submit]")]);
		check((await text(page, "#req-state")) === "En cours d'examen",
		    "state after the answer");
		clean(state.custIssues, "answer");
	});

	await test("staff approves; the customer sees it", async () => {
		const page = state.agentPage;
		await page.goto(state.base + "/staff/requests/" + state.request);
		const trail = await page.locator("table").last().innerText();
		check(trail.includes("all three forms"), "answer not in the " +
		    "audit trail");
		await Promise.all([page.waitForURL(/done=approve/),
		    page.click("button[name=decision][value=approve]")]);
		check((await text(page, "#req-state")) === "Acceptée", "state");
		await state.custPage.goto(state.requestUrl);
		check((await text(state.custPage, "#req-state")) === "Acceptée",
		    "customer does not see the approval");
		const tl = await state.custPage.locator(".ub-history").innerText();
		check(tl.includes("Blocage levé"), "no lift in the history");
		check(!tl.includes(AGENT), "staff email shown to the customer");
		clean(state.agentIssues, "approve");
		clean(state.custIssues, "customer after approve");
	});

	await test("agents are refused admin-only actions (403)", async () => {
		const { agentCtx: ctx, agentPage: page, base } = state;
		const csrf = (await cookie(ctx, "csrf")).value;
		let r = await page.request.post(base + "/staff/blocks/" +
		    state.permBlock, { form: { csrf, state: "lifted" },
		    maxRedirects: 0 });
		check(r.status() === 403, "agent lifted a block: " + r.status());
		await page.goto(base + "/staff/requests/" + state.permRequest);
		check(await page.locator("button[value=approve]").count() === 0,
		    "approve offered to an agent on a permanent block");
		r = await page.request.post(base + "/staff/requests/" +
		    state.permRequest, { form: { csrf, decision: "approve" },
		    maxRedirects: 0 });
		check(r.status() === 403, "agent approved a permanent block: " +
		    r.status());
		r = await page.request.post(base + "/staff/requests/" +
		    state.permRequest, { form: { decision: "reject",
		    comment: "no token" }, maxRedirects: 0 });
		check(r.status() === 403, "a form without its CSRF token: " +
		    r.status());
	});

	await test("admin approves a permanent block; sign out", async () => {
		const { ctx, page, issues, base } = await open();
		await staffLogin(page, base, ADMIN, PW.admin);
		await page.goto(base + "/staff/requests/" + state.permRequest);
		await Promise.all([page.waitForURL(/done=approve/),
		    page.click("button[name=decision][value=approve]")]);
		check((await text(page, "#req-state")) === "Acceptée",
		    "admin approval");
		const before = (await cookie(ctx, "sid")).value;
		await Promise.all([page.waitForURL(/\/staff\/login\?out=1/),
		    page.click(".staff-bar__out button")]);
		check(!(await cookie(ctx, "sid")), "sid cookie kept");
		await ctx.addCookies([{ name: "sid", value: before,
		    url: base + "/staff" }]);
		await page.goto(base + "/staff");
		check(page.url().includes("/staff/login"),
		    "the old session still works after sign-out");
		clean(issues, "admin");
		await ctx.close();
	});

	await test("sign-in is rate limited (429)", async () => {
		const { ctx, page, base } = await open();
		await page.goto(base + "/staff/login");
		const csrf = (await cookie(ctx, "csrf")).value;
		const codes = [];
		for (let i = 0; i < 6; i++) {
			const r = await page.request.post(base + "/staff/login",
			    { form: { csrf, email: "nobody@support.test",
			    password: "not-the-password" }, maxRedirects: 0 });
			codes.push(r.status());
		}
		check(codes.slice(0, 5).every((c) => c === 401) &&
		    codes[5] === 429, "statuses " + codes.join(","));
		await ctx.close();
	});

	await test("pasted and typed markup never runs", async () => {
		const { ctx, page, issues, base } = await open();
		await page.goto(base + "/");
		await page.fill("#text", "550 5.1.1 <a@example.org>: " +
		    XSS_SCRIPT + " " + XSS_IMG + " User unknown");
		await Promise.all([page.waitForURL(/\/diagnose/),
		    page.click(".paste-form button[type=submit]")]);
		check(await page.locator("img[src='x']").count() === 0,
		    "pasted <img> became an element");
		await page.goto(base + "/faq?q=" + encodeURIComponent(XSS_IMG +
		    XSS_SCRIPT));
		check(await page.locator("#faq-q").inputValue() ===
		    XSS_IMG + XSS_SCRIPT, "the query is not kept as text");
		await page.goto(base + "/staff/login");
		await page.fill("#email", "x@y.test" + XSS_IMG);
		await page.fill("#password", "whatever-password");
		await page.evaluate(() => document.querySelector("#email")
		    .setAttribute("type", "text"));
		await submitSame(page, "form.stack-form button[type=submit]");
		check((await page.locator("#email").inputValue()).endsWith(
		    XSS_IMG), "the email is not given back as text");
		check(await page.locator("img[src='x']").count() === 0,
		    "reflected email became markup");
		await page.goto(base + "/unblock?block=" + encodeURIComponent(
		    XSS_IMG) + "&code=" + encodeURIComponent(XSS_SCRIPT));
		check(await page.locator("#find-error").count() === 1,
		    "no error for a bad reference");
		clean(issues, "xss");
		await ctx.close();
	});

	// The knowledge base and rules staff pages (tests/browser/staff_kb.mjs).
	await (await import("./staff_kb.mjs")).staffKbTests({ test, open, check,
	    clean, structure, staffLogin, submitSame, PW, AGENT, ADMIN, SHOTS });

	// The outbound filter's blocked-message reports (reports.mjs).
	await (await import("./reports.mjs")).reportTests({ test, open, check,
	    clean, structure, run, env, db, state, api, SHOTS, path });

	await test("screenshots at 390 and 1280 pixels", async () => {
		for (const width of [390, 1280]) {
			const { ctx, page, issues, base } = await open({ width });
			const shot = async (name, url) => {
				if (url)
					await page.goto(url.startsWith("http") ? url :
					    base + url);
				await structure(page, name + " at " + width);
				await page.screenshot({ path: path.join(SHOTS,
				    name + "-" + width + ".png"), fullPage: true });
			};
			await shot("home", "/");
			await page.fill("#text", BOUNCE);
			await Promise.all([page.waitForURL(/\/diagnose/),
			    page.click(".paste-form button[type=submit]")]);
			await shot("diagnosis", null);
			await shot("faq", "/faq?q=boite%20plene");
			await shot("unblock", "/unblock");
			await shot("staff-login", "/staff/login");
			await staffLogin(page, base, AGENT, PW.agent);
			await shot("staff-queue", "/staff?state=all");
			await shot("staff-request", "/staff/requests/" +
			    state.request);
			await shot("staff-block", "/staff/blocks/" +
			    state.shotBlock);
			const code = await text(page, "#customer-code");
			await page.goto(base + "/unblock/" + state.shotBlock +
			    "?t=" + code);
			await shot("unblock-block", null);
			await shot("unblock-form", "/unblock/" + state.shotBlock +
			    "?sent=no");
			await page.goto(base + "/unblock/" + state.block + "?t=" +
			    state.code);
			await shot("unblock-request", state.requestUrl);
			clean(issues, "screenshots " + width);
			await ctx.close();
		}
	});
}

let fatal = null;
try {
	await setup();
	await main();
} catch (e) {
	fatal = e;
	console.log("FAIL setup: " + (e.stack || e));
}
if (state.agentCtx)
	await state.agentCtx.close().catch(() => {});
if (state.custCtx)
	await state.custCtx.close().catch(() => {});
if (browser)
	await browser.close().catch(() => {});
if (server) {
	// Stop the server and read its log: under ASan/UBSan a report there
	// is a failure even if every page looked right.
	server.proc.removeAllListeners("exit");
	const exited = new Promise((resolve) => {
		server.proc.on("exit", resolve);
		setTimeout(resolve, 10000);
	});
	server.proc.kill("SIGTERM");
	await exited;
	const log = fs.readFileSync(path.join(tmp, "server.log"), "utf8");
	const bad = log.split("\n").filter((l) =>
	    /AddressSanitizer|LeakSanitizer|runtime error:/.test(l));
	results.push(["server log free of sanitizer reports", bad.length === 0]);
	console.log((bad.length === 0 ? "ok   " : "FAIL ") +
	    "server log free of sanitizer reports" + (bad.length ? ": " +
	    bad.slice(0, 5).join(" | ") : ""));
}
const passed = results.filter((r) => r[1]).length;
const failed = results.length - passed + (fatal ? 1 : 0);
if (failed > 0 && server)
	console.log("server log (tail):\n" + fs.readFileSync(path.join(tmp,
	    "server.log"), "utf8").split("\n").slice(-15).join("\n"));
fs.rmSync(tmp, { recursive: true, force: true });
console.log("browser: " + passed + " passed, " + failed + " failed");
process.exit(failed > 0 ? 1 : 0);
