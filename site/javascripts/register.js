/* Sorting and filtering for the register table. Progressive enhancement: without this script the
 * table is complete and readable. No inline handlers, no external requests. */
(function () {
  "use strict";

  function cellValue(row, column) {
    var cell = row.cells[column];
    if (!cell) {
      return "";
    }
    var key = cell.getAttribute("data-sort");
    return (key !== null ? key : cell.textContent).trim().toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var body = table.tBodies[0];
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "mcr-sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) {
          other.setAttribute("aria-sort", "none");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, column);
          var y = cellValue(b, column);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });
  }

  function makeFilterable(table) {
    var tools = document.querySelector('[data-mcr-tools="' + table.id + '"]');
    if (!tools) {
      return;
    }
    var text = tools.querySelector("[data-mcr-filter]");
    var stage = tools.querySelector("[data-mcr-stage]");
    var count = tools.querySelector("[data-mcr-count]");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (row) {
      return row.hasAttribute("data-stage");
    });

    function apply() {
      var words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = stage.value;
      var shown = 0;
      rows.forEach(function (row) {
        var haystack = row.textContent.toLowerCase();
        var visible =
          (!wanted || row.getAttribute("data-stage") === wanted) &&
          words.every(function (word) {
            return haystack.indexOf(word) !== -1;
          });
        row.hidden = !visible;
        if (visible) {
          shown += 1;
        }
      });
      count.textContent = shown + " of " + rows.length + " cases shown";
    }

    text.addEventListener("input", apply);
    stage.addEventListener("change", apply);
    tools.hidden = false;
    apply();
  }

  /* The home page's search box hands its query to the theme's in-page search instead of
   * submitting it: a customer's name must not end up in a URL, a server log or browser history. */
  function searchInPage(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = form.querySelector("input").value;
      var toggle = document.getElementById("__search");
      var input = document.querySelector("[data-md-component=search-query]");
      if (!input) {
        return;
      }
      if (toggle) {
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
      }
      input.value = query;
      input.dispatchEvent(new Event("focus"));
      input.focus();
      input.dispatchEvent(new KeyboardEvent("keyup"));
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-mcr-table]"), function (t) {
      makeSortable(t);
      makeFilterable(t);
    });
    Array.prototype.forEach.call(document.querySelectorAll("form.mcr-search"), searchInPage);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
