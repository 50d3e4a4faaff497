/* A search box over a figure drawn by static/js/figures.js, for companies of 200 departments: the
   department × dimension heatmap keeps the rows whose names contain what is typed ("rows"), the
   trend chart shows the lines of those departments ("series"; an empty box brings back the lines
   shown at first; without a legend only the lines shown are handed to Plotly). A heatmap of many
   rows starts with its weakest (`search.first`). The figure says which names it holds (`search` of
   reports/charts.py); the box and its status line are in the page (their words in its language).
   Typing redraws at most once per DEBOUNCE ms, and only when the departments kept changed. */
(function () {
  "use strict";

  var DEBOUNCE = 150;
  var SHOWN_AT_MOST = 12; // lines: more than this many at once are a tangle

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // A name as written, from its Plotly-escaped form (reports/charts.py plotly_text).
  function unescape(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function words(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function pickRows(values, keep) {
    return Array.isArray(values) ? keep.map(function (i) { return values[i]; }) : values;
  }

  // The dimension heatmap with only the rows `keep` (indexes into the original), in their order.
  function rowsFigure(figure, keep) {
    var n = figure.search.names.length;
    var data = figure.data.map(function (trace) {
      var copy = Object.assign({}, trace);
      ["z", "customdata", "text"].forEach(function (key) {
        if (Array.isArray(trace[key])) copy[key] = pickRows(trace[key], keep);
      });
      copy.y = keep.map(function (_, i) { return i; });
      return copy;
    });
    var where = {};
    keep.forEach(function (original, i) { where[original] = i; });
    var layout = Object.assign({}, figure.layout);
    layout.yaxis = Object.assign({}, figure.layout.yaxis, {
      tickvals: keep.map(function (_, i) { return i; }),
      ticktext: pickRows(figure.layout.yaxis.ticktext, keep)
    });
    layout.shapes = (figure.layout.shapes || []).filter(function (shape) {
      return where[Math.round(shape.y0 + 0.5)] !== undefined;
    }).map(function (shape) {
      var y = where[Math.round(shape.y0 + 0.5)];
      return Object.assign({}, shape, { y0: y - 0.5, y1: y + 0.5 });
    });
    layout.height = Math.max(300, figure.layout.height - 30 * (n - keep.length));
    return { data: data, layout: layout, links: figure.links ? pickRows(figure.links, keep) : null };
  }

  // The trend chart with the lines `visible` says (its own visibilities without one). With no
  // legend to bring them back from (more than reports/charts.py TREND_LEGEND_MAX departments), the
  // hidden lines are not handed to Plotly at all: it set up and measured all 200 of them on each draw
  // (four times as long as the dozen shown).
  function seriesFigure(figure, visible) {
    var data = figure.data.map(function (trace, t) {
      return visible ? Object.assign({}, trace, { visible: visible[t] }) : trace;
    });
    if (figure.layout.showlegend === false) {
      data = data.filter(function (trace) { return trace.visible !== "legendonly"; });
    }
    return { data: data, layout: figure.layout };
  }

  function init(input) {
    var element = document.querySelector('[data-figure="' + input.getAttribute("data-figure-search") + '"]');
    var box = input.closest("[data-figure-search-box]");
    var status = box && box.querySelector("[data-figure-search-status]");
    if (!element || !box) return;
    var timer = null, keptKey = null;

    function apply() {
      var figure = element.chainFigure;
      if (!figure || !figure.search) return;
      var names = figure.search.names;
      if (!figure.search.folded) figure.search.folded = names.map(function (name) { return fold(unescape(name)); });
      var query = fold(input.value.trim());
      var keep = [];
      figure.search.folded.forEach(function (name, i) { if (!query || name.indexOf(query) !== -1) keep.push(i); });
      if (!query && figure.search.first) keep = figure.search.first;
      var key = keep.join(",");
      if (key === keptKey) return;
      keptKey = key;
      if (figure.search.kind === "rows") {
        var shown = rowsFigure(figure, keep);
        element.chainLinks = shown.links;
        window.Plotly.react(element, shown.data, shown.layout, window.ChainFigures.config);
      } else {
        // One line (and its band, where it has one) per series, grouped by legendgroup "g<index>".
        var chosen = {};
        keep.slice(0, SHOWN_AT_MOST).forEach(function (i) { chosen["g" + i] = true; });
        var visible = figure.data.map(function (trace, t) {
          if (!trace.legendgroup) return true;
          if (!query) return figure.search.visible[t];
          return chosen[trace.legendgroup] ? true : "legendonly";
        });
        if (figure.layout.showlegend === false) {
          var lines = seriesFigure(figure, visible);
          window.Plotly.react(element, lines.data, lines.layout, window.ChainFigures.config);
        } else {
          window.Plotly.restyle(element, { visible: visible });
        }
      }
      if (status) {
        status.textContent = !query ? first(figure) : keep.length === 0
          ? words(status.getAttribute("data-none"), { query: input.value.trim() })
          : words(status.getAttribute("data-some"), { shown: Math.min(keep.length, figure.search.kind === "rows" ? keep.length : SHOWN_AT_MOST), total: names.length });
      }
    }

    function first(figure) {
      return figure.search.first
        ? words(status.getAttribute("data-first"), { shown: figure.search.first.length, total: figure.search.total })
        : "";
    }

    function start() {
      var figure = element.chainFigure;
      if (!figure || !figure.search) return;
      if (figure.search.first) keptKey = figure.search.first.join(",");
      if (status) status.textContent = first(figure);
      if (figure.search.kind === "series") {
        figure.search.visible = figure.data.map(function (trace) { return trace.visible === undefined ? true : trace.visible; });
      }
      box.hidden = false;
    }

    if (element.classList.contains("figure-drawn")) start();
    else element.addEventListener("chain:drawn", start, { once: true });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { window.requestAnimationFrame(apply); }, DEBOUNCE);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        apply();
      }
    });
  }

  window.ChainFigureSearch = { rowsFigure: rowsFigure, seriesFigure: seriesFigure };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-figure-search]").forEach(init);
  });
})();
