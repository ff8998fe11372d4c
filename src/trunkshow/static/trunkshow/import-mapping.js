// The import's mapping step: Import stays disabled until a column is a name, an email or a phone
// (<form data-identifying="email first_name ...">); the notice above the columns says why.
var form = document.getElementById("mapping");
var button = document.getElementById("import-button");
if (form && button) {
  var identifying = form.dataset.identifying.split(" ");
  var update = function () {
    var selects = form.querySelectorAll("select[name^='col-']");
    var found = Array.prototype.some.call(selects, function (select) { return identifying.indexOf(select.value) !== -1; });
    button.disabled = !found;
  };
  form.addEventListener("change", update);
  update();
}
