// The new-announcement form shows the store or agent-group choices only for the audience that uses them.
// Without JavaScript every choice stays visible and the service ignores the ones the audience does not use.
const form = document.querySelector("[data-announcement-form]");
if (form) {
  const sync = () => {
    const audience = form.querySelector("input[name=audience]:checked")?.value;
    for (const part of form.querySelectorAll("[data-audience]")) {
      part.hidden = part.dataset.audience !== audience;
    }
  };
  form.addEventListener("change", sync);
  sync();
}
