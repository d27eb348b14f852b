// "Save" next to every product a storefront marks with data-shopfloor-sku (collection cards, the
// product page, anything added later): it opens a modal to pick a room, a quantity and a note, and
// saves the product into every list selected in the associate panel. Each button sits in a shadow
// root of its own, so the storefront's CSS does not restyle it.

import { errorMessage, h, icons, openDialog, toast } from "./ui.js";

const MARK = "data-shopfloor-sku";
const NEW_ROOM = "__new__";

function productName(element) {
  if (element.dataset.shopfloorName) return element.dataset.shopfloorName;
  const named = element.querySelector("h1, h2, h3, [itemprop=name]");
  return (named?.textContent || "").trim() || element.getAttribute(MARK);
}

export function startSaveButtons(context, panel) {
  const decorated = new WeakSet();

  function decorate(element) {
    if (decorated.has(element)) return;
    decorated.add(element);
    const sku = element.getAttribute(MARK);
    if (!sku) return;
    const name = productName(element);
    const host = document.createElement("span");
    host.setAttribute("data-shopfloor-save", sku);
    // In a flex column (a product card) the button sits at the bottom, level across a row.
    host.style.cssText = "all: initial; display: block; margin-top: auto;";
    const shadow = host.attachShadow({ mode: "open" });
    shadow.adoptedStyleSheets = [context.styles];
    shadow.append(
      h("button", {
        type: "button", class: "sf-save-button", "aria-haspopup": "dialog", "aria-label": `Save ${name} to a list`,
        onclick: (event) => openSave(sku, name, event.currentTarget),
      }, h("span", { html: icons.heartOutline }), "Save"),
    );
    // A storefront may say where the button goes; otherwise it closes the product's element.
    const slot = element.querySelector("[data-shopfloor-save-slot]");
    (slot || element).append(host);
  }

  function decorateAll(scope = document) {
    if (scope.nodeType === Node.ELEMENT_NODE && scope.hasAttribute(MARK)) decorate(scope);
    scope.querySelectorAll?.(`[${MARK}]`).forEach(decorate);
  }

  function openSave(sku, name, opener) {
    const { customer, lists } = panel.selection();
    const { body, close } = openDialog(context.root, { id: "sf-save-dialog", title: `Save “${name}”`, opener });
    if (!customer || !lists.length) {
      const message = !customer
        ? "Select a customer first, then one or more of their lists."
        : `Choose one or more of ${customer.name}'s lists first.`;
      body.append(
        h("p", { class: "sf-error", role: "alert" }, message),
        h("div", { class: "sf-actions" },
          h("button", { type: "button", class: "sf-button", onclick: () => { close(); panel.openPanel(); } },
            customer ? "Choose lists" : "Choose a customer"),
          h("button", { type: "button", class: "sf-button sf-button-quiet", onclick: close }, "Cancel")),
      );
      body.querySelector("button").focus();
      return;
    }
    const rooms = [...new Set(lists.flatMap((item) => item.rooms || []))];
    const roomSelect = h(
      "select", { id: "sf-room", name: "room" },
      ...rooms.map((room) => h("option", { value: room }, room)),
      h("option", { value: NEW_ROOM }, "New room…"),
    );
    const newRoom = h("input", { id: "sf-new-room", name: "new_room", maxlength: 80, autocomplete: "off", placeholder: "e.g. Living room" });
    const newRoomField = h("div", { class: "sf-field" }, h("label", { for: "sf-new-room", class: "sf-label" }, "New room"), newRoom);
    const roomField = h("div", { class: "sf-field" }, h("label", { for: "sf-room", class: "sf-label" }, "Room"), roomSelect);
    // Without rooms yet there is nothing to pick: only the new room's name is asked for.
    roomField.hidden = !rooms.length;
    const showNewRoom = () => {
      newRoomField.hidden = roomSelect.value !== NEW_ROOM;
    };
    roomSelect.addEventListener("change", () => {
      showNewRoom();
      if (!newRoomField.hidden) newRoom.focus();
    });
    const quantity = h("input", { id: "sf-quantity", name: "quantity", type: "number", inputmode: "numeric", min: 1, max: 999, value: 1 });
    const note = h("textarea", { id: "sf-note", name: "note", rows: 3, maxlength: 1000, placeholder: "Finish, size, why it fits…" });
    const error = h("p", { class: "sf-error", role: "alert" });
    const submit = h("button", { type: "submit", class: "sf-button" }, "Save");
    const form = h(
      "form", { class: "sf-form", novalidate: true },
      h("p", { class: "sf-caption" }, `Into ${lists.map((item) => `“${item.name}”`).join(", ")} for ${customer.name}`),
      roomField,
      newRoomField,
      h("div", { class: "sf-field sf-field-narrow" }, h("label", { for: "sf-quantity", class: "sf-label" }, "Quantity"), quantity),
      h("div", { class: "sf-field" }, h("label", { for: "sf-note", class: "sf-label" }, "Note ", h("span", { class: "sf-optional" }, "(optional)")), note),
      error,
      h("div", { class: "sf-actions" }, submit,
        h("button", { type: "button", class: "sf-button sf-button-quiet", onclick: close }, "Cancel")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const room = roomSelect.value === NEW_ROOM ? newRoom.value.trim() : roomSelect.value;
      if (!room) {
        error.textContent = "Name the new room.";
        newRoom.focus();
        return;
      }
      submit.disabled = true;
      const result = await context.api("/widget/save", {
        method: "POST",
        body: { list_ids: lists.map((item) => item.id), sku, room, quantity: quantity.value, note: note.value },
      });
      submit.disabled = false;
      if (!result.ok) {
        error.textContent = errorMessage(result, "The product could not be saved.");
        return;
      }
      panel.updateLists(result.data.lists);
      close();
      const where = lists.length === 1 ? `“${lists[0].name}”` : `${lists.length} lists`;
      toast(context.root, `${name} saved to ${where}, ${room}.`);
    });
    body.append(form);
    showNewRoom();
    (rooms.length ? roomSelect : newRoom).focus();
  }

  decorateAll();
  // Storefronts that load products later (infinite scroll, quick views) get their buttons too.
  new MutationObserver((mutations) => {
    for (const mutation of mutations) mutation.addedNodes.forEach((node) => decorateAll(node));
  }).observe(document.body, { childList: true, subtree: true });
}
