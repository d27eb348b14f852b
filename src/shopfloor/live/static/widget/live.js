// Live shopping in the storefront widget: visitor presence and page views, chat, video calls, Navigate,
// the online connector and the leave-a-message form. The loader (/widget.js) imports this module and
// calls start(context) with {origin, storeKey, session, root, shadow}.
//
// - The visitor id lives in localStorage (first-party, on the shop's own origin), so a returning
//   visitor is recognised. One WebSocket per tab, reconnecting with backoff; when WebSockets are
//   blocked, page views go by navigator.sendBeacon to /live/beacon instead.
// - A page view is reported on load and on History-API navigations (pushState, replaceState, popstate).
// - Activity: idle after 60 s without input, or when the tab is hidden; active again on input.
// - Chat messages carry a per-chat `seq`: a message already shown is dropped, a gap asks to resume.
// - A call survives Navigate: before leaving, the widget notes the call in sessionStorage; the new page's
//   widget rejoins by itself ("ready"), and the associate's browser makes a fresh offer (1–2 s).

import { h } from "./ui.js";

const VISITOR_KEY = "shopfloor.visitor";
const RESUME_KEY = "shopfloor.live.resume";
const IDLE_MS = 60_000;
const HEARTBEAT_MS = 20_000;
const BEACON_AFTER_FAILURES = 2;

const CSS = `
.sfl-launcher { position: fixed; left: 20px; bottom: 20px; z-index: 2147483000; display: inline-flex; align-items: center; gap: 8px;
  padding: 12px 18px; border: 0; border-radius: 999px; background: var(--sf-accent, #1f6f78); color: #fff; font: 600 15px/1.2 var(--sf-font, system-ui, sans-serif);
  box-shadow: var(--sf-shadow, 0 10px 30px rgba(16,24,40,.18)); cursor: pointer; }
.sfl-launcher:hover { background: var(--sf-accent-strong, #165158); }
.sfl-launcher--message { background: #fff; color: var(--sf-text, #1b2330); border: 1px solid var(--sf-border, #dfe3e9); }
.sfl-launcher .sfl-dot { width: 9px; height: 9px; border-radius: 50%; background: #5fe08a; }
.sfl-badge { min-width: 20px; height: 20px; padding: 0 6px; border-radius: 999px; background: #b42318; color: #fff; font-size: 12px; display: inline-grid; place-items: center; }
.sfl-box { position: fixed; left: 20px; bottom: 20px; z-index: 2147483001; width: min(360px, calc(100vw - 24px)); max-height: min(620px, calc(100vh - 40px));
  display: flex; flex-direction: column; background: #fff; color: var(--sf-text, #1b2330); border: 1px solid var(--sf-border, #dfe3e9); border-radius: 14px;
  box-shadow: var(--sf-shadow, 0 10px 30px rgba(16,24,40,.18)); font: 15px/1.45 var(--sf-font, system-ui, sans-serif); overflow: hidden; }
.sfl-box[hidden], .sfl-launcher[hidden], [data-sfl-hidden] { display: none !important; }
.sfl-head { display: flex; align-items: center; gap: 10px; padding: 12px 14px; background: var(--sf-accent, #1f6f78); color: #fff; }
.sfl-head h2 { flex: 1; margin: 0; font-size: 16px; }
.sfl-head button { border: 0; background: transparent; color: #fff; font-size: 22px; line-height: 1; cursor: pointer; padding: 4px 8px; border-radius: 6px; }
.sfl-status { margin: 0; padding: 8px 14px; background: var(--sf-accent-soft, #e3f1f2); font-size: 13px; }
.sfl-status:empty { display: none; }
.sfl-messages { list-style: none; margin: 0; padding: 12px 14px; display: flex; flex-direction: column; gap: 6px; overflow-y: auto; flex: 1; min-height: 120px; }
.sfl-message { max-width: 85%; padding: 7px 10px; border-radius: 12px; background: var(--sf-muted-surface, #f8f9fb); border: 1px solid var(--sf-border, #dfe3e9); white-space: pre-wrap; overflow-wrap: anywhere; }
.sfl-message--visitor { align-self: flex-end; background: var(--sf-accent-soft, #e3f1f2); }
.sfl-message--system { align-self: center; background: none; border: 0; color: var(--sf-muted, #5a6474); font-size: 13px; }
.sfl-who { display: block; font-size: 12px; font-weight: 700; color: var(--sf-muted, #5a6474); }
.sfl-typing { margin: 0 14px 6px; font-size: 13px; color: var(--sf-muted, #5a6474); font-style: italic; }
.sfl-form { display: flex; gap: 8px; padding: 10px 14px 14px; border-top: 1px solid var(--sf-border, #dfe3e9); }
.sfl-form textarea, .sfl-form input, .sfl-leave textarea, .sfl-leave input, .sfl-pick select { flex: 1; min-width: 0; padding: 8px 10px; border: 1px solid var(--sf-border-strong, #c5ccd6); border-radius: 8px; font: inherit; }
.sfl-button { padding: 8px 14px; border: 0; border-radius: 8px; background: var(--sf-accent, #1f6f78); color: #fff; font: 600 14px/1.2 inherit; cursor: pointer; }
.sfl-button--quiet { background: #fff; color: var(--sf-text, #1b2330); border: 1px solid var(--sf-border-strong, #c5ccd6); }
.sfl-button--danger { background: #b42318; }
.sfl-tools { display: flex; flex-wrap: wrap; gap: 8px; padding: 8px 14px 0; }
.sfl-pick { display: grid; gap: 4px; padding: 10px 14px 0; font-size: 13px; }
.sfl-leave { display: grid; gap: 8px; padding: 14px; }
.sfl-leave p { margin: 0; }
.sfl-leave label { display: grid; gap: 3px; font-size: 13px; font-weight: 600; }
.sfl-error { color: #b42318; font-size: 13px; }
.sfl-call { position: relative; background: #0e1a1f; }
.sfl-call video { display: block; width: 100%; aspect-ratio: 4 / 3; background: #0e1a1f; }
.sfl-call .sfl-local { position: absolute; right: 8px; top: 8px; width: 30%; aspect-ratio: 4 / 3; border: 2px solid #fff; border-radius: 6px; }
.sfl-call-bar { display: flex; flex-wrap: wrap; gap: 6px; justify-content: center; padding: 8px; background: #13232a; }
.sfl-ring { padding: 12px 14px; background: #fdf1d8; display: grid; gap: 8px; }
.sfl-ring p { margin: 0; font-weight: 600; }
.sfl-bubble { position: fixed; left: 20px; bottom: 78px; z-index: 2147483000; max-width: 300px; padding: 10px 14px; border-radius: 12px; background: #fff;
  border: 1px solid var(--sf-border, #dfe3e9); box-shadow: var(--sf-shadow, 0 10px 30px rgba(16,24,40,.18)); font: 14px/1.4 var(--sf-font, system-ui, sans-serif); cursor: pointer; text-align: left; color: inherit; }
.sfl-bubble strong { display: block; font-size: 12px; color: var(--sf-muted, #5a6474); }
@media (max-width: 480px) { .sfl-box { left: 12px; right: 12px; bottom: 12px; width: auto; } }
`;

function newVisitorId() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function readStorage(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null; // storage refused (privacy settings): this tab works without memory
  }
}

function writeStorage(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    /* see readStorage */
  }
}

export function start(context) {
  const live = new LiveWidget(context);
  live.start();
  window.shopfloorLive = live;
  return live;
}

class LiveWidget {
  constructor(context) {
    this.context = context;
    this.origin = context.origin;
    this.visitor = readStorage(localStorage, VISITOR_KEY) || newVisitorId();
    writeStorage(localStorage, VISITOR_KEY, this.visitor);
    this.socket = null;
    this.connected = false;
    this.failures = 0;
    this.retry = 0;
    this.useBeacon = false;
    this.talkToUs = false;
    this.chat = null;
    this.lastSeq = 0;
    this.messages = [];
    this.associates = [];
    this.requestedAssociate = null;
    this.activity = "active";
    this.idleTimer = null;
    this.lastUrl = location.href;
    // Page views not yet reported (the socket is still opening): sent after the welcome, or by beacon
    // if the shopper leaves the page first.
    // `at` (this browser's clock) orders the reports: a beacon that arrives after the next page's socket
    // report must not show the older page as the current one.
    this.pending = [{ url: location.href, title: document.title, referrer: document.referrer, at: Date.now() }];
    this.call = null;
    this.unread = 0;
    const resume = readStorage(sessionStorage, RESUME_KEY);
    this.resume = resume ? JSON.parse(resume) : null;
    writeStorage(sessionStorage, RESUME_KEY, null);
  }

  start() {
    this.mount();
    this.connect();
    this.watchNavigation();
    this.watchActivity();
    this.watchConnector();
    setInterval(() => this.send({ type: "ping" }), HEARTBEAT_MS);
  }

  // The socket --------------------------------------------------------------------------------------

  send(message) {
    if (this.socket && this.connected && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  connect() {
    const url = `${this.origin.replace(/^http/, "ws")}/ws/live/visitor/`;
    let opened = false;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.onSocketFailed(false);
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      opened = true;
      this.retry = 0;
      socket.send(JSON.stringify({
        type: "hello", token: this.context.session?.token || null, store: this.context.storeKey,
        visitor: this.visitor, chat_seq: this.lastSeq,
      }));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.handle(message);
    });
    socket.addEventListener("close", (event) => {
      this.connected = false;
      if (event.code === 4003) return; // refused (origin, identity): retrying would not help
      this.onSocketFailed(opened);
    });
  }

  onSocketFailed(opened) {
    if (!opened) this.failures += 1;
    if (this.failures >= BEACON_AFTER_FAILURES && !this.useBeacon) {
      // WebSockets look blocked here: keep reporting page views over plain HTTP.
      this.useBeacon = true;
      this.flushByBeacon();
    }
    const delay = Math.min(30_000, 1000 * 2 ** this.retry) * (0.75 + Math.random() * 0.5);
    this.retry += 1;
    setTimeout(() => this.connect(), delay);
  }

  beacon(view) {
    const body = JSON.stringify({
      token: this.context.session?.token || null, store: this.context.storeKey, visitor: this.visitor, ...view,
    });
    const blob = new Blob([body], { type: "text/plain" });
    if (!navigator.sendBeacon?.(`${this.origin}/live/beacon`, blob)) {
      fetch(`${this.origin}/live/beacon`, { method: "POST", body, mode: "cors", credentials: "omit", keepalive: true }).catch(() => {});
    }
  }

  pageView() {
    if (location.href === this.lastUrl) return;
    const view = { url: location.href, title: document.title, referrer: this.lastUrl || document.referrer, at: Date.now() };
    this.lastUrl = location.href;
    if (this.send({ type: "page", ...view })) return;
    this.pending.push(view);
    if (this.useBeacon) this.flushByBeacon();
  }

  flushPending() {
    while (this.pending.length && this.send({ type: "page", ...this.pending[0] })) this.pending.shift();
  }

  flushByBeacon() {
    for (const view of this.pending.splice(0)) this.beacon(view);
  }

  handle(message) {
    switch (message.type) {
      case "welcome":
        this.connected = true;
        this.failures = 0;
        this.useBeacon = false;
        if (message.visitor && message.visitor !== this.visitor) {
          this.visitor = message.visitor;
          writeStorage(localStorage, VISITOR_KEY, this.visitor);
        }
        this.talkToUs = message.talk_to_us;
        this.associates = message.associates || [];
        this.iceServers = message.ice_servers || [];
        this.flushPending();
        this.setChat(message.chat);
        this.addMessages(message.messages || []);
        // Always: the server may still hold what the previous page said as it unloaded ("hidden").
        this.send({ type: "activity", state: this.activity });
        if (this.resume?.open && this.chat) this.open();
        if (this.resume?.inCall && this.chat?.in_call) this.joinCall(true);
        this.resume = null;
        this.render();
        break;
      case "availability":
        this.talkToUs = message.talk_to_us;
        this.render();
        break;
      case "chat":
        this.setChat(message.chat);
        this.render();
        break;
      case "message":
        this.addMessages([message.message]);
        break;
      case "messages":
        this.addMessages(message.messages);
        break;
      case "typing":
        this.showTyping();
        break;
      case "navigate":
        this.navigate(message.url);
        break;
      case "call":
        if (message.state === "offer") this.ring(message.associate_name);
        if (message.state === "ended") this.endCall(false);
        break;
      case "signal":
        this.onSignal(message.data || {});
        break;
      case "message_left":
        this.leftMessage();
        break;
      case "error":
        this.showError(message);
        break;
      default:
        break;
    }
  }

  setChat(chat) {
    if (chat && this.chat && chat.id !== this.chat.id) {
      this.messages = [];
      this.lastSeq = 0;
      this.list.replaceChildren();
    }
    this.chat = chat;
    if (chat && chat.seq > this.lastSeq && this.connected) this.send({ type: "resume", since: this.lastSeq });
  }

  addMessages(messages) {
    let gap = false;
    const added = [];
    for (const message of messages) {
      if (message.seq <= this.lastSeq) continue; // delivered once: a repeat is dropped
      if (message.seq > this.lastSeq + 1 && this.lastSeq > 0) {
        gap = true;
        break;
      }
      this.messages.push(message);
      added.push(message);
      this.lastSeq = message.seq;
      if (message.sender === "associate" && this.box.hidden) {
        this.unread += 1;
        this.bubble(message);
      }
    }
    if (gap) this.send({ type: "resume", since: this.lastSeq });
    this.typing.hidden = true;
    this.showMessages(added);
    this.render();
  }

  // Navigation, activity, the connector -------------------------------------------------------------

  watchNavigation() {
    for (const name of ["pushState", "replaceState"]) {
      const original = history[name];
      history[name] = (...args) => {
        const result = original.apply(history, args);
        // After the page's own code has updated the title.
        setTimeout(() => this.pageView(), 0);
        return result;
      };
    }
    window.addEventListener("popstate", () => setTimeout(() => this.pageView(), 0));
    window.addEventListener("hashchange", () => this.pageView());
    // Leaving before the socket said hello: the page view still counts, by beacon.
    window.addEventListener("pagehide", () => this.flushByBeacon());
  }

  setActivity(value) {
    if (value === this.activity) return;
    this.activity = value;
    this.send({ type: "activity", state: value });
  }

  watchActivity() {
    const active = () => {
      if (document.visibilityState === "hidden") return;
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.setActivity("idle"), IDLE_MS);
      this.setActivity("active");
    };
    let last = 0;
    const throttled = () => {
      const now = Date.now();
      if (now - last > 1000) {
        last = now;
        active();
      }
    };
    for (const name of ["mousemove", "keydown", "scroll", "click", "touchstart"]) {
      window.addEventListener(name, throttled, { passive: true, capture: true });
    }
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.setActivity("hidden");
      else active();
    });
    active();
  }

  watchConnector() {
    // The shop's account page (and any page) may carry "talk to my associate" links.
    document.addEventListener("click", (event) => {
      const link = event.target.closest?.("[data-shopfloor-live-connect]");
      if (!link) return;
      event.preventDefault();
      const id = Number.parseInt(link.dataset.associateId || "", 10);
      this.requestedAssociate = Number.isFinite(id) ? id : null;
      this.open();
      if (this.talkToUs) this.send({ type: "ask", associate_id: this.requestedAssociate });
    });
  }

  navigate(url) {
    let target;
    try {
      target = new URL(url, location.href);
    } catch {
      return;
    }
    if (!/^https?:$/.test(target.protocol)) return;
    writeStorage(sessionStorage, RESUME_KEY, JSON.stringify({ open: !this.box.hidden, inCall: Boolean(this.call) }));
    location.assign(target.href);
  }

  // The UI ------------------------------------------------------------------------------------------

  mount() {
    const shadow = this.context.shadow || this.context.root.getRootNode();
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    if (shadow && "adoptedStyleSheets" in shadow) shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
    this.launcher = h("button", { type: "button", class: "sfl-launcher", hidden: true, "data-sfl-launcher": "", onclick: () => this.open() });
    this.statusLine = h("p", { class: "sfl-status", role: "status", "data-sfl-status": "" });
    this.list = h("ol", { class: "sfl-messages", "aria-live": "polite", "aria-label": "Messages", "data-sfl-messages": "" });
    this.typing = h("p", { class: "sfl-typing", hidden: true }, "Typing…");
    this.input = h("textarea", { rows: 2, maxlength: 2000, "aria-label": "Your message", placeholder: "Write a message…", "data-sfl-input": "" });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    let lastTyping = 0;
    this.input.addEventListener("input", () => {
      if (this.chat && Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        this.send({ type: "typing" });
      }
    });
    this.form = h("form", { class: "sfl-form", "data-sfl-form": "" }, this.input, h("button", { type: "submit", class: "sfl-button" }, "Send"));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = this.input.value.trim();
      if (!body) return;
      if (!this.chat) this.send({ type: "ask", associate_id: this.pickedAssociate() });
      if (this.send({ type: "say", body })) this.input.value = "";
    });
    this.picker = h("select", { "aria-label": "Who would you like to talk to?", "data-sfl-pick": "" });
    this.pickRow = h("label", { class: "sfl-pick" }, "Talk to", this.picker);
    this.callButton = h("button", { type: "button", class: "sfl-button sfl-button--quiet", "data-sfl-call": "", onclick: () => this.send({ type: "ask", call: true, associate_id: this.pickedAssociate() }) }, "Ask for a video call");
    this.endButton = h("button", { type: "button", class: "sfl-button sfl-button--quiet", onclick: () => this.send({ type: "close" }) }, "End chat");
    this.tools = h("div", { class: "sfl-tools" }, this.callButton, this.endButton);
    this.ringArea = h("div", { class: "sfl-ring", hidden: true, "data-sfl-ring": "" });
    this.callArea = this.buildCallArea();
    this.chatArea = h("div", { "data-sfl-chat": "" }, this.pickRow, this.tools, this.ringArea, this.callArea, this.list, this.typing, this.form);
    this.leaveArea = this.buildLeaveForm();
    this.title = h("h2", {}, "Talk to us");
    this.box = h(
      "section",
      { class: "sfl-box", hidden: true, "aria-label": "Chat with the shop", "data-sfl-box": "" },
      h("div", { class: "sfl-head" }, this.title, h("button", { type: "button", "aria-label": "Close", onclick: () => this.close() }, "×")),
      this.statusLine,
      this.chatArea,
      this.leaveArea,
    );
    this.context.root.append(this.launcher, this.box);
  }

  buildLeaveForm() {
    const error = h("p", { class: "sfl-error", role: "alert", hidden: true });
    const done = h("p", { hidden: true, role: "status", "data-sfl-left": "" }, "Thank you! The shop will get back to you.");
    const form = h(
      "form",
      { class: "sfl-leave", "data-sfl-leave": "" },
      h("p", {}, "Nobody is available to chat right now. Leave a message and we will get back to you."),
      h("label", {}, "Your name", h("input", { name: "name", autocomplete: "name", maxlength: 150 })),
      h("label", {}, "Email", h("input", { name: "email", type: "email", autocomplete: "email", maxlength: 254 })),
      h("label", {}, "Message", h("textarea", { name: "body", rows: 3, required: true, maxlength: 2000 })),
      error,
      h("button", { type: "submit", class: "sfl-button" }, "Send message"),
      done,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.hidden = true;
      this.send({ type: "leave_message", name: form.name.value, email: form.email.value, body: form.body.value, associate_id: this.requestedAssociate });
    });
    this.leaveError = error;
    this.leaveDone = done;
    this.leaveFormElement = form;
    return h("div", { "data-sfl-leave-area": "" }, form);
  }

  leftMessage() {
    this.leaveFormElement.reset();
    this.leaveDone.hidden = false;
  }

  showError(message) {
    const text = Array.isArray(message.detail) ? message.detail.map((entry) => entry.msg).join(" ") : String(message.detail || "");
    if (!this.leaveArea.hidden && this.leaveError) {
      this.leaveError.textContent = text;
      this.leaveError.hidden = false;
    } else {
      this.statusLine.textContent = text;
    }
  }

  pickedAssociate() {
    const value = Number.parseInt(this.picker.value || "", 10);
    return Number.isFinite(value) ? value : this.requestedAssociate;
  }

  open() {
    this.box.hidden = false;
    this.launcher.hidden = true;
    this.unread = 0;
    this.bubbleElement?.remove();
    this.render();
    this.input.focus();
  }

  close() {
    this.box.hidden = true;
    this.render();
  }

  bubble(message) {
    this.bubbleElement?.remove();
    this.bubbleElement = h("button", { type: "button", class: "sfl-bubble", "data-sfl-bubble": "", onclick: () => this.open() },
      h("strong", {}, message.author || "The shop"), message.body.slice(0, 140));
    this.context.root.append(this.bubbleElement);
  }

  render() {
    const hasChat = Boolean(this.chat && this.chat.status !== "closed");
    const canTalk = this.talkToUs || hasChat;
    this.launcher.hidden = !this.box.hidden;
    this.launcher.className = `sfl-launcher${canTalk ? "" : " sfl-launcher--message"}`;
    // replaceChildren would write a null child as the text "null"; h() skips it.
    this.launcher.replaceChildren(...h(
      "span", {},
      canTalk ? h("span", { class: "sfl-dot", "aria-hidden": "true" }) : null,
      canTalk ? "Talk to us" : "Leave a message",
      this.unread ? h("span", { class: "sfl-badge" }, this.unread, h("span", { hidden: true }, " unread")) : null,
    ).childNodes);
    this.title.textContent = canTalk ? "Talk to us" : "Leave a message";
    this.chatArea.hidden = !canTalk;
    this.leaveArea.hidden = canTalk;
    // The online connector: in an associate-mode store the shopper may ask for someone in particular.
    const pick = !hasChat && this.associates.length > 0;
    this.pickRow.hidden = !pick;
    if (pick && this.picker.options.length === 0) {
      this.picker.append(h("option", { value: "" }, "Anyone available"), ...this.associates.map((a) => h("option", { value: a.id }, a.name)));
      if (this.requestedAssociate) this.picker.value = String(this.requestedAssociate);
    }
    this.endButton.hidden = !hasChat;
    this.callButton.hidden = Boolean(this.call) || Boolean(this.chat?.in_call);
    let status = "";
    if (hasChat && this.chat.status === "waiting") {
      status = this.chat.queue_position
        ? `Everyone is busy. You are number ${this.chat.queue_position} in the queue.`
        : this.chat.note || "Someone from the shop will be with you in a moment.";
    } else if (hasChat && this.chat.status === "active") {
      status = `You are talking to ${this.chat.associate_name}.`;
    }
    this.statusLine.textContent = status;
  }

  // New messages are added below the others, which stay as they are: the list is aria-live, and a screen
  // reader announces what is added (redrawn rows would be read out again with every message); a selection
  // in the conversation survives the next message too.
  showMessages(messages) {
    if (!messages.length) return;
    this.list.append(
      ...messages.map((message) =>
        h(
          "li",
          { class: `sfl-message sfl-message--${message.sender}`, "data-seq": message.seq },
          message.sender === "associate" ? h("span", { class: "sfl-who" }, message.author) : null,
          message.body,
        ),
      ),
    );
    this.list.scrollTop = this.list.scrollHeight;
  }

  showTyping() {
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => (this.typing.hidden = true), 3000);
  }

  // Video calls ---------------------------------------------------------------------------------------

  buildCallArea() {
    this.remoteVideo = h("video", { autoplay: true, playsinline: true, "aria-label": "The associate's camera", "data-sfl-remote": "" });
    this.localVideo = h("video", { class: "sfl-local", autoplay: true, playsinline: true, muted: true, "aria-label": "Your camera", hidden: true });
    this.localVideo.muted = true;
    this.muteButton = h("button", { type: "button", class: "sfl-button sfl-button--quiet", "aria-pressed": "false", onclick: () => this.toggleMute() }, "Mute");
    this.cameraButton = h("button", { type: "button", class: "sfl-button sfl-button--quiet", "aria-pressed": "false", "data-sfl-camera": "", onclick: () => this.toggleCamera() }, "Turn camera on");
    const hangup = h("button", { type: "button", class: "sfl-button sfl-button--danger", "data-sfl-hangup": "", onclick: () => this.endCall(true) }, "Hang up");
    return h("div", { class: "sfl-call", hidden: true, "data-sfl-call-area": "" }, this.remoteVideo, this.localVideo,
      h("div", { class: "sfl-call-bar" }, this.muteButton, this.cameraButton, hangup));
  }

  ring(associateName) {
    this.open();
    this.ringArea.replaceChildren(
      h("p", {}, `${associateName || "The shop"} invites you to a video call. Your camera stays off until you turn it on.`),
      h("div", { class: "sfl-tools" },
        h("button", { type: "button", class: "sfl-button", "data-sfl-join": "", onclick: () => this.joinCall(false) }, "Join the call"),
        h("button", { type: "button", class: "sfl-button sfl-button--quiet", onclick: () => this.endCall(true) }, "Not now")),
    );
    this.ringArea.hidden = false;
  }

  async joinCall(resumed) {
    this.ringArea.hidden = true;
    if (!this.call) {
      let microphone = null;
      try {
        microphone = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      } catch {
        microphone = null; // no microphone: the visitor can still see and hear the associate
      }
      this.call = { peer: null, microphone, camera: null, resumed };
    }
    this.callArea.hidden = false;
    this.open();
    this.render();
    this.send({ type: "signal", data: { ready: true } });
  }

  newPeer() {
    if (this.call.peer) this.call.peer.close();
    const peer = new RTCPeerConnection({ iceServers: this.iceServers || [] });
    this.call.peer = peer;
    this.remoteVideo.srcObject = new MediaStream();
    peer.addEventListener("icecandidate", (event) => {
      if (event.candidate) this.send({ type: "signal", data: { candidate: event.candidate.toJSON() } });
    });
    peer.addEventListener("track", (event) => this.remoteVideo.srcObject.addTrack(event.track));
    return peer;
  }

  async onSignal(data) {
    if (!this.call) return;
    if (data.sdp && data.sdp.type === "offer") {
      const peer = this.newPeer();
      await peer.setRemoteDescription(data.sdp);
      for (const transceiver of peer.getTransceivers()) {
        const kind = transceiver.receiver.track.kind;
        transceiver.direction = "sendrecv";
        const track = kind === "audio" ? this.call.microphone?.getAudioTracks()[0] : this.call.camera?.getVideoTracks()[0];
        if (track) await transceiver.sender.replaceTrack(track);
      }
      const answer = await peer.createAnswer();
      await peer.setLocalDescription(answer);
      this.send({ type: "signal", data: { sdp: peer.localDescription.toJSON() } });
    } else if (data.candidate && this.call.peer) {
      try {
        await this.call.peer.addIceCandidate(data.candidate);
      } catch {
        /* a candidate of an older connection */
      }
    }
  }

  toggleMute() {
    const tracks = this.call?.microphone?.getAudioTracks() || [];
    const muted = this.muteButton.getAttribute("aria-pressed") !== "true";
    for (const track of tracks) track.enabled = !muted;
    this.muteButton.setAttribute("aria-pressed", String(muted));
    this.muteButton.textContent = muted ? "Unmute" : "Mute";
  }

  async toggleCamera() {
    if (!this.call) return;
    const sender = this.call.peer?.getTransceivers().find((t) => t.receiver.track.kind === "video")?.sender;
    if (this.call.camera) {
      for (const track of this.call.camera.getTracks()) track.stop();
      this.call.camera = null;
      if (sender) await sender.replaceTrack(null);
      this.localVideo.hidden = true;
      this.cameraButton.textContent = "Turn camera on";
      this.cameraButton.setAttribute("aria-pressed", "false");
      return;
    }
    try {
      this.call.camera = await navigator.mediaDevices.getUserMedia({ video: true });
    } catch {
      this.statusLine.textContent = "Your camera could not be started.";
      return;
    }
    if (sender) await sender.replaceTrack(this.call.camera.getVideoTracks()[0]);
    this.localVideo.srcObject = this.call.camera;
    this.localVideo.hidden = false;
    this.cameraButton.textContent = "Turn camera off";
    this.cameraButton.setAttribute("aria-pressed", "true");
  }

  endCall(tell) {
    this.ringArea.hidden = true;
    if (tell) this.send({ type: "hangup" });
    if (this.call) {
      this.call.peer?.close();
      for (const stream of [this.call.microphone, this.call.camera]) for (const track of stream?.getTracks() || []) track.stop();
    }
    this.call = null;
    this.remoteVideo.srcObject = null;
    this.callArea.hidden = true;
    this.render();
  }
}
