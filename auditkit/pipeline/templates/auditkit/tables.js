/* auditkit: long tables become sortable, searchable and filterable, offline, without libraries.
   Reads the table that is already in the page and only ever sets text (never HTML), so data stays
   data; without JavaScript the plain table is shown. Tables of at least 10 rows are enhanced.
   Total rows sit in the table's foot (tfoot): they stay last, out of sorting, filters and count.
   What the page cannot know is written where the table is built (auditkit.report.tables,
   auditkit.pipeline.index): the columns worth a filter (th data-ak-filter), a cell's words to
   filter by where its text holds more (td data-ak-value: a failed notebook's status without its
   error line), a number's machine value where its text is not one (td data-sort: an elapsed
   time in seconds), and, for a table cut to its row limit, its number of data rows
   (data-ak-rows) and the sentence saying that search and filters cover the rows shown only
   (data-ak-cut).
   A table too wide for its frame is marked and announced (markWide). */
(function () {
  "use strict";
  var MIN_ROWS = 10;
  // The words come from the wording catalogue, as data-* attributes of this script element.
  var words = document.getElementById("ak-tables-script").dataset;
  // Text sorts in the page's language (pinyin order for Chinese).
  var locale = document.documentElement.lang || "en";

  function cellValue(cell, numeric) {
    var text = cell.textContent.trim();
    if (!numeric) return text;
    var number = parseFloat(cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") :
      text.replace(/[,\s%]/g, ""));
    return isNaN(number) ? -Infinity : number;
  }

  // The words a filter offers and matches for a cell: those it names, else its text.
  function filterValue(cell) {
    return cell.hasAttribute("data-ak-value") ? cell.getAttribute("data-ak-value").trim() :
      cell.textContent.trim();
  }

  function enhance(table, index) {
    var body = table.tBodies[0], head = table.tHead;
    if (!body || !head || body.rows.length < MIN_ROWS) return;
    var headers = head.rows[head.rows.length - 1].cells;
    var rows = Array.prototype.slice.call(body.rows);
    var bar = document.createElement("div");
    bar.className = "ak-table-tools";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = words.search;
    search.setAttribute("aria-label", words.search);
    bar.appendChild(search);
    var filters = [];
    Array.prototype.forEach.call(headers, function (header, column) {
      var numeric = header.classList.contains("ak-num");
      header.tabIndex = 0;
      header.title = words.sort;
      header.classList.add("ak-sortable");
      var sort = function () {
        var descending = header.getAttribute("aria-sort") !== "descending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var sign = descending ? -1 : 1;
        rows.slice().sort(function (a, b) {
          var x = cellValue(a.cells[column], numeric), y = cellValue(b.cells[column], numeric);
          if (x === y) return 0;
          if (numeric) return sign * (x < y ? -1 : 1);
          return sign * String(x).localeCompare(String(y), locale);
        }).forEach(function (row) { body.appendChild(row); });
      };
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
      if (numeric || !header.hasAttribute("data-ak-filter")) return;
      var values = {};
      rows.forEach(function (row) { values[filterValue(row.cells[column])] = true; });
      var choices = Object.keys(values).filter(Boolean).sort();
      var select = document.createElement("select");
      select.setAttribute("aria-label", header.textContent);
      select.appendChild(new Option(header.textContent + ": " + words.all, ""));
      choices.forEach(function (choice) { select.appendChild(new Option(choice, choice)); });
      filters.push({ column: column, select: select });
      bar.appendChild(select);
    });
    var total = table.getAttribute("data-ak-rows") || rows.length;
    var cut = table.hasAttribute("data-ak-cut") ? " · " + table.getAttribute("data-ak-cut") : "";
    var count = document.createElement("span");
    count.className = "ak-table-count";
    bar.appendChild(count);
    var apply = function () {
      var needle = search.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (row) {
        var visible = (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0) &&
          filters.every(function (f) {
            return !f.select.value || filterValue(row.cells[f.column]) === f.select.value;
          });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      count.textContent = words.shown.replace("{n}", shown).replace("{total}", total) + cut;
    };
    bar.addEventListener("input", apply);
    bar.addEventListener("change", apply);
    apply();
    table.id = table.id || "ak-table-" + index;
    table.parentNode.insertBefore(bar, table);
  }

  // A table wider than its frame scrolls sideways: the frame is marked (ak-wide), can be
  // scrolled from the keyboard, and a line at its top says so (it stays in view while the table
  // scrolls), since the scrollbar of a long table is far below. Checked again when the window
  // changes size.
  function markWide(wrap) {
    var hint = document.createElement("p");
    hint.className = "ak-scroll-hint";
    hint.textContent = words.wide;
    wrap.insertBefore(hint, wrap.firstChild);
    var update = function () {
      var wide = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("ak-wide", wide);
      hint.hidden = !wide;
      if (wide) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", words.wide);
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    };
    update();
    window.addEventListener("resize", update);
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.ak-table"), enhance);
  Array.prototype.forEach.call(document.querySelectorAll(".ak-table-wrap"), markWide);
})();
