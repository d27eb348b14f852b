// Small helpers the widget's features share: building elements, modal dialogs, error sentences.

/** h("button", {class: "sf-button", type: "button", onclick}, "Text", child) → an element. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "html") {
      // Only for the widget's own constant icons, never for data.
      element.innerHTML = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export const icons = {
  heart:
    '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path d="M12 20s-7-4.4-9.2-8.6C1.3 8.4 3 5 6.4 5c2 0 3.3 1.1 4.1 2.3h3C14.3 6.1 15.6 5 17.6 5 21 5 22.7 8.4 21.2 11.4 19 15.6 12 20 12 20z" fill="currentColor"/></svg>',
  heartOutline:
    '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false"><path d="M12 20s-7-4.4-9.2-8.6C1.3 8.4 3 5 6.4 5c2 0 3.3 1.1 4.1 2.3h3C14.3 6.1 15.6 5 17.6 5 21 5 22.7 8.4 21.2 11.4 19 15.6 12 20 12 20z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>',
  person:
    '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><circle cx="12" cy="8" r="4" fill="none" stroke="currentColor" stroke-width="2"/><path d="M4 21c1.5-4 4.5-6 8-6s6.5 2 8 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>',
  close:
    '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6 6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>',
};

/** One sentence for a person from an error answer ({detail: "..."} or [{loc, msg}]). */
export function errorMessage(result, fallback = "Something went wrong. Try again.") {
  const detail = result?.data?.detail;
  if (Array.isArray(detail) && detail.length) return detail.map((entry) => entry.msg).join(" ");
  if (typeof detail === "string") return detail;
  if (result && result.status === 0) return "Shopfloor cannot be reached. Check the connection.";
  return fallback;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog in `root`: labelled by its title, Escape and the close button close it, Tab stays
 * inside it, and focus goes back where it was when it closes. Returns {dialog, body, close}.
 */
export function openDialog(root, { id, title, onClose, opener: given }) {
  // Where focus returns: the given element (a Save button lives in a shadow root of its own), else the
  // focused element of the widget's shadow root.
  const opener = given || root.getRootNode().activeElement || document.activeElement;
  const titleId = `${id}-title`;
  const heading = h("h2", { id: titleId, class: "sf-dialog-title" }, title);
  const closeButton = h("button", { type: "button", class: "sf-icon-button", "aria-label": "Close", html: icons.close });
  const body = h("div", { class: "sf-dialog-body" });
  const dialog = h(
    "dialog",
    { id, class: "sf-dialog", "aria-labelledby": titleId, "aria-modal": "true" },
    h("div", { class: "sf-dialog-head" }, heading, closeButton),
    body,
  );
  const close = () => dialog.open && dialog.close();
  closeButton.addEventListener("click", close);
  dialog.addEventListener("click", (event) => {
    // A click on the backdrop (the dialog element itself, outside its box) closes it.
    if (event.target === dialog) {
      const box = dialog.getBoundingClientRect();
      const inside =
        event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) close();
    }
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const focusable = [...dialog.querySelectorAll(FOCUSABLE)].filter((element) => element.offsetParent !== null);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = dialog.getRootNode().activeElement;
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose?.();
    if (opener && typeof opener.focus === "function" && opener.isConnected) opener.focus();
  });
  root.append(dialog);
  dialog.showModal();
  return { dialog, body, close, heading };
}

/** A short message in the lower corner, read out by screen readers. */
export function toast(root, message, kind = "ok") {
  let region = root.querySelector(".sf-toast");
  if (!region) {
    region = h("div", { class: "sf-toast", role: "status", "aria-live": "polite" });
    root.append(region);
  }
  region.textContent = message;
  region.dataset.kind = kind;
  region.classList.add("sf-toast-visible");
  clearTimeout(region.hideTimer);
  region.hideTimer = setTimeout(() => region.classList.remove("sf-toast-visible"), 5000);
}
