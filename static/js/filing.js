/* Enhancements of the dossier form (citizen_portal/templates/citizen_portal/dossier_form.html).
   The page works without this script: file inputs accept several files, conditional documents
   are shown with their condition, and the beneficiary's details show after saving. */
(function () {
  "use strict";

  var form = document.querySelector(".filing-form");
  if (!form) {
    return;
  }
  document.documentElement.classList.add("js-filing");

  /* « Parcourir »: the native input is visually hidden; show what was chosen next to the button. */
  function showChosen(input) {
    var out = input.parentNode.querySelector(".file-chosen");
    if (!out) {
      return;
    }
    var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
    out.textContent = names.join(", ");
  }

  function watchInput(input) {
    input.addEventListener("change", function () { showChosen(input); });
  }

  Array.prototype.forEach.call(form.querySelectorAll(".file-picker input[type=file]"), watchInput);

  /* The green « + »: one more « Parcourir » for the same document, as many as files may be added. */
  Array.prototype.forEach.call(form.querySelectorAll("[data-add-file]"), function (button) {
    var container = form.querySelector('.file-inputs[data-document="' + button.getAttribute("data-add-file") + '"]');
    if (!container) {
      return;
    }
    var slots = parseInt(container.getAttribute("data-slots"), 10) || 1;
    var template = container.querySelector(".file-picker");
    var count = 1;
    button.hidden = count >= slots;
    button.addEventListener("click", function () {
      var picker = template.cloneNode(true);
      var input = picker.querySelector("input[type=file]");
      var label = picker.querySelector("label");
      count += 1;
      input.id = template.querySelector("input").id + "-" + count;
      input.value = "";
      label.htmlFor = input.id;
      picker.querySelector(".file-chosen").textContent = "";
      container.appendChild(picker);
      watchInput(input);
      button.hidden = count >= slots;
      input.focus();
    });
  });

  /* Conditional documents and fields: shown only when they apply (e.g. the engagement certificate
     when the +50 % is claimed, the housing fields for the Pack Jeunes' premier logement). One that no longer applies but has files stays visible, so that they can
     be removed; its inputs are disabled so that a file chosen before is not sent. */
  var conditional = form.querySelectorAll("[data-when-field]");
  function controlsOf(fieldset) {
    var control = form.elements[fieldset.getAttribute("data-when-field")];
    if (!control) {
      return [];
    }
    return control.addEventListener ? [control] : Array.prototype.slice.call(control);
  }
  function applies(fieldset) {
    var control = form.elements[fieldset.getAttribute("data-when-field")];
    if (!control) {
      return true;
    }
    var value = control.type === "checkbox" ? (control.checked ? "True" : "False") : control.value;
    var found = fieldset.getAttribute("data-when-values").split("|").indexOf(value) !== -1;
    return fieldset.hasAttribute("data-when-negate") ? !found : found;
  }
  function refreshConditional() {
    Array.prototype.forEach.call(conditional, function (fieldset) {
      var on = applies(fieldset);
      if (fieldset.tagName !== "FIELDSET") {
        /* A conditional field (its widget carries the condition): its whole block hides; it stays
           enabled, so that what was typed is kept in the draft. */
        (fieldset.closest(".field") || fieldset).hidden = !on;
        return;
      }
      fieldset.hidden = !on && !fieldset.querySelector(".document-files");
      Array.prototype.forEach.call(fieldset.querySelectorAll(".file-inputs input, [data-add-file]"), function (el) {
        el.disabled = !on;
      });
    });
  }
  Array.prototype.forEach.call(conditional, function (fieldset) {
    controlsOf(fieldset).forEach(function (control) {
      control.addEventListener("change", refreshConditional);
    });
  });
  refreshConditional();

  /* After « Ajouter un enfant » or « Retirer » (a submit that saves the draft and shows the page
     again at #<block>-<row>), the keyboard goes on from that row's first field. */
  var row = location.hash && document.getElementById(location.hash.slice(1));
  if (row && row.closest(".repeated-block")) {
    var first = row.querySelector("select, input:not([type=hidden]), textarea, button");
    if (first) {
      first.focus();
    }
  }

  /* The beneficiary chosen in the drop-down: their details show next to it at once. */
  var details = document.querySelector("[data-beneficiary-for]");
  var select = details && document.getElementById(details.getAttribute("data-beneficiary-for"));
  if (select) {
    var fields = ["civility", "last-name", "first-name", "birth-date", "link"];
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var chosen = option && option.hasAttribute("data-first-name");
      fields.forEach(function (name) {
        var cell = details.querySelector('[data-beneficiary="' + name + '"]');
        if (cell) {
          cell.textContent = chosen ? option.getAttribute("data-" + name) : "";
        }
      });
      details.hidden = !chosen;
    });
  }
}());
