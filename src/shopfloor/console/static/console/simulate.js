// "What would I earn?": a picked product fills its catalog price; "Add a product" adds a row.
// Without JavaScript the form still works: an empty price is the catalog price on the server.

const form = document.querySelector("[data-simulate]");
const catalog = document.getElementById("catalog");

function catalogPrice(sku) {
  for (const option of catalog ? catalog.options : []) {
    if (option.value === sku) return option.dataset.price;
  }
  return undefined;
}

function watchLine(line) {
  const sku = line.querySelector("[data-sku]");
  const price = line.querySelector("[data-price]");
  if (!sku || !price) return;
  sku.addEventListener("change", () => {
    const found = catalogPrice(sku.value.trim());
    // Only replace a price the catalog filled in (or none): never one the person typed.
    if (found !== undefined && (price.value === "" || price.dataset.filled === "true")) {
      price.value = found;
      price.dataset.filled = "true";
    }
  });
  price.addEventListener("input", () => { price.dataset.filled = "false"; });
}

if (form) {
  const list = form.querySelector("[data-lines]");
  const add = form.querySelector("[data-add-line]");
  for (const line of list.querySelectorAll("[data-line]")) watchLine(line);
  if (add) {
    add.hidden = false;
    add.addEventListener("click", () => {
      const lines = list.querySelectorAll("[data-line]");
      const number = lines.length + 1;
      const line = lines[lines.length - 1].cloneNode(true);
      for (const error of line.querySelectorAll(".field__error, .sim-line__name")) error.remove();
      for (const field of line.querySelectorAll(".field--invalid")) field.classList.remove("field--invalid");
      for (const input of line.querySelectorAll("input")) {
        const base = input.id.replace(/-\d+$/, "");
        input.id = `${base}-${number}`;
        input.value = input.name === "quantity" ? "1" : "";
        input.removeAttribute("aria-invalid");
        input.dataset.filled = "false";
        if (input.name !== "sku") input.removeAttribute("aria-describedby");
        else input.setAttribute("aria-describedby", "lines-help");
        const label = line.querySelector(`label[for^="${base}-"]`);
        if (label) label.htmlFor = input.id;
      }
      const skuLabel = line.querySelector(".sim-line__sku label");
      if (skuLabel) skuLabel.firstChild.textContent = `Product ${number} `;
      list.append(line);
      watchLine(line);
      line.querySelector("[data-sku]").focus();
    });
  }
}
