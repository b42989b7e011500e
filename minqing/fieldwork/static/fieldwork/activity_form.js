/* Show only the fields that matter for the chosen kind; without script every field stays visible. */
(function () {
  "use strict";
  var only = {documents: ["outreach", "night_school"], subtopic: ["research"], findings: ["research"],
              decisions: ["courtyard", "assembly", "field_council", "baba", "reception", "onsite_office", "mediation"]};
  var form = document.getElementById("activity-form");
  var kind = form && form.querySelector("[name=kind]");
  if (!kind) { return; }
  function apply() {
    Object.keys(only).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      var input = box && box.querySelector("input, select, textarea");
      // A field holding a value stays visible: nothing is sent that the user cannot see.
      var keep = only[name].indexOf(kind.value) >= 0 || Boolean(input && input.value);
      if (box) { box.hidden = !keep; }
    });
  }
  kind.addEventListener("change", apply);
  apply();
})();
