// The kiosk's touch page: plain ES module, no framework. The agent (same origin) serves /api/state (with the ID card
// laid on the reader, if any), /api/items and /api/tickets; this file only shows what they say and never invents a ticket.
// The 大字 button in the header (every screen but the attract one, which any touch leaves) switches large type and a
// high-contrast theme (white and yellow on black, ≥ 7:1) for the citizen at the kiosk; it resets when the kiosk goes
// back to idle, like the language.
// The 语音引导 switch beside it: spoken guidance for elderly and blind citizens, in Chinese, with the hall's recorded
// voice pack (the board's). Said once a visit on the first touch (欢迎光临…) and after a ticket (您的号码是 A012，请取走您的号票
// — or the photo phrase when no paper came out). A sentence the pack cannot say whole is given to the browser's zh-CN
// voice when it has one, else nothing is said. The switch starts as the kiosk's Kiosk:Voice:Guidance and returns to it
// when the kiosk goes idle.

const PRIORITIES = ["Normal", "Elderly", "Disabled", "Military", "Pregnant"];
const POLL_MS = 2000;
// With an ID card reader the state (which carries a card laid on it) is asked for more often, so the card shows at once.
const CARD_POLL_MS = 500;
const RETRY_MS = 1000;
const SEARCH_DEBOUNCE_MS = 200;
const TICKET_TIMEOUT_MS = 20000;
// A second touch this close in time and place to the touch that changed the screen is the same touch
// (an elderly double tap), not a press on whatever the new screen has there. Mouse clicks are taken as they come.
const DOUBLE_TAP_MS = 500;
const DOUBLE_TAP_PX = 60;
const KEY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

const TEXT = {
  zh: {
    kioskName: "自助取号机",
    langToggleLabel: "Switch to English",
    accessToggle: "大字",
    accessToggleLabel: "大字和高对比度显示",
    voiceToggle: "语音引导",
    voiceToggleLabel: "语音引导（朗读提示）",
    homeTitle: "请选择要办理的业务",
    homeLead: "轻触业务名称即可取号",
    servicesEmpty: "正在读取业务信息…",
    openSearch: "按办事事项查找",
    openSearchSub: "不清楚选哪项？按事项名称查找",
    waiting: (n, m) => (m == null ? (n === 0 ? "暂无窗口办理" : `等候 ${n} 人 · 暂无窗口办理`) : n === 0 ? "现在无人等候" : m > 0 ? `等候 ${n} 人 · 约 ${m} 分钟` : `等候 ${n} 人`),
    notOpen: "未到办理时间",
    capReached: "今日号源已满",
    back: "返回",
    searchTitle: "按办事事项查找",
    searchPlaceholder: "请输入拼音、首字母或事项名称",
    searchHint: "输入拼音或首字母，如 shebao 或 sb，再点选汉字",
    searchStart: "请用下方键盘输入，查到的事项会显示在这里",
    searchNone: "没有找到相关事项，请换个字母试试，或到服务台咨询",
    searchFailed: "暂时无法查询，请稍后再试",
    keyBack: "退格",
    keyClear: "清空",
    itemTitle: "事项详情",
    department: "办理部门",
    service: "所属业务",
    materials: "办理所需材料",
    materialsNone: "请到窗口咨询所需材料",
    materialsNote: "材料不全也可先取号，窗口工作人员会告诉您怎么办。",
    itemTake: "取号办理",
    confirmTitle: "确认取号",
    confirmService: "办理业务",
    priorityTitle: "如属以下人群，可选择优先办理",
    priority: { Normal: "普通", Elderly: "70岁以上老人", Disabled: "残疾人", Military: "军人", Pregnant: "孕妇" },
    priorityNote: "优先号请如实选择，窗口将核验相关证件",
    mobileOpen: "短信提醒（可选）",
    takeTicket: "取号",
    issuing: "正在出票，请稍候…",
    issuingScreen: "正在取号，请稍候…",
    screenNote: "本机暂不打印纸质号票，取号后号码显示在屏幕上",
    mobileTitle: "短信提醒",
    mobileLead: "快轮到您时发短信提醒您，号码仅用于本次提醒。",
    mobilePrompt: "请输入 11 位手机号码",
    mobileDelete: "删除",
    mobileOk: "确定",
    mobileSkip: "不需要短信提醒",
    idOpen: "登记身份证号（可选）",
    idTitle: "身份证号",
    idLead: "登记后窗口可直接调取您的信息。号码加密保存，号票和屏幕上不显示。",
    idPrompt: "请输入 18 位身份证号码",
    idWrong: "号码有误，请核对后重新输入",
    idOk: "确定",
    idSkip: "不登记",
    idResult: (m) => `已登记身份证 ${m}`,
    cardRead: (m) => `已读取身份证 ${m}`,
    checkInOpen: "预约签到",
    checkInOpenSub: "输入预约码、扫码或放身份证",
    checkInTitle: "预约签到",
    checkInLead: "请输入 8 位预约码，或将预约二维码对准扫码口，或在读卡器上放身份证",
    codePrompt: "请输入预约码",
    checkInById: "输入身份证号签到",
    checkInOk: "签到取号",
    checkingIn: "正在签到，请稍候…",
    bookingResult: (s, e) => `预约 ${s}–${e} · 已签到`,
    bookingLate: (s) => `${s} 的预约已过签到时间，按现场号排队`,
    yourNumber: "您的号码",
    ahead: (n) => `前面还有 ${n} 人`,
    wait: (m) => (m == null ? "暂无窗口办理" : m > 0 ? `预计等候约 ${m} 分钟` : "请留意叫号"),
    priorityMark: (label) => `优先 · ${label}`,
    mobileResult: (m) => `快轮到您时将短信提醒 ${m}`,
    takeYourTicket: "请取走您的号票",
    noPaper: "本机未打印纸质号票",
    photograph: "请用手机拍下本屏幕，记住您的号码",
    scanToFollow: "扫描二维码，在手机上查看排队进度",
    orType: "或在手机浏览器中输入：",
    watchScreen: "请到等候区就座，留意叫号屏幕和语音广播",
    done: (s) => `完成（${s} 秒后自动返回）`,
    oosMessage: "暂停取号，请到服务台咨询",
    oosOther: "Paused. Please ask at the service desk.",
    oosNoLink: "取号机正在恢复连接",
    dialogOk: "知道了",
    issueFailed: "出票没有完成。如出票口有号票请取走；如没有，请重新取号或到服务台咨询。",
    dateLocale: "zh-CN",
    dateStyle: { month: "long", day: "numeric", weekday: "long" },
  },
  en: {
    kioskName: "Self-service tickets",
    langToggleLabel: "切换到中文",
    accessToggle: "Large",
    accessToggleLabel: "Large text and high contrast",
    voiceToggle: "Voice",
    voiceToggleLabel: "Spoken guidance",
    homeTitle: "Choose a service",
    homeLead: "Touch a service to take a number",
    servicesEmpty: "Loading services…",
    openSearch: "Search by task",
    openSearchSub: "Not sure? Search for your task",
    waiting: (n, m) => (m == null ? (n === 0 ? "No window is serving this now" : `${n} waiting · No window is serving this now`) : n === 0 ? "No one waiting" : m > 0 ? `${n} waiting · ${m} min` : `${n} waiting`),
    notOpen: "Not open now",
    capReached: "Full for today",
    back: "Back",
    searchTitle: "Search by task",
    searchPlaceholder: "Pinyin, initials or name",
    searchHint: "Type pinyin or initials, e.g. shebao or sb, then tap the Chinese word",
    searchStart: "Type with the keyboard below; matching tasks appear here",
    searchNone: "Nothing found. Try other letters, or ask at the service desk",
    searchFailed: "Search is unavailable right now. Please try again later",
    keyBack: "Delete",
    keyClear: "Clear",
    itemTitle: "Task details",
    department: "Department",
    service: "Service",
    materials: "What to bring",
    materialsNone: "Please ask at the window what to bring",
    materialsNote: "You may take a number even if something is missing; the clerk will help you.",
    itemTake: "Take a number",
    confirmTitle: "Confirm",
    confirmService: "Service",
    priorityTitle: "Priority, if it applies to you",
    priority: { Normal: "Regular", Elderly: "Aged 70+", Disabled: "Disability", Military: "Military", Pregnant: "Pregnant" },
    priorityNote: "Choose priority only if it applies; the window will check your papers",
    mobileOpen: "Text reminder (optional)",
    takeTicket: "Take number",
    issuing: "Printing your ticket, please wait…",
    issuingScreen: "Taking your number, please wait…",
    screenNote: "No paper tickets now: your number is shown on this screen",
    mobileTitle: "Text reminder",
    mobileLead: "We will text you when your turn is near. The number is used only for this reminder.",
    mobilePrompt: "Enter an 11-digit mobile number",
    mobileDelete: "Delete",
    mobileOk: "OK",
    mobileSkip: "No reminder",
    idOpen: "Resident ID number (optional)",
    idTitle: "Resident ID number",
    idLead: "The window can then find your records at once. The number is kept encrypted and never printed or shown.",
    idPrompt: "Enter the 18-character ID number",
    idWrong: "This number is not valid; please check it and enter it again",
    idOk: "OK",
    idSkip: "Skip",
    idResult: (m) => `ID registered: ${m}`,
    cardRead: (m) => `ID card read: ${m}`,
    checkInOpen: "Check in a booking",
    checkInOpenSub: "Code, QR code or ID card",
    checkInTitle: "Check in a booking",
    checkInLead: "Type the 8-character booking code, hold its QR code to the scanner, or lay your ID card on the reader",
    codePrompt: "Booking code",
    checkInById: "Check in by ID number",
    checkInOk: "Check in",
    checkingIn: "Checking in, please wait…",
    bookingResult: (s, e) => `Booked ${s}–${e} · checked in`,
    bookingLate: (s) => `Too late for the ${s} booking: queued as a walk-in`,
    yourNumber: "Your number",
    ahead: (n) => `${n} ahead of you`,
    wait: (m) => (m == null ? "No window is serving this now" : m > 0 ? `About ${m} min wait` : "Please watch for your number"),
    priorityMark: (label) => `Priority · ${label}`,
    mobileResult: (m) => `We will text ${m} when your turn is near`,
    takeYourTicket: "Please take your ticket",
    noPaper: "No paper ticket was printed",
    photograph: "Please photograph this screen",
    scanToFollow: "Scan to follow the queue on your phone",
    orType: "Or type this address:",
    watchScreen: "Please take a seat and watch the screens and announcements",
    done: (s) => `Done (back in ${s} s)`,
    oosMessage: "Ticketing paused. Please ask at the service desk",
    oosOther: "暂停取号，请到服务台咨询",
    oosNoLink: "This kiosk is reconnecting",
    dialogOk: "OK",
    issueFailed: "Printing did not finish. If a ticket came out, please take it; if not, try again or ask at the service desk.",
    dateLocale: "en-GB",
    dateStyle: { month: "short", day: "numeric", weekday: "short" },
  },
};

const app = {
  lang: "zh",
  // Large text and high contrast, for this citizen only: back to normal when the kiosk goes idle.
  large: false,
  // The 语音引导 switch as this citizen set it; null: the kiosk's default (state.voice.guidance).
  voiceOn: null,
  // The welcome has been said this visit.
  welcomed: false,
  state: null,
  stateFailed: false,
  // Set by a 503 from /api/tickets: out of service until a later /api/state says otherwise.
  latch: null,
  screen: "home",
  service: null,
  item: null,
  priority: "Normal",
  mobile: "",
  idNumber: "",
  // The number of the ID card laid on the reader for this citizen: every ticket flow starts with it until one is taken.
  cardId: "",
  // The reader's last placement the page took (the agent numbers each new placement of a card).
  cardSeq: 0,
  typed: "",
  busy: false,
  ticket: null,
  query: "",
  results: [],
  candidates: [],
  searchStatus: "start",
  lastTouch: Date.now(),
  resultEndsAt: 0,
  switchTap: null,
  lastTap: null,
  homeKey: "",
  // What the ID keypad is for: "ticket" (the number goes on a walk-in ticket) or "checkin" (a booking is looked up by it).
  idPurpose: "ticket",
  // Keys typed by the QR scanner (it acts as a keyboard) since its last Enter.
  scanned: "",
  scannedAt: 0,
};

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const t = (key) => TEXT[app.lang][key];

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

// ---- screens ----

const idleScreens = new Set(["home", "search", "item", "confirm", "mobile", "idcard", "checkin"]);

function showScreen(name) {
  app.screen = name;
  for (const screen of $$("[data-screen]")) show(screen, screen.dataset.screen === name);
  show($(".topbar"), name !== "attract");
  app.switchTap = app.lastTap;
  app.lastTouch = Date.now();
  render();
  const input = $('[data-testid="search-input"]');
  if (name === "search") input.focus({ preventScroll: true });
  else if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  $(`[data-screen="${name}"]`).scrollTop = 0;
}

function isOutOfService() {
  return app.stateFailed || app.latch !== null || app.state?.outOfService === true;
}

function resetFlow() {
  app.service = null;
  app.item = null;
  app.priority = "Normal";
  app.mobile = "";
  app.idNumber = app.cardId;
  app.typed = "";
  app.idPurpose = "ticket";
  app.ticket = null;
  app.query = "";
  app.results = [];
  app.candidates = [];
  app.searchStatus = "start";
  $('[data-testid="search-input"]').value = "";
}

function goHome() {
  showScreen(isOutOfService() ? "out-of-service" : "home");
}

// A new citizen starts in Chinese, in normal type, with nothing chosen.
function startOver(screen) {
  closeDialog();
  app.cardId = "";
  resetFlow();
  setLang("zh");
  setLarge(false);
  setVoice(null);
  app.welcomed = false;
  if (screen === "attract" && !isOutOfService()) showScreen("attract");
  else goHome();
}

function render() {
  renderHeader();
  renderCardRead();
  switch (app.screen) {
    case "home": renderHome(); break;
    case "search": renderSearch(); break;
    case "item": renderItem(); break;
    case "confirm": renderConfirm(); break;
    case "mobile": renderMobile(); break;
    case "idcard": renderIdCard(); break;
    case "checkin": renderCheckIn(); break;
    case "result": renderResult(); break;
    case "out-of-service": renderOutOfService(); break;
    default: break;
  }
}

// ---- language, large text and clock ----

function setLarge(on) {
  app.large = on;
  document.body.classList.toggle("is-large", on);
  $('[data-testid="access-toggle"]').setAttribute("aria-pressed", on ? "true" : "false");
  app.homeKey = "";
}

function setLang(lang) {
  if (app.lang === lang) return;
  app.lang = lang;
  applyTexts();
  render();
}

function applyTexts() {
  document.documentElement.lang = app.lang === "zh" ? "zh-CN" : "en";
  document.title = t("kioskName");
  for (const node of $$("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  // Long headings break after their first clause rather than leave one character on a line.
  for (const node of $$("[data-i18n-lines]")) {
    node.replaceChildren(...t(node.dataset.i18n).split(/(?<=[，。,.]\s?)(?!\s)/u).map((part) => h("span", { class: "line", text: part })));
  }
  for (const node of $$("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of $$("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  document.body.dataset.lang = app.lang;
  $(".lang-toggle").setAttribute("aria-pressed", app.lang === "en" ? "true" : "false");
  app.homeKey = "";
}

function renderHeader() {
  $('[data-testid="voice-toggle"]').setAttribute("aria-pressed", voiceOn() ? "true" : "false");
  const name = app.state?.hallName ?? "";
  for (const node of $$('[data-bind="hallName"]')) if (node.textContent !== name) node.textContent = name;
  // Fitted again whenever the name, the language (the buttons beside it) or the 大字 theme changed its room.
  const key = `${name}|${app.lang}|${document.body.className}`;
  if (app.hallNameKey !== key) {
    app.hallNameKey = key;
    fitHallName($('[data-testid="hall-name"]'));
  }
  const now = new Date();
  const date = new Intl.DateTimeFormat(t("dateLocale"), t("dateStyle")).format(now);
  const time = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false }).format(now);
  for (const node of $$('[data-bind="date"]')) node.textContent = date;
  for (const node of $$('[data-bind="time"]')) node.textContent = time;
}

// The hall's name whole, never cut: on one line a little smaller (down to 36px), else on two lines, smaller as needed.
function fitHallName(node) {
  const wide = () => node.scrollWidth > node.clientWidth + 1;
  const tall = () => node.scrollHeight > node.clientHeight + 1;
  const shrink = (floor, over) => {
    let size = parseFloat(getComputedStyle(node).fontSize);
    while (size > floor && over()) {
      size -= 2;
      node.style.fontSize = `${size}px`;
    }
  };
  // 自助取号机 under the name only while it fits whole beside the buttons; the hall's name matters more.
  const sub = $(".topbar-sub");
  sub.hidden = false;
  sub.hidden = sub.scrollWidth > sub.clientWidth + 1;
  node.classList.remove("is-wrapped");
  node.style.fontSize = "";
  shrink(36, wide);
  if (!wide()) return;
  node.style.fontSize = "";
  node.classList.add("is-wrapped");
  shrink(24, () => wide() || tall());
}

// ---- home ----

function serviceById(id) {
  return app.state?.services?.find((s) => s.id === id) ?? null;
}

// A service's name in the page's language: the English one in English mode when the hall has set it.
function nameOf(service, fallback = "") {
  if (!service) return fallback;
  return app.lang === "en" && service.nameEn ? service.nameEn : service.name;
}

function unavailableReason(service) {
  if (!service) return null;
  if (service.capReached) return t("capReached");
  if (!service.openNow) return t("notOpen");
  return null;
}

function renderHome() {
  show($('[data-testid="screen-note"]'), app.state?.screenTickets === true);
  show($('[data-testid="open-checkin"]'), app.state?.checkIn === true);
  const services = app.state?.services ?? [];
  const key = app.lang + JSON.stringify(services);
  if (key === app.homeKey) return;
  app.homeKey = key;
  const list = $('[data-testid="services"]');
  list.replaceChildren(
    ...services.map((service) => {
      const reason = unavailableReason(service);
      const status = reason ?? t("waiting")(service.waiting, service.estimatedWaitMinutes);
      return h(
        "button",
        {
          type: "button",
          class: "service",
          "data-service-id": String(service.id),
          disabled: reason !== null,
          "aria-label": `${nameOf(service)}，${service.prefix}，${status}`,
        },
        h("span", { class: "service-prefix", text: service.prefix, "aria-hidden": "true" }),
        h("span", { class: "service-name", text: nameOf(service) }),
        reason !== null
          ? h("span", { class: "service-reason", "data-testid": "service-reason", text: reason })
          : h("span", { class: "service-wait", "data-testid": "service-wait", text: status }),
      );
    }),
  );
  // Many services: smaller cards first, then scrolling with a faded edge that says there is more.
  list.dataset.density = services.length > 12 ? "dense" : services.length > 8 ? "compact" : "normal";
  requestAnimationFrame(markScrollable);
  show($('[data-testid="services-empty"]'), services.length === 0);
}

function markScrollable() {
  const list = $('[data-testid="services"]');
  list.classList.toggle("has-more", list.scrollTop + list.clientHeight < list.scrollHeight - 4);
}

function chooseService(id) {
  const service = serviceById(id);
  if (!service || unavailableReason(service) !== null) return;
  resetFlow();
  app.service = service;
  showScreen("confirm");
}

// ---- search ----

let searchTimer = 0;
let searchSeq = 0;

function setQuery(value) {
  const input = $('[data-testid="search-input"]');
  if (input.value !== value) input.value = value;
  scheduleSearch();
}

function scheduleSearch() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, SEARCH_DEBOUNCE_MS);
}

async function runSearch() {
  const q = $('[data-testid="search-input"]').value.trim();
  const seq = ++searchSeq;
  app.query = q;
  if (q === "") {
    app.results = [];
    app.candidates = [];
    app.searchStatus = "start";
    renderSearch();
    return;
  }
  try {
    const [items, candidates] = await Promise.all([
      getJson(`/api/items?q=${encodeURIComponent(q)}`, 8000),
      getJson(`/api/candidates?q=${encodeURIComponent(q)}`, 8000),
    ]);
    if (seq !== searchSeq) return;
    app.results = Array.isArray(items) ? items : [];
    app.candidates = Array.isArray(candidates) ? candidates : [];
    app.searchStatus = app.results.length === 0 ? "none" : "found";
  } catch {
    if (seq !== searchSeq) return;
    app.results = [];
    app.candidates = [];
    app.searchStatus = "failed";
    pollNow();
  }
  renderSearch();
}

function renderSearch() {
  const list = $('[data-testid="search-results"]');
  list.replaceChildren(
    ...app.results.map((item) =>
      h(
        "button",
        { type: "button", class: "result-row", "data-item-id": String(item.id) },
        h("span", { class: "row-name", text: item.name }),
        h("span", { class: "row-meta", text: [item.department, nameOf(serviceById(item.serviceId), item.serviceName)].filter(Boolean).join(" · ") }),
      ),
    ),
  );
  // The candidate row: Chinese words of the catalogue the typed letters spell, tapped instead of typing Chinese.
  const candidates = $('[data-testid="candidates"]');
  candidates.replaceChildren(
    ...app.candidates.map((word) => h("button", { type: "button", class: "candidate", "data-candidate": word, lang: "zh-CN", text: word })),
  );
  show(candidates, app.candidates.length > 0);
  const status = $('[data-testid="search-status"]');
  const messages = { start: t("searchStart"), none: t("searchNone"), failed: t("searchFailed"), found: "" };
  status.textContent = messages[app.searchStatus];
  show(status, app.searchStatus !== "found");
  for (const key of $$("[data-key]", $(".keyboard"))) {
    if (key.dataset.key === "back") key.textContent = t("keyBack");
    if (key.dataset.key === "clear") key.textContent = t("keyClear");
  }
}

function buildKeyboard() {
  const rows = KEY_ROWS.map((letters) =>
    h("div", { class: "key-row" }, ...[...letters].map((c) => h("button", { type: "button", class: "key", "data-key": c, text: c.toUpperCase(), "aria-label": c }))),
  );
  rows.push(
    h(
      "div",
      { class: "key-row" },
      h("button", { type: "button", class: "key key-wide key-muted", "data-key": "clear", text: t("keyClear") }),
      h("button", { type: "button", class: "key key-wide key-muted", "data-key": "back", text: t("keyBack") }),
    ),
  );
  $(".keyboard").replaceChildren(...rows);
}

function pressKey(key) {
  const value = $('[data-testid="search-input"]').value;
  if (key === "back") setQuery([...value].slice(0, -1).join(""));
  else if (key === "clear") setQuery("");
  else if (value.length < 20) setQuery(value + key);
}

// The letters typed since the last Chinese are replaced by the word tapped: "社保k" + 卡 → "社保卡".
function pickCandidate(word) {
  const value = $('[data-testid="search-input"]').value;
  setQuery((value.replace(/[a-z]+$/u, "") + word).slice(0, 20));
}

function chooseItem(id) {
  const item = app.results.find((i) => i.id === id);
  if (!item) return;
  app.item = item;
  app.service = null;
  showScreen("item");
}

// ---- item ----

function itemService() {
  return app.item ? serviceById(app.item.serviceId) : null;
}

function renderItem() {
  const item = app.item;
  if (!item) return;
  $('[data-testid="item-name"]').textContent = item.name;
  $('[data-testid="item-department"]').textContent = item.department ?? "";
  $('[data-testid="item-service"]').textContent = nameOf(itemService(), item.serviceName ?? "");
  const materials = item.materials ?? [];
  $('[data-testid="item-materials"]').replaceChildren(
    ...(materials.length > 0 ? materials.map((m) => h("li", { text: m })) : [h("li", { class: "materials-none", text: t("materialsNone") })]),
  );
  const reason = unavailableReason(itemService());
  const reasonNode = $('[data-testid="item-reason"]');
  reasonNode.textContent = reason ?? "";
  show(reasonNode, reason !== null);
  $('[data-testid="item-take"]').disabled = reason !== null;
}

// ---- confirm ----

function chosenService() {
  return app.item ? itemService() : app.service && (serviceById(app.service.id) ?? app.service);
}

function renderConfirm() {
  const service = chosenService();
  const serviceName = nameOf(service, app.item?.serviceName ?? "");
  $('[data-testid="confirm-service"]').textContent = serviceName;
  const itemNode = $('[data-testid="confirm-item"]');
  itemNode.textContent = app.item?.name ?? "";
  show(itemNode, app.item !== null);

  const priority = $('[data-testid="priority"]');
  const acceptsPriority = service?.acceptsPriority === true;
  if (!acceptsPriority) app.priority = "Normal";
  show(priority, acceptsPriority);
  $(".priority-chips", priority).replaceChildren(
    ...PRIORITIES.map((p) =>
      h("button", {
        type: "button",
        class: "chip",
        role: "radio",
        "data-priority": p,
        "aria-checked": app.priority === p ? "true" : "false",
        text: t("priority")[p],
        disabled: app.busy,
      }),
    ),
  );

  const mobileOpen = $('[data-testid="mobile-open"]');
  show(mobileOpen, app.state?.noticeEnabled === true);
  $('[data-testid="mobile-masked"]').textContent = app.mobile ? mask(app.mobile) : "";
  mobileOpen.classList.toggle("is-set", app.mobile !== "");
  $('[data-testid="idcard-masked"]').textContent = app.idNumber ? maskId(app.idNumber) : "";
  $('[data-testid="idcard-open"]').classList.toggle("is-set", app.idNumber !== "");

  const reason = unavailableReason(service);
  const reasonNode = $('[data-testid="confirm-reason"]');
  reasonNode.textContent = reason ?? "";
  show(reasonNode, reason !== null && !app.busy);
  const onScreen = app.state?.screenTickets === true;
  const issuing = $('[data-testid="issuing"]');
  issuing.textContent = t(onScreen ? "issuingScreen" : "issuing");
  show(issuing, app.busy);
  for (const button of $$("button", $('[data-screen="confirm"]'))) button.disabled = app.busy;
  $('[data-testid="take-ticket"]').disabled = app.busy || reason !== null;
  $('[data-screen="confirm"]').setAttribute("aria-busy", app.busy ? "true" : "false");
}

async function takeTicket() {
  if (app.busy) return;
  const serviceId = app.item?.serviceId ?? app.service?.id ?? null;
  const body = {
    serviceId,
    serviceItemId: app.item?.id ?? null,
    priority: app.priority,
    mobile: app.state?.noticeEnabled && app.mobile ? app.mobile : null,
    idNumber: app.idNumber || null,
  };
  await post("/api/tickets", body, renderConfirm);
}

// Asks the agent for a ticket (a walk-in's, or a booking's at check-in) and shows what it says: the ticket, the kiosk out of
// service, or the refusal in a dialog. Returns the refusal's code, or null when a ticket came.
async function post(url, body, rerender, keepRefusal = () => false) {
  app.busy = true;
  $(".lang-toggle").disabled = true;
  rerender();
  let response = null;
  let answer = null;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TICKET_TIMEOUT_MS),
    });
    answer = await response.json().catch(() => null);
  } catch {
    response = null;
  }
  app.busy = false;
  $(".lang-toggle").disabled = false;

  if (response?.ok && answer?.number) {
    app.ticket = answer;
    // The card lying on the reader served this ticket; the next one needs it laid again.
    app.cardId = "";
    // A ticket on the screen only stays long enough to photograph.
    const seconds = answer.printed === false ? app.state?.screenTicketSeconds ?? 60 : app.state?.resultSeconds ?? 15;
    app.resultEndsAt = Date.now() + seconds * 1000;
    showScreen("result");
    sayTicket(answer);
    return null;
  }
  const error = answer?.error ?? null;
  if (response?.status === 503) {
    app.latch = { reason: error, seq: pollSeq };
    pollNow();
    closeDialog();
    resetFlow();
    showScreen("out-of-service");
    return "out_of_service";
  }
  pollNow();
  if (error && keepRefusal(error.code)) {
    rerender();
    return error.code;
  }
  resetFlow();
  goHome();
  openDialog(error ? error[app.lang] || error.zh || error.en : t("issueFailed"));
  return error?.code ?? "failed";
}

// ---- 预约签到 ----

// The booking code's characters (no 0/O, 1/I/L), as the server draws them.
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
// Screens on which a card laid on the reader, or a QR held to the scanner, checks in a booking first.
const checkInScreens = new Set(["attract", "home", "checkin", "result"]);
// Refusals that only mean "no booking to check in": the card's number then goes on a walk-in ticket, as before.
const NO_BOOKING = new Set(["no_booking_today", "booking_cancelled"]);

// A code as typed or scanned (with a dash, in lower case, or the booking page's link): its 8 characters, or "" when none.
function bookingCode(text) {
  let code = text.trim();
  if (code.includes("/")) code = code.split(/[?#]/)[0].replace(/\/+$/, "").split("/").pop();
  code = code.replace(/[-\s]/g, "").toUpperCase();
  return code.length === 8 && [...code].every((c) => CODE_ALPHABET.includes(c)) ? code : "";
}

function buildCodeKeypad() {
  $('[data-testid="checkin-keypad"]').replaceChildren(...keypad([...CODE_ALPHABET, "delete"], "data-code-key", "checkin-delete"));
}

function renderCheckIn() {
  const display = $('[data-testid="checkin-display"]');
  const typed = app.typed;
  display.textContent = typed === "" ? t("codePrompt") : typed.length > 4 ? `${typed.slice(0, 4)}-${typed.slice(4)}` : typed;
  display.classList.toggle("is-empty", typed === "");
  for (const button of $$("[data-code-key]")) button.disabled = app.busy || typed.length >= 8;
  $('[data-testid="checkin-ok"]').disabled = app.busy || typed.length !== 8;
  $('[data-testid="checkin-id"]').disabled = app.busy;
  const busy = $('[data-testid="checkin-busy"]');
  busy.textContent = t("checkingIn");
  show(busy, app.busy);
}

// Checks in by code or ID number. A card's number with no booking today goes on to a walk-in ticket, as a card did before.
async function checkIn(body, byCard = false) {
  if (app.busy) return;
  if (app.screen !== "checkin" && app.screen !== "home") showScreen("home");
  const refused = await post("/api/checkin", body, render, (code) => byCard && NO_BOOKING.has(code));
  if (refused && byCard && NO_BOOKING.has(refused) && app.screen === "checkin") showScreen("home");
}

// The QR scanner types the booking page's link and Enter, fast, as a keyboard would: taken on the screens a visit starts on.
function onScannerKey(event) {
  if (event.target === $('[data-testid="search-input"]') || !checkInScreens.has(app.screen) || app.state?.checkIn !== true) return;
  const now = Date.now();
  if (now - app.scannedAt > 1000) app.scanned = "";
  app.scannedAt = now;
  if (event.key === "Enter") {
    const code = bookingCode(app.scanned);
    app.scanned = "";
    if (code && !app.busy && !isOutOfService()) {
      event.preventDefault();
      if (app.screen === "attract" || app.screen === "result") startOver("home");
      checkIn({ code });
    }
  } else if (event.key.length === 1) app.scanned += event.key;
}

function mask(mobile) {
  return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
}

// ---- mobile and ID keypads ----

function keypad(keys, keyAttribute, deleteTestId) {
  return keys.map((k) => {
    if (k === "") return h("span", { class: "keypad-gap", "aria-hidden": "true" });
    if (k === "delete") return h("button", { type: "button", class: "digit digit-delete", "data-testid": deleteTestId, "data-i18n": "mobileDelete", text: t("mobileDelete") });
    return h("button", { type: "button", class: "digit", [keyAttribute]: k, text: k });
  });
}

function buildKeypad() {
  const digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
  $('[data-testid="keypad"]').replaceChildren(...keypad([...digits, "delete", "0", ""], "data-digit", "mobile-delete"));
  $('[data-testid="idcard-keypad"]').replaceChildren(...keypad([...digits, "X", "0", "delete"], "data-id-key", "idcard-delete"));
}

function renderMobile() {
  const display = $('[data-testid="mobile-display"]');
  const digits = app.typed;
  display.textContent = digits === "" ? t("mobilePrompt") : [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7, 11)].filter(Boolean).join(" ");
  display.classList.toggle("is-empty", digits === "");
  $('[data-testid="mobile-ok"]').disabled = !/^1\d{10}$/.test(digits);
  for (const button of $$("[data-digit]")) button.disabled = digits.length >= 11;
}

function typeDigit(d) {
  if (app.typed.length < 11) app.typed += d;
  renderMobile();
}

// ---- resident ID number (GB 11643: 17 digits and a check character) ----

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

function validIdNumber(id) {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return id[17] === ID_CHECK[sum % 11];
}

function maskId(id) {
  return `${id.slice(0, 4)}${"*".repeat(id.length - 8)}${id.slice(-4)}`;
}

function renderIdCard() {
  const display = $('[data-testid="idcard-display"]');
  const typed = app.typed;
  display.textContent = typed === "" ? t("idPrompt") : [typed.slice(0, 6), typed.slice(6, 14), typed.slice(14, 18)].filter(Boolean).join(" ");
  display.classList.toggle("is-empty", typed === "");
  const complete = typed.length === 18;
  const wrong = complete && !validIdNumber(typed);
  const error = $('[data-testid="idcard-error"]');
  error.textContent = wrong ? t("idWrong") : "";
  show(error, wrong);
  $('[data-testid="idcard-ok"]').disabled = !complete || wrong;
  // X is only ever the last character.
  for (const button of $$("[data-id-key]")) button.disabled = complete || (button.dataset.idKey === "X" && typed.length !== 17);
}

function typeIdKey(k) {
  if (app.typed.length < 18) app.typed += k;
  renderIdCard();
}

// ---- resident ID card on the reader ----

// Screens where the card's number is on the ticket being taken.
const cardScreens = new Set(["home", "search", "item", "confirm", "mobile"]);

// A card laid on the reader (each new placement has a new seq; a card left lying has none) puts its number on the
// ticket exactly as the keypad does: the citizen then only chooses the service. Laid on the screens a visit starts on,
// it first checks in the holder's booking of today; with none, it goes on the walk-in ticket as before.
function takeCard(card) {
  if (!card || card.seq <= app.cardSeq || app.busy) return;
  app.cardSeq = card.seq;
  if (!validIdNumber(card.idNumber) || isOutOfService()) return;
  // Laid where a visit starts, the card checks in the holder's booking of today first.
  const checkInFirst = app.state?.checkIn === true && checkInScreens.has(app.screen);
  // A card laid on the attract or a previous citizen's result screen starts a new visit.
  if (app.screen === "attract" || app.screen === "result") startOver("home");
  app.cardId = card.idNumber;
  app.idNumber = card.idNumber;
  app.typed = "";
  app.lastTouch = Date.now();
  if (checkInFirst) checkIn({ idNumber: card.idNumber }, true);
  else if (app.screen === "idcard") showScreen("confirm");
}

function renderCardRead() {
  const node = $('[data-testid="idcard-read"]');
  const visible = app.cardId !== "" && cardScreens.has(app.screen);
  node.textContent = visible ? t("cardRead")(maskId(app.cardId)) : "";
  show(node, visible);
}

// ---- result ----

function renderResult() {
  const ticket = app.ticket;
  if (!ticket) return;
  $('[data-testid="result-number"]').textContent = ticket.number;
  $('[data-testid="result-service"]').textContent = app.lang === "en" ? nameOf(chosenService(), ticket.serviceName ?? "") : (ticket.serviceName ?? "");
  $('[data-testid="result-ahead"]').textContent = t("ahead")(ticket.peopleAhead ?? 0);
  // null: no window can take the ticket now, so there is no estimate (暂无窗口办理).
  $('[data-testid="result-wait"]').textContent = t("wait")(ticket.estimatedWaitMinutes);
  const priority = $('[data-testid="result-priority"]');
  const special = ticket.priority && ticket.priority !== "Normal";
  priority.textContent = special ? t("priorityMark")(t("priority")[ticket.priority] ?? ticket.priority) : "";
  show(priority, special);
  const booking = $('[data-testid="result-booking"]');
  const slot = ticket.booking;
  booking.textContent = !slot ? "" : slot.late ? t("bookingLate")(slot.start.slice(0, 5)) : t("bookingResult")(slot.start.slice(0, 5), slot.end.slice(0, 5));
  show(booking, Boolean(slot));
  const mobile = $('[data-testid="result-mobile"]');
  mobile.textContent = ticket.mobileMasked ? t("mobileResult")(ticket.mobileMasked) : "";
  show(mobile, Boolean(ticket.mobileMasked));
  const idCard = $('[data-testid="result-idcard"]');
  idCard.textContent = ticket.idMasked ? t("idResult")(ticket.idMasked) : "";
  show(idCard, Boolean(ticket.idMasked));
  const onScreen = ticket.printed === false;
  show($('[data-testid="result-take-note"]'), !onScreen);
  show($('[data-testid="screen-ticket"]'), onScreen);
  $('[data-screen="result"]').classList.toggle("is-screen-ticket", onScreen);
  renderPhonePage(onScreen ? ticket : null);
  renderCountdown();
}

// The phone page's QR code and address, written with a break allowed between the site and the path.
function renderPhonePage(ticket) {
  const url = ticket?.trackingUrl ?? "";
  const qr = $('[data-testid="result-qr"]');
  const address = $('[data-testid="result-url"]');
  show($('[data-testid="phone-page"]'), url !== "" && Boolean(ticket?.qr));
  if (address.textContent === url) return;
  if (url === "") {
    qr.removeAttribute("src");
    address.replaceChildren();
    return;
  }
  qr.src = ticket.qr;
  const cut = url.indexOf("/", url.indexOf("//") + 2);
  address.replaceChildren(...(cut > 0 ? [url.slice(0, cut), h("wbr"), url.slice(cut)] : [url]));
}

function renderCountdown() {
  const left = Math.max(0, Math.ceil((app.resultEndsAt - Date.now()) / 1000));
  $('[data-testid="result-done"]').textContent = t("done")(left);
}

// ---- out of service ----

function renderOutOfService() {
  const reason = app.state?.outOfService ? app.state.reason : app.latch?.reason ?? app.state?.reason ?? null;
  const text = app.stateFailed ? t("oosNoLink") : reason ? reason[app.lang] || reason.zh || "" : "";
  const node = $('[data-testid="oos-reason"]');
  node.textContent = text;
  show(node, text !== "");
  $('[data-testid="oos-other"]').textContent = t("oosOther");
}

// ---- dialog ----

function openDialog(message) {
  const dialog = $('[data-testid="dialog"]');
  $('[data-testid="dialog-message"]').textContent = message;
  if (!dialog.open) dialog.showModal();
}

function closeDialog() {
  const dialog = $('[data-testid="dialog"]');
  if (dialog.open) dialog.close();
}

// ---- state polling ----

let pollTimer = 0;
let pollSeq = 0;
let polling = false;
let pollAgain = false;

async function getJson(url, timeoutMs) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function poll() {
  clearTimeout(pollTimer);
  if (polling) {
    pollAgain = true;
    return;
  }
  polling = true;
  const seq = ++pollSeq;
  try {
    const state = await getJson("/api/state", 5000);
    if (!state || !Array.isArray(state.services)) throw new Error("state without services");
    app.state = state;
    app.stateFailed = false;
    takeCard(state.idCard);
    // Only a state asked for after the refusal can lift it.
    if (app.latch && seq > app.latch.seq && !state.outOfService) app.latch = null;
  } catch {
    app.stateFailed = true;
  }
  polling = false;
  applyState();
  if (pollAgain) {
    pollAgain = false;
    poll();
  } else {
    const reader = app.state?.idCardReader ?? "Disabled";
    pollTimer = setTimeout(poll, app.stateFailed ? RETRY_MS : reader === "Disabled" ? POLL_MS : CARD_POLL_MS);
  }
}

function pollNow() {
  poll();
}

function applyState() {
  if (isOutOfService()) {
    // A ticket being printed or just printed is shown to its citizen first.
    if (app.screen !== "out-of-service" && app.screen !== "result" && !app.busy) {
      closeDialog();
      resetFlow();
      setLang("zh");
      showScreen("out-of-service");
      return;
    }
  } else if (app.screen === "out-of-service") {
    showScreen("home");
    return;
  }
  render();
}

// ---- touches ----

function onClick(event) {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  const touch = event.pointerType === "touch" || event.pointerType === "pen";
  const tap = touch ? { x: event.clientX, y: event.clientY, at: performance.now() } : null;
  const previous = app.switchTap;
  app.lastTap = tap;
  app.switchTap = null;
  if (
    previous &&
    tap &&
    tap.at - previous.at < DOUBLE_TAP_MS &&
    Math.abs(tap.x - previous.x) < DOUBLE_TAP_PX &&
    Math.abs(tap.y - previous.y) < DOUBLE_TAP_PX
  ) {
    event.preventDefault();
    event.stopPropagation();
    return;
  }
  if (app.busy) return;

  // The first touch of a visit (on the attract or home screen) is welcomed, unless it is the voice switch itself.
  if (!app.welcomed && (app.screen === "attract" || app.screen === "home") && !target.closest('[data-testid="voice-toggle"]')) {
    app.welcomed = true;
    say([[{ key: "guide.welcome" }]]);
  }
  if (app.screen === "attract") {
    showScreen("home");
    return;
  }
  const button = target.closest("button");
  if (!button || button.disabled) return;

  if (button.matches('[data-testid="lang-toggle"]')) setLang(app.lang === "zh" ? "en" : "zh");
  else if (button.matches('[data-testid="access-toggle"]')) setLarge(!app.large);
  else if (button.matches('[data-testid="voice-toggle"]')) setVoice(!voiceOn());
  else if (button.matches("[data-service-id]")) chooseService(Number(button.dataset.serviceId));
  else if (button.matches('[data-testid="open-search"]')) {
    resetFlow();
    showScreen("search");
  } else if (button.matches('[data-testid="open-checkin"]')) {
    resetFlow();
    showScreen("checkin");
  } else if (button.matches("[data-code-key]")) {
    if (app.typed.length < 8) app.typed += button.dataset.codeKey;
    renderCheckIn();
  } else if (button.matches('[data-testid="checkin-delete"]')) {
    app.typed = app.typed.slice(0, -1);
    renderCheckIn();
  } else if (button.matches('[data-testid="checkin-ok"]')) checkIn({ code: app.typed });
  else if (button.matches('[data-testid="checkin-id"]')) {
    app.idPurpose = "checkin";
    app.typed = "";
    showScreen("idcard");
  } else if (button.matches("[data-key]")) pressKey(button.dataset.key);
  else if (button.matches("[data-candidate]")) pickCandidate(button.dataset.candidate);
  else if (button.matches("[data-item-id]")) chooseItem(Number(button.dataset.itemId));
  else if (button.matches('[data-testid="item-take"]')) {
    app.priority = "Normal";
    app.mobile = "";
    app.idNumber = app.cardId;
    showScreen("confirm");
  } else if (button.matches("[data-priority]")) {
    app.priority = button.dataset.priority;
    renderConfirm();
  } else if (button.matches('[data-testid="mobile-open"]')) {
    app.typed = app.mobile;
    showScreen("mobile");
  } else if (button.matches('[data-testid="idcard-open"]')) {
    app.typed = app.idNumber;
    showScreen("idcard");
  } else if (button.matches('[data-testid="take-ticket"]')) takeTicket();
  else if (button.matches("[data-id-key]")) typeIdKey(button.dataset.idKey);
  else if (button.matches('[data-testid="idcard-delete"]')) {
    app.typed = app.typed.slice(0, -1);
    renderIdCard();
  } else if (button.matches('[data-testid="idcard-ok"]') && app.idPurpose === "checkin") {
    const idNumber = app.typed;
    app.typed = "";
    checkIn({ idNumber });
  } else if (button.matches('[data-testid="idcard-skip"]') && app.idPurpose === "checkin") {
    app.idPurpose = "ticket";
    app.typed = "";
    showScreen("checkin");
  } else if (button.matches('[data-testid="idcard-ok"]')) {
    app.idNumber = app.typed;
    app.typed = "";
    showScreen("confirm");
  } else if (button.matches('[data-testid="idcard-skip"]')) {
    app.idNumber = "";
    app.cardId = "";
    app.typed = "";
    showScreen("confirm");
  } else if (button.matches("[data-digit]")) typeDigit(button.dataset.digit);
  else if (button.matches('[data-testid="mobile-delete"]')) {
    app.typed = app.typed.slice(0, -1);
    renderMobile();
  } else if (button.matches('[data-testid="mobile-ok"]')) {
    app.mobile = app.typed;
    showScreen("confirm");
  } else if (button.matches('[data-testid="mobile-skip"]')) {
    app.mobile = "";
    app.typed = "";
    showScreen("confirm");
  } else if (button.matches('[data-testid="result-done"]')) startOver("home");
  else if (button.matches('[data-testid="dialog-ok"]')) closeDialog();
  else if (button.matches('[data-action="back"]')) goBack();
}

function goBack() {
  switch (app.screen) {
    case "search":
    case "checkin":
      resetFlow();
      showScreen("home");
      break;
    case "item":
      app.item = null;
      showScreen("search");
      break;
    case "confirm":
      if (app.item) showScreen("item");
      else {
        resetFlow();
        showScreen("home");
      }
      break;
    default:
      goHome();
  }
}

function tick() {
  renderHeader();
  if (app.screen === "result") {
    if (Date.now() >= app.resultEndsAt) startOver("home");
    else renderCountdown();
    return;
  }
  const idleMs = (app.state?.idleSeconds ?? 60) * 1000;
  if (idleScreens.has(app.screen) && !app.busy && Date.now() - app.lastTouch >= idleMs) startOver("attract");
}

// ---- spoken guidance ----

const GUIDE = {
  "guide.welcome": "欢迎光临，请选择您要办理的业务",
  "guide.yourNumber": "您的号码是",
  "guide.ahead": "前面还有",
  "guide.people": "人",
  "guide.take": "请取走您的号票",
  "guide.photo": "请用手机拍下号码或扫描二维码",
};
const CN_DIGITS = "零一二三四五六七八九";
const SAY_GUARD_MS = 10000;
const speech = { generation: 0, audio: null, manifest: null, manifestUrl: "" };

function voiceOn() {
  return app.voiceOn ?? app.state?.voice?.guidance !== false;
}

function setVoice(on) {
  app.voiceOn = on;
  if (!voiceOn()) hush();
  $('[data-testid="voice-toggle"]').setAttribute("aria-pressed", voiceOn() ? "true" : "false");
}

// Stops whatever is being said: a newer sentence, the switch turned off, the next citizen.
function hush() {
  speech.generation += 1;
  try {
    speech.audio?.pause();
    window.speechSynthesis?.cancel();
  } catch {
    // Nothing to stop.
  }
  speech.audio = null;
}

// A ticket number as it is said: each letter and digit on its own (A012 → A 零 一 二), with the pack keys that say it.
function numberParts(number) {
  return [...String(number ?? "").toUpperCase()]
    .filter((c) => /[0-9A-Z]/.test(c))
    .map((c) => (/[0-9]/.test(c) ? { keys: [c, CN_DIGITS[Number(c)]], text: CN_DIGITS[Number(c)] } : { keys: [c], text: c }));
}

// A count in Chinese (3 → 三, 12 → 十二, 40 → 四十); from 100 digit by digit.
function countParts(n) {
  const digit = (d) => ({ keys: [String(d), CN_DIGITS[d]], text: CN_DIGITS[d] });
  if (n >= 100) return numberParts(String(n));
  if (n < 10) return [digit(n)];
  const tens = Math.floor(n / 10);
  return [...(tens > 1 ? [digit(tens)] : []), { keys: ["十"], text: "十" }, ...(n % 10 ? [digit(n % 10)] : [])];
}

function sayTicket(ticket) {
  const ahead = ticket.peopleAhead ?? 0;
  say([
    [{ key: "guide.yourNumber" }, ...numberParts(ticket.number)],
    ...(ahead > 0 ? [Object.assign([{ key: "guide.ahead" }, ...countParts(ahead), { key: "guide.people" }], { optional: true })] : []),
    [{ key: ticket.printed === false ? "guide.photo" : "guide.take" }],
  ]);
}

async function packManifest(packUrl) {
  if (!packUrl) return null;
  const url = `${packUrl}manifest.json`;
  if (speech.manifestUrl !== url) {
    try {
      speech.manifest = await getJson(url, 5000);
      speech.manifestUrl = url;
    } catch {
      return null;
    }
  }
  return speech.manifest;
}

// The pack's files for the clauses, or null when a clause that must be said has a part the pack lacks.
// An optional clause the pack cannot say is left out.
function packFiles(clauses, manifest) {
  const fileOf = (part) => (part.key ? manifest[part.key] : part.keys.map((k) => manifest[k]).find((f) => typeof f === "string"));
  const files = [];
  for (const clause of clauses) {
    const found = clause.map(fileOf);
    if (found.every((f) => typeof f === "string")) files.push(...found);
    else if (!clause.optional) return null;
  }
  return files;
}

function sentence(clauses) {
  return clauses.map((clause) => clause.map((part) => (part.key ? GUIDE[part.key] : part.text)).join("")).join("，");
}

// Says the clauses (each an array of parts: {key} a guide phrase, {keys, text} a letter, digit or 十).
async function say(clauses) {
  hush();
  const generation = speech.generation;
  if (!voiceOn()) return;
  const settings = app.state?.voice ?? {};
  const volume = Math.min(1, Math.max(0, settings.volume ?? 1));
  const manifest = await packManifest(settings.packUrl);
  if (generation !== speech.generation) return;
  const files = manifest ? packFiles(clauses, manifest) : null;
  if (files) {
    for (const file of files) {
      if (generation !== speech.generation) return;
      await playFile(settings.packUrl + file, volume);
    }
    return;
  }
  await speakText(sentence(clauses), volume, generation);
}

// Plays one file to its end; never rejects, and gives up on a file that fails or has not ended after 10 s.
function playFile(url, volume) {
  return new Promise((resolve) => {
    const audio = new Audio(url);
    speech.audio = audio;
    audio.volume = volume;
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, SAY_GUARD_MS);
    audio.addEventListener("ended", done);
    audio.addEventListener("error", done);
    audio.addEventListener("pause", done);
    Promise.resolve()
      .then(() => audio.play())
      .catch(done);
  });
}

// The browser's zh-CN voice, when it has one (Debian's Chromium usually has none: then nothing is said).
async function speakText(text, volume, generation) {
  const synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return;
  let voices = synth.getVoices?.() ?? [];
  if (voices.length === 0) {
    await new Promise((resolve) => {
      synth.addEventListener?.("voiceschanged", resolve, { once: true });
      setTimeout(resolve, 1000);
    });
    voices = synth.getVoices?.() ?? [];
  }
  const lang = (v) => String(v.lang ?? "").replace("_", "-").toLowerCase();
  const chinese = voices.find((v) => lang(v) === "zh-cn") ?? voices.find((v) => lang(v).startsWith("zh") || lang(v).startsWith("cmn"));
  if (!chinese || generation !== speech.generation) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = "zh-CN";
  utterance.volume = volume;
  try {
    utterance.voice = chinese;
  } catch {
    // The language alone picks it.
  }
  synth.speak(utterance);
}

function start() {
  buildKeyboard();
  buildKeypad();
  buildCodeKeypad();
  applyTexts();
  const touched = () => {
    app.lastTouch = Date.now();
  };
  for (const type of ["pointerdown", "keydown", "input"]) document.addEventListener(type, touched, { capture: true, passive: true });
  document.addEventListener("click", onClick, { capture: true });
  document.addEventListener("keydown", onScannerKey, { capture: true });
  // Long presses must not open menus on a kiosk.
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  const input = $('[data-testid="search-input"]');
  input.addEventListener("input", (e) => {
    if (!e.isComposing) scheduleSearch();
  });
  input.addEventListener("compositionend", scheduleSearch);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(searchTimer);
      runSearch();
    }
  });
  $('[data-testid="dialog"]').addEventListener("cancel", (e) => e.preventDefault());
  $('[data-testid="services"]').addEventListener("scroll", markScrollable, { passive: true });
  // The name's room changes with the buttons beside it (language, 大字) and the clock: fitted again each time.
  new ResizeObserver(() => fitHallName($('[data-testid="hall-name"]'))).observe($(".topbar-hall"));
  showScreen("home");
  renderSearch();
  poll();
  setInterval(tick, 1000);
}

start();
