// Segment counts on the list and segments pages: the page renders with the counts it has cached
// and a placeholder for the others; this asks for those, two at a time, so a store with many
// segments in a big book never waits on a COUNT per segment before the list shows.
const pending = [...document.querySelectorAll("[data-segment-count]")];
const fill = async (el) => {
  try {
    const response = await fetch(el.dataset.segmentCount, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const data = await response.json();
    el.textContent = data.count_text;
    const when = el.nextElementSibling;
    if (when && when.classList.contains("segment-counted")) when.textContent = data.counted_text;
    el.removeAttribute("data-segment-count");
  } catch {
    el.textContent = "";
  }
};
const worker = async () => {
  while (pending.length) await fill(pending.shift());
};
worker();
worker();
