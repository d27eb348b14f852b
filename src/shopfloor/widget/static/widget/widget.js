// The Shopfloor storefront widget loader: the one script a storefront embeds.
//
//   <script type="module" src="https://SHOPFLOOR/widget.js" data-store="WIDGET_KEY"
//           data-identity="email:ana@example.com|1732870000" data-signature="HEX"></script>
//
// It asks /widget/session who the visitor is (the server checks the signature; a bad one is simply
// anonymous), then imports /widget/<feature>.js for each feature the server enabled and calls its
// `start(context)`. Everything it draws lives in its own shadow root, so the storefront's CSS and the
// widget's cannot reach each other. Features (the associate panel, live chat and calls) extend the
// widget here and nowhere else.

const ORIGIN = new URL(import.meta.url).origin;
const TOKEN_HEADER = "X-Shopfloor-Widget";

function ownScript() {
  const loader = new URL("/widget.js", ORIGIN).href;
  for (const script of document.querySelectorAll("script[data-store]")) {
    if (script.src && new URL(script.src, location.href).href.split("?")[0] === loader) return script;
  }
  return null;
}

async function requestSession(credentials) {
  const response = await fetch(`${ORIGIN}/widget/session`, {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(credentials),
  });
  if (!response.ok) throw new Error(`Shopfloor widget: the session answered ${response.status}`);
  return response.json();
}

async function loadStyles() {
  const sheet = new CSSStyleSheet();
  try {
    const response = await fetch(`${ORIGIN}/widget/widget.css`, { mode: "cors", credentials: "omit" });
    if (response.ok) sheet.replaceSync(await response.text());
  } catch (error) {
    console.warn("Shopfloor widget: no styles", error);
  }
  return sheet;
}

function mountRoot(sheet) {
  const host = document.createElement("div");
  host.id = "shopfloor-widget";
  host.setAttribute("data-shopfloor-widget", "");
  // The host takes nothing from the page; what it holds is positioned by the widget's own styles.
  host.style.cssText = "all: initial;";
  const shadow = host.attachShadow({ mode: "open" });
  shadow.adoptedStyleSheets = [sheet];
  const root = document.createElement("div");
  root.className = "sf-root";
  shadow.append(root);
  document.body.append(host);
  return { host, shadow, root };
}

async function start() {
  const script = ownScript();
  if (!script || window.shopfloorWidget) return;
  const credentials = {
    store: script.dataset.store || "",
    identity: script.dataset.identity || "",
    signature: script.dataset.signature || "",
  };
  const [session, styles] = await Promise.all([requestSession(credentials), loadStyles()]);
  const { host, shadow, root } = mountRoot(styles);

  const context = {
    origin: ORIGIN,
    storeKey: credentials.store,
    session,
    root,
    shadow,
    host,
    // A constructable stylesheet every feature may adopt into shadow roots of its own.
    styles,
    // A new session (and token) for the same signed identity.
    async refresh() {
      context.session = await requestSession(credentials);
      return context.session;
    },
    // A widget call: JSON in and out, the token in its header, renewed once when it has expired.
    async api(path, { method = "GET", body } = {}) {
      const send = () =>
        fetch(`${ORIGIN}${path}`, {
          method,
          mode: "cors",
          credentials: "omit",
          headers: { "Content-Type": "application/json", [TOKEN_HEADER]: context.session.token },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      let response = await send();
      if (response.status === 401) {
        await context.refresh();
        response = await send();
      }
      let data = null;
      try {
        data = await response.json();
      } catch {
        data = null;
      }
      return { ok: response.ok, status: response.status, data };
    },
  };
  window.shopfloorWidget = context;

  await Promise.all(
    (session.features || []).map(async (name) => {
      try {
        const feature = await import(`${ORIGIN}/widget/${encodeURIComponent(name)}.js`);
        await feature.start?.(context);
      } catch (error) {
        console.error(`Shopfloor widget: the ${name} feature did not start`, error);
      }
    }),
  );
  host.dispatchEvent(new CustomEvent("shopfloor:ready", { bubbles: true, composed: true }));
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}

