/* Findings browser: ticking a box applies the filters at once (the form works without JavaScript too). */
(function () {
  "use strict";
  var form = document.getElementById("facets");
  if (!form) { return; }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "checkbox") { form.submit(); }
  });
})();
