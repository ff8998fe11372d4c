// An open Filters or Segments panel is laid over the list just below the row of tools (app.css),
// so its button stays put. This makes room for it: the row's bottom margin grows to the panel's
// height, pushing the chips and the results down instead of hiding them. Without JavaScript the
// panel simply covers the top of the list until it is closed.
const tools = document.querySelector(".list-tools");
if (tools) {
  const panels = [...tools.querySelectorAll(":scope > details.tool")];
  const fit = () => {
    const open = panels.find((panel) => panel.open);
    const card = open && open.querySelector(":scope > .card");
    tools.style.marginBottom = card ? `calc(${card.offsetHeight}px + 1.25rem)` : "";
  };
  const resized = new ResizeObserver(fit);
  for (const panel of panels) {
    const card = panel.querySelector(":scope > .card");
    if (card) resized.observe(card);
    panel.addEventListener("toggle", () => {
      // One panel at a time: both would sit in the same place.
      if (panel.open) for (const other of panels) if (other !== panel) other.open = false;
      fit();
    });
  }
  fit();
}
