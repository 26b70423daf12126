/* Enhancements of « Attribuer la sélection » (lists, an agent's dossiers, the queue).
 * The pages work without this file: the server checks every choice. It adds a « Tout
 * sélectionner » box to the table, says how many dossiers are selected (a polite live region)
 * and keeps a double click from submitting twice. Every text comes from the page
 * (data-text-* attributes), already translated by Django. */
(function () {
  "use strict";

  function enhance(panel) {
    var form = panel.tagName === "FORM" ? panel : panel.closest("form");
    if (!form) {
      return;
    }
    var counter = panel.querySelector("[data-selected-count]");
    var button = panel.querySelector("button[formaction], button[type=submit]");
    var sending = false;

    function boxes() {
      return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="dossiers"]'));
    }

    function update() {
      var count = boxes().filter(function (box) { return box.checked; }).length;
      if (counter) {
        var text = count === 0 ? panel.getAttribute("data-text-count-zero")
          : count === 1 ? panel.getAttribute("data-text-count-one")
          : (panel.getAttribute("data-text-count-many") || "").replace("%(count)s", String(count));
        counter.textContent = text || "";
      }
    }

    // « Tout sélectionner » in the header cell that asks for it (data-select-all holds its label).
    var headerCell = form.querySelector("th[data-select-all]");
    var all = null;
    if (headerCell && boxes().length > 1) {
      all = document.createElement("input");
      all.type = "checkbox";
      all.id = "select-all-dossiers";
      all.setAttribute("aria-label", headerCell.getAttribute("data-select-all"));
      headerCell.insertBefore(all, headerCell.firstChild);
      all.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }

    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "dossiers") {
        if (all) {
          all.checked = boxes().every(function (box) { return box.checked; });
        }
        update();
      }
    });

    if (button) {
      button.addEventListener("click", function (event) {
        if (sending) {
          event.preventDefault();
          return;
        }
        sending = true;
        window.setTimeout(function () { sending = false; }, 5000);
      });
    }
    update();
  }

  document.querySelectorAll("[data-bulk-assign]").forEach(enhance);
})();
