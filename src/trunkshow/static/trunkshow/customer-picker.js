// Choosing one of the store's customers (a partner on the edit page, the other record on the
// merge page): type, pick, done. Without JavaScript the customer number field does the same job.
const DEBOUNCE_MS = 200;

function picker(box) {
  const idWrap = box.querySelector("[data-picker-id]");
  const idInput = idWrap.querySelector("input");
  const chosen = box.querySelector("[data-picker-chosen]");
  const searchWrap = box.querySelector("[data-picker-search]");
  const query = searchWrap.querySelector("input[type=search]");
  const results = searchWrap.querySelector(".pick-results");
  let timer = 0;
  let controller = null;

  // The number field stays in the form (it is what is sent) but the search replaces it on screen,
  // unless it carries an error the person must see. A refused number (this same record, one not in
  // the store) is no choice to show as a card, which would have neither name nor initials: the
  // search is offered instead, until something is picked.
  let refused = idWrap.querySelector(".error") !== null;
  if (!refused) idWrap.hidden = true;
  const showState = () => {
    const has = idInput.value.trim() !== "" && !refused;
    chosen.hidden = !has;
    searchWrap.hidden = has;
    box.dispatchEvent(new CustomEvent("picker:change", { detail: { chosen: has } }));
  };
  showState();

  async function search() {
    const q = query.value.trim();
    if (controller) controller.abort();
    if (!q) {
      results.innerHTML = "";
      return;
    }
    controller = new AbortController();
    const mine = controller;
    const url = new URL(box.dataset.pickUrl, window.location.href);
    url.searchParams.set("q", q);
    url.searchParams.set("exclude", box.dataset.exclude);
    try {
      const response = await fetch(url, { signal: mine.signal, credentials: "same-origin" });
      if (!response.ok || response.redirected) return;
      const html = await response.text();
      if (mine === controller) results.innerHTML = html; // rendered and escaped by the server
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  // Enter in the search box picks nothing and must not submit the whole form.
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      search();
    }
  });
  results.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-id]");
    if (!button) return;
    idInput.value = button.dataset.id;
    refused = false;
    chosen.querySelector("[data-picker-name]").textContent = button.dataset.name;
    chosen.querySelector("[data-picker-initials]").textContent = button.dataset.initials;
    const number = chosen.querySelector("[data-picker-number]");
    if (number) number.textContent = button.dataset.number || "";
    results.innerHTML = "";
    query.value = "";
    showState();
    chosen.querySelector("[data-picker-clear]").focus();
  });
  box.querySelector("[data-picker-clear]").addEventListener("click", () => {
    idInput.value = "";
    showState();
    query.focus();
  });
}

document.querySelectorAll("[data-customer-picker]").forEach(picker);
