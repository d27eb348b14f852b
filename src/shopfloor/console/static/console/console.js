// The console's small behaviours. Every page works without them; they only make it nicer.

document.documentElement.classList.replace("no-js", "js");

// The menu button on narrow screens opens and closes the navigation.
function setUpMenu() {
  const button = document.querySelector("[data-nav-toggle]");
  const sidebar = button && button.closest(".sidebar");
  if (!button || !sidebar) return;
  const close = () => {
    sidebar.classList.remove("is-open");
    button.setAttribute("aria-expanded", "false");
  };
  button.addEventListener("click", () => {
    const open = !sidebar.classList.contains("is-open");
    sidebar.classList.toggle("is-open", open);
    button.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
      close();
      button.focus();
    }
  });
}

// Forms with data-confirm ask before they submit (rejecting a registration).
function setUpConfirmations() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

// A button with data-copy="#selector" copies that field's value.
function setUpCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    const field = document.querySelector(button.dataset.copy);
    const label = button.querySelector("[data-copy-label]");
    if (!field) continue;
    button.addEventListener("click", () => {
      field.select();
      // The clipboard API can wait on a permission prompt that never comes (headless, some
      // kiosks); the selected text is then still ready for Ctrl+C, so the label says so at once.
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).catch(() => document.execCommand("copy"));
      } else {
        document.execCommand("copy");
      }
      if (label) {
        label.textContent = "Copied";
        setTimeout(() => { label.textContent = "Copy"; }, 2000);
      }
    });
  }
  for (const field of document.querySelectorAll("[data-select-on-focus]")) {
    field.addEventListener("focus", () => field.select());
  }
}

// A select with data-resets="#other" empties that other select when it changes: picking another
// customer group on an approval hands the choice of associate back to the new group's associate.
function setUpResets() {
  for (const select of document.querySelectorAll("select[data-resets]")) {
    const other = document.querySelector(select.dataset.resets);
    if (!other) continue;
    select.addEventListener("change", () => { other.value = ""; });
  }
}

setUpMenu();
setUpResets();
setUpConfirmations();
setUpCopyButtons();
