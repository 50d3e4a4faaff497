// The cycle page while its results are being computed: ask the server every few seconds and
// reload the page once the roll-up has moved on (done or failed). Bounded: stops after 30 minutes.
(function () {
  "use strict";
  var section = document.getElementById("rollup");
  if (!section) return;
  var state = section.dataset.state;
  if (state !== "requested" && state !== "started") return;
  var url = section.dataset.statusUrl;
  var tries = 0;
  function poll() {
    tries += 1;
    if (tries > 600) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.rollup !== state) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 3000);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
})();
