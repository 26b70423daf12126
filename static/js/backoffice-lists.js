/* Enhancement of the agents' lists (backoffice/lists.py): « Tout sélectionner ».
 * The page works without this file: each row has its own labelled checkbox. This adds, in the
 * header cell that asks for it (data-lists-select-all holds its label, already translated by
 * Django), a checkbox that selects or clears every row of the page; it shows « mixed » when only
 * some rows are selected. Each row it changes fires a "change" event, so that the bulk actions'
 * own script (which counts the selection) stays in step. */
(function () {
  "use strict";

  function enhance(form) {
    var cell = form.querySelector("th[data-lists-select-all]");
    if (!cell) {
      return;
    }

    function boxes() {
      return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="dossiers"]'));
    }

    var all = document.createElement("input");
    all.type = "checkbox";
    all.id = "lists-select-all";
    all.className = "select-all";
    var label = document.createElement("label");
    label.htmlFor = all.id;
    label.className = "visually-hidden";
    label.textContent = cell.getAttribute("data-lists-select-all");
    cell.textContent = "";
    cell.appendChild(all);
    cell.appendChild(label);

    function sync() {
      var rows = boxes();
      var checked = rows.filter(function (box) { return box.checked; }).length;
      all.checked = rows.length > 0 && checked === rows.length;
      all.indeterminate = checked > 0 && checked < rows.length;
    }

    all.addEventListener("change", function () {
      var wanted = all.checked;
      var changed = boxes().filter(function (box) { return box.checked !== wanted; });
      changed.forEach(function (box) { box.checked = wanted; });
      // Told after all are set, so that listeners (ours included) count the final selection.
      changed.forEach(function (box) { box.dispatchEvent(new Event("change", { bubbles: true })); });
      sync();
    });

    form.addEventListener("change", function (event) {
      if (event.target !== all && event.target.name === "dossiers") {
        sync();
      }
    });
    sync();
  }

  document.querySelectorAll("form[data-lists-selection]").forEach(enhance);
})();
