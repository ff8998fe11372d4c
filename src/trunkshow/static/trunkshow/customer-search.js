// Results as you type on the customer list: the server renders the rows, this only fetches them.
// Debounced (200 ms), the older request aborted when a newer one starts, the URL kept in step (?q=)
// so reload and back show the same list. Without JavaScript the form is a plain GET search.
const DEBOUNCE_MS = 200;
const BUSY_AFTER_MS = 300;

const form = document.querySelector("form[data-live-search]");
if (form) {
  const input = form.querySelector("input[type=search]");
  const results = document.getElementById(form.dataset.liveSearch);
  const status = document.getElementById("search-status");
  const failure = document.getElementById("search-error");
  let timer = 0;
  let busyTimer = 0;
  let controller = null;
  let lastQuery = input.value.trim();

  const pageUrl = (q) => {
    const url = new URL(form.action, window.location.href);
    if (q) url.searchParams.set("q", q);
    // The active filters ride along as hidden fields of the search form.
    for (const hidden of form.querySelectorAll("input[type=hidden]")) url.searchParams.append(hidden.name, hidden.value);
    return url;
  };

  // Everything else on the page that carries the search (the filter form, the export link, the
  // chips, the save-as-segment forms) follows the live query, as the server renders them on a
  // full page load; otherwise applying a filter or exporting would drop what was typed.
  const carryQuery = (q) => {
    for (const other of document.querySelectorAll("form[data-carries-q]")) {
      let hidden = other.querySelector("input[type=hidden][name=q]");
      if (q) {
        if (!hidden) {
          hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = "q";
          other.prepend(hidden);
        }
        hidden.value = q;
      } else if (hidden) {
        hidden.remove();
      }
    }
    for (const link of document.querySelectorAll("a[data-carries-q]")) {
      const target = new URL(link.getAttribute("href"), window.location.href);
      if (q) target.searchParams.set("q", q);
      else target.searchParams.delete("q");
      link.setAttribute("href", target.pathname + target.search);
    }
    const hasFilters = document.querySelector(".chips") !== null;
    for (const block of document.querySelectorAll("[data-needs-list-filter]")) block.hidden = !(q || hasFilters);
  };

  const announce = () => {
    const summary = results.querySelector("[data-summary]");
    if (status && summary) status.textContent = summary.dataset.summary;
  };

  async function search() {
    const q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = controller;
    const url = pageUrl(q);
    const fragment = new URL(url);
    fragment.searchParams.set("partial", "1");
    clearTimeout(busyTimer);
    busyTimer = setTimeout(() => {
      results.setAttribute("aria-busy", "true");
      form.classList.add("is-busy");
    }, BUSY_AFTER_MS);
    try {
      const response = await fetch(fragment, {
        signal: mine.signal,
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (response.redirected || !response.ok) {
        // Signed out, or something went wrong: let the full page say so.
        window.location.assign(url);
        return;
      }
      const html = await response.text();
      if (mine !== controller) return;
      results.innerHTML = html; // rendered and escaped by the server
      // The title says what the list shows, as the server's page for this address says it: a tab, the
      // history and a screen reader name "“muller” in customers", not "Customers".
      const title = results.querySelector("template[data-page-title]");
      if (title) {
        document.title = title.dataset.pageTitle;
        title.remove();
      }
      if (failure) failure.hidden = true;
      history.replaceState({ ...history.state, title: document.title }, "", url);
      carryQuery(q);
      announce();
    } catch (error) {
      if (error.name === "AbortError") return;
      if (failure) failure.hidden = false;
    } finally {
      if (mine === controller) {
        clearTimeout(busyTimer);
        results.removeAttribute("aria-busy");
        form.classList.remove("is-busy");
      }
    }
  }

  // Back or forward to this list (from the browser's cache, or within the page): the title of the
  // search it shows again.
  const titleFromHistory = () => {
    if (history.state?.title) document.title = history.state.title;
  };
  window.addEventListener("popstate", titleFromHistory);
  window.addEventListener("pageshow", titleFromHistory);

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    lastQuery = null;
    search();
  });
}
