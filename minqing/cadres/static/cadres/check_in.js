// 在岗签到: add the phone's position to the check-in form when the person allows it (nothing is sent
// anywhere but this form; without permission the check-in goes without a position).
(function () {
  "use strict";
  var form = document.getElementById("check-in-form");
  var state = document.getElementById("position-state");
  if (!form || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (p) {
    form.elements.latitude.value = p.coords.latitude.toFixed(6);
    form.elements.longitude.value = p.coords.longitude.toFixed(6);
    if (state && state.dataset.done) state.textContent = state.dataset.done;
  }, function () {}, { timeout: 8000, maximumAge: 600000 });
})();
