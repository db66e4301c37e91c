// Lobby page — the call board on the hall's 1920×1080 TV, served by the display agent (same origin).
// Plain ES module, no framework, no third-party code.
//
// What it reads and writes:
//   GET  /api/board                       every 2 s: { hallName, noticeLine|null, link: "online"|"connecting"|"offline",
//                                          recentCount, services: [{ id, name, nameEn, prefix, waiting, estimatedWaitMinutes }],
//                                          calls: [{ callId, ticketNumber, windowNumber, windowName, serviceName, serviceNameEn, isRecall, at }] (newest first),
//                                          calling: the newest of those still being called, or null,
//                                          voice: { source: "pack"|"speech"|"none", template, repeat, volume, packUrl },
//                                          playlist: [{ url, kind: "video"|"image", seconds, title }],
//                                          bilingual: the board's texts and calls in Chinese and English in turn,
//                                          closed: { show: "dim"|"image"|"blank", imageUrl|null } outside opening hours, else null }
//   GET  /api/announcements?after=SEQ     every 500 ms: the calls still to be announced with seq > SEQ, in order:
//                                          [{ seq, callId, ticketNumber, windowNumber, serviceName, isRecall }]
//   POST /api/announcements/{seq}/done    once that call has been spoken (all repeats); retried until the agent takes it.
//   GET  {packUrl}manifest.json           phrase → file name (relative to packUrl): "请", "号", "到", "号窗口", "办理", "A"…"Z", "0"…"9", "十".
//
// Voice: one announcement at a time, in seq order, each seq exactly once (a recall has its own seq). The template's
// {number} is read letter + digit by digit (A012 → A 零 一 二), {window} as a Chinese number (12 → 十二), `repeat`
// times with a pause between. "pack" plays the manifest's segments with new Audio(url) one after another (a segment
// that is missing, fails or has not ended after 10 s is skipped); "speech" uses speechSynthesis in zh-CN; "none" is
// silent. The lobby video ducks to 20 % while a call is spoken. The display keeps showing the last state when the
// agent or the server is away.

const BOARD_POLL_MS = 2000;
const ANNOUNCE_POLL_MS = 500;
// A full re-read (after=0) now and then finds calls from an agent that restarted and numbers its seqs from 1 again.
const ANNOUNCE_RESYNC_EVERY = 20;
const REPEAT_PAUSE_MS = 800;
const BETWEEN_CALLS_MS = 500;
const SEGMENT_GUARD_MS = 10000;
const DUCK_FACTOR = 0.2;
const NEWEST_BLINK_MS = 5000;
const BANNER_MS = 8000;
const DEFAULT_IMAGE_SECONDS = 10;
const MEDIA_RETRY_MS = 3000;
const VIDEO_STALL_MS = 20000;
const TICKER_PX_PER_SECOND = 110;
const SERVICES_PAGE_SIZE = 12;
// Three columns of three: a row high enough for a long name on two lines.
const SERVICES_PAGE_SIZE_COMPACT = 9;
const BILINGUAL_MS = 6000;
const FIT_MIN_PX = 24;
const SERVICES_PAGE_MS = 10000;
const KNOWN_LIMIT = 5000;

const TEXT = {
  boardName: "叫号信息",
  newestTitle: "正在叫号",
  recall: "重呼",
  call: "叫号",
  pleaseGo: "请到",
  windowAfter: "号窗口",
  noCalls: "请取号后留意叫号",
  recentTitle: "叫号记录",
  recentEmpty: "暂无叫号",
  servicesTitle: "各业务等候人数",
  waiting: "等候",
  people: "人",
  minutes: (m) => `约${m}分钟`,
  noWindow: "暂无窗口办理",
  offline: "网络中断，显示最后状态",
  welcome: "欢迎您",
  placeholderSub: "请取号后在等候区就座，留意叫号屏幕和语音广播",
  noticeLabel: "公告",
  page: (i, n) => `${i}/${n}`,
  dateLocale: "zh-CN",
  dateStyle: { year: "numeric", month: "long", day: "numeric" },
  weekdayStyle: { weekday: "long" },
  // What the voice says for the digits of a ticket number and for a window number.
  digits: "零一二三四五六七八九",
  ten: "十",
  hundred: "百",
  closedText: "今日办理时间已结束",
};

// The English board, shown in turn with the Chinese one when the hall turns bilingual on.
const TEXT_EN = {
  ...TEXT,
  boardName: "Now calling",
  newestTitle: "Now calling",
  recall: "Recall",
  call: "Call",
  pleaseGo: "Please go to",
  windowBefore: " window ",
  windowAfter: "",
  noCalls: "Please take a number and watch for your call",
  recentTitle: "Recent calls",
  recentEmpty: "No calls yet",
  servicesTitle: "Waiting per service",
  waiting: "",
  // Only the count: the English names need the room.
  people: "",
  noWindow: "No window serving now",
  offline: "Network down, showing the last state",
  welcome: "Welcome",
  placeholderSub: "Please take a number, have a seat and watch the screens",
  noticeLabel: "Notice",
  dateLocale: "en-GB",
  closedText: "Closed for today",
};
let T = TEXT;
const serviceName = (chinese, english) => (T === TEXT_EN && english ? english : chinese) ?? "";

const app = {
  board: null,
  boardFailed: false,
  // Calls already seen on the board: only a call not seen before blinks and gets the banner.
  seenCalls: new Set(),
  bannerTimer: 0,
  blinkTimer: 0,
  recentKey: "",
  servicesKey: "",
  servicesPage: 0,
  noticeText: null,
  closedKey: "",
};

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function show(element, visible) {
  element.hidden = !visible;
}

async function getJson(url, timeoutMs) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// ---- header ----

function applyTexts() {
  for (const node of $$("[data-i18n]")) node.textContent = T[node.dataset.i18n];
  document.documentElement.lang = T === TEXT_EN ? "en" : "zh-CN";
}

// A long name is made to fit its box whole, never cut: first on one line a little smaller (down to 80 %), then, where
// the box has room for it, on two lines, shrinking again as far as needed.
function fitText(node) {
  const overflows = () => node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
  const shrink = (floor) => {
    let size = parseFloat(getComputedStyle(node).fontSize);
    while (size > floor && overflows()) {
      size -= 2;
      node.style.fontSize = `${size}px`;
    }
  };
  node.classList.remove("is-wrapped");
  node.style.fontSize = "";
  const full = parseFloat(getComputedStyle(node).fontSize);
  shrink(Math.max(FIT_MIN_PX, full * 0.8));
  if (!overflows()) return;
  node.style.fontSize = "";
  node.classList.add("is-wrapped");
  shrink(FIT_MIN_PX);
}

// Bilingual boards swap language every few seconds; everything with words is drawn again.
function switchLanguage() {
  const next = app.board?.bilingual === true && T === TEXT ? TEXT_EN : TEXT;
  if (next === T) return;
  T = next;
  applyTexts();
  app.recentKey = "";
  app.servicesKey = "";
  renderClock();
  renderHeader();
  renderNewest(app.board?.calling ?? null);
  renderRecent((app.board?.calls ?? []).slice(0, recentCount()));
  renderServices();
  if (app.bannerCall) fillBanner(app.bannerCall);
}

function renderClock() {
  const now = new Date();
  $('[data-testid="clock"]').textContent = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false }).format(now);
  const date = new Intl.DateTimeFormat(T.dateLocale, T.dateStyle).format(now);
  const weekday = new Intl.DateTimeFormat(T.dateLocale, T.weekdayStyle).format(now);
  $('[data-testid="date"]').textContent = `${date} ${weekday}`;
}

function renderHeader() {
  const name = app.board?.hallName ?? "";
  $('[data-testid="hall-name"]').textContent = name;
  for (const node of $$('[data-bind="hallName"]')) node.textContent = name;
  document.title = name ? `${name} · ${T.boardName}` : T.boardName;
  show($('[data-testid="offline-badge"]'), app.boardFailed || (app.board !== null && app.board.link !== "online"));
}

// ---- calls ----

const callKey = (call) => `${call.callId}:${call.isRecall ? "r" : "c"}:${call.at ?? ""}`;
const windowText = (call) => `${T.windowBefore ?? ""}${call.windowNumber ?? ""}${T.windowAfter}`;
// 3号窗口 / window 3, the number in gold.
const windowParts = (call) => [T.windowBefore ?? "", h("span", { class: "window-no", text: String(call.windowNumber ?? "") }), T.windowAfter].filter((p) => p !== "");

function renderNewest(newest) {
  const card = $('[data-testid="newest-call"]');
  $('[data-testid="newest-number"]').textContent = newest?.ticketNumber ?? "";
  const windowNode = $('[data-testid="newest-window"]');
  windowNode.replaceChildren(...(newest ? windowParts(newest) : []));
  const service = $('[data-testid="newest-service"]');
  service.textContent = newest ? serviceName(newest.serviceName, newest.serviceNameEn) : "";

  show($('[data-testid="newest-recall"]'), newest?.isRecall === true);
  show($(".newest-go", card), newest !== null);
  show($(".newest-empty", card), newest === null);
  card.classList.toggle("is-empty", newest === null);
  card.classList.toggle("is-recall", newest?.isRecall === true);
  // Fitted once shown (a hidden line has no size).
  fitText(service);
  fitText($(".newest-go", card));
}

function renderRecent(calls) {
  const key = JSON.stringify(calls.map((c) => [c.callId, c.ticketNumber, c.windowNumber, c.isRecall, c.at]));
  if (key === app.recentKey) return;
  app.recentKey = key;
  const list = $('[data-testid="recent-calls"]');
  list.replaceChildren(
    ...calls.map((call, i) =>
      h(
        "li",
        { class: ["recent-call", i === 0 && "is-latest", call.isRecall && "is-recall"].filter(Boolean).join(" "), "data-call-id": String(call.callId) },
        h("span", { class: "recent-number", text: call.ticketNumber ?? "" }),
        // The narrow strip holds two characters: 重呼, or a recall arrow on the English turn.
        call.isRecall ? h("span", { class: "recent-recall", text: T === TEXT_EN ? "↻" : T.recall }) : null,
        h("span", { class: "recent-window", text: windowText(call) }),
      ),
    ),
  );
  // Newest first, down the first column and on into the second.
  const rows = Math.max(4, Math.ceil(calls.length / 2));
  list.style.setProperty("--rows", String(rows));
  list.dataset.density = rows > 5 ? "compact" : "normal";
  show($(".recent-empty"), calls.length === 0);
}

function announceVisually(call) {
  const card = $('[data-testid="newest-call"]');
  card.classList.remove("is-new");
  // Restart the blink even when it is still running for the previous call.
  void card.offsetWidth;
  card.classList.add("is-new");
  clearTimeout(app.blinkTimer);
  app.blinkTimer = setTimeout(() => card.classList.remove("is-new"), NEWEST_BLINK_MS);

  const banner = $('[data-testid="call-banner"]');
  app.bannerCall = call;
  banner.classList.remove("is-shown");
  show(banner, true);
  fillBanner(call);
  void banner.offsetWidth;
  banner.classList.add("is-shown");
  clearTimeout(app.bannerTimer);
  app.bannerTimer = setTimeout(() => {
    app.bannerCall = null;
    banner.classList.remove("is-shown");
    show(banner, false);
  }, BANNER_MS);
}

function fillBanner(call) {
  const banner = $('[data-testid="call-banner"]');
  $(".banner-label", banner).textContent = call.isRecall ? T.recall : T.call;
  banner.classList.toggle("is-recall", call.isRecall === true);
  $(".banner-number", banner).textContent = call.ticketNumber ?? "";
  $(".banner-window", banner).replaceChildren(...windowParts(call));
  const service = $(".banner-service", banner);
  service.textContent = serviceName(call.serviceName, call.serviceNameEn);
  fitText(service);
  fitText($(".banner-go", banner));
}

const recentCount = () => (Number.isInteger(app.board?.recentCount) && app.board.recentCount > 0 ? app.board.recentCount : 8);

function renderCalls(firstBoard) {
  const calls = Array.isArray(app.board?.calls) ? app.board.calls : [];
  const newest = calls[0] ?? null;
  // 正在叫号 is the newest call whose citizen is still being called: once the window has moved on (in service,
  // finished, absent, transferred) the card empties, while the list below keeps the history.
  renderNewest(app.board?.calling ?? null);
  renderRecent(calls.slice(0, recentCount()));

  // What is on the board when the page opens is old news; only calls that arrive later are flashed.
  const fresh = newest !== null && !app.seenCalls.has(callKey(newest));
  for (const call of calls) app.seenCalls.add(callKey(call));
  trimSet(app.seenCalls);
  if (fresh && !firstBoard) announceVisually(newest);
}

function trimSet(set) {
  if (set.size <= KNOWN_LIMIT) return;
  for (const key of set) {
    set.delete(key);
    if (set.size <= KNOWN_LIMIT / 2) return;
  }
}

// ---- services ----

function renderServices() {
  const services = Array.isArray(app.board?.services) ? app.board.services : [];
  const key = JSON.stringify(services);
  if (key !== app.servicesKey) {
    app.servicesKey = key;
    const list = $('[data-testid="services"]');
    list.replaceChildren(
      ...services.map((service) =>
        h(
          "li",
          { class: "service", "data-service-id": String(service.id) },
          h("span", { class: "service-prefix", text: service.prefix ?? "" }),
          h("span", { class: "service-name", "data-testid": "service-name", text: serviceName(service.name, service.nameEn) }),
          h(
            "span",
            { class: "service-wait" },
            T.waiting ? h("span", { class: "wait-label", text: T.waiting }) : null,
            h("span", { class: "wait-count", "data-testid": "waiting", text: String(service.waiting ?? 0) }),
            T.people ? h("span", { class: "wait-label", text: T.people }) : null,
            // null: no window serves it now, so there is no estimate.
            service.estimatedWaitMinutes === null
              ? h("span", { class: "wait-minutes", "data-testid": "no-window", text: T.noWindow })
              : service.estimatedWaitMinutes > 0
                ? h("span", { class: "wait-minutes", text: T.minutes(service.estimatedWaitMinutes) })
                : null,
          ),
        ),
      ),
    );
    list.dataset.density = services.length <= 4 ? "roomy" : services.length <= 8 ? "normal" : "compact";
  }
  showServicesPage();
}

// More services than fit take turns, a page at a time.
function showServicesPage() {
  const list = $('[data-testid="services"]');
  const items = $$(".service", list);
  const size = list.dataset.density === "compact" ? SERVICES_PAGE_SIZE_COMPACT : SERVICES_PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(items.length / size));
  if (app.servicesPage >= pages) app.servicesPage = 0;
  items.forEach((item, i) => show(item, Math.floor(i / size) === app.servicesPage));
  const pager = $(".services-page");
  pager.textContent = pages > 1 ? T.page(app.servicesPage + 1, pages) : "";
  // Names are fitted once they are on screen (a hidden one has no size).
  for (const name of $$(".service:not([hidden]) .service-name", list)) fitText(name);
}

function nextServicesPage() {
  app.servicesPage += 1;
  showServicesPage();
}

// ---- notice line ----

function renderNotice() {
  const text = typeof app.board?.noticeLine === "string" ? app.board.noticeLine.trim() : "";
  if (text === app.noticeText) return;
  app.noticeText = text;
  const ticker = $(".ticker");
  const node = $('[data-testid="notice-line"]');
  show(ticker, text !== "");
  node.textContent = text;
  node.classList.remove("is-running");
  if (text === "") return;
  // The same speed for a short notice and a long one: the duration follows the distance.
  requestAnimationFrame(() => {
    // The text's left padding is the track's width, so its own width is the whole distance it travels.
    const distance = node.scrollWidth;
    node.style.animationDuration = `${Math.max(8, distance / TICKER_PX_PER_SECOND)}s`;
    node.classList.add("is-running");
  });
}

// ---- outside opening hours ----

// The closed screen covers the board (and the videos stop) until the hall opens; a citizen still being called wakes it.
function renderClosed() {
  const closed = app.board?.closed && typeof app.board.closed.show === "string" && !app.board.calling ? app.board.closed : null;
  const key = closed ? `${closed.show}:${closed.imageUrl ?? ""}` : "";
  if (key === app.closedKey) return;
  app.closedKey = key;
  app.closed = closed !== null;
  const screen = $('[data-testid="closed-screen"]');
  const image = $('[data-testid="closed-image"]');
  show(screen, closed !== null);
  document.body.classList.toggle("is-closed", closed !== null);
  if (closed) {
    screen.dataset.show = closed.show;
    const url = closed.show === "image" && typeof closed.imageUrl === "string" ? closed.imageUrl : "";
    if (url) image.src = url;
    else image.removeAttribute("src");
    show(image, url !== "");
    stopMedia();
    media.key = "";
  }
}

// ---- media ----

const media = { list: [], key: "", index: -1, element: null, item: null, timer: 0, ducked: false, lastTime: -1, lastProgress: 0 };

function mediaVolume() {
  return media.ducked ? DUCK_FACTOR : 1;
}

function duck(on) {
  media.ducked = on;
  if (media.element instanceof HTMLVideoElement) media.element.volume = mediaVolume();
}

function validItems(playlist) {
  return (Array.isArray(playlist) ? playlist : []).filter((item) => item && typeof item.url === "string" && (item.kind === "video" || item.kind === "image"));
}

function updatePlaylist() {
  const list = validItems(app.board?.playlist);
  const key = JSON.stringify(list.map((i) => [i.url, i.kind, i.seconds]));
  if (key === media.key) return;
  media.key = key;
  media.list = list;
  if (list.length === 0) {
    stopMedia();
    return;
  }
  // A changed list never cuts the item on screen short; it takes effect at the next item.
  const at = media.item ? list.findIndex((i) => i.url === media.item.url) : -1;
  if (at >= 0) media.index = at;
  else if (!media.element) playAt(0);
}

// Proof of play: every item shown is reported to the agent (which keeps it on disk and sends it to the server) with
// its start, end and whether it ran to its end; a play cut short (a new list, an error after it started) is
// reported as not completed.
function beginPlay(item) {
  endPlay(false);
  media.playing = { item, startedAt: new Date().toISOString() };
}

function endPlay(completed) {
  const playing = media.playing;
  media.playing = null;
  if (!playing || typeof playing.item.mediaId !== "number") return;
  const play = { mediaId: playing.item.mediaId, startedAt: playing.startedAt, endedAt: new Date().toISOString(), completed };
  const send = (attempt) =>
    fetch("/api/plays", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(play) })
      .then((r) => { if (!r.ok && r.status >= 500) throw new Error(String(r.status)); })
      .catch(() => { if (attempt < 5) setTimeout(() => send(attempt + 1), 2000 * (attempt + 1)); });
  send(0);
}

function stopMedia() {
  endPlay(false);
  clearTimeout(media.timer);
  media.element?.remove();
  media.element = null;
  media.item = null;
  media.index = -1;
  show($('[data-testid="media-placeholder"]'), true);
}

function advance() {
  if (media.list.length === 0) {
    stopMedia();
    return;
  }
  playAt((media.index + 1) % media.list.length);
}

function playAt(index) {
  clearTimeout(media.timer);
  const item = media.list[index];
  media.index = index;
  show($('[data-testid="media-placeholder"]'), false);
  const stage = $(".media-stage");

  // One picture alone stays up; it is not redrawn every few seconds.
  if (item.kind === "image" && media.element instanceof HTMLImageElement && media.item?.url === item.url) {
    media.item = item;
    beginPlay(item);
    media.timer = setTimeout(() => { endPlay(true); advance(); }, imageMs(item));
    return;
  }
  beginPlay(item);

  const old = media.element;
  let element;
  if (item.kind === "video") {
    element = h("video", { class: "media-item", "data-testid": "media", playsinline: true, preload: "auto" });
    element.muted = false;
    element.autoplay = true;
    element.volume = mediaVolume();
    element.addEventListener("ended", () => {
      if (media.element === element) {
        endPlay(true);
        advance();
      }
    });
    element.addEventListener("error", () => {
      console.warn("board: video failed", item.url);
      if (media.element === element) {
        media.playing = null; // never shown: no play to report
        media.timer = setTimeout(advance, MEDIA_RETRY_MS);
      }
    });
    element.addEventListener("timeupdate", () => {
      media.lastProgress = Date.now();
    });
    element.src = item.url;
    media.lastProgress = Date.now();
  } else {
    element = h("img", { class: "media-item", "data-testid": "media", alt: item.title ?? "" });
    element.addEventListener("error", () => {
      console.warn("board: image failed", item.url);
      if (media.element === element) {
        media.playing = null;
        clearTimeout(media.timer);
        media.timer = setTimeout(advance, MEDIA_RETRY_MS);
      }
    });
    element.src = item.url;
    media.timer = setTimeout(() => { endPlay(true); advance(); }, imageMs(item));
  }
  media.element = element;
  media.item = item;
  stage.append(element);
  old?.remove();
  if (element instanceof HTMLVideoElement) startVideo(element, item);
}

function imageMs(item) {
  const seconds = Number(item.seconds);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_IMAGE_SECONDS) * 1000;
}

async function startVideo(video, item) {
  try {
    await video.play();
  } catch (error) {
    if (error?.name !== "NotAllowedError" || media.element !== video) return;
    // Started without --autoplay-policy=no-user-gesture-required: better a silent video than none.
    console.warn("board: sound not allowed, playing muted", item.url);
    video.muted = true;
    await video.play().catch(() => {});
  }
}

// A video that stopped moving (a half-copied file, a decoder hang) gives way to the next item.
function watchVideo() {
  const video = media.element;
  if (!(video instanceof HTMLVideoElement)) return;
  if (Date.now() - media.lastProgress > VIDEO_STALL_MS) {
    console.warn("board: video stalled", media.item?.url);
    advance();
  }
}

// ---- board polling ----

async function pollBoard() {
  const firstBoard = app.board === null;
  try {
    const board = await getJson("/api/board", 5000);
    if (!board || typeof board !== "object") throw new Error("board: not an object");
    app.board = board;
    app.boardFailed = false;
    renderHeader();
    renderCalls(firstBoard);
    renderServices();
    renderNotice();
    renderClosed();
    if (!app.closed) updatePlaylist();
    wakeVoice();
  } catch (error) {
    // Keep the last state on screen; only the badge says so.
    if (!app.boardFailed) console.warn("board: /api/board failed", error);
    app.boardFailed = true;
    renderHeader();
  }
  setTimeout(pollBoard, BOARD_POLL_MS);
}

// ---- voice ----

const voice = {
  queue: [],
  // Keys (seq:callId) of every announcement ever taken, so none is spoken twice.
  known: new Set(),
  after: 0,
  polls: 0,
  wake: null,
  manifest: null,
  manifestUrl: "",
  utterance: null,
};

const announcementKey = (a) => `${a.seq}:${a.callId}`;

async function pollAnnouncements() {
  voice.polls += 1;
  const resync = voice.polls % ANNOUNCE_RESYNC_EVERY === 0;
  try {
    const list = await getJson(`/api/announcements?after=${resync ? 0 : voice.after}`, 5000);
    if (Array.isArray(list)) take(list, resync);
  } catch (error) {
    if (voice.polls % 20 === 1) console.warn("board: /api/announcements failed", error);
  }
  setTimeout(pollAnnouncements, ANNOUNCE_POLL_MS);
}

function take(list, resync) {
  let restarted = false;
  for (const a of [...list].sort((x, y) => x.seq - y.seq)) {
    if (!Number.isInteger(a?.seq)) continue;
    const key = announcementKey(a);
    if (voice.known.has(key)) continue;
    if (resync && a.seq <= voice.after) restarted = true;
    voice.known.add(key);
    voice.queue.push(a);
  }
  const top = list.reduce((m, a) => (Number.isInteger(a?.seq) ? Math.max(m, a.seq) : m), 0);
  voice.after = restarted ? top : Math.max(voice.after, top);
  trimSet(voice.known);
  wakeVoice();
}

function wakeVoice() {
  const wake = voice.wake;
  voice.wake = null;
  wake?.();
}

function waitForWork() {
  return new Promise((resolve) => {
    voice.wake = resolve;
  });
}

// Strictly one call after another: this loop is the only place that speaks.
async function speakLoop() {
  for (;;) {
    // The voice settings come with the board; until it has been read there is nothing to speak with.
    if (voice.queue.length === 0 || app.board === null) {
      await waitForWork();
      continue;
    }
    const a = voice.queue.shift();
    try {
      await announce(a, app.board.voice ?? { source: "none" });
    } catch (error) {
      console.error("board: announcement failed", a.seq, error);
    }
    markDone(a.seq);
    if (voice.queue.length > 0) await sleep(BETWEEN_CALLS_MS);
  }
}

async function markDone(seq) {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      const response = await fetch(`/api/announcements/${seq}/done`, { method: "POST", signal: AbortSignal.timeout(5000) });
      if (response.ok) return;
      // The agent no longer holds it (it restarted): nothing left to acknowledge.
      if (response.status === 404 || response.status === 410) {
        console.warn("board: announcement unknown to the agent", seq);
        return;
      }
    } catch {
      // The agent is away; try again.
    }
    await sleep(wait);
  }
}

async function announce(a, settings) {
  const source = settings.source;
  if (source !== "pack" && source !== "speech") return;
  const repeat = Math.min(5, Math.max(1, Number.isInteger(settings.repeat) ? settings.repeat : 1));
  const volume = Math.min(1, Math.max(0, Number.isFinite(settings.volume) ? settings.volume : 1));
  const words = reading(a, settings.template || "请{number}号到{window}号窗口办理");
  const manifest = source === "pack" ? await loadManifest(settings.packUrl ?? "/voice/") : null;
  duck(true);
  try {
    for (let i = 0; i < repeat; i++) {
      if (i > 0) await sleep(REPEAT_PAUSE_MS);
      if (manifest) await playPack(words, manifest, packBase(settings.packUrl ?? "/voice/"), volume);
      else await speak(words.map((w) => w.say).join(""), volume);
    }
  } finally {
    duck(false);
  }
}

// What is said, word by word. A word is either template text (split later over the pack's phrases) or one
// character of the number, with the pack keys that can voice it.
function reading(a, template) {
  const words = [];
  const parts = template.split(/(\{[a-z]+\})/i);
  for (const part of parts) {
    if (part === "{number}") {
      for (const c of String(a.ticketNumber ?? "").toUpperCase()) {
        if (/[0-9]/.test(c)) words.push({ say: TEXT.digits[Number(c)], keys: [c, TEXT.digits[Number(c)]] });
        else if (/[A-Z]/.test(c)) words.push({ say: c, keys: [c] });
      }
    } else if (part === "{window}") {
      for (const c of chineseNumber(a.windowNumber)) {
        const digit = TEXT.digits.indexOf(c);
        words.push({ say: c, keys: digit >= 0 ? [String(digit), c] : [c] });
      }
    } else if (part === "{service}") {
      words.push({ say: a.serviceName ?? "", text: true });
    } else if (part !== "") {
      words.push({ say: part, text: true });
    }
  }
  return words;
}

// 3 → 三, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
function chineseNumber(n) {
  const d = TEXT.digits;
  if (!Number.isInteger(n) || n < 0) return String(n ?? "");
  if (n < 10) return d[n];
  if (n < 20) return TEXT.ten + (n % 10 ? d[n % 10] : "");
  if (n < 100) return d[Math.floor(n / 10)] + TEXT.ten + (n % 10 ? d[n % 10] : "");
  if (n < 1000) {
    const rest = n % 100;
    const tail = rest === 0 ? "" : rest < 10 ? d[0] + d[rest] : rest < 20 ? d[1] + chineseNumber(rest) : chineseNumber(rest);
    return d[Math.floor(n / 100)] + TEXT.hundred + tail;
  }
  return [...String(n)].map((c) => d[Number(c)]).join("");
}

function packBase(packUrl) {
  return packUrl.endsWith("/") ? packUrl : `${packUrl}/`;
}

async function loadManifest(packUrl) {
  const url = `${packBase(packUrl)}manifest.json`;
  if (voice.manifest && voice.manifestUrl === url) return voice.manifest;
  try {
    const manifest = await getJson(url, 5000);
    if (!manifest || typeof manifest !== "object") throw new Error("not an object");
    voice.manifest = manifest;
    voice.manifestUrl = url;
    return manifest;
  } catch (error) {
    // Without the pack the browser's own voice is the next best thing (it may be silent on Linux).
    console.warn("board: no phrase pack, using speech", url, error);
    return null;
  }
}

// The pack's files in the order they are said. Template text is cut into the longest phrases the pack has
// (号窗口 before 号); anything the pack cannot say is left out.
function packFiles(words, manifest) {
  const phrases = Object.keys(manifest).sort((x, y) => y.length - x.length);
  const files = [];
  for (const word of words) {
    if (!word.text) {
      const key = word.keys.find((k) => typeof manifest[k] === "string");
      if (key) files.push(manifest[key]);
      else console.warn("board: the pack cannot say", word.say);
      continue;
    }
    const text = word.say;
    for (let i = 0; i < text.length; ) {
      const phrase = phrases.find((p) => p !== "" && text.startsWith(p, i) && typeof manifest[p] === "string");
      if (phrase) {
        files.push(manifest[phrase]);
        i += phrase.length;
      } else {
        if (text[i].trim() !== "") console.warn("board: the pack cannot say", text[i]);
        i += 1;
      }
    }
  }
  return files;
}

async function playPack(words, manifest, base, volume) {
  for (const file of packFiles(words, manifest)) await playSegment(base + file, volume);
}

// Resolves when the segment has ended, failed, or hung for 10 s — never rejects, so one bad file cannot stop the queue.
function playSegment(url, volume) {
  return new Promise((resolve) => {
    let settled = false;
    let audio = null;
    const finish = (problem) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      if (problem) {
        console.warn("board: segment skipped", url, problem);
        try {
          audio?.pause();
        } catch {
          // Nothing more to stop.
        }
      }
      resolve();
    };
    const guard = setTimeout(() => finish("not ended after 10 s"), SEGMENT_GUARD_MS);
    try {
      audio = new Audio(url);
      audio.volume = volume;
      audio.addEventListener("ended", () => finish(null));
      audio.addEventListener("error", () => finish("error"));
      Promise.resolve(audio.play()).catch((error) => finish(error?.name ?? "play() rejected"));
    } catch (error) {
      finish(error?.name ?? "no audio");
    }
  });
}

function pickVoice(voices) {
  const zh = (v) => (v.lang ?? "").replace("_", "-").toLowerCase();
  return voices.find((v) => zh(v) === "zh-cn") ?? voices.find((v) => zh(v).startsWith("zh-hans") || zh(v).startsWith("cmn")) ?? null;
}

function speak(text, volume) {
  return new Promise((resolve) => {
    const synth = window.speechSynthesis;
    if (!synth || typeof window.SpeechSynthesisUtterance !== "function") {
      console.warn("board: no speechSynthesis");
      resolve();
      return;
    }
    let settled = false;
    const finish = (problem) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      voice.utterance = null;
      if (problem) console.warn("board: speech", problem, text);
      resolve();
    };
    // Long enough for a slow voice to finish; a silent engine that never ends must not hold the queue.
    const guard = setTimeout(() => {
      finish("did not end");
      try {
        synth.cancel();
      } catch {
        // Nothing more to stop.
      }
    }, Math.min(30000, 5000 + 500 * text.length));
    try {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN";
      const chosen = pickVoice(synth.getVoices?.() ?? []);
      if (chosen) u.voice = chosen;
      u.volume = volume;
      u.addEventListener("end", () => finish(null));
      u.addEventListener("error", (e) => finish(e?.error ?? "error"));
      // Chromium drops an utterance nobody holds on to, and its end event with it.
      voice.utterance = u;
      synth.speak(u);
    } catch (error) {
      finish(error?.name ?? "speak failed");
    }
  });
}

// ---- start ----

function start() {
  applyTexts();
  renderClock();
  renderHeader();
  renderNewest(null);
  show($('[data-testid="media-placeholder"]'), true);
  setInterval(renderClock, 1000);
  setInterval(watchVideo, 5000);
  setInterval(nextServicesPage, SERVICES_PAGE_MS);
  setInterval(switchLanguage, BILINGUAL_MS);
  pollBoard();
  pollAnnouncements();
  speakLoop();
}

start();
