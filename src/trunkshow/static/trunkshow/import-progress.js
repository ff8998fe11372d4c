// Live progress of an import: asks the status endpoint every second and updates the bar and
// the counts; when the run ends it opens the results. Without JS the page refreshes itself.
const box = document.querySelector("[data-import-status]");
if (box) {
  const url = box.dataset.importStatus;
  const bar = box.querySelector("progress");
  const label = box.querySelector(".progress-label");
  // Counts grouped as the store writes numbers ("2,500", "2 500"), like the server renders them.
  const numbers = new Intl.NumberFormat((box.dataset.locale || "en_US").replace("_", "-"));
  let failures = 0;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const data = await response.json();
      failures = 0;
      if (data.finished) {
        window.location.assign(data.url);
        return;
      }
      bar.value = data.percent;
      bar.textContent = `${data.percent}%`;
      label.textContent = data.status_label;
      for (const el of box.querySelectorAll("[data-field]")) {
        const value = data[el.dataset.field];
        if (value === undefined) continue;
        const text = typeof value === "number" ? numbers.format(value) : String(value);
        if (el.textContent !== text) el.textContent = text;
      }
    } catch {
      failures += 1; // offline or the server restarting: try again, less often
    }
    setTimeout(poll, Math.min(1000 * 2 ** failures, 15000));
  };
  setTimeout(poll, 1000);
}
