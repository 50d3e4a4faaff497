/* Draws every figure of a report page from its json_script data (Plotly figure dicts built by
   reports/charts.py), those near the screen first, and submits the cycle picker on change. No
   inline script: CSP-safe. */
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

  // element.chainLinks: the links of the rows drawn now (static/js/figure-search.js filters them).
  function followLinks(element, links) {
    if (!links || !links.length) return;
    element.chainLinks = links;
    element.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point) return;
      var index = typeof point.y === "number" ? point.y : point.pointIndex;
      var url = element.chainLinks[index];
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
    element.chainFigure = figure;
    // A figure of many rows may start with some of them (`search.first`: static/js/figure-search.js).
    var drawn = figure;
    if (figure.search && figure.search.first && window.ChainFigureSearch) {
      drawn = window.ChainFigureSearch.rowsFigure(figure, figure.search.first);
    } else if (figure.search && figure.search.kind === "series" && window.ChainFigureSearch) {
      drawn = window.ChainFigureSearch.seriesFigure(figure, null);
    }
    return window.Plotly.newPlot(element, drawn.data, drawn.layout, CONFIG).then(function () {
      element.classList.add("figure-drawn");
      followLinks(element, drawn.links);
      element.dispatchEvent(new CustomEvent("chain:drawn", { bubbles: true }));
    });
  }

  // Figures are drawn when they come near the screen, the rest one at a time when the page is idle:
  // the first screen (the heatmap, static/js/heatmap.js) is drawn first, and parsing the figures
  // below it never holds up the page. Every figure is drawn in the end (print, find in page).
  var pending = [];
  function drawSoon(element) {
    var index = pending.indexOf(element);
    if (index === -1) return;
    pending.splice(index, 1);
    draw(element);
  }

  var idle = window.requestIdleCallback || function (callback) { return window.setTimeout(callback, 1); };
  function drawWhenIdle() {
    if (!pending.length) return;
    idle(function () {
      drawSoon(pending[0]);
      drawWhenIdle();
    });
  }

  function drawAll(elements) {
    pending = elements.slice();
    if (!("IntersectionObserver" in window)) {
      elements.forEach(drawSoon);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          drawSoon(entry.target);
        }
      });
    }, { rootMargin: "300px 0px" });
    elements.forEach(function (element) { observer.observe(element); });
    if (document.readyState === "complete") drawWhenIdle();
    else window.addEventListener("load", drawWhenIdle);
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var button = select.form.querySelector("[data-autosubmit-button]");
      if (button) button.classList.add("visually-hidden-focusable");
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function drawPending() { pending.slice().forEach(drawSoon); }

  window.ChainFigures = { config: CONFIG, readJson: readJson, phone: PHONE, separators: SEPARATORS, drawPending: drawPending };
  document.addEventListener("DOMContentLoaded", function () {
    autosubmit();
    drawAll(Array.prototype.slice.call(document.querySelectorAll("[data-figure]")));
  });
})();

/* Paper has no clicks: open every figure table before printing. */
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.figure-table").forEach(function (d) { d.open = true; });
  if (window.ChainFigures) window.ChainFigures.drawPending();
  if (window.Plotly) {
    // A department's page prints its tables, not its figures: resize only the figures shown.
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      if (el.getClientRects().length) { window.Plotly.Plots.resize(el); }
    });
  }
});
