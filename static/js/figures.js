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

  // Margins that already hold what `automargin` and the colour bars would push out. Plotly draws a
  // figure, measures its tick labels, titles and colour bars, and when they need more room than
  // layout.margin gives, draws the whole figure again (its automargin "redraw"): about half of
  // each figure's time. Measured here first with a canvas in the figure's own font, with a few
  // pixels to spare, the first draw fits and is the only one. Plotly still measures: where this
  // falls short (a legend, labels Plotly turns aslant), it widens the margin and redraws as before.
  var SPARE = 4, canvas = null;
  function textWidth(text, size, family) {
    canvas = canvas || document.createElement("canvas");
    var context = canvas.getContext("2d");
    context.font = size + "px " + family;
    // Plotly's pseudo-HTML: tags drawn as nothing, entities as their characters, <br> a new line.
    var plain = String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    return plain.split(/<br\s*\/?>/i).reduce(function (most, line) {
      return Math.max(most, context.measureText(line.replace(/<[^>]*>/g, "")).width);
    }, 0);
  }

  function finite(values) {
    var out = [];
    (function walk(v) {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === "number" && isFinite(v)) out.push(v);
    })(values);
    return out;
  }

  // What Plotly would write as an axis's (or colour bar's) labels, as far as their width goes.
  function numberLabels(low, high, ticks) {
    if (!isFinite(low) || !isFinite(high)) return ["0.0"];
    // About `ticks` ticks over the range: their step decides the decimals written.
    var step = Math.abs(high - low) / (ticks || 5);
    var digits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
    var labels = [low.toFixed(digits), high.toFixed(digits)];
    if (low < 0) labels.push("\u2212" + Math.abs(low).toFixed(digits));
    return labels;
  }

  function axisLabels(axis, letter, data) {
    if (axis.showticklabels === false) return [];
    if (Array.isArray(axis.ticktext)) return axis.ticktext;
    var values = [];
    data.forEach(function (trace) {
      if (trace.visible === false || trace.visible === "legendonly") return;
      var own = trace[letter];
      if (Array.isArray(own)) values = values.concat(own);
    });
    if (axis.type === "category" || values.some(function (v) { return typeof v === "string"; })) {
      return values.filter(function (v, i) { return values.indexOf(v) === i; });
    }
    var range = Array.isArray(axis.range) ? axis.range : null;
    var numbers = range ? range : finite(values);
    if (!numbers.length) return null;
    return numberLabels(Math.min.apply(null, numbers), Math.max.apply(null, numbers));
  }

  function fitMargins(data, layout, width) {
    var font = layout.font || {};
    var family = font.family || "\"Open Sans\", verdana, arial, sans-serif", size = font.size || 12;
    var base = layout.margin || {};
    var need = { l: base.l === undefined ? 80 : base.l, r: base.r === undefined ? 80 : base.r,
                 t: base.t === undefined ? 100 : base.t, b: base.b === undefined ? 80 : base.b };
    var push = { l: 0, r: 0, t: 0, b: 0 };
    var known = true;
    // Vertical colour bars, at Plotly's default place (x 1.02 of the plot, so 2 % of its width more).
    data.forEach(function (trace) {
      var bar = trace.colorbar, values = trace.z;
      if (trace.marker && trace.marker.colorbar && trace.marker.showscale !== false) {
        bar = trace.marker.colorbar;
        values = trace.marker.color;
      }
      if (!bar || trace.showscale === false || trace.visible === false) return;
      if (bar.orientation === "h" || bar.x !== undefined) { known = false; return; }
      var numbers = finite(values);
      var low = trace.zmin !== undefined ? trace.zmin : Math.min.apply(null, numbers);
      var high = trace.zmax !== undefined ? trace.zmax : Math.max.apply(null, numbers);
      var labels = numberLabels(low, high, 3).reduce(function (most, t) { return Math.max(most, textWidth(t, size, family)); }, 0);
      var title = bar.title && bar.title.text ? textWidth(bar.title.text, size, family) : 0;
      var wide = Math.max((bar.thickness || 30) + labels + 40, title + 20);
      push.r = Math.max(push.r, wide + 0.02 * Math.max(0, width - need.l - wide));
    });
    if (layout.showlegend === true) known = false;
    var heatmap = data.some(function (trace) { return trace.type === "heatmap"; });
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = layout[name], letter = name.charAt(0);
      if (!axis || !axis.automargin) return;
      var labels = axisLabels(axis, letter, data);
      if (labels === null) { known = false; return; }
      var tickSize = (axis.tickfont && axis.tickfont.size) || size;
      var widest = labels.reduce(function (most, t) { return Math.max(most, textWidth(t, tickSize, family)); }, 0);
      var high = labels.length ? tickSize * 1.29 : 0;
      var angle = axis.tickangle;
      if (letter === "x" && (angle === undefined || angle === "auto")) {
        // Plotly turns them 30° when they would overlap: left to Plotly.
        if (labels.length && widest + 8 > (width - need.l - need.r) / labels.length) { known = false; return; }
        angle = 0;
      }
      var turn = Math.abs((angle || 0) * Math.PI / 180);
      var across = letter === "x" ? widest * Math.sin(turn) + high * Math.cos(turn)
                                  : widest * Math.cos(turn) + high * Math.sin(turn);
      // Plotly draws ticks outside the axes of a heatmap unless told otherwise.
      var ticks = axis.ticks !== undefined ? axis.ticks : heatmap ? "outside" : "";
      var depth = labels.length ? across + (letter === "y" ? 1 : 0) + (ticks === "outside" ? (axis.ticklen || 5) + 4 : 0) : 0;
      if (axis.title && axis.title.text) {
        var titleSize = (axis.title.font && axis.title.font.size) || size * 1.2;
        depth += titleSize * 1.6 * String(axis.title.text).split(/<br\s*\/?>/i).length;
      } else if (letter === "y" && labels.length) {
        depth += 10; // what Plotly keeps beside a y axis's labels when it has no title
      }
      var side = letter === "x" ? (axis.side === "top" ? "t" : "b") : (axis.side === "right" ? "r" : "l");
      push[side] += depth;
    });
    if (!known) return null;
    Object.keys(push).forEach(function (side) {
      if (push[side] > need[side]) need[side] = Math.ceil(push[side] + SPARE);
    });
    return Object.assign({}, base, need);
  }

  // layout.margin widened to what fitMargins found (a copy: the figure's own layout is left as it is).
  function fitted(data, layout, width) {
    var margin = width > 0 ? fitMargins(data, layout, width) : null;
    return margin ? Object.assign({}, layout, { margin: margin }) : layout;
  }

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
    var layout = fitted(drawn.data, drawn.layout, element.clientWidth);
    return window.Plotly.newPlot(element, drawn.data, layout, CONFIG).then(function () {
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

  // The long tables folded under the figures come in a <noscript data-folded-table> (its content a
  // single text while scripts run: the parser builds none of their cells before the figures are
  // drawn). Each becomes its table when the figures are drawn and the page is idle, one table per
  // idle moment; at once when its <details> is opened, or before printing.
  function unfold(noscript) {
    if (!noscript.parentNode) return;
    noscript.insertAdjacentHTML("afterend", noscript.textContent);
    noscript.remove();
  }
  function unfoldWhenIdle() {
    var next = document.querySelector("noscript[data-folded-table]");
    if (!next) return;
    idle(function () {
      unfold(next);
      unfoldWhenIdle();
    });
  }
  function unfoldAll() { document.querySelectorAll("noscript[data-folded-table]").forEach(unfold); }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.open && details.querySelectorAll) details.querySelectorAll("noscript[data-folded-table]").forEach(unfold);
  }, true);

  function drawWhenIdle() {
    if (!pending.length) {
      unfoldWhenIdle();
      return;
    }
    idle(function () {
      drawSoon(pending[0]);
      drawWhenIdle();
    });
  }

  function drawAll(elements) {
    pending = elements.slice();
    if (!("IntersectionObserver" in window)) {
      elements.forEach(drawSoon);
      if (document.readyState === "complete") unfoldWhenIdle();
      else window.addEventListener("load", unfoldWhenIdle);
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

  window.ChainFigures = { config: CONFIG, readJson: readJson, phone: PHONE, separators: SEPARATORS, drawPending: drawPending,
                          fitted: fitted, unfoldAll: unfoldAll };
  document.addEventListener("DOMContentLoaded", function () {
    autosubmit();
    drawAll(Array.prototype.slice.call(document.querySelectorAll("[data-figure]")));
  });
})();

/* Paper has no clicks: open every figure table before printing. */
window.addEventListener("beforeprint", function () {
  if (window.ChainFigures) window.ChainFigures.unfoldAll();
  document.querySelectorAll("details.figure-table").forEach(function (d) { d.open = true; });
  if (window.ChainFigures) window.ChainFigures.drawPending();
  if (window.Plotly) {
    // A department's page prints its tables, not its figures: resize only the figures shown.
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      if (el.getClientRects().length) { window.Plotly.Plots.resize(el); }
    });
  }
});
