/* Enhancements of the message forms (citizen thread and agents' review screen).
 * The pages work without this file: the server validates everything. It only lists the files
 * chosen (with a warning for those the server would refuse for their size or number) and keeps a
 * double click on « Envoyer » from sending the message twice. Every text comes from the page
 * (data-text-* attributes), already translated by Django. */
(function () {
  "use strict";

  function formatSize(bytes, units) {
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    var text = unit === 0 ? String(value) : value.toFixed(1).replace(".", ",");
    return text + "\u00a0" + units[unit];
  }

  function enhance(form) {
    var input = form.querySelector('input[type="file"]');
    var button = form.querySelector('button[type="submit"]');
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 0;
    var units = (form.getAttribute("data-size-units") || "o,ko,Mo").split(",");
    var sending = false;

    if (input) {
      // A polite live region: screen readers hear the list after choosing files.
      var status = document.createElement("div");
      status.className = "file-list";
      status.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", status);

      input.addEventListener("change", function () {
        status.textContent = "";
        if (!input.files || input.files.length === 0) {
          return;
        }
        var title = document.createElement("p");
        title.textContent = form.getAttribute("data-text-selected");
        status.appendChild(title);
        var list = document.createElement("ul");
        Array.prototype.forEach.call(input.files, function (file) {
          var item = document.createElement("li");
          item.textContent = file.name + " (" + formatSize(file.size, units) + ")";
          if (maxBytes && file.size > maxBytes) {
            item.className = "file-warning";
            item.textContent += " — " + form.getAttribute("data-text-too-big");
          }
          list.appendChild(item);
        });
        status.appendChild(list);
        if (maxFiles && input.files.length > maxFiles) {
          var warning = document.createElement("p");
          warning.className = "file-warning";
          warning.textContent = form.getAttribute("data-text-too-many");
          status.appendChild(warning);
        }
      });
    }

    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
      if (button) {
        button.setAttribute("aria-disabled", "true");
      }
    });

    // Coming back with the browser's history must give a usable form again.
    window.addEventListener("pageshow", function () {
      sending = false;
      if (button) {
        button.removeAttribute("aria-disabled");
      }
    });
  }

  document.querySelectorAll("form.message-form").forEach(enhance);
})();
