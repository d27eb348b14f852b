// The pay button sends once: a second click while the first is on its way does nothing.
// (The server charges once anyway; this spares the customer a confusing second page.)
const form = document.querySelector("[data-pay-form]");
if (form) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    const button = form.querySelector("[data-pay-button]");
    if (button) button.setAttribute("aria-disabled", "true");
  });
}
