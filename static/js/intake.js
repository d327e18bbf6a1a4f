// Window intake and its printed papers: the print button, "tick all" materials, the window
// switch, and the cursor placed where the worker types next after each htmx step.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (all) {
      all.form.querySelectorAll('input[name="materials"]').forEach(function (box) {
        box.checked = all.checked;
      });
    }
    var auto = event.target.closest("[data-autosubmit]");
    if (auto && auto.form) {
      auto.form.submit();
    }
  });

  // A card reader types the number and presses Enter: after the swap, the next field is ready.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var field = event.detail.target.querySelector("[autofocus]");
    if (field) {
      field.focus();
      if (field.select) { field.select(); }
    } else if (event.detail.target.id === "item-detail") {
      event.detail.target.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  });
})();
