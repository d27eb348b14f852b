// The console list page: an item's edit form and its thread are read when their summary first opens.
// The page leaves them out (a list of hundreds of items would carry hundreds of forms and a thousand
// comments nobody opened); each <details data-fragment> holds a link that reloads the page with that one
// open, used as is when scripts are off or the request fails.

async function load(details) {
  details.dataset.loading = "";
  try {
    const response = await fetch(details.dataset.fragment, {
      credentials: "same-origin", headers: { Accept: "text/html" },
    });
    if (!response.ok) throw new Error(`${response.status}`);
    const html = await response.text();
    const summary = details.querySelector(":scope > summary");
    while (summary.nextSibling) summary.nextSibling.remove();
    summary.insertAdjacentHTML("afterend", html);
    details.dataset.loaded = "";
    for (const form of details.querySelectorAll("form[data-confirm]")) {
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    }
    const field = details.querySelector("textarea, input:not([type=hidden])");
    if (field && details.contains(document.activeElement)) field.focus();
  } catch {
    // The fallback link stays: it opens the same form or thread by reloading the page.
  } finally {
    delete details.dataset.loading;
  }
}

document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.open || !details.dataset.fragment) return;
  if ("loaded" in details.dataset || "loading" in details.dataset) return;
  // Server-rendered open (?edit=, ?thread=, after posting a comment): already holds its content.
  if (!details.querySelector(":scope > a.list-item__open")) {
    details.dataset.loaded = "";
    return;
  }
  load(details);
}, true);
