// A warning or an error stays in view (sticky under the top bar) until it is dismissed: it may sit over
// what the person wants to use next, such as the reply box after a note. "Done" notices leave by
// themselves (app.css).
const flash = document.querySelector(".flash");
for (const notice of flash?.querySelectorAll("p:not(.flash-success)") || []) {
  const close = document.createElement("button");
  close.type = "button";
  close.className = "flash-close";
  close.setAttribute("aria-label", flash.dataset.dismissText || "Dismiss");
  close.textContent = "×";
  close.addEventListener("click", () => {
    notice.remove();
    if (!flash.querySelector("p")) flash.remove();
  });
  notice.append(close);
}
