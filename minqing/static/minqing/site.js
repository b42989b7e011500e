/* Small helpers of the work pages. Every page works without this file (and without htmx). */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-set-category]");
    if (pick) {
      var select = document.getElementById("id_category");
      if (select) { select.value = pick.getAttribute("data-set-category"); select.focus(); }
      e.preventDefault();
    }
  });
  // No inline script anywhere (Content-Security-Policy): a select that submits its form, a print button.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-autosubmit]")) { e.target.form.submit(); }
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) { window.print(); }
  });
  // A header checkbox that ticks every row's box of that name (the workbench's bulk actions).
  document.addEventListener("change", function (e) {
    var name = e.target.getAttribute && e.target.getAttribute("data-check-all");
    if (!name) { return; }
    var table = e.target.closest("table") || document;
    table.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = e.target.checked;
    });
  });
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  // On a phone a list table's header is hidden and each row stacks: every cell but the first carries
  // its column's name (shown by site.css before the value), so "2" reads "帮扶次数：2".
  function labelCells(root) {
    (root || document).querySelectorAll("table.list").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (!heads.length) { return; }
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (i > 0 && heads[i] && !td.hasAttribute("colspan") && !td.hasAttribute("data-label")) {
            td.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:afterSwap", function (e) { labelCells(e.target); });
  // htmx: a server error shows as a message instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (e) {
    var box = document.createElement("div");
    box.className = "msg msg-error"; box.setAttribute("role", "alert");
    var words = document.body.getAttribute("data-htmx-error") || "{status}";  /* in the page's language */
    box.textContent = words.replace("{status}", e.detail.xhr.status);
    var main = document.getElementById("main");
    if (main) { main.insertBefore(box, main.firstChild); }
  });
})();
