// The citizen's booking page: service (or an item found as at the kiosk: 汉字, pinyin or initials) → date → slot →
// name, ID number, mobile → the booking code and its QR.
// /book/{hall}/b/{code} shows a booking and cancels it. Everything goes through the public booking API.
"use strict";

const hall = document.body.dataset.hall;
const today = document.body.dataset.today;
const code = document.body.dataset.code;
const api = `/api/booking/${encodeURIComponent(hall)}`;
const main = document.getElementById("main");
const weekdays = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
const choice = { service: null, item: null, date: null, slot: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "onclick") node.addEventListener("click", value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

function show(...nodes) {
  main.replaceChildren(...nodes);
  window.scrollTo(0, 0);
}

async function call(method, path, body) {
  const response = await fetch(api + path, {
    method,
    headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" },
    body: body ? JSON.stringify(body) : undefined,
    cache: "no-store",
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error((data && data.messageZh) || "网络繁忙，请稍后再试");
  return data;
}

function failure(error) {
  return el("p", { class: "error", role: "alert", "data-testid": "error" }, error.message);
}

function dayText(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return `${m}月${d}日 ${weekdays[day.getUTCDay()]}`;
}

function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d + days));
  return day.toISOString().slice(0, 10);
}

async function services() {
  try {
    const list = await call("GET", "/services");
    if (list.length === 0) {
      show(el("p", { class: "hint" }, "本大厅暂未开放网上预约，请现场取号办理。"));
      return;
    }
    show(el("h1", {}, "第一步：请选择要办理的业务"), itemSearch(list),
      el("div", { class: "choices" }, ...list.map(s => el("button", { "data-testid": `service-${s.id}`, onclick: () => { choice.service = s; choice.item = null; dates(); } }, s.name))));
  } catch (e) {
    show(failure(e));
  }
}

// Optional: find the item to do; choosing it chooses its service.
function itemSearch(list) {
  const input = el("input", { id: "item-search", type: "search", maxlength: 30, autocomplete: "off", placeholder: "如：社保卡、shbzk、shebao", "data-testid": "item-search" });
  const results = el("div", { class: "choices items", "data-testid": "item-results" });
  let timer = 0;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      const mine = ++asked;
      if (!q) { results.replaceChildren(); return; }
      try {
        const items = await call("GET", `/items?q=${encodeURIComponent(q)}`);
        if (mine !== asked) return;
        results.replaceChildren(...(items.length === 0
          ? [el("p", { class: "hint", "data-testid": "no-items" }, "没有找到可预约的事项，请换个说法或直接选择业务。")]
          : items.map(i => el("button", { "data-testid": `item-${i.id}`, onclick: () => {
              choice.service = list.find(s => s.id === i.serviceId);
              choice.item = i;
              dates();
            } }, i.name, el("span", { class: "small" }, `${i.serviceName} · ${i.department}`)))));
      } catch (e) {
        if (mine === asked) results.replaceChildren(failure(e));
      }
    }, 250);
  });
  return el("div", { class: "item-search" },
    el("label", { for: "item-search" }, "搜索办理事项（汉字、拼音或首字母）"), input, results,
    el("p", { class: "hint" }, "或直接选择业务："));
}

function what() {
  return choice.item ? `${choice.item.name}（${choice.service.name}）` : choice.service.name;
}

function dates() {
  const days = [];
  for (let i = 0; i <= choice.service.daysAhead; i++) days.push(addDays(today, i));
  // 线上取号: where the hall allows it, a number in today's queue now instead of a slot.
  const now = choice.service.remoteTickets
    ? el("div", { class: "item-search" },
      el("button", { class: "primary", "data-testid": "remote-ticket", onclick: remote }, "现在取号（今天排队）"),
      el("p", { class: "hint" }, "不预约时段，直接排入今天的队伍；在手机上看排队进度，快到时短信提醒。过号按大厅规定处理。"))
    : "";
  show(el("h1", {}, `第二步：${what()}，请选择日期`), now,
    el("div", { class: "choices dates" }, ...days.map(d => el("button", { "data-testid": `date-${d}`, onclick: () => { choice.date = d; slots(); } }, dayText(d)))),
    el("button", { class: "back", onclick: services }, "‹ 重新选择业务"));
}

async function slots() {
  try {
    const data = await call("GET", `/slots?service=${choice.service.id}&date=${choice.date}`);
    const title = el("h1", {}, `第三步：${dayText(choice.date)}，请选择时段`);
    const back = el("button", { class: "back", onclick: dates }, "‹ 重新选择日期");
    if (data.slots.length === 0) {
      show(title, el("p", { class: "hint", "data-testid": "no-slots" }, "当日不办理此业务，请选择其他日期。"), back);
      return;
    }
    const label = { open: s => `余 ${s.left} 个`, full: () => "已约满", closed: () => "已截止", not_released: () => "未放号" };
    show(title,
      el("div", { class: "choices slots" }, ...data.slots.map(s =>
        el("button", { "data-testid": `slot-${s.start}`, disabled: s.state !== "open", onclick: () => { choice.slot = s; form(); } },
          `${s.start}–${s.end}`, el("span", { class: "small" }, label[s.state](s))))),
      back);
  } catch (e) {
    show(failure(e));
  }
}

function form() {
  const requestId = crypto.randomUUID();
  const name = el("input", { id: "name", autocomplete: "name", maxlength: 30, "data-testid": "name" });
  const id = el("input", { id: "id", inputmode: "text", maxlength: 18, autocomplete: "off", "data-testid": "id-number" });
  const mobile = el("input", { id: "mobile", inputmode: "numeric", maxlength: 11, autocomplete: "tel", "data-testid": "mobile" });
  const message = el("div", {});
  const submit = el("button", { class: "primary", "data-testid": "submit", onclick: async () => {
    submit.disabled = true;
    try {
      // The same request id on a resend: a second tap books once.
      const booking = await call("POST", "/bookings", {
        requestId, serviceId: choice.service.id, serviceItemId: choice.item ? choice.item.id : null, date: choice.date, start: choice.slot.start,
        name: name.value, idNumber: id.value, mobile: mobile.value,
      });
      done(booking);
    } catch (e) {
      message.replaceChildren(failure(e));
      submit.disabled = false;
    }
  } }, "提交预约");
  show(el("h1", {}, "第四步：填写办事人信息"),
    el("p", { class: "facts" }, `${what()}，${dayText(choice.date)} ${choice.slot.start}–${choice.slot.end}`),
    el("label", { for: "name" }, "姓名"), name,
    el("label", { for: "id" }, "身份证号码"), id,
    el("label", { for: "mobile" }, "手机号码（接收预约短信）"), mobile,
    message, el("p", {}), submit,
    el("button", { class: "back", onclick: slots }, "‹ 重新选择时段"));
}

// 线上取号: the ID number and mobile, then the ticket's live page (the same page as a kiosk ticket's QR).
function remote() {
  const requestId = crypto.randomUUID();
  const id = el("input", { id: "id", inputmode: "text", maxlength: 18, autocomplete: "off", "data-testid": "id-number" });
  const mobile = el("input", { id: "mobile", inputmode: "numeric", maxlength: 11, autocomplete: "tel", "data-testid": "mobile" });
  const message = el("div", {});
  const submit = el("button", { class: "primary", "data-testid": "take", onclick: async () => {
    submit.disabled = true;
    try {
      // The same request id on a resend: a second tap takes one number.
      const ticket = await call("POST", "/tickets", {
        requestId, serviceId: choice.service.id, serviceItemId: choice.item ? choice.item.id : null, idNumber: id.value, mobile: mobile.value,
      });
      location.href = ticket.tracking;
    } catch (e) {
      message.replaceChildren(failure(e));
      submit.disabled = false;
    }
  } }, "取号");
  show(el("h1", {}, `现在取号：${what()}`),
    el("label", { for: "id" }, "身份证号码"), id,
    el("label", { for: "mobile" }, "手机号码（快轮到您时短信提醒）"), mobile,
    message, el("p", {}), submit,
    el("button", { class: "back", onclick: dates }, "‹ 返回"));
}

function card(booking, title) {
  return el("div", { class: "card" },
    el("p", { class: "hint" }, title),
    el("div", { class: "code", "data-testid": "code" }, booking.code),
    el("img", { class: "qr", alt: `预约码 ${booking.code}`, src: `${api}/bookings/${encodeURIComponent(booking.code)}/qr.svg` }),
    el("p", { class: "facts", "data-testid": "booking-facts" },
      booking.itemName ? `${booking.itemName}（${booking.serviceName}）` : booking.serviceName, el("br"), `${dayText(booking.date)} ${booking.start}–${booking.end}`, el("br"),
      `${booking.nameMasked} ${booking.idMasked}`),
    el("p", { class: "hint" }, "请按预约时段到大厅，在取号机输入预约码、扫描二维码或刷身份证签到取号。"));
}

function done(booking) {
  const link = `/book/${encodeURIComponent(hall)}/b/${encodeURIComponent(booking.code)}`;
  show(el("h1", { "data-testid": "booked" }, "预约成功"), card(booking, "您的预约码"),
    el("p", {}, el("a", { href: link, "data-testid": "manage" }, "查看或取消预约")));
}

async function mine() {
  try {
    const booking = await call("GET", `/bookings/${encodeURIComponent(code)}`);
    const state = { Booked: "已预约", CheckedIn: "已签到", Cancelled: "已取消", Missed: "已爽约" }[booking.state] || booking.state;
    const nodes = [el("h1", { "data-testid": "state" }, state), card(booking, "预约码")];
    if (booking.state === "Booked") {
      const message = el("div", {});
      const cancel = el("button", { "data-testid": "cancel", onclick: async () => {
        if (!window.confirm("确定取消这个预约吗？")) return;
        try {
          await call("DELETE", `/bookings/${encodeURIComponent(code)}`);
          await mine();
        } catch (e) {
          message.replaceChildren(failure(e));
        }
      } }, "取消预约");
      nodes.push(message, cancel);
    }
    show(...nodes);
  } catch (e) {
    show(failure(e));
  }
}

if (code) mine();
else services();
