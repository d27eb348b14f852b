// The associate panel: lower-right on every storefront page for a signed-in associate. It shows the
// selected customer and lists; its modal picks a customer (recent first, search, or a new one) and
// one or more of their lists (or a new one). The selection lives in sessionStorage, so it follows the
// associate from page to page; the Save buttons (save.js) save into it.

import { startSaveButtons } from "./save.js";
import { errorMessage, h, icons, openDialog, toast } from "./ui.js";

function storageKey(context) {
  return `shopfloor.selection.${context.storeKey}`;
}

function emptySelection(context) {
  return { associateId: context.session.identity.associate_id, customer: null, lists: [] };
}

function loadSelection(context) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey(context)) || "null");
    // Another associate on the same browser starts afresh.
    if (saved && saved.associateId === context.session.identity.associate_id) return saved;
  } catch {
    /* a damaged entry is the same as none */
  }
  return emptySelection(context);
}

function listSummary(item) {
  const count = item.item_count || 0;
  if (!count) return "No products yet";
  return [`${count} product${count === 1 ? "" : "s"}`, ...item.rooms].join(" · ");
}

export function start(context) {
  const state = { selection: loadSelection(context) };

  const persist = () => {
    try {
      sessionStorage.setItem(storageKey(context), JSON.stringify(state.selection));
    } catch {
      /* private browsing may refuse storage: the selection then lasts this page */
    }
    renderLauncher();
  };

  const launcher = h("section", { class: "sf-panel", "aria-label": "Shopfloor associate panel" });
  context.root.append(launcher);

  function renderLauncher() {
    const { customer, lists } = state.selection;
    const summary = h(
      "button",
      { type: "button", class: "sf-panel-main", "aria-haspopup": "dialog", onclick: () => openPanel() },
      h("span", { class: "sf-panel-icon", html: icons.person }),
      h(
        "span",
        { class: "sf-panel-text" },
        h("span", { class: "sf-panel-line" }, h("span", { class: "sf-panel-label" }, "Customer"), " ",
          h("span", { class: "sf-panel-value", "data-sf-customer": "" }, customer ? customer.name : "None selected")),
        h("span", { class: "sf-panel-line" }, h("span", { class: "sf-panel-label" }, lists.length === 1 ? "List" : "Lists"), " ",
          h("span", { class: "sf-panel-value", "data-sf-lists": "" },
            lists.length ? lists.map((item) => item.name).join(", ") : customer ? "None selected" : "—")),
      ),
    );
    const hearts = lists
      .filter((item) => item.url)
      .map((item) =>
        h("a", {
          class: "sf-heart", href: item.url, target: "_blank", rel: "noopener",
          "aria-label": `Open the list ${item.name} (new tab)`, title: `Open ${item.name}`, html: icons.heart,
        }),
      );
    launcher.replaceChildren(summary, ...hearts);
  }

  // The modal ---------------------------------------------------------------------------------

  function openPanel(step) {
    const { body, close } = openDialog(context.root, { id: "sf-panel-dialog", title: "Customer and lists" });
    const show = (which) => {
      body.replaceChildren();
      if (which === "lists" && state.selection.customer) {
        listStep(body, close, show);
      } else {
        customerStep(body, show);
      }
    };
    show(step || (state.selection.customer ? "lists" : "customer"));
  }

  function customerRow(customer, checked) {
    const id = `sf-customer-${customer.id}`;
    return h(
      "li",
      { class: "sf-choice" },
      h("input", { type: "radio", name: "sf-customer", id, value: customer.id, checked, "data-name": customer.name }),
      h("label", { for: id },
        h("span", { class: "sf-choice-name" }, customer.name),
        customer.email ? h("span", { class: "sf-choice-meta" }, customer.email) : null),
    );
  }

  function customerStep(body, show) {
    const error = h("p", { class: "sf-error", role: "alert" });
    const caption = h("p", { class: "sf-caption", id: "sf-customers-caption" }, "Your recent customers");
    const choices = h("ul", { class: "sf-choices", "aria-labelledby": "sf-customers-caption" });
    const search = h("input", {
      id: "sf-customer-search", type: "search", placeholder: "Name, email or phone", autocomplete: "off",
      "aria-describedby": "sf-customers-caption",
    });
    let pending = 0;
    const load = async (query) => {
      const ticket = ++pending;
      const result = await context.api(`/widget/customers${query ? `?q=${encodeURIComponent(query)}` : ""}`);
      if (ticket !== pending) return; // a newer search answered first
      if (!result.ok) {
        error.textContent = errorMessage(result);
        return;
      }
      error.textContent = "";
      const items = result.data.items;
      caption.textContent = query
        ? `${items.length ? items.length : "No"} customer${items.length === 1 ? "" : "s"} matching “${query}”`
        : items.length ? "Your recent customers" : "You have no customers yet: create one.";
      // Keep the pick the associate made while this answer was on its way (a recent customer clicked
      // while a search was in flight), else the customer already selected.
      const picked = choices.querySelector('input[name="sf-customer"]:checked');
      const selectedId = picked ? Number(picked.value) : state.selection.customer?.id;
      choices.replaceChildren(...items.map((customer) => customerRow(customer, customer.id === selectedId)));
    };
    let timer;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => load(search.value.trim()), 250);
    });
    const searchForm = h(
      "form",
      { class: "sf-search", role: "search", onsubmit: (event) => { event.preventDefault(); load(search.value.trim()); } },
      h("label", { for: "sf-customer-search", class: "sf-label" }, "Search your customers"),
      search,
    );

    const proceed = () => {
      const checked = choices.querySelector('input[name="sf-customer"]:checked');
      if (!checked) {
        error.textContent = "Choose a customer first.";
        return;
      }
      const id = Number(checked.value);
      if (state.selection.customer?.id !== id) {
        state.selection.customer = { id, name: checked.dataset.name };
        state.selection.lists = [];
        persist();
      }
      show("lists");
    };

    const newCustomerForm = newCustomer(body, show, error);
    const actions = h(
      "div",
      { class: "sf-actions" },
      h("button", { type: "button", class: "sf-button", onclick: proceed }, "Select & Proceed"),
      h("button", {
        type: "button", class: "sf-button sf-button-quiet", "aria-expanded": "false", "aria-controls": "sf-new-customer",
        onclick: (event) => {
          const opening = newCustomerForm.hidden;
          newCustomerForm.hidden = !opening;
          event.currentTarget.setAttribute("aria-expanded", String(opening));
          if (opening) newCustomerForm.querySelector("input").focus();
        },
      }, "Create New Customer"),
    );
    body.append(
      h("section", { class: "sf-section", "aria-labelledby": "sf-customer-heading" },
        h("h3", { id: "sf-customer-heading", class: "sf-section-title" }, "Customer"),
        searchForm, caption,
        h("fieldset", { class: "sf-fieldset" }, h("legend", { class: "sf-visually-hidden" }, "Choose a customer"), choices),
        error, actions, newCustomerForm),
    );
    load("");
    search.focus();
  }

  function field(id, label, attributes = {}) {
    return h("div", { class: "sf-field" }, h("label", { for: id, class: "sf-label" }, label), h("input", { id, name: id, ...attributes }));
  }

  function newCustomer(body, show, error) {
    const form = h(
      "form",
      { id: "sf-new-customer", class: "sf-subform", hidden: true, "aria-labelledby": "sf-new-customer-title", novalidate: true },
      h("h4", { id: "sf-new-customer-title", class: "sf-subform-title" }, "New customer"),
      h("div", { class: "sf-field-row" },
        field("sf-first-name", "First name", { autocomplete: "off", required: true }),
        field("sf-last-name", "Last name", { autocomplete: "off" })),
      field("sf-email", "Email", { type: "email", autocomplete: "off" }),
      field("sf-phone", "Phone", { type: "tel", autocomplete: "off" }),
      h("div", { class: "sf-actions" }, h("button", { type: "submit", class: "sf-button" }, "Create customer")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = (id) => form.querySelector(`#${id}`).value.trim();
      const result = await context.api("/widget/customers", {
        method: "POST",
        body: { first_name: value("sf-first-name"), last_name: value("sf-last-name"), email: value("sf-email"), phone: value("sf-phone") },
      });
      if (!result.ok) {
        error.textContent = errorMessage(result, "The customer could not be created.");
        return;
      }
      state.selection.customer = { id: result.data.id, name: result.data.name };
      state.selection.lists = [];
      persist();
      toast(context.root, `${result.data.name} is now your customer.`);
      show("lists");
    });
    return form;
  }

  function listRow(item, checked, onChange) {
    const id = `sf-list-${item.id}`;
    return h(
      "li",
      { class: "sf-choice" },
      h("input", { type: "checkbox", id, value: item.id, checked, onchange: onChange }),
      h("label", { for: id }, h("span", { class: "sf-choice-name" }, item.name),
        h("span", { class: "sf-choice-meta" }, listSummary(item))),
      item.url
        ? h("a", { class: "sf-heart", href: item.url, target: "_blank", rel: "noopener",
          "aria-label": `Open the list ${item.name} (new tab)`, title: `Open ${item.name}`, html: icons.heart })
        : null,
    );
  }

  function listStep(body, close, show) {
    const customer = state.selection.customer;
    const error = h("p", { class: "sf-error", role: "alert" });
    const choices = h("ul", { class: "sf-choices", "aria-labelledby": "sf-lists-legend" });
    let known = [];
    // Lists created here: the first load's answer may have been read before they existed.
    const created = [];
    const sync = () => {
      const chosen = new Set([...choices.querySelectorAll("input:checked")].map((input) => Number(input.value)));
      state.selection.lists = known.filter((item) => chosen.has(item.id));
      persist();
    };
    const render = () => {
      const chosen = new Set(state.selection.lists.map((item) => item.id));
      choices.replaceChildren(...known.map((item) => listRow(item, chosen.has(item.id), sync)));
      if (!known.length) choices.append(h("li", { class: "sf-empty" }, `${customer.name} has no lists yet: create the first one below.`));
    };
    const load = async () => {
      const result = await context.api(`/widget/customers/${customer.id}/lists`);
      if (!result.ok) {
        if (result.status === 404) {
          // No longer theirs to see: start again from the customer.
          state.selection = emptySelection(context);
          persist();
          show("customer");
          return;
        }
        error.textContent = errorMessage(result);
        return;
      }
      const loaded = new Set(result.data.items.map((item) => item.id));
      known = [...created.filter((item) => !loaded.has(item.id)), ...result.data.items];
      // Keep the selection in step with the lists as they are now (renamed, deleted, new rooms).
      const chosen = new Set(state.selection.lists.map((item) => item.id));
      state.selection.lists = known.filter((item) => chosen.has(item.id));
      persist();
      render();
    };

    const nameInput = h("input", { id: "sf-new-list", name: "name", autocomplete: "off", maxlength: 120, placeholder: "e.g. Living room refresh" });
    const newList = h(
      "form",
      {
        class: "sf-inline-form", novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const result = await context.api(`/widget/customers/${customer.id}/lists`, {
            method: "POST", body: { name: nameInput.value.trim() },
          });
          if (!result.ok) {
            error.textContent = errorMessage(result, "The list could not be created.");
            nameInput.focus();
            return;
          }
          error.textContent = "";
          nameInput.value = "";
          created.unshift(result.data);
          known = [result.data, ...known.filter((item) => item.id !== result.data.id)];
          state.selection.lists = [...state.selection.lists, result.data];
          persist();
          render();
          toast(context.root, `List “${result.data.name}” created and selected.`);
        },
      },
      h("label", { for: "sf-new-list", class: "sf-label" }, "New list"),
      h("div", { class: "sf-inline" }, nameInput, h("button", { type: "submit", class: "sf-button sf-button-quiet" }, "Create list")),
    );

    body.append(
      h("section", { class: "sf-section", "aria-labelledby": "sf-selected-customer" },
        h("div", { class: "sf-section-head" },
          h("h3", { id: "sf-selected-customer", class: "sf-section-title" }, `Customer: ${customer.name}`),
          h("button", { type: "button", class: "sf-link-button", onclick: () => show("customer") }, "Change customer"))),
      h("section", { class: "sf-section", "aria-labelledby": "sf-lists-legend" },
        h("fieldset", { class: "sf-fieldset" },
          h("legend", { id: "sf-lists-legend", class: "sf-section-title" }, "Save to these lists"),
          choices),
        newList, error,
        h("div", { class: "sf-actions" }, h("button", { type: "button", class: "sf-button", onclick: close }, "Done"))),
    );
    load();
  }

  renderLauncher();
  startSaveButtons(context, {
    selection: () => state.selection,
    // After a save the lists' rooms changed: keep them for the next Save.
    updateLists(lists) {
      const byId = new Map(lists.map((item) => [item.id, item]));
      state.selection.lists = state.selection.lists.map((item) => byId.get(item.id) || item);
      persist();
    },
    openPanel,
  });
}
