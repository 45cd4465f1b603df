/* bouncedesk - small progressive enhancements. Every page works without
 * this file: it only grows the paste box with its content and lets the
 * examples on the home page fill it. */
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

	document.addEventListener("DOMContentLoaded", function () {
		var ta = document.querySelector("textarea[data-autogrow]");
		if (!ta)
			return;
		autogrow(ta);
		examples(ta);
	});
})();
