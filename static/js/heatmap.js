/* The weakest-link heatmap: rater departments (rows) × provider departments (columns), one
   dimension at a time, ordered by name, by score or grouped (rows and columns clustered on the
   server from the shown means: reports/seriation.py), redrawn without a page reload. Hidden cells
   are a separate grey layer that carries no figure; clicking a cell opens its supplier.

   At 200 departments: a search box keeps the departments whose names contain what is typed (as
   raters, suppliers or both), "Links shown" keeps only the weakest N links (their rows and columns,
   the other cells faded), a large heatmap zooms into a dragged block (names come back once the
   cells can hold them), and the weakest link is outlined and named above the figure whatever is
   filtered. Typing redraws at most once per DEBOUNCE ms, and only when what is shown changed.
   Every word written comes from the page (data.words, in its language). */
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

  // One formatter per way of writing, and each value written once: a 200-department heatmap writes
  // 40,000 cells' hover figures, and building an Intl.NumberFormat per figure took seconds.
  var formats = {};
  var PERCENT = { style: "percent" }, SIGNED = { signDisplay: "always" };
  function number(value, digits, options) {
    // The key without JSON.stringify: it was most of the time of 80,000 cells' figures.
    var key = digits + (options === PERCENT ? "%" : options === SIGNED ? "+" : options ? JSON.stringify(options) : "");
    var format = formats[key];
    if (!format) {
      var formatter = new Intl.NumberFormat(LANG, Object.assign({ minimumFractionDigits: digits, maximumFractionDigits: digits }, options));
      format = formats[key] = { formatter: formatter, written: new Map() };
    }
    var written = format.written.get(value);
    if (written === undefined) {
      written = format.formatter.format(value);
      format.written.set(value, written);
    }
    return written;
  }

  function fmt(value, digits, suffix) {
    if (value === null || value === undefined) return words.notAvailable;
    return suffix === "%" ? number(value / 100, digits, PERCENT) : number(value, digits);
  }

  function signed(value) {
    if (value === null || value === undefined) return words.notAvailable;
    return number(value, 2, SIGNED);
  }

  function indexes(n) {
    var out = [];
    for (var i = 0; i < n; i++) out.push(i);
    return out;
  }

  // Rows and columns before any filter: the same order both ways by name or score, each its own
  // when grouped (a missing order, as from an older heatmap.json, falls back to names).
  function baseOrder(data, dimension, by) {
    var all = indexes(data.names.length);
    if (by === "cluster") {
      var order = data.cells[dimension].order;
      return order ? { rows: order.rows, cols: order.cols } : { rows: all, cols: all };
    }
    if (by !== "score") return { rows: all, cols: all };
    var scores = data.scores[dimension];
    var sorted = all.slice().sort(function (a, b) {
      var sa = scores[a], sb = scores[b];
      if (sa === null && sb === null) return data.names[a].localeCompare(data.names[b]);
      if (sa === null) return 1;
      if (sb === null) return -1;
      return sa - sb || data.names[a].localeCompare(data.names[b]);
    });
    return { rows: sorted, cols: sorted };
  }

  // Search ignores case and accents: "zurich" finds "Zürich".
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function shownLinks(cells, rows, cols) {
    var links = [];
    rows.forEach(function (i) {
      var mean = cells.mean[i], hidden = cells.hidden[i];
      cols.forEach(function (j) {
        if (mean[j] !== null && mean[j] !== undefined && hidden[j] !== 1) links.push({ rater: i, provider: j, mean: mean[j] });
      });
    });
    return links;
  }

  function byMean(data) {
    return function (a, b) {
      return a.mean - b.mean || data.names[a.rater].localeCompare(data.names[b.rater]) ||
        data.names[a.provider].localeCompare(data.names[b.provider]);
    };
  }

  // What the controls leave in view: rows, columns and (with "the N weakest") the set of links kept.
  function view(data, state) {
    var base = baseOrder(data, state.dimension, state.by);
    var rows = base.rows, cols = base.cols;
    var query = fold(state.query.trim());
    if (query) {
      var match = function (i) { return data.folded[i].indexOf(query) !== -1; };
      if (state.searchIn !== "cols") rows = rows.filter(match);
      if (state.searchIn !== "rows") cols = cols.filter(match);
    }
    var kept = null;
    if (state.weakest > 0) {
      var links = shownLinks(data.cells[state.dimension], rows, cols).sort(byMean(data)).slice(0, state.weakest);
      kept = {};
      var usedRows = {}, usedCols = {};
      links.forEach(function (link) {
        kept[link.rater + "," + link.provider] = true;
        usedRows[link.rater] = true;
        usedCols[link.provider] = true;
      });
      rows = rows.filter(function (i) { return usedRows[i]; });
      cols = cols.filter(function (j) { return usedCols[j]; });
    }
    return { rows: rows, cols: cols, kept: kept, query: state.query.trim() };
  }

  // Plotly reads labels and hover text as its own pseudo-HTML (<a href> a live link, <b> bold):
  // department names come from HR's files, so they reach it as entities, shown as the characters.
  function plotlyText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function pick(matrix, rows, cols) {
    return rows.map(function (i) { var row = matrix[i]; return cols.map(function (j) { return row[j]; }); });
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
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
  function phoneWidth(width, names, columns) {
    var longest = Math.min(PHONE_CUT, names.reduce(function (most, name) { return Math.max(most, name.length); }, 0));
    return Math.max(width, Math.max(120, 12 + 6.8 * longest) + PHONE_CELL * columns);
  }
  var PHONE_COLORBAR = { orientation: "h", thickness: 12, len: 1,
                         x: 0.5, xanchor: "center", y: -0.02, yanchor: "top" };

  // Above LARGE departments in view, the cells shrink to fit the width (square, at least 3 px),
  // names are written only where a cell can hold them, the management diagonal is not dotted (200
  // shapes redrawn on each change), and the figure zooms into a dragged block.
  var LARGE = 40, LABEL_CELL = 10;

  function tickSize(cell) {
    return Math.max(8, Math.min(11, Math.floor(cell) - 1));
  }

  function figure(data, state, width, phone) {
    var cells = data.cells[state.dimension];
    var shown = view(data, state);
    var rows = shown.rows, cols = shown.cols;
    var nr = rows.length, nc = cols.length, n = Math.max(nr, nc);
    var rowPlain = rows.map(function (i) { return data.names[i]; });
    var colPlain = cols.map(function (j) { return data.names[j]; });
    var rowNames = rowPlain.map(plotlyText), colNames = colPlain.map(plotlyText);
    var mean = pick(cells.mean, rows, cols), fav = pick(cells.fav, rows, cols), count = pick(cells.n, rows, cols);
    var delta = pick(cells.delta, rows, cols), hidden = pick(cells.hidden, rows, cols);
    var custom = new Array(nr);
    for (var ci = 0; ci < nr; ci++) {
      var meanRow = mean[ci], favRow = fav[ci], countRow = count[ci], deltaRow = delta[ci], rowCells = new Array(nc);
      for (var cj = 0; cj < nc; cj++) {
        var people = countRow[cj];
        rowCells[cj] = [rowNames[ci], colNames[cj], fmt(meanRow[cj], 2), fmt(favRow[cj], 1, "%"),
                     people === null || people === undefined ? words.notAvailable : String(people), signed(deltaRow[cj])];
      }
      custom[ci] = rowCells;
    }
    var hiddenLayer = hidden.map(function (row) { return row.map(function (h) { return h === 1 ? 1 : null; }); });
    // With "the N weakest", the other cells of their rows and columns are drawn faded (a layer of
    // their own, after the two the page's tests read as data[0] and data[1]).
    var faded = null;
    if (shown.kept) {
      faded = mean.map(function (row, i) { return row.map(function (value, j) { return shown.kept[rows[i] + "," + cols[j]] ? null : value; }); });
      mean = mean.map(function (row, i) { return row.map(function (value, j) { return shown.kept[rows[i] + "," + cols[j]] ? value : null; }); });
    }
    var xAxis = indexes(nc), yAxis = indexes(nr);
    var small = n <= 16, large = n > LARGE && !phone;
    var plotWidth = Math.max(120, width - (large ? 90 : 200));
    var cellW = plotWidth / Math.max(1, nc);
    var cellH = large ? Math.max(3, Math.min(22, cellW)) : (small ? 46 : 22);
    // A phone writes 1-decimal values in its 20 px cells, up to LARGE departments: 40,000 texts
    // would take Plotly seconds to lay out (the values are in the hover and the ranked list).
    var writeCells = phone ? n <= LARGE : large ? cellW >= 30 && cellH >= 18 : cellTextFits(width, n, small);
    // Cells too small for a visible gap get none: Plotly then draws the heatmap as one image of a
    // pixel per cell, scaled up (its "fast" path), instead of filling 40,000 rectangles one by one
    // into a canvas the size of the plot and encoding that as a PNG (0.3-0.7 s at 200 departments).
    // That image's style attribute is allowed by its hash (reports/views.py PLOTLY_STYLES).
    var gap = large ? (Math.min(cellW, cellH) < 8 ? 0 : 1) : 2;
    var shapes = [], annotations = [];
    if (!large) {
      rows.forEach(function (i, y) {
        var x = cols.indexOf(i);
        if (x !== -1) shapes.push(outline(x, y, "#495057", 1.5, "dot"));
      });
    }
    var weakest = data.weakest[state.dimension];
    var inView = false;
    if (weakest) {
      var wy = rows.indexOf(weakest[0]), wx = cols.indexOf(weakest[1]);
      inView = wx !== -1 && wy !== -1;
      if (inView) {
        shapes.push(outline(wx, wy, "#000000", large && Math.min(cellW, cellH) < 8 ? 2.5 : 4, "solid"));
        // Among hundreds of small cells an outline alone is hard to find: an arrow names it.
        if (large) annotations.push({ x: wx, y: wy, xref: "x", yref: "y", text: plotlyText(data.words.weakestMark),
          showarrow: true, arrowhead: 2, arrowwidth: 2, arrowcolor: "#000000", ax: wx < nc / 2 ? 60 : -60, ay: wy < 3 ? 40 : -40,
          bgcolor: "rgba(255,255,255,0.92)", bordercolor: "#000000", borderwidth: 1, font: { size: 12, color: "#000000" } });
      }
    }
    // Shortened before escaping, so that no entity is cut in half.
    var cut = phone ? PHONE_CUT : 22;
    var label = function (name) { return plotlyText(name.length > cut ? name.slice(0, cut - 1) + "…" : name); };
    var hover = words.hover + "<extra></extra>";
    var traces = [
      // Text per cell, not a constant template: Plotly would also write a template into empty cells.
      { type: "heatmap", x: xAxis, y: yAxis, z: hiddenLayer, colorscale: [[0, data.hiddenColour], [1, data.hiddenColour]],
        showscale: false, xgap: gap, ygap: gap, text: hiddenLayer.map(function (row) { return row.map(function (h) { return h ? data.hiddenText : ""; }); }),
        texttemplate: small && writeCells ? "%{text}" : "", hovertemplate: "%{customdata[0]} → %{customdata[1]}<br>" + data.hiddenLabel + "<extra></extra>",
        customdata: custom },
      { type: "heatmap", x: xAxis, y: yAxis, z: mean, customdata: custom, colorscale: data.colorscale,
        zmin: data.zmin, zmax: data.zmax, xgap: gap, ygap: gap,
        texttemplate: !writeCells ? "" : small ? "%{z:.2f}" : "%{z:.1f}", textfont: { size: small ? 14 : 10 },
        colorbar: { title: { text: plotlyText(words.mean) }, thickness: 14 },
        hovertemplate: hover }
    ];
    if (faded) {
      traces[0].opacity = 0.25;
      traces.push({ type: "heatmap", x: xAxis, y: yAxis, z: faded, customdata: custom, colorscale: data.colorscale,
        zmin: data.zmin, zmax: data.zmax, xgap: gap, ygap: gap, opacity: 0.25, showscale: false,
        texttemplate: "", hovertemplate: hover });
    }
    var result = { traces: traces, rows: rows, cols: cols, view: shown, inView: inView, large: large,
                   cellW: cellW, cellH: cellH, plotWidth: plotWidth };
    if (phone) {
      // Upright column names above the columns, the colour bar under the plot, 1-decimal values.
      var meanTrace = traces[1];
      meanTrace.texttemplate = writeCells ? "%{z:.1f}" : "";
      meanTrace.textfont = { size: 9 };
      meanTrace.colorbar = Object.assign({}, PHONE_COLORBAR, { title: { text: plotlyText(words.mean), side: "top" } });
      traces[0].texttemplate = "";
      result.width = phoneWidth(width, rowPlain.concat(colPlain), nc);
      result.layout = {
        font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12 },
        width: result.width, height: 230 + 28 * nr, margin: { l: 4, r: 4, t: 4, b: 4 },
        separators: window.ChainFigures.separators || undefined,
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff", hoverlabel: { font: { size: 14 } },
        xaxis: { tickvals: xAxis, ticktext: colPlain.map(label), tickangle: -90, side: "top", automargin: true,
                 fixedrange: true },
        yaxis: { tickvals: yAxis, ticktext: rowPlain.map(label), autorange: "reversed", automargin: true,
                 fixedrange: true },
        shapes: shapes, annotations: annotations
      };
      return result;
    }
    var layout = {
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: small ? 14 : 11 },
      height: 150 + cellH * nr, margin: { l: 10, r: 10, t: 10, b: 10 }, paper_bgcolor: "rgba(0,0,0,0)",
      separators: window.ChainFigures.separators || undefined,
      plot_bgcolor: "#ffffff", hoverlabel: { font: { size: 15 } },
      xaxis: { tickvals: xAxis, ticktext: colPlain.map(label), tickangle: -40, automargin: true, fixedrange: !large,
               title: { text: plotlyText(words.supplierAxis) } },
      yaxis: { tickvals: yAxis, ticktext: rowPlain.map(label), autorange: "reversed", automargin: true, fixedrange: !large,
               title: { text: plotlyText(words.customerAxis) } },
      shapes: shapes, annotations: annotations
    };
    if (large || faded) {
      // Faded or 3 px cells let Plotly's grid and zero lines show through: none.
      ["xaxis", "yaxis"].forEach(function (axis) {
        Object.assign(layout[axis], { showgrid: false, zeroline: false, ticks: "" });
      });
    }
    if (large) {
      layout.dragmode = "zoom";
      layout.xaxis.showticklabels = cellW >= LABEL_CELL;
      layout.yaxis.showticklabels = cellH >= LABEL_CELL;
      layout.xaxis.tickfont = { size: tickSize(cellW) };
      layout.yaxis.tickfont = { size: tickSize(cellH) };
      layout.xaxis.tickangle = -60;
      layout.xaxis.autorange = true;
      layout.yaxis.autorange = "reversed";
    }
    result.layout = layout;
    return result;
  }

  // The phone's first view: the weakest links of the chosen dimension, ranked, as a list that needs
  // no sideways scrolling (full names, each with its mean); the heatmap is one tap away.
  var RANKED = 10;
  function rankedLinks(data, dimension, shown) {
    var links = shownLinks(data.cells[dimension], shown.rows, shown.cols).sort(byMean(data));
    return { shown: links.slice(0, RANKED), total: links.length };
  }

  function drawRanked(list, data, dimension, label, shown) {
    var ranked = rankedLinks(data, dimension, shown);
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

  var DEBOUNCE = 150;

  function init(element) {
    var data = window.ChainFigures.readJson(element.getAttribute("data-heatmap"));
    if (!data || !window.Plotly || !data.names.length) return;
    words = data.words;
    data.folded = data.names.map(fold);
    var section = element.closest("section");
    var controls = section.querySelector("[data-heatmap-controls]");
    var dimension = section.querySelector("[data-heatmap-dimension]");
    var by = section.querySelector("[data-heatmap-order]");
    var search = section.querySelector("[data-heatmap-search]");
    var searchIn = section.querySelector("[data-heatmap-search-in]");
    var weakestN = section.querySelector("[data-heatmap-weakest]");
    var named = section.querySelector("[data-heatmap-weakest-named]");
    var zoomHint = section.querySelector("[data-heatmap-zoom-hint]");
    var status = section.querySelector("[data-heatmap-status]");
    var current = null, drawnKey = null, drawing = null, again = false;
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

    function state() {
      return { dimension: dimension.value, by: by.value, query: search ? search.value : "",
               searchIn: searchIn ? searchIn.value : "both", weakest: weakestN ? parseInt(weakestN.value, 10) || 0 : 0 };
    }

    function nameWeakest(s) {
      if (!named) return;
      var weakest = data.weakest[s.dimension];
      named.hidden = false;
      if (!weakest) {
        named.textContent = data.words.weakestNone;
        return;
      }
      var rater = weakest[0], provider = weakest[1];
      var values = { rater: data.names[rater], provider: data.names[provider],
                     mean: fmt(data.cells[s.dimension].mean[rater][provider], 2) };
      var sentence = fill(rater === provider ? data.words.weakestNamedOwn : data.words.weakestNamed, values);
      named.textContent = current && !current.inView ? sentence + " " + data.words.weakestOutside : sentence;
    }

    function describe(s) {
      if (!status) return;
      var filtered = current.view.query || s.weakest > 0;
      if (current.rows.length === 0 || current.cols.length === 0) {
        status.textContent = fill(data.words.noMatch, { query: current.view.query });
      } else if (filtered) {
        status.textContent = fill(data.words.matched, { rows: current.rows.length, cols: current.cols.length, total: data.names.length });
      } else {
        status.textContent = say(words.showing, { dimension: dimension.options[dimension.selectedIndex].text, order: by.options[by.selectedIndex].text });
      }
    }

    // Draws what the controls ask for, unless that is what is drawn already; a change that comes
    // while Plotly is drawing is drawn once that is done (the latest state only).
    function render(first) {
      var s = state();
      var width = box ? box.clientWidth : element.clientWidth;
      var key = JSON.stringify([s, width]);
      if (!first && key === drawnKey) return Promise.resolve();
      if (drawing) {
        again = true;
        return drawing;
      }
      current = figure(data, s, phone ? width : element.clientWidth, phone);
      drawnKey = key;
      if (phone) {
        element.style.width = current.width + "px";
        if (ranked) drawRanked(ranked, data, s.dimension, dimension.options[dimension.selectedIndex].text, current.view);
      }
      if (zoomHint) zoomHint.hidden = !current.large;
      nameWeakest(s);
      // Margins that already fit (static/js/figures.js): Plotly draws it once, not twice.
      var layout = window.ChainFigures.fitted(current.traces, current.layout, phone ? current.width : element.clientWidth);
      var drawn = first
        ? window.Plotly.newPlot(element, current.traces, layout, window.ChainFigures.config)
        : window.Plotly.react(element, current.traces, layout, window.ChainFigures.config);
      drawing = drawn.then(function () {
        element.setAttribute("data-dimension", s.dimension);
        element.setAttribute("data-order", s.by);
        element.setAttribute("data-shown", current.rows.length + "x" + current.cols.length);
        element.classList.add("figure-drawn");
        describe(s);
        drawing = null;
        if (again) {
          again = false;
          return render(false);
        }
      });
      return drawing;
    }

    // Zoomed into a block of a large heatmap, the names come back once the cells can hold them.
    function readable(event) {
      if (!current || !current.large || !event) return;
      var zoomed = Object.keys(event).some(function (k) { return /^[xy]axis\.(range|autorange)/.test(k); });
      if (!zoomed) return;
      var layout = element._fullLayout;
      var columns = Math.abs(layout.xaxis.range[1] - layout.xaxis.range[0]);
      var rowsShown = Math.abs(layout.yaxis.range[1] - layout.yaxis.range[0]);
      var cellW = layout.xaxis._length / Math.max(1, columns), cellH = layout.yaxis._length / Math.max(1, rowsShown);
      var update = { "xaxis.showticklabels": cellW >= LABEL_CELL, "yaxis.showticklabels": cellH >= LABEL_CELL,
                     "xaxis.tickfont.size": tickSize(cellW), "yaxis.tickfont.size": tickSize(cellH) };
      var same = Object.keys(update).every(function (k) {
        var parts = k.split("."), value = layout[parts[0]];
        return parts.length === 2 ? value[parts[1]] === update[k] : value.tickfont.size === update[k];
      });
      if (!same) window.Plotly.relayout(element, update);
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

    var timer = null;
    function soon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { window.requestAnimationFrame(function () { render(false); }); }, DEBOUNCE);
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
    if (search) {
      search.addEventListener("input", soon);
      // Enter in the box draws at once (and never submits anything).
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          window.clearTimeout(timer);
          render(false);
        }
      });
    }
    if (searchIn) searchIn.addEventListener("change", function () { render(false); });
    if (weakestN) weakestN.addEventListener("change", function () { render(false); });
    render(true).then(function () {
      element.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (!point) return;
        var url = data.urls[current.cols[point.x]];
        if (url) window.location.assign(url);
      });
      element.on("plotly_relayout", readable);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-heatmap]").forEach(init);
  });
})();
