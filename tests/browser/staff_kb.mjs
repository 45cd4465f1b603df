// tests/browser/staff_kb.mjs - browser steps for the knowledge base and
// rules staff pages, run by tests/browser/run.mjs with its helpers: the FAQ
// editor (sign in, write an article with the in-page preview, save, edit,
// restore a revision, publish and read it as a customer), the "try this
// rule on a text" box and adding a rule that the running engine then uses,
// and the FAQ's search-as-you-type listbox driven from the keyboard with
// the "this looks like an error message" box.

import path from "node:path";

const RULE = [
	"id: staff-browser-cap",
	"reason: exceedlimit",
	"stage: specific",
	"pattern: ZORB-CAP-5521",
	"requires: zorb-cap-5521",
	"actor: sender",
	"explain_fr: Le fournisseur ZORB plafonne les envois quotidiens.",
	"explain_en: ZORB puts a daily cap on what you send.",
	"example: 550 ZORB-CAP-5521 daily cap reached",
	""].join("\n");
const SAMPLE = "550 5.7.1 ZORB-CAP-5521 daily cap reached for <ann@zorb.test>";

export async function staffKbTests(h) {
	const { test, open, check, clean, structure, staffLogin, submitSame,
	    PW, AGENT, ADMIN, SHOTS } = h;

	await test("staff: write an article with preview, edit, restore, " +
	    "publish", async () => {
		const { ctx, page, issues, base } = await open({ locale: "en-GB" });
		await staffLogin(page, base, AGENT, PW.agent);
		await page.goto(base + "/staff/faq");
		await structure(page, "staff faq list");
		await Promise.all([page.waitForURL(/\/staff\/faq\/new/),
		    page.click("#skb-new")]);
		await page.fill("#skb-title-in", "Outbox stuck after a password " +
		    "change");
		await page.selectOption("#skb-lang-in", "en");
		await page.fill("#skb-category-in", "Mail::Clients");
		await page.fill("#skb-keywords-in", "outbox; stuck; password");
		await page.fill("#skb-symptom-in", "**Outbox** stays full " +
		    "<img src=x onerror=alert(1)>");
		await page.fill("#skb-problem-in", "The program still has the " +
		    "old password.");
		await page.fill("#skb-solution-in", "1. Remove the saved " +
		    "password.\n2. Send again: first version.");
		await structure(page, "staff faq editor");
		// The preview comes in place (script), rendered by the server.
		await page.click("#skb-preview-button");
		await page.locator("#skb-preview-body strong").first()
		    .waitFor();
		check(page.url().includes("/staff/faq/new"),
		    "the preview left the page: " + page.url());
		check(await page.locator("#skb-preview").isVisible(),
		    "preview hidden");
		check(await page.locator("#skb-preview-body strong")
		    .innerText() === "Outbox", "preview bold");
		check(await page.locator("#skb-preview-body ol li").count() ===
		    2, "preview list");
		check(await page.locator("img[src='x']").count() === 0,
		    "raw HTML reached the preview");
		await Promise.all([page.waitForURL(/\/staff\/faq\/\d+\/edit/),
		    page.click("#skb-save")]);
		const id = Number(page.url().match(/\/staff\/faq\/(\d+)\//)[1]);
		check(await page.locator("#skb-notice").count() === 1,
		    "no saved notice");
		check(await page.isChecked("#skb-state-internal"),
		    "a new article is not internal");
		// Internal: a customer does not see it.
		const cust = await open({ locale: "en-GB" });
		let r = await cust.page.goto(base + "/faq/" + id);
		check(r.status() === 404, "internal article public: " +
		    r.status());
		// Edit: publish with a second version of the text.
		await page.fill("#skb-solution-in", "1. Remove the saved " +
		    "password.\n2. Send again: second version.");
		await page.check("#skb-state-public");
		await Promise.all([page.waitForURL(/saved=1/),
		    page.click("#skb-save")]);
		r = await cust.page.goto(base + "/faq/" + id + "?lang=en");
		check(r.status() === 200 && (await cust.page.locator("main")
		    .innerText()).includes("second version"),
		    "published text not shown");
		// Restore the first revision: a new revision, internal again.
		await page.goto(base + "/staff/faq/" + id + "/revisions");
		await structure(page, "staff faq revisions");
		const rows = page.locator("table tbody tr a[href*='/revisions/']");
		check(await rows.count() === 2, "revisions: " +
		    await rows.count());
		await Promise.all([page.waitForURL(/\/revisions\/\d+$/),
		    rows.last().click()]);
		await Promise.all([page.waitForURL(/restored=1/),
		    page.click("#skb-restore")]);
		check(await page.locator("#skb-notice").count() === 1,
		    "no restored notice");
		check(await rows.count() === 3, "restore did not add a revision");
		r = await cust.page.goto(base + "/faq/" + id);
		check(r.status() === 404, "restored internal version public");
		// Publish the restored text and read it as a customer.
		await page.goto(base + "/staff/faq/" + id + "/edit");
		check((await page.inputValue("#skb-solution-in")).includes(
		    "first version"), "restore did not bring the text back");
		await page.check("#skb-state-public");
		await Promise.all([page.waitForURL(/saved=1/),
		    page.click("#skb-save")]);
		r = await cust.page.goto(base + "/faq/" + id + "?lang=en");
		check(r.status() === 200, "public page: " + r.status());
		check((await cust.page.locator("h1").innerText()).trim() ===
		    "Outbox stuck after a password change", "public title");
		check((await cust.page.locator("main").innerText()).includes(
		    "first version"), "public text is not the restored one");
		await structure(cust.page, "published article");
		await page.goto(base + "/staff/faq");
		await page.screenshot({ path: path.join(SHOTS,
		    "staff-faq-1280.png"), fullPage: true });
		clean(issues, "editor");
		clean(cust.issues, "customer view");
		await cust.ctx.close();
		await ctx.close();
	});

	await test("staff: try a rule on a text, add it, the diagnosis uses it",
	    async () => {
		const { ctx, page, issues, base } = await open({ locale: "en-GB" });
		await staffLogin(page, base, AGENT, PW.agent);
		await page.goto(base + "/staff/rules");
		await structure(page, "staff rules");
		await Promise.all([page.waitForURL(/\/staff\/rules\/try/),
		    page.click("a[href='/staff/rules/try']")]);
		await page.fill("#srl-rule", RULE);
		await page.fill("#srl-sample-in", SAMPLE);
		await submitSame(page, "#srl-try-button");
		check(await page.locator("#srl-addable").count() === 1,
		    "a good rule is not addable: " + await page.locator(
		    "#srl-verdict").innerText());
		check((await page.locator("#srl-with").innerText()).includes(
		    "staff-browser-cap"), "the sample is not decided by it");
		check(await page.locator("#srl-add-button").count() === 0,
		    "an agent is offered the add button");
		await structure(page, "staff rules try");
		await page.screenshot({ path: path.join(SHOTS,
		    "staff-rules-try-1280.png"), fullPage: true });
		// A broken rule says why.
		await page.fill("#srl-rule", "id: broken\nreason: blocked\n" +
		    "pattern: (open\nexample: x\n");
		await submitSame(page, "#srl-try-button");
		check(await page.locator("#srl-parse-error").count() === 1,
		    "no parse error");
		clean(issues, "rules try (agent)");
		await ctx.close();

		const adm = await open({ locale: "en-GB" });
		await staffLogin(adm.page, base, ADMIN, PW.admin);
		await adm.page.goto(base + "/staff/rules/try");
		await adm.page.fill("#srl-rule", RULE);
		await Promise.all([adm.page.waitForURL(/done=added/),
		    adm.page.click("#srl-add-button")]);
		check(await adm.page.locator("#rule-staff-browser-cap").count() ===
		    1, "the rule is not listed");
		// A customer's diagnosis uses it at once, no restart.
		await adm.page.goto(base + "/?lang=en");
		await adm.page.fill("#text", SAMPLE);
		await Promise.all([adm.page.waitForURL(/\/diagnose/),
		    adm.page.click(".paste-form button[type=submit]")]);
		check((await adm.page.locator("main").innerText()).includes(
		    "ZORB puts a daily cap"), "the new rule did not decide");
		clean(adm.issues, "rules add (admin)");
		await adm.ctx.close();
	});

	await test("FAQ: suggestions from the keyboard; an error offers the " +
	    "diagnosis", async () => {
		const { ctx, page, issues, base } = await open({ locale: "en-GB" });
		await page.goto(base + "/faq?lang=en");
		const q = page.locator("#faq-q");
		check(await q.getAttribute("role") === "combobox",
		    "the field is not a combobox");
		await q.click();
		await q.pressSequentially("thunderb", { delay: 30 });
		const opts = page.locator("#faq-q-suggest [role=option]");
		await opts.first().waitFor();
		check(await q.getAttribute("aria-expanded") === "true",
		    "aria-expanded");
		await q.press("ArrowDown");
		const active = await q.getAttribute("aria-activedescendant");
		check(active === await opts.first().getAttribute("id"),
		    "ArrowDown did not select the first option");
		check(await opts.first().getAttribute("aria-selected") === "true",
		    "aria-selected");
		await q.press("Escape");
		check(!(await page.locator("#faq-q-suggest").isVisible()) &&
		    await q.getAttribute("aria-expanded") === "false",
		    "Escape did not close the list");
		await q.press("ArrowDown");
		await q.press("ArrowDown");
		const href = await opts.first().getAttribute("data-href");
		await Promise.all([page.waitForURL(/\/faq\/\d+/),
		    q.press("Enter")]);
		check(new URL(page.url()).pathname === href,
		    "Enter opened " + page.url() + ", not " + href);
		// A pasted error line: the diagnosis is offered, prefilled.
		await page.goto(base + "/faq?lang=en&q=" + encodeURIComponent(
		    "550 5.1.1 <bob@example.org> User unknown"));
		check(await page.locator("#faq-diagnose").isVisible(),
		    "no 'looks like an error' box");
		await Promise.all([page.waitForURL(/\/diagnose\?text=/),
		    page.click("#faq-diagnose a")]);
		check((await page.inputValue("#text")).startsWith(
		    "550 5.1.1 <bob@example.org>"), "the paste box is not filled");
		clean(issues, "suggest");
		await ctx.close();
	});
}
