/* The screener ("which departments did you deal with?") at 200 departments: a search box filters
   the checkboxes as one types, ticked ones always stay in the list, and a line sums up what is
   ticked. Keyboard: type to filter, ↓ from the box (or Enter) to the first match, ↑/↓ through the
   boxes shown, space ticks, Escape clears the search. One pass of writes per change (the names are
   folded once; no layout is read while filtering): smooth on a phone. Nothing is stored: the box
   has no name (never sent) and the script keeps nothing in storage or cookies. Without JS the page
   is the plain list. */
(function () {
  "use strict";

  var root = document.querySelector("[data-screener]");
  if (!root) return;
  var find = root.querySelector("[data-screener-find]");
  var search = root.querySelector("[data-screener-search]");
  var status = root.querySelector("[data-screener-status]");
  var ticked = root.querySelector("[data-screener-ticked]");
  var items = Array.prototype.slice.call(root.querySelectorAll(".screener-boxes .form-check")).map(function (item) {
    var box = item.querySelector("input[type=checkbox]");
    var label = item.querySelector("label");
    return { item: item, box: box, name: label.textContent, folded: fold(label.textContent), hidden: false };
  });
  if (!find || !search || !items.length) return;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function words(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  var frame = null;
  function filter() {
    frame = null;
    var query = fold(search.value);
    var shown = 0; // the matches (ticked boxes stay in view besides them)
    items.forEach(function (entry) {
      var match = query === "" || entry.folded.indexOf(query) !== -1;
      var hide = !match && !entry.box.checked;
      if (hide !== entry.hidden) {
        entry.item.hidden = hide;
        entry.hidden = hide;
      }
      if (match) shown++;
    });
    status.textContent = !query ? "" : shown === 0
      ? words(status.getAttribute("data-none"), { query: search.value.trim() })
      : words(status.getAttribute("data-matches"), { shown: shown, total: items.length });
  }

  function soon() {
    if (frame === null) frame = window.requestAnimationFrame(filter);
  }

  function summarise() {
    var names = items.filter(function (entry) { return entry.box.checked; }).map(function (entry) { return entry.name; });
    ticked.textContent = names.length
      ? words(ticked.getAttribute("data-some"), { count: names.length, names: names.join(", ") })
      : ticked.getAttribute("data-none");
  }

  function visibleBoxes() {
    // A key pressed before the next frame: filter for what is typed now.
    if (frame !== null) {
      window.cancelAnimationFrame(frame);
      filter();
    }
    return items.filter(function (entry) { return !entry.hidden; }).map(function (entry) { return entry.box; });
  }

  search.addEventListener("input", soon);
  search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "Enter") {
      // Enter in a text box would submit the form: here it goes to the list instead.
      event.preventDefault();
      var boxes = visibleBoxes();
      if (boxes.length) boxes[0].focus();
    } else if (event.key === "Escape" && search.value) {
      event.preventDefault();
      search.value = "";
      filter();
    }
  });
  root.querySelector(".screener-boxes").addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var boxes = visibleBoxes();
    var at = boxes.indexOf(event.target);
    if (at === -1) return;
    event.preventDefault();
    if (event.key === "ArrowUp" && at === 0) search.focus();
    else if (boxes[at + (event.key === "ArrowDown" ? 1 : -1)]) boxes[at + (event.key === "ArrowDown" ? 1 : -1)].focus();
  });
  root.addEventListener("change", summarise);

  find.hidden = false;
  ticked.hidden = false;
  summarise();
})();
