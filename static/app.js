/* bouncedesk - small progressive enhancements. Every page works without
 * this file: it grows the paste box with its content, lets the examples
 * on the home page fill it, suggests FAQ articles as one types, and shows
 * the FAQ editor's preview in place. */
(function () {
	"use strict";

	function autogrow(ta) {
		function fit() {
			ta.style.height = "auto";
			var max = Math.max(window.innerHeight * 0.7, 240);
			ta.style.height = Math.min(ta.scrollHeight + 4, max) + "px";
		}
		ta.addEventListener("input", fit);
		fit();
	}

	function examples(ta) {
		var buttons = document.querySelectorAll("button[data-example]");
		Array.prototype.forEach.call(buttons, function (b) {
			var item = b.closest(".example");
			var code = item && item.querySelector(".example__text");
			if (!code)
				return;
			b.hidden = false;
			b.addEventListener("click", function () {
				ta.value = code.textContent;
				ta.dispatchEvent(new Event("input"));
				ta.focus();
				ta.scrollIntoView({ block: "center" });
			});
		});
	}

	/* Search-as-you-type on the FAQ search field (input[data-suggest]):
	 * a listbox under the field, driven from the field itself (combobox
	 * with aria-activedescendant): arrows move, Enter opens, Escape
	 * closes. Without this script the form simply searches. */
	function suggest(input) {
		var url = input.getAttribute("data-suggest");
		var box = document.createElement("ul");
		var status = document.createElement("p");
		var items = [], active = -1, timer = null, seq = 0;
		var lang = document.documentElement.lang || "fr";

		box.id = input.id + "-suggest";
		box.setAttribute("role", "listbox");
		box.setAttribute("aria-label", input.labels && input.labels[0] ?
		    input.labels[0].textContent : "");
		box.className = "card suggest";
		box.hidden = true;
		box.style.listStyle = "none";
		box.style.padding = "0.25rem 0";
		box.style.margin = "0.25rem 0 0";
		status.className = "visually-hidden";
		status.setAttribute("role", "status");
		input.setAttribute("role", "combobox");
		input.setAttribute("aria-autocomplete", "list");
		input.setAttribute("aria-expanded", "false");
		input.setAttribute("aria-controls", box.id);
		var row = input.closest(".search-form__row") || input;
		row.parentNode.insertBefore(box, row.nextSibling);
		row.parentNode.insertBefore(status, box.nextSibling);

		function close() {
			box.hidden = true;
			input.setAttribute("aria-expanded", "false");
			input.removeAttribute("aria-activedescendant");
			active = -1;
		}
		function mark(i) {
			items.forEach(function (li, k) {
				var on = k === i;
				li.setAttribute("aria-selected", on ? "true" : "false");
				li.style.background = on ? "#1d4ed8" : "";
				li.style.color = on ? "#ffffff" : "";
			});
			active = i;
			if (i >= 0) {
				input.setAttribute("aria-activedescendant", items[i].id);
				items[i].scrollIntoView({ block: "nearest" });
			} else
				input.removeAttribute("aria-activedescendant");
		}
		function go(li) {
			window.location.href = li.getAttribute("data-href");
		}
		function show(list) {
			box.textContent = "";
			items = list.map(function (s, k) {
				var li = document.createElement("li");
				li.id = box.id + "-" + k;
				li.setAttribute("role", "option");
				li.setAttribute("aria-selected", "false");
				li.setAttribute("data-href", "/faq/" + s.id);
				li.textContent = s.title;
				li.style.padding = "0.4rem 0.75rem";
				li.style.cursor = "pointer";
				li.addEventListener("mousedown", function (e) {
					e.preventDefault();	/* keep the focus */
					go(li);
				});
				box.appendChild(li);
				return li;
			});
			active = -1;
			box.hidden = items.length === 0;
			input.setAttribute("aria-expanded",
			    items.length ? "true" : "false");
			status.textContent = items.length ? items.length + " " +
			    (input.getAttribute("data-suggest-label") || "") : "";
		}
		function fetchNow() {
			var q = input.value.trim(), mine = ++seq;
			if (q.length < 2) {
				show([]);
				return;
			}
			fetch(url + "?q=" + encodeURIComponent(q) + "&lang=" + lang,
			    { headers: { "Accept": "application/json" } })
			    .then(function (r) { return r.ok ? r.json() : []; })
			    .then(function (list) {
				if (mine === seq && Array.isArray(list))
					show(list.slice(0, 8));
			    }).catch(function () { show([]); });
		}
		input.addEventListener("input", function () {
			clearTimeout(timer);
			timer = setTimeout(fetchNow, 150);
		});
		input.addEventListener("keydown", function (e) {
			if (e.key === "ArrowDown" || e.key === "ArrowUp") {
				if (box.hidden) {
					if (items.length) {
						box.hidden = false;
						input.setAttribute("aria-expanded", "true");
					}
					return;
				}
				e.preventDefault();
				var n = items.length;
				mark(e.key === "ArrowDown" ? (active + 1) % n :
				    (active <= 0 ? n - 1 : active - 1));
			} else if (e.key === "Enter" && !box.hidden && active >= 0) {
				e.preventDefault();
				go(items[active]);
			} else if (e.key === "Escape" && !box.hidden) {
				e.preventDefault();
				close();
			}
		});
		input.addEventListener("blur", function () {
			setTimeout(close, 100);
		});
	}

	/* The FAQ editor's preview without leaving the page: the same POST
	 * as the button, answered in JSON, rendered by the server. */
	function preview(form) {
		var button = document.getElementById("skb-preview-button");
		var panel = document.getElementById("skb-preview");
		var body = document.getElementById("skb-preview-body");
		if (!button || !panel || !body || !window.fetch)
			return;
		button.addEventListener("click", function (e) {
			e.preventDefault();
			var data = new URLSearchParams(new FormData(form));
			fetch(form.getAttribute("data-preview"), { method: "POST",
			    body: data, credentials: "same-origin",
			    headers: { "Accept": "application/json" } })
			    .then(function (r) {
				if (!r.ok)
					throw new Error(String(r.status));
				return r.json();
			    }).then(function (p) {
				var h = function (id) {
					var x = form.querySelector("label[for='" + id +
					    "']");
					return x ? x.textContent : "";
				};
				body.innerHTML = "";
				[["skb-symptom-in", p.symptom_html],
				    ["skb-problem-in", p.problem_html],
				    ["skb-solution-in", p.solution_html]]
				    .forEach(function (f) {
					var t = document.createElement("h3");
					var d = document.createElement("div");
					t.textContent = h(f[0]);
					/* cmark safe mode, on the server: no raw
					 * HTML, no unsafe links. */
					d.innerHTML = f[1] || "";
					body.appendChild(t);
					body.appendChild(d);
				});
				panel.hidden = false;
				panel.scrollIntoView({ block: "nearest" });
			    }).catch(function () { form.requestSubmit(button); });
		});
	}

	document.addEventListener("DOMContentLoaded", function () {
		var q = document.querySelector("input[data-suggest]");
		var editor = document.querySelector("form[data-preview]");
		if (q && window.fetch)
			suggest(q);
		if (editor)
			preview(editor);
		var ta = document.querySelector("textarea[data-autogrow]");
		if (!ta)
			return;
		autogrow(ta);
		examples(ta);
	});
})();
