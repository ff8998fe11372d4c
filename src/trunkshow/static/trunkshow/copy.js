// Copy buttons: <button data-copy="INPUT_ID" data-status="STATUS_ID" data-copied="Copied.">
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.status);
    var done = function () { if (status) status.textContent = button.dataset.copied; };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
