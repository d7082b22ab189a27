// Progressive enhancement only: every action of the form works without
// this script (add and remove lines, upload, calculate are server-side).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so that screen readers announce it.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    } else {
      // After "Add a line" the server marks the new line's first field
      // autofocus; make sure it has the focus and is in view (browsers
      // skip autofocus in some cases, e.g. after a back navigation).
      var first = document.querySelector("[autofocus]");
      if (first) {
        first.scrollIntoView({ block: "center" });
        first.focus();
      }
    }
    // Follow a summary link to its field and focus it.
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        var el = document.getElementById(a.getAttribute("href").slice(1));
        if (!el) { return; }
        ev.preventDefault();
        var details = el.closest("details");
        if (details) { details.open = true; }
        el.scrollIntoView({ block: "center" });
        el.focus();
      });
    });
    // Confirm before removing a line that has values.
    document.querySelectorAll("button[name^='remove_line_']").forEach(function (b) {
      b.addEventListener("click", function (ev) {
        var fs = b.closest("fieldset");
        var filled = fs && Array.prototype.some.call(fs.querySelectorAll("input[type=text], select"), function (i) { return i.value !== ""; });
        if (filled && !window.confirm(b.textContent + "?")) { ev.preventDefault(); }
      });
    });
  });
})();
