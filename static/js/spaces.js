// Spaces pages: one step fewer for destructive buttons when JavaScript runs.
// Without it, a form marked data-confirm posts to the server, which answers with a confirmation
// page; with it, the browser asks here and, on « OK », posts the confirmation field directly.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      var name = form.getAttribute("data-confirm-field");
      if (name && !form.querySelector('input[name="' + name + '"]')) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = name;
        field.value = "oui";
        form.appendChild(field);
      }
    });
  });
})();
