/* handoutkit web pages: small progressive enhancements. Everything works without this file except the
   live preview. No libraries, no inline script (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  // An error summary gets focus, so keyboard and screen-reader users start at the list of problems.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  var form = document.getElementById("plan-form");
  if (!form) { return; }
  var list = document.getElementById("cards");
  var status = document.getElementById("preview-status");
  var image = document.getElementById("preview-image");

  // ---- reordering: Move up / Move down buttons keep the Position numbers in step
  function renumber() {
    var cards = list.querySelectorAll(".card");
    for (var i = 0; i < cards.length; i++) {
      cards[i].querySelector("input.position").value = String(i + 1);
    }
  }
  function move(card, step, button) {
    var target = step < 0 ? card.previousElementSibling : card.nextElementSibling;
    if (!target) { return; }
    if (step < 0) { list.insertBefore(card, target); } else { list.insertBefore(target, card); }
    renumber();
    button.focus();
    status.textContent = "Moved " + card.querySelector(".card-title").textContent + " to position " +
      card.querySelector("input.position").value + ".";
    schedule();
  }
  Array.prototype.forEach.call(list.querySelectorAll(".card"), function (card) {
    var name = card.querySelector(".card-title").textContent;
    var holder = card.querySelector("[data-move]");
    [["Move up", -1], ["Move down", 1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = spec[0];
      button.setAttribute("aria-label", spec[0] + ": " + name);
      button.addEventListener("click", function () { move(card, spec[1], button); });
      holder.appendChild(button);
    });
  });

  // ---- live preview: the form is POSTed (never put in a URL); the answer is a PNG or a list of problems
  var timer = null, busy = false, again = false, lastUrl = null, invalid = false;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var data = new FormData(form);
    fetch(form.getAttribute("data-preview"), { method: "POST", body: data, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        var kind = response.headers.get("content-type") || "";
        if (response.ok && kind.indexOf("image/png") === 0) {
          return response.blob().then(function (blob) {
            if (lastUrl) { URL.revokeObjectURL(lastUrl); }
            lastUrl = URL.createObjectURL(blob);
            image.src = lastUrl;
            image.hidden = false;
            invalid = false;
            status.textContent = "Preview of page 1, up to date.";
          });
        }
        if (kind.indexOf("application/json") === 0) {
          return response.json().then(function (body) {
            var problems = body.problems || [];
            invalid = problems.length > 0;
            status.textContent = "Preview not updated: " + problems.map(function (p) { return p.message; }).join("; ") +
              ". Press Check the plan to see where.";
          });
        }
        status.textContent = response.status === 503 ? "Preview not updated: the server is busy." : "Preview not updated.";
      })
      .catch(function () { status.textContent = "Preview not updated: the server did not answer."; })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  // Print opens a new tab: when the preview already knows the plan has problems, show them here instead.
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (invalid && submitter && (submitter.id === "print" || submitter.id === "download")) {
      event.preventDefault();
      // (not from inside this handler: a form ignores submissions made while it fires "submit")
      setTimeout(function () { form.requestSubmit(document.getElementById("check")); }, 0);
    }
  });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  status.textContent = "Making the preview…";
  refresh();
})();
