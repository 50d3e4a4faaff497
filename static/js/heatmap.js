/* The weakest-link heatmap: rater departments (rows) × provider departments (columns), one
   dimension at a time, ordered by name or by score, redrawn without a page reload. Hidden cells are
   a separate grey layer that carries no figure; clicking a column opens that department. */
(function () {
  "use strict";

  // The words come from the page, in its language (reports/charts.py heatmap_words, in the
  // heatmap's json_script data), and numbers are written the page language's way.
  var words = {};
  var LANG = document.documentElement.lang || "en";

  function say(template, values) {
    return template.replace(/\{([a-z]+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  // `template` into `node`: each {name} becomes parts[name] (a text or an element), the rest text.
  function sayInto(node, template, parts) {
    template.split(/(\{[a-z]+\})/).forEach(function (piece) {
      var key = /^\{([a-z]+)\}$/.exec(piece);
      if (key && key[1] in parts) node.append(parts[key[1]]);
      else if (piece) node.append(document.createTextNode(piece));
    });
  }

  function number(value, digits, options) {
    return new Intl.NumberFormat(LANG, Object.assign({ minimumFractionDigits: digits, maximumFractionDigits: digits }, options)).format(value);
  }

  function fmt(value, digits, suffix) {
    if (value === null || value === undefined) return words.notAvailable;
    return suffix === "%" ? number(value / 100, digits, { style: "percent" }) : number(value, digits);
  }

  function signed(value) {
    if (value === null || value === undefined) return words.notAvailable;
    return number(value, 2, { signDisplay: "always" });
  }

  function order(data, dimension, by) {
    var indexes = data.names.map(function (_, i) { return i; });
    if (by !== "score") return indexes;
    var scores = data.scores[dimension];
    return indexes.sort(function (a, b) {
      var sa = scores[a], sb = scores[b];
      if (sa === null && sb === null) return data.names[a].localeCompare(data.names[b]);
      if (sa === null) return 1;
      if (sb === null) return -1;
      return sa - sb || data.names[a].localeCompare(data.names[b]);
    });
  }

  // Plotly reads labels and hover text as its own pseudo-HTML (<a href> a live link, <b> bold):
  // department names come from HR's files, so they reach it as entities, shown as the characters.
  function plotlyText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function pick(matrix, rows) {
    return rows.map(function (i) { return rows.map(function (j) { return matrix[i][j]; }); });
  }

  function outline(x, y, colour, width, dash) {
    return { type: "rect", xref: "x", yref: "y", x0: x - 0.5, x1: x + 0.5, y0: y - 0.5, y1: y + 0.5,
             line: { color: colour, width: width, dash: dash }, fillcolor: "rgba(0,0,0,0)" };
  }

  // Cell values are written only where a cell is wide enough to hold one: on a phone the figure
  // is squeezed to the screen and the numbers would run into each other (tap a cell, or read the
  // table under the figure). Row labels and the colour bar take about 200 px.
  function cellTextFits(width, n, small) {
    return (width - 200) / n >= (small ? 34 : 18);
  }

  // On a phone the row labels take about 7 px a character (at least 120 px) and the colour bar
  // lies under the plot: the cells share the rest, at least PHONE_CELL px each (1-decimal values
  // fit), else the figure is made wider and scrolls sideways inside its box, with a hint saying so.
  var PHONE_CUT = 28, PHONE_CELL = 20;
  function phoneWidth(width, names) {
    var longest = Math.min(PHONE_CUT, Math.max.apply(null, names.map(function (name) { return name.length; })));
    return Math.max(width, Math.max(120, 12 + 6.8 * longest) + PHONE_CELL * names.length);
  }
  var PHONE_COLORBAR = { orientation: "h", thickness: 12, len: 1,
                         x: 0.5, xanchor: "center", y: -0.02, yanchor: "top" };

  function figure(data, dimension, by, width, phone) {
    var cells = data.cells[dimension];
    var rows = order(data, dimension, by);
    var n = rows.length;
    var plain = rows.map(function (i) { return data.names[i]; });
    var names = plain.map(plotlyText);
    var mean = pick(cells.mean, rows), fav = pick(cells.fav, rows), count = pick(cells.n, rows);
    var delta = pick(cells.delta, rows), hidden = pick(cells.hidden, rows);
    var custom = mean.map(function (row, i) {
      return row.map(function (value, j) {
        return [names[i], names[j], fmt(value, 2), fmt(fav[i][j], 1, "%"), count[i][j] === null ? words.notAvailable : String(count[i][j]), signed(delta[i][j])];
      });
    });
    var hiddenLayer = hidden.map(function (row) { return row.map(function (h) { return h === 1 ? 1 : null; }); });
    var axis = names.map(function (_, i) { return i; });
    var small = n <= 16;
    var writeCells = phone || cellTextFits(width, n, small);
    var shapes = [];
    for (var d = 0; d < n; d++) shapes.push(outline(d, d, "#495057", 1.5, "dot"));
    var weakest = data.weakest[dimension];
    if (weakest) {
      var wy = rows.indexOf(weakest[0]), wx = rows.indexOf(weakest[1]);
      shapes.push(outline(wx, wy, "#000000", 4, "solid"));
    }
    // Shortened before escaping, so that no entity is cut in half.
    var cut = phone ? PHONE_CUT : 22;
    var label = function (name) { return plotlyText(name.length > cut ? name.slice(0, cut - 1) + "…" : name); };
    var traces = [
      // Text per cell, not a constant template: Plotly would also write a template into empty cells.
      { type: "heatmap", x: axis, y: axis, z: hiddenLayer, colorscale: [[0, data.hiddenColour], [1, data.hiddenColour]],
        showscale: false, xgap: 2, ygap: 2, text: hiddenLayer.map(function (row) { return row.map(function (h) { return h ? data.hiddenText : ""; }); }),
        texttemplate: small && writeCells ? "%{text}" : "", hovertemplate: "%{customdata[0]} → %{customdata[1]}<br>" + data.hiddenLabel + "<extra></extra>",
        customdata: custom },
      { type: "heatmap", x: axis, y: axis, z: mean, customdata: custom, colorscale: data.colorscale,
        zmin: data.zmin, zmax: data.zmax, xgap: 2, ygap: 2,
        texttemplate: !writeCells ? "" : small ? "%{z:.2f}" : "%{z:.1f}", textfont: { size: small ? 14 : 10 },
        colorbar: { title: { text: plotlyText(words.mean) }, thickness: 14 },
        hovertemplate: words.hover + "<extra></extra>" }
    ];
    var cell = small ? 46 : 22;
    if (phone) {
      // Upright column names above the columns, the colour bar under the plot, 1-decimal values.
      var meanTrace = traces[1];
      meanTrace.texttemplate = "%{z:.1f}";
      meanTrace.textfont = { size: 9 };
      meanTrace.colorbar = Object.assign({}, PHONE_COLORBAR, { title: { text: plotlyText(words.mean), side: "top" } });
      traces[0].texttemplate = "";
      return {
        traces: traces, rows: rows, width: phoneWidth(width, plain),
        layout: {
          font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12 },
          width: phoneWidth(width, plain), height: 230 + 28 * n, margin: { l: 4, r: 4, t: 4, b: 4 },
          separators: window.ChainFigures.separators || undefined,
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff", hoverlabel: { font: { size: 14 } },
          xaxis: { tickvals: axis, ticktext: plain.map(label), tickangle: -90, side: "top", automargin: true,
                   fixedrange: true },
          yaxis: { tickvals: axis, ticktext: plain.map(label), autorange: "reversed", automargin: true,
                   fixedrange: true },
          shapes: shapes
        }
      };
    }
    var layout = {
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: small ? 14 : 11 },
      height: 150 + cell * n, margin: { l: 10, r: 10, t: 10, b: 10 }, paper_bgcolor: "rgba(0,0,0,0)",
      separators: window.ChainFigures.separators || undefined,
      plot_bgcolor: "#ffffff", hoverlabel: { font: { size: 15 } },
      xaxis: { tickvals: axis, ticktext: plain.map(label), tickangle: -40, automargin: true, fixedrange: true,
               title: { text: plotlyText(words.supplierAxis) } },
      yaxis: { tickvals: axis, ticktext: plain.map(label), autorange: "reversed", automargin: true, fixedrange: true,
               title: { text: plotlyText(words.customerAxis) } },
      shapes: shapes
    };
    return { traces: traces, layout: layout, rows: rows };
  }

  // The phone's first view: the weakest links of the chosen dimension, ranked, as a list that needs
  // no sideways scrolling (full names, each with its mean); the heatmap is one tap away.
  var RANKED = 10;
  function rankedLinks(data, dimension) {
    var cells = data.cells[dimension], links = [];
    data.names.forEach(function (_, i) {
      data.names.forEach(function (_, j) {
        var mean = cells.mean[i][j];
        if (mean !== null && mean !== undefined && cells.hidden[i][j] !== 1) links.push({ rater: i, provider: j, mean: mean });
      });
    });
    links.sort(function (a, b) {
      return a.mean - b.mean || data.names[a.rater].localeCompare(data.names[b.rater]) ||
        data.names[a.provider].localeCompare(data.names[b.provider]);
    });
    return { shown: links.slice(0, RANKED), total: links.length };
  }

  function drawRanked(list, data, dimension, label) {
    var ranked = rankedLinks(data, dimension);
    var items = list.querySelector("ol"), caption = list.querySelector("[data-weakest-caption]");
    caption.textContent = say(words.ranked, { shown: ranked.shown.length, total: ranked.total, label: label });
    items.replaceChildren();
    ranked.shown.forEach(function (link, rank) {
      var li = document.createElement("li");
      var who = document.createElement("span");
      who.className = "weakest-links-who";
      var provider = document.createElement("a");
      provider.href = data.urls[link.provider];
      provider.textContent = data.names[link.provider];
      if (link.rater === link.provider) {
        sayInto(who, words.management, { provider: provider });
      } else {
        sayInto(who, words.rating, { rater: data.names[link.rater], provider: provider });
      }
      var mean = document.createElement("span");
      mean.className = "weakest-links-mean";
      mean.textContent = number(link.mean, 2);
      li.append(who, mean);
      if (rank === 0) li.classList.add("weakest-links-first");
      items.append(li);
    });
  }

  function init(element) {
    var data = window.ChainFigures.readJson(element.getAttribute("data-heatmap"));
    if (!data || !window.Plotly || !data.names.length) return;
    words = data.words;
    var section = element.closest("section");
    var controls = section.querySelector("[data-heatmap-controls]");
    var dimension = section.querySelector("[data-heatmap-dimension]");
    var by = section.querySelector("[data-heatmap-order]");
    var status = section.querySelector("[data-heatmap-status]");
    var current = null;
    var phone = window.ChainFigures.phone.matches;
    var ranked = section.querySelector("[data-weakest-links]");
    var toggle = section.querySelector("[data-heatmap-toggle]");
    var box = element.closest(".figure-scroll");
    var hint = section.querySelector("[data-heatmap-scroll-hint]");
    if (phone && ranked && toggle) {
      ranked.hidden = false;
      toggle.hidden = false;
      // Collapsed, not display:none: the figure keeps the box's width to be drawn at.
      box.classList.add("heatmap-collapsed");
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? words.hide : words.show;
        box.classList.toggle("heatmap-collapsed", !open);
        if (hint) hint.hidden = !open || !(current && current.width > box.clientWidth);
      });
    }

    function render(first) {
      var width = box ? box.clientWidth : element.clientWidth;
      current = figure(data, dimension.value, by.value, phone ? width : element.clientWidth, phone);
      if (phone) {
        element.style.width = current.width + "px";
        if (ranked) drawRanked(ranked, data, dimension.value, dimension.options[dimension.selectedIndex].text);
      }
      var drawn = first
        ? window.Plotly.newPlot(element, current.traces, current.layout, window.ChainFigures.config)
        : window.Plotly.react(element, current.traces, current.layout, window.ChainFigures.config);
      return drawn.then(function () {
        element.setAttribute("data-dimension", dimension.value);
        element.setAttribute("data-order", by.value);
        element.classList.add("figure-drawn");
        if (status) status.textContent = say(words.showing, { dimension: dimension.options[dimension.selectedIndex].text, order: by.options[by.selectedIndex].text });
      });
    }

    // The page holds the overall heatmap; the six dimensions come from heatmap.json on first use.
    var loading = null;
    function ensureLoaded() {
      if (data.cells[dimension.value]) return Promise.resolve();
      if (!loading) {
        if (status) status.textContent = words.loading;
        loading = fetch(data.more, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          })
          .then(function (more) { Object.assign(data.cells, more.cells); })
          .catch(function () { loading = null; });
      }
      return loading;
    }

    controls.hidden = false;
    dimension.addEventListener("change", function () {
      ensureLoaded().then(function () {
        if (!data.cells[dimension.value]) {
          if (status) status.textContent = words.failed;
          dimension.value = element.getAttribute("data-dimension") || "overall";
          return;
        }
        render(false);
      });
    });
    by.addEventListener("change", function () { render(false); });
    render(true).then(function () {
      element.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (!point) return;
        var url = data.urls[current.rows[point.x]];
        if (url) window.location.assign(url);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-heatmap]").forEach(init);
  });
})();
