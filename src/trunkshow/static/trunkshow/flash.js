// What the staff are told after an action, in the flow of the page and never over it: it pushes what
// is below it down rather than covering a thread's newest message or the customer beside it. It is read
// where the page opens: at the top, or, on a page that opens further down, there: a page opened at a
// section (a profile's #dates just saved, a conversation's #conversation-panel) has it under that
// section's heading, and the inbox on its newest message names the place (data-flash-here: the reply
// box that sticks to the bottom).
// Each notice stays until the next page or until it is dismissed; the region keeps role=status, so a
// screen reader is told, and nothing is hidden from it while it is on the screen.
const flash = document.querySelector(".flash");
if (flash) {
  const target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  let here = null;
  if (target?.matches("section, form, div")) {
    here = target;
    const heading = target.firstElementChild?.matches("h1, h2, h3") ? target.firstElementChild : null;
    if (heading) heading.after(flash); else target.prepend(flash);
  } else if ((here = document.querySelector("[data-flash-here]"))) {
    here.prepend(flash);
  }
  if (here) flash.classList.add("flash-here");
  for (const notice of flash.querySelectorAll("p")) {
    const close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("aria-label", flash.dataset.dismissText || "Dismiss");
    // The cross is drawn by the style sheet: the notice's text (what a screen reader's status
    // region reads, and a test's inner text) stays the message alone; the button has its label.
    close.addEventListener("click", () => {
      // The focus, on the button that is going, moves to the place the notice was in (not a field: a
      // phone would open its keyboard), so a keyboard goes on from there.
      const next = here || document.getElementById("main");
      notice.remove();
      if (!flash.querySelector("p")) flash.remove();
      if (next && !next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
      next?.focus({ preventScroll: true });
    });
    notice.append(close);
  }
}
