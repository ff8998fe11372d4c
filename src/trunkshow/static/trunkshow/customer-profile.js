// Small helps on the profile: size systems that fit the chosen kind, and the note box in reach.
const RING_SYSTEMS = ["US", "UK", "EU"];

for (const form of document.querySelectorAll("form[data-size-form]")) {
  const kind = form.querySelector("select[name=kind]");
  const system = form.querySelector("select[name=system]");
  const sync = () => {
    const ring = kind.value === "ring";
    let firstAllowed = null;
    for (const option of system.options) {
      const allowed = ring === RING_SYSTEMS.includes(option.value);
      option.hidden = !allowed;
      option.disabled = !allowed;
      if (allowed && !firstAllowed) firstAllowed = option;
    }
    if (system.selectedOptions[0]?.disabled && firstAllowed) system.value = firstAllowed.value;
  };
  kind.addEventListener("change", sync);
  sync();
}

// "Add note" in the bottom bar: scroll to the note box and put the cursor in it.
for (const link of document.querySelectorAll('a[href="#note"]')) {
  link.addEventListener("click", (event) => {
    const box = document.querySelector("#note textarea");
    if (!box) return;
    event.preventDefault();
    box.scrollIntoView({ block: "center", behavior: "smooth" });
    box.focus({ preventScroll: true });
  });
}

