// Casa Lusa demo shop: small progressive enhancements. Every form works without this script.

document.documentElement.classList.add("js");

// Sorting applies as soon as a choice is made.
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  form.addEventListener("change", () => form.requestSubmit());
}

const toast = document.querySelector("[data-toast]");
let toastTimer;

function showToast(text, link) {
  if (!toast) return;
  toast.replaceChildren(document.createTextNode(text + " "));
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.label;
    toast.append(anchor);
  }
  toast.classList.add("is-visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toast.classList.remove("is-visible"), 5000);
}

function setBagCount(count) {
  for (const badge of document.querySelectorAll("[data-bag-count]")) {
    badge.hidden = count < 1;
    badge.replaceChildren(
      Object.assign(document.createElement("span"), { className: "visually-hidden", textContent: ", items: " }),
      document.createTextNode(String(count)),
    );
  }
}

// "Add to bag" stays on the product page: the bag count updates and a message says so.
for (const form of document.querySelectorAll("form[data-add-to-bag]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      setBagCount(data.bag_count);
      showToast(`${data.name} is in your bag.`, { href: form.dataset.bagUrl || "/shop/bag/", label: "View bag" });
    } catch {
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
}
