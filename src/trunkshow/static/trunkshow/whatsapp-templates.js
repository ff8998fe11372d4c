// The template form: one "filled with" row per placeholder of the text, added and hidden as the owner
// types {{1}}, {{2}}… (without this script the server adds the rows when the form is sent).
const form = document.getElementById("wa-template-form");
const rows = document.getElementById("wa-vars");
const blank = document.getElementById("wa-var-row");
const body = form?.querySelector('textarea[name="body"]');

function numbers(text) {
  const found = new Set([...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1])));
  return [...found].filter((n) => n >= 1 && n <= 20).sort((a, b) => a - b);
}

function showLabel(row) {
  const source = row.querySelector('[data-role="source"]');
  const label = row.querySelector('[data-role="label-field"]');
  if (source && label) label.hidden = source.value !== "text";
}

function sync() {
  const wanted = numbers(body.value);
  for (const row of rows.querySelectorAll(".wa-var")) {
    const keep = wanted.includes(Number(row.dataset.n));
    row.hidden = !keep;
    row.disabled = !keep; // a hidden row is not sent: the text no longer has that placeholder
  }
  for (const n of wanted) {
    if (rows.querySelector(`.wa-var[data-n="${n}"]`)) continue;
    const row = blank.content.firstElementChild.cloneNode(true);
    row.dataset.n = String(n);
    for (const el of row.querySelectorAll("*")) {
      for (const attr of ["id", "for", "name"]) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, el.getAttribute(attr).replaceAll("__n__", String(n)));
      }
    }
    row.querySelector("legend").innerHTML = row.querySelector("legend").innerHTML.replaceAll("__n__", String(n));
    row.querySelector('[data-role="source"]').value = "text";
    const after = [...rows.querySelectorAll(".wa-var")].find((r) => Number(r.dataset.n) > n);
    rows.insertBefore(row, after || null);
    showLabel(row);
  }
}

if (form && rows && blank && body) {
  body.addEventListener("input", sync);
  rows.addEventListener("change", (event) => {
    const row = event.target.closest(".wa-var");
    if (row) showLabel(row);
  });
  rows.querySelectorAll(".wa-var").forEach(showLabel);
}
