// Removing something (a phone, an email, a date, an interest, a size, a saved reply) asks first: one
// stray tap should not lose it. The question is the form's data-confirm text, or its button's label.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    const label = form.querySelector("button[aria-label]")?.getAttribute("aria-label") ?? "";
    if (!window.confirm(form.dataset.confirm || `${label}?`)) event.preventDefault();
  });
}
