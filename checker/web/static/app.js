// ntvt serve: while a consolidation runs, ask for its progress every second and reload when it ends.
// The page works without this script (it refreshes itself every 2 seconds).
(function () {
  "use strict";
  var box = document.getElementById("tien-do");
  if (!box) { return; }
  var count = document.getElementById("da-doc"), bar = document.getElementById("thanh");
  function poll() {
    fetch(box.getAttribute("data-poll"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.state !== "running") { window.location.reload(); return; }
        count.textContent = job.done;
        bar.value = job.done;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
