"use strict";
// tracewhy report: sortable hop table and span folding.  Reads the DOM only; never inserts HTML.
(function () {
  function cellValue(row, col) {
    var cell = row.cells[col];
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent.trim().toLowerCase() : Number(v);
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, col), y = cellValue(b, col);
      var d = x < y ? -1 : x > y ? 1 : 0;
      return asc ? d : -d;
    });
    Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.querySelector("button").addEventListener("click", function () { sortBy(table, col, th); });
    });
  });
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  function setAll(open) {
    Array.prototype.forEach.call(document.querySelectorAll("details.span-detail"), function (d) { d.open = open; });
  }
  var expand = document.getElementById("expand-all"), collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }
  window.addEventListener("beforeprint", function () { setAll(true); });
})();
