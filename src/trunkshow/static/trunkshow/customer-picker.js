// Choosing a partner among the store's customers on the edit page: type, pick, done.
// Without JavaScript the customer number field does the same job.
const DEBOUNCE_MS = 200;

const box = document.querySelector("[data-partner-picker]");
if (box) {
  const idWrap = box.querySelector("[data-partner-id]");
  const idInput = idWrap.querySelector("input");
  const chosen = box.querySelector("[data-partner-chosen]");
  const searchWrap = box.querySelector("[data-partner-search]");
  const query = searchWrap.querySelector("input[type=search]");
  const results = searchWrap.querySelector(".pick-results");
  let timer = 0;
  let controller = null;

  // The number field stays in the form (it is what is sent) but the search replaces it on screen,
  // unless it carries an error the person must see.
  if (!idWrap.querySelector(".error")) idWrap.hidden = true;
  const showState = () => {
    const has = idInput.value.trim() !== "";
    chosen.hidden = !has;
    searchWrap.hidden = has;
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
    chosen.querySelector("[data-partner-name]").textContent = button.dataset.name;
    chosen.querySelector("[data-partner-initials]").textContent = button.dataset.initials;
    results.innerHTML = "";
    query.value = "";
    showState();
    chosen.querySelector("[data-partner-clear]").focus();
  });
  box.querySelector("[data-partner-clear]").addEventListener("click", () => {
    idInput.value = "";
    showState();
    query.focus();
  });
}
