/* « Mes exports » (backoffice/templates/backoffice/exports.html): follow the exports in preparation.
 * The page works without this file (its « Actualiser » link). While an export is pending or
 * running, this fetches the page again, every few seconds and less often as time goes by, and
 * replaces the progress and file cells of those exports only: the rest of the page, and the
 * keyboard focus, stay where they are. When an export is ready or has failed, the status region
 * announces it (its text comes from the server, already translated). It stops when none is left. */
(function () {
  "use strict";

  var table = document.querySelector("table[data-export-refresh]");
  if (!table || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = table.getAttribute("data-export-refresh");
  var announce = document.getElementById("export-announce");
  var delay = 2000;
  var MAX_DELAY = 30000;

  function isActive(row) {
    var state = row.getAttribute("data-export-job");
    return state === "pending" || state === "running";
  }

  function activeRows() {
    return Array.prototype.slice.call(table.querySelectorAll("tr[data-export-job]")).filter(isActive);
  }

  function update(row, fresh) {
    Array.prototype.forEach.call(fresh.querySelectorAll("[data-export-cell]"), function (cell) {
      var name = cell.getAttribute("data-export-cell");
      var old = row.querySelector('[data-export-cell="' + name + '"]');
      if (old) {
        old.parentNode.replaceChild(document.importNode(cell, true), old);
      }
    });
    row.setAttribute("data-export-job", fresh.getAttribute("data-export-job"));
    if (!isActive(row) && announce) {
      announce.textContent = fresh.getAttribute("data-export-announce") || "";
    }
  }

  function finish() {
    var link = document.querySelector("[data-export-refresh-link]");
    if (link) {
      link.hidden = true;
    }
  }

  function later() {
    delay = Math.min(Math.round(delay * 1.5), MAX_DELAY);
    window.setTimeout(refresh, delay);
  }

  function refresh() {
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        activeRows().forEach(function (row) {
          var fresh = page.getElementById(row.id);
          if (fresh) {
            update(row, fresh);
          }
        });
        if (activeRows().length) {
          later();
        } else {
          finish();
        }
      })
      .catch(later);
  }

  window.setTimeout(refresh, delay);
})();
