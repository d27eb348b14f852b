// The product and customer pickers: a search box hides what does not match; ticking shows the note field.
for (const picker of document.querySelectorAll("[data-picker]")) {
  const search = picker.querySelector("[data-picker-search]");
  const items = [...picker.querySelectorAll("[data-picker-item]")];
  const count = picker.querySelector("[data-picker-count]");
  const update = () => {
    const chosen = items.filter((item) => item.querySelector("input[type=checkbox]").checked).length;
    if (count) count.textContent = chosen ? `${chosen} chosen` : "";
    for (const item of items) {
      item.classList.toggle("is-checked", item.querySelector("input[type=checkbox]").checked);
    }
  };
  picker.addEventListener("change", update);
  search?.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const item of items) {
      const text = item.dataset.search || "";
      const checked = item.querySelector("input[type=checkbox]").checked;
      item.hidden = !checked && !words.every((word) => text.includes(word));
    }
  });
  update();
}
