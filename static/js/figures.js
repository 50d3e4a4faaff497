/* Draws every figure of a report page from its json_script data (Plotly figure dicts built by
   reports/charts.py) and submits the cycle picker on change. No inline script: CSP-safe. */
(function () {
  "use strict";

  // A phone: its screen is too narrow for Plotly's toolbar, which would sit over legends and
  // colour bars (the same width as Bootstrap's "sm" breakpoint and app.css's phone rules).
  var PHONE = window.matchMedia("(max-width: 575.98px)");
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"],
                 displayModeBar: PHONE.matches ? false : "hover" };

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function followLinks(element, links) {
    if (!links || !links.length) return;
    element.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point) return;
      var index = typeof point.y === "number" ? point.y : point.pointIndex;
      var url = links[index];
      if (url) window.location.assign(url);
    });
  }

  // Plotly writes its own numbers (axes, hover values) with these: a decimal comma and a thin
  // thousands space in the languages that write numbers so, like the page's tables.
  var SEPARATORS = { de: ",.", fr: ",\u202f", es: ",." }[document.documentElement.lang] || null;

  function draw(element) {
    var figure = readJson(element.getAttribute("data-figure"));
    if (!figure || !window.Plotly) return;
    if (SEPARATORS && figure.layout && !figure.layout.separators) figure.layout.separators = SEPARATORS;
    // A figure may carry what changes on a phone (reports/charts.py: labels placed for its width).
    if (PHONE.matches) {
      (figure.narrow || []).forEach(function (patch) { Object.assign(figure.data[patch.trace], patch.set); });
      if (figure.narrowLayout) {
        Object.keys(figure.narrowLayout).forEach(function (key) {
          var value = figure.narrowLayout[key];
          figure.layout[key] = value && typeof value === "object" && !Array.isArray(value)
            ? Object.assign({}, figure.layout[key] || {}, value) : value;
        });
      }
    }
    window.Plotly.newPlot(element, figure.data, figure.layout, CONFIG).then(function () {
      element.classList.add("figure-drawn");
      followLinks(element, figure.links);
    });
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var button = select.form.querySelector("[data-autosubmit-button]");
      if (button) button.classList.add("visually-hidden-focusable");
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  window.ChainFigures = { config: CONFIG, readJson: readJson, phone: PHONE, separators: SEPARATORS };
  document.addEventListener("DOMContentLoaded", function () {
    autosubmit();
    document.querySelectorAll("[data-figure]").forEach(draw);
  });
})();

/* Paper has no clicks: open every figure table before printing. */
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.figure-table").forEach(function (d) { d.open = true; });
  if (window.Plotly) {
    // A department's page prints its tables, not its figures: resize only the figures shown.
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      if (el.getClientRects().length) { window.Plotly.Plots.resize(el); }
    });
  }
});
