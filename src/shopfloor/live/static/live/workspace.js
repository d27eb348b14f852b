// The live workspace (/console/live/): the store's visitors on site now, a visitor's history, chat,
// video calls and Navigate. Everything arrives over one WebSocket (/ws/live/associate/): a snapshot
// on connect (and after every reconnect), then events. Chat messages carry a per-chat `seq`; a message
// already seen is dropped and a gap asks the server to resume from the last one seen.

const root = document.querySelector("[data-live-workspace]");
const OFFLINE_SHOWN_MS = 5 * 60 * 1000;
// A page load closes the tab's socket and opens a new one: a visitor offline for less than this is
// still shown as they were, so following links does not make them blink offline.
const OFFLINE_GRACE_MS = 6000;
const HEARTBEAT_MS = 20_000;

const state = {
  socket: null,
  retry: 0,
  associateId: null,
  iceServers: [],
  visitors: new Map(),
  chats: new Map(),
  openVisitorId: null,
  messages: new Map(), // chat id → {lastSeq, items: []}
  call: null,
};

const $ = (selector) => root.querySelector(selector);
const listElement = $("[data-visitors]");
const panel = $("[data-panel]");

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#icon-${name}`);
  svg.append(use);
  return svg;
}

function duration(since) {
  if (!since) return "";
  const seconds = Math.max(0, Math.floor((Date.now() - new Date(since).getTime()) / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

function pathOf(url) {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url || "";
  }
}

// The socket ------------------------------------------------------------------------------------------

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(message));
    return true;
  }
  return false;
}

function setConnection(text, ok) {
  const element = $("[data-connection]");
  element.textContent = text;
  element.classList.toggle("is-live", ok);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${root.dataset.socket}`);
  state.socket = socket;
  socket.addEventListener("open", () => {
    state.retry = 0;
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    handle(message);
  });
  socket.addEventListener("close", () => {
    setConnection("Reconnecting…", false);
    // Back off: 0.5 s, 1 s, 2 s … up to 15 s, with jitter so a restarted server is not stampeded.
    const delay = Math.min(15_000, 500 * 2 ** state.retry) * (0.75 + Math.random() * 0.5);
    state.retry += 1;
    setTimeout(connect, delay);
  });
}

setInterval(() => send({ type: "ping" }), HEARTBEAT_MS);

// Events -----------------------------------------------------------------------------------------------

const PAGE_FIELDS = ["current_url", "current_title", "page_started_at", "page_at"];
// Longer than the server's page-view batches (live/writes.py, 0.2 s) take to land.
const HISTORY_REFRESH_MS = 600;

// By the widget's clock (`page_at`, ms). A row without one after a row with one was read from the database
// before the newer page's batch was written; with none on either side (older widgets) arrival order counts.
function isOlderPage(incoming, shown) {
  return shown.page_at != null && (incoming.page_at == null || incoming.page_at < shown.page_at);
}

function handle(message) {
  switch (message.type) {
    case "snapshot":
      // Live once the snapshot is drawn, not when the socket opens: until then the page shows what the server
      // rendered before, which the snapshot may still change (the visitors, the availability a click just chose).
      setConnection("Live: updates arrive as they happen.", true);
      state.associateId = message.associate_id;
      state.iceServers = message.ice_servers || [];
      state.visitors = new Map(message.visitors.map((visitor) => [visitor.id, visitor]));
      state.chats = new Map(message.chats.map((chat) => [chat.id, chat]));
      if (message.availability) setAvailability(message.availability);
      renderList();
      if (state.openVisitorId) {
        renderPanel();
        const chat = openChat();
        if (chat) resume(chat.id);
      }
      break;
    case "visitor_page": {
      // A page change of a listed visitor (the full row came before); an older report never wins.
      const visitor = state.visitors.get(message.visitor.id);
      if (!visitor || isOlderPage(message.visitor, visitor)) break;
      Object.assign(visitor, message.visitor);
      renderList();
      if (state.openVisitorId === visitor.id) {
        renderPanel();
        refreshHistorySoon(visitor.id);
      }
      break;
    }
    case "visitor": {
      const previous = state.visitors.get(message.visitor.id);
      if (previous && isOlderPage(message.visitor, previous)) {
        // The row was read before a newer page was reported (pages are written in batches): keep the newer page.
        for (const key of PAGE_FIELDS) message.visitor[key] = previous[key];
      }
      if (message.visitor.status === "offline" && previous && previous.status !== "offline") {
        message.visitor.shownStatus = previous.shownStatus || previous.status;
        message.visitor.graceUntil = previous.graceUntil || Date.now() + OFFLINE_GRACE_MS;
        setTimeout(renderList, OFFLINE_GRACE_MS + 100);
      }
      state.visitors.set(message.visitor.id, message.visitor);
      if (message.visitor.chat) state.chats.set(message.visitor.chat.id, { ...message.visitor.chat, visitor_id: message.visitor.id });
      renderList();
      if (state.openVisitorId === message.visitor.id) renderPanel();
      break;
    }
    case "visitor_gone":
      state.visitors.delete(message.id);
      renderList();
      if (state.openVisitorId === message.id) closePanel();
      break;
    case "chat":
      state.chats.set(message.chat.id, message.chat);
      updateVisitorChat(message.chat);
      break;
    case "chat_taken": {
      const chat = { ...(state.chats.get(message.id) || {}), id: message.id, visitor_id: message.visitor_id,
        status: "active", associate_name: message.associate_name, associate_id: -1 };
      state.chats.set(message.id, chat);
      updateVisitorChat(chat);
      break;
    }
    case "chat_opened":
      state.chats.set(message.chat.id, message.chat);
      state.messages.set(message.chat.id, { lastSeq: 0, items: [] });
      addMessages(message.chat.id, message.messages);
      updateVisitorChat(message.chat);
      break;
    case "message":
      addMessages(message.chat_id, [message.message]);
      break;
    case "messages":
      addMessages(message.chat_id, message.messages);
      break;
    case "typing":
      if (openChat() && openChat().id === message.chat_id) showTyping();
      break;
    case "availability":
      setAvailability(message.availability);
      break;
    case "signal":
      onSignal(message);
      break;
    case "call":
      if (message.state === "ended") endCall(false);
      break;
    case "navigated":
      $("[data-navigate]").reset();
      break;
    case "error":
      showError(message);
      break;
    default:
      break;
  }
}

function showError(message) {
  const text = Array.isArray(message.detail) ? message.detail.map((entry) => entry.msg).join(" ") : message.detail;
  const navigateError = $("[data-navigate-error]");
  if (message.detail?.[0]?.loc?.includes("url")) {
    navigateError.textContent = text;
    navigateError.hidden = false;
    return;
  }
  const element = $("[data-chat-error]");
  element.textContent = text;
  element.hidden = false;
  setTimeout(() => (element.hidden = true), 6000);
}

function updateVisitorChat(chat) {
  const visitor = state.visitors.get(chat.visitor_id);
  if (visitor) {
    visitor.chat = chat.status === "closed" ? null : { ...(visitor.chat || {}), ...chat };
    if (chat.status === "closed") visitor.wants_call = false;
  }
  renderList();
  if (state.openVisitorId === chat.visitor_id) renderPanel();
}

function setAvailability(value) {
  for (const input of root.querySelectorAll("[data-availability] input")) input.checked = input.value === value;
}

// The list ---------------------------------------------------------------------------------------------

const STATUS_LABELS = { active: "Active", idle: "Idle", offline: "Offline" };

function visibleVisitors() {
  const now = Date.now();
  return [...state.visitors.values()]
    .filter((visitor) => visitor.status !== "offline" || now - new Date(visitor.offline_since).getTime() < OFFLINE_SHOWN_MS)
    .sort((a, b) => new Date(a.online_since) - new Date(b.online_since) || a.id - b.id);
}

function statusOf(visitor) {
  if (visitor.status === "offline" && visitor.shownStatus && Date.now() < visitor.graceUntil) {
    return visitor.shownStatus;
  }
  return visitor.status;
}

function visitorName(visitor) {
  return visitor.customer_name || `Visitor ${visitor.returning_id}`;
}

function chatBadge(visitor) {
  const chat = visitor.chat;
  if (!chat) return null;
  if (chat.status === "waiting") {
    const mine = chat.routed_to_id && chat.routed_to_id === state.associateId;
    return h("span", { class: "badge badge--pending" }, mine ? "Asks to talk — offered to you" : "Asks to talk");
  }
  if (chat.associate_id === state.associateId) return h("span", { class: "badge badge--primary" }, chat.in_call ? "In a call with you" : "Chatting with you");
  return h("span", { class: "badge" }, `With ${chat.associate_name || "a colleague"}`);
}

function renderList() {
  const visitors = visibleVisitors();
  listElement.replaceChildren(
    ...visitors.map((shown) => {
      const visitor = { ...shown, status: statusOf(shown) };
      const place = [visitor.city, visitor.country_name].filter(Boolean).join(", ") || "Unknown";
      const unread = visitor.chat && visitor.chat.unread;
      const row = h(
        "li",
        { class: `live-visitor live-visitor--${visitor.status}${state.openVisitorId === visitor.id ? " is-open" : ""}`,
          "data-visitor": visitor.id, "data-status": visitor.status },
        h(
          "button",
          { type: "button", class: "live-visitor__open", "aria-label": `Open ${visitorName(visitor)}`,
            onclick: () => openVisitor(visitor.id) },
          h("span", { class: `live-status live-status--${visitor.status}` }, h("span", { class: "live-status__dot", "aria-hidden": "true" }), STATUS_LABELS[visitor.status]),
        ),
        h(
          "div",
          { class: "live-visitor__main" },
          h(
            "p",
            { class: "live-visitor__who" },
            h("strong", {}, visitorName(visitor)),
            visitor.wants_call ? h("span", { class: "live-call-icon", title: "Asks for a call", "data-wants-call": "" }, icon("phone"), h("span", { class: "visually-hidden" }, "Asks for a call")) : null,
            unread ? h("span", { class: "live-unread", title: "Unread message", "data-unread": "" }, h("span", { class: "visually-hidden" }, "Unread message")) : null,
            chatBadge(visitor),
          ),
          h(
            "p",
            { class: "live-visitor__page" },
            visitor.current_url
              ? h("a", { href: visitor.current_url, target: "_blank", rel: "noopener", "data-current-page": "" }, visitor.current_title || pathOf(visitor.current_url))
              : h("span", { class: "muted" }, "No page yet"),
            visitor.status !== "offline" && visitor.page_started_at
              ? h("span", { class: "live-visitor__time", "data-since": visitor.page_started_at, title: "Time on this page" }, duration(visitor.page_started_at))
              : null,
          ),
        ),
        h(
          "dl",
          { class: "live-visitor__facts" },
          h("div", {}, h("dt", {}, "Location"), h("dd", {}, place)),
          h("div", {}, h("dt", {}, "Returning id"), h("dd", { class: "mono" }, visitor.returning_id)),
          h("div", {}, h("dt", {}, "Visits"), h("dd", { "data-visit-count": "" }, visitor.visit_count)),
          h("div", {}, h("dt", {}, "On site"), h("dd", { "data-since": visitor.status === "offline" ? "" : visitor.online_since }, visitor.status === "offline" ? "left" : duration(visitor.online_since))),
        ),
      );
      return row;
    }),
  );
  $("[data-visitor-count]").textContent = visitors.length;
  $("[data-empty]").hidden = visitors.length > 0;
}

setInterval(() => {
  for (const element of root.querySelectorAll("[data-since]")) {
    if (element.dataset.since) element.textContent = duration(element.dataset.since);
  }
}, 1000);
// Offline visitors drop off after five minutes even when nothing else happens.
setInterval(renderList, 30_000);

// The visitor panel ------------------------------------------------------------------------------------

function openChat() {
  const visitor = state.visitors.get(state.openVisitorId);
  if (!visitor || !visitor.chat) return null;
  return state.chats.get(visitor.chat.id) || visitor.chat;
}

async function openVisitor(id) {
  state.openVisitorId = id;
  panel.hidden = false;
  root.classList.add("has-panel");
  $("[data-messages]").replaceChildren();
  renderList();
  renderPanel();
  const chat = openChat();
  if (chat && (chat.status === "waiting" || chat.associate_id === state.associateId)) resume(chat.id);
  await loadHistory(id);
  // Page views reach the database in batches (every 0.2 s), after the live update: read again once they landed.
  refreshHistorySoon(id);
}

async function loadHistory(id) {
  const response = await fetch(`${root.dataset.detailUrl}${id}/`, { headers: { Accept: "application/json" } });
  if (!response.ok || state.openVisitorId !== id) return;
  renderHistory(await response.json());
}

let historyTimer = null;

function refreshHistorySoon(id) {
  clearTimeout(historyTimer);
  historyTimer = setTimeout(() => { if (state.openVisitorId === id) loadHistory(id); }, HISTORY_REFRESH_MS);
}

function closePanel() {
  state.openVisitorId = null;
  panel.hidden = true;
  root.classList.remove("has-panel");
  renderList();
}

function resume(chatId) {
  const known = state.messages.get(chatId);
  send({ type: "resume", chat_id: chatId, since: known ? known.lastSeq : 0 });
}

function renderHistory(detail) {
  const summary = `${detail.visit_count} ${detail.visit_count === 1 ? "visit" : "visits"}, ${detail.page_view_count} ${detail.page_view_count === 1 ? "page view" : "page views"}; first seen ${new Date(detail.first_seen_at).toLocaleDateString()}.`;
  $("[data-history-summary]").replaceChildren(
    summary,
    detail.customer_url ? h("span", {}, " ", h("a", { href: detail.customer_url }, "Open the customer record")) : "",
  );
  $("[data-history]").replaceChildren(
    ...detail.page_views.map((view) =>
      h(
        "li",
        { class: "live-history__page" },
        h("a", { href: view.url, target: "_blank", rel: "noopener" }, view.title || pathOf(view.url)),
        h("span", { class: "live-history__when" }, new Date(view.started_at).toLocaleTimeString(), view.seconds_on_page !== null ? ` · ${duration(new Date(Date.now() - view.seconds_on_page * 1000))}` : ""),
      ),
    ),
  );
}

function renderPanel() {
  const visitor = state.visitors.get(state.openVisitorId);
  if (!visitor) return;
  $("[data-panel-title]").textContent = visitorName(visitor);
  const place = [visitor.city, visitor.country_name].filter(Boolean).join(", ") || "Location unknown";
  $("[data-panel-facts]").textContent = `${STATUS_LABELS[visitor.status]} · ${place} · visit ${visitor.visit_count} · id ${visitor.returning_id}`;
  const chat = openChat();
  const actions = $("[data-chat-actions]");
  const canChat = root.dataset.canChat === "true";
  const mine = chat && chat.status === "active" && chat.associate_id === state.associateId;
  const buttons = [];
  if (canChat && !chat && visitor.status !== "offline") {
    buttons.push(h("button", { type: "button", class: "button button--primary", "data-start-chat": "", onclick: () => send({ type: "start", visitor_id: visitor.id }) }, icon("message"), "Start chat"));
  }
  if (canChat && chat && chat.status === "waiting") {
    buttons.push(h("button", { type: "button", class: "button button--primary", "data-take": "", onclick: () => send({ type: "take", chat_id: chat.id }) }, icon("message"), "Start Session"));
  }
  if (mine) {
    if (!state.call) {
      buttons.push(h("button", { type: "button", class: "button button--primary", "data-start-call": "", onclick: () => startCall(chat.id) }, icon("phone"), visitor.wants_call || chat.wants_call ? "Answer call" : "Start a call"));
    }
    buttons.push(h("button", { type: "button", class: "button button--quiet", "data-end-chat": "", onclick: () => send({ type: "close", chat_id: chat.id }) }, "End chat"));
  }
  if (chat && chat.status === "active" && !mine) {
    buttons.push(h("p", { class: "live-chat__taken", "data-taken": "" }, `${chat.associate_name || "A colleague"} is talking to this visitor.`));
  }
  actions.replaceChildren(...buttons);
  $("[data-say]").hidden = !mine;
  $("[data-navigate]").hidden = !mine;
  if (!chat) $("[data-messages]").replaceChildren();
  if (mine && chat.unread) {
    const known = state.messages.get(chat.id);
    if (known && known.lastSeq) send({ type: "read", chat_id: chat.id, seq: known.lastSeq });
  }
}

function addMessages(chatId, messages) {
  const known = state.messages.get(chatId) || { lastSeq: 0, items: [] };
  state.messages.set(chatId, known);
  let gap = false;
  for (const message of messages) {
    if (message.seq <= known.lastSeq) continue; // already shown: delivered once
    if (message.seq > known.lastSeq + 1 && known.lastSeq > 0) {
      gap = true;
      break;
    }
    known.items.push(message);
    known.lastSeq = message.seq;
  }
  if (gap) resume(chatId);
  const chat = openChat();
  if (chat && chat.id === chatId) {
    renderMessages(known);
    $("[data-typing]").hidden = true;
    if (chat.associate_id === state.associateId) send({ type: "read", chat_id: chatId, seq: known.lastSeq });
  }
}

function renderMessages(known) {
  const list = $("[data-messages]");
  list.replaceChildren(
    ...known.items.map((message) =>
      h(
        "li",
        { class: `live-message live-message--${message.sender}`, "data-seq": message.seq },
        message.sender === "system" ? null : h("span", { class: "live-message__who" }, message.sender === "visitor" ? "Visitor" : message.author || "You"),
        h("span", { class: "live-message__body" }, message.body),
        h("time", { class: "live-message__when", datetime: message.created_at }, new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })),
      ),
    ),
  );
  list.scrollTop = list.scrollHeight;
}

let typingTimer = null;
function showTyping() {
  const element = $("[data-typing]");
  element.hidden = false;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => (element.hidden = true), 3000);
}

$("[data-panel-close]").addEventListener("click", closePanel);

const sayForm = $("[data-say]");
let lastTyping = 0;
sayForm.body.addEventListener("input", () => {
  const chat = openChat();
  if (chat && Date.now() - lastTyping > 2000) {
    lastTyping = Date.now();
    send({ type: "typing", chat_id: chat.id });
  }
});
sayForm.body.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    sayForm.requestSubmit();
  }
});
sayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const chat = openChat();
  const body = sayForm.body.value.trim();
  if (!chat || !body) return;
  if (send({ type: "say", chat_id: chat.id, body })) sayForm.reset();
});

$("[data-navigate]").addEventListener("submit", (event) => {
  event.preventDefault();
  const chat = openChat();
  $("[data-navigate-error]").hidden = true;
  if (chat) send({ type: "navigate", chat_id: chat.id, url: event.target.url.value.trim() });
});

for (const input of root.querySelectorAll("[data-availability] input")) {
  input.addEventListener("change", () => send({ type: "availability", value: input.value }));
}

const fullscreenButton = root.querySelector("[data-fullscreen]");
fullscreenButton.addEventListener("click", () => {
  const on = !document.body.classList.contains("live-fullscreen");
  document.body.classList.toggle("live-fullscreen", on);
  fullscreenButton.setAttribute("aria-pressed", String(on));
  fullscreenButton.querySelector("[data-fullscreen-label]").textContent = on ? "Exit full screen" : "Full screen";
  if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
});

// Video calls (WebRTC; signalling over the socket) ------------------------------------------------------
//
// The associate starts ("Start a call", or "Answer call" when the visitor asked): the server tells the
// visitor, whose widget answers "ready" when they join. The associate then makes the offer. When the
// visitor's page changes (Navigate), their widget says "ready" again by itself and a new offer
// reconnects the call within a second or two.

async function startCall(chatId) {
  const callElement = $("[data-call]");
  let stream = null;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  } catch {
    stream = null; // no camera: the associate can still be heard if a microphone exists, or just see
  }
  state.call = { chatId, stream, peer: null };
  $("[data-local-video]").srcObject = stream;
  callElement.hidden = false;
  send({ type: "call", chat_id: chatId });
  renderPanel();
}

function newPeer() {
  const call = state.call;
  if (call.peer) call.peer.close();
  const peer = new RTCPeerConnection({ iceServers: state.iceServers });
  call.peer = peer;
  if (call.stream) for (const track of call.stream.getTracks()) peer.addTrack(track, call.stream);
  else {
    peer.addTransceiver("video", { direction: "recvonly" });
    peer.addTransceiver("audio", { direction: "recvonly" });
  }
  peer.addEventListener("icecandidate", (event) => {
    if (event.candidate) send({ type: "signal", chat_id: call.chatId, data: { candidate: event.candidate.toJSON() } });
  });
  peer.addEventListener("track", (event) => {
    const video = $("[data-remote-video]");
    if (!video.srcObject) video.srcObject = new MediaStream();
    video.srcObject.addTrack(event.track);
  });
  return peer;
}

async function onSignal(message) {
  const call = state.call;
  if (!call || call.chatId !== message.chat_id) return;
  const data = message.data || {};
  if (data.ready) {
    $("[data-remote-video]").srcObject = null;
    const peer = newPeer();
    const offer = await peer.createOffer();
    await peer.setLocalDescription(offer);
    send({ type: "signal", chat_id: call.chatId, data: { sdp: peer.localDescription.toJSON() } });
  } else if (data.sdp && call.peer) {
    await call.peer.setRemoteDescription(data.sdp);
  } else if (data.candidate && call.peer) {
    try {
      await call.peer.addIceCandidate(data.candidate);
    } catch {
      /* a candidate of an older connection */
    }
  } else if (data.hangup) {
    endCall(false);
  }
}

function endCall(tell) {
  const call = state.call;
  if (!call) return;
  if (tell) send({ type: "hangup", chat_id: call.chatId });
  if (call.peer) call.peer.close();
  if (call.stream) for (const track of call.stream.getTracks()) track.stop();
  state.call = null;
  $("[data-remote-video]").srcObject = null;
  $("[data-local-video]").srcObject = null;
  $("[data-call]").hidden = true;
  renderPanel();
}

$("[data-hangup]").addEventListener("click", () => endCall(true));
$("[data-mute]").addEventListener("click", (event) => {
  const stream = state.call?.stream;
  if (!stream) return;
  const muted = event.currentTarget.getAttribute("aria-pressed") !== "true";
  for (const track of stream.getAudioTracks()) track.enabled = !muted;
  event.currentTarget.setAttribute("aria-pressed", String(muted));
  event.currentTarget.textContent = muted ? "Unmute" : "Mute";
});
$("[data-camera]").addEventListener("click", (event) => {
  const stream = state.call?.stream;
  if (!stream) return;
  const off = event.currentTarget.getAttribute("aria-pressed") !== "true";
  for (const track of stream.getVideoTracks()) track.enabled = !off;
  event.currentTarget.setAttribute("aria-pressed", String(off));
  event.currentTarget.textContent = off ? "Camera on" : "Camera off";
});

connect();
