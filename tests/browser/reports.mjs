// tests/browser/reports.mjs - a customer opens the report of a message the
// outbound filter blocked, from the link of the notification, in Chromium:
// the verdict, the score gauge, the tests sorted by weight (an unknown test
// shown by name), the FAQ links; a forged link is refused.

export async function reportTests(h) {
	const { test, open, check, clean, structure, run, env, db, state, api,
	    SHOTS, path } = h;

	await test("blocked-message report from its link", async () => {
		const r = run(["admin", "create-key", "filter", "--scopes",
		    "reports:write,reports:read", "--db", db], env);
		check(r.code === 0, "create-key: " + r.err);
		const key = r.out.trim();
		const posted = await api(state.base, key, "POST",
		    "/api/v1/filter-reports", {
			account: "acct-1001",
			sender: "commandes@boulangerie-martin.test",
			recipients: ["client@example.org"],
			subject: "Nos galettes arrivent",
			message_id: "<gal-2026@boulangerie-martin.test>",
			time: "2026-01-06T09:30:12+01:00",
			score: 6.4, threshold: 3,
			tests: [
				{ name: "HTML_MESSAGE", score: 0.001 },
				{ name: "BAYES_99", score: 3.5 },
				{ name: "ZZ_LOCAL_UNKNOWN_TEST", score: 1.2 },
				{ name: "URIBL_BLACK", score: 1.7 },
			],
			checks: [{ id: "no_rdns",
			    detail: "203.0.113.45 has no PTR record" }],
			relay: "smtp-out1.mail.example.net", ip: "203.0.113.45",
		    });
		check(posted.status === 201 && posted.doc.link,
		    "report: " + posted.status + " " + posted.text);

		const { ctx, page, issues, base } = await open({ locale: "en-GB" });
		await page.goto(base + posted.doc.link + "&lang=en");
		check(await page.locator(".gauge__bar").count() >= 2,
		    "no score gauge");
		const names = await page.locator(".report-test code")
		    .allTextContents();
		check(names.join(",") === "BAYES_99,URIBL_BLACK," +
		    "ZZ_LOCAL_UNKNOWN_TEST,HTML_MESSAGE",
		    "tests not sorted by weight: " + names.join(","));
		const unknown = await page.locator(".report-test",
		    { hasText: "ZZ_LOCAL_UNKNOWN_TEST" }).textContent();
		check(/no description yet/i.test(unknown),
		    "the unknown test is not shown as such: " + unknown);
		check(await page.locator("a[href^='/faq/']").count() > 0,
		    "no FAQ article linked");
		await structure(page, "report");
		await page.screenshot({ path: path.join(SHOTS, "report-1280.png"),
		    fullPage: true });
		clean(issues, "report");
		await ctx.close();

		// Another report's token, or a forged one, opens nothing.
		const other = await open({ locale: "en-GB" });
		const id = posted.doc.link.match(/\/r\/(\d+)/)[1];
		const tok = posted.doc.link.split("t=")[1];
		const resp = await other.page.goto(other.base + "/r/" +
		    (Number(id) + 1) + "?t=" + tok);
		check(resp.status() === 403 || resp.status() === 404,
		    "another report's token: " + resp.status());
		await other.ctx.close();
	});
}
