// A report being computed by the task worker: ask every few seconds whether it is done
// (a HEAD request: 202 while it is being computed), show what it is doing meanwhile, and
// load the page again once it is done. Without scripts the "Look again" link does the same.
(function () {
  "use strict";
  const waiting = document.querySelector("[data-waiting]");
  if (!waiting) return;
  const progress = waiting.querySelector("[data-progress]");
  function look() {
    fetch(window.location.href, { method: "HEAD", credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 202) {
          window.location.reload();
          return;
        }
        const doing = response.headers.get("X-Keywork-Progress");
        if (progress && doing) progress.textContent = doing;
        window.setTimeout(look, 2000);
      })
      .catch(function () { window.setTimeout(look, 10000); });
  }
  window.setTimeout(look, 2000);
})();
