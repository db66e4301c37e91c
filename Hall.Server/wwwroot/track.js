// The citizen's phone page /t/{code}: polls its ticket's state every few seconds until the ticket is final, then, while
// the ticket can still be rated, every quarter minute (a rating given at the window's evaluator then shows here too).
const code = document.body.dataset.code;

function showFacts(t) {
  const facts = document.querySelector("[data-testid=facts]");
  facts.replaceChildren();
  if (t.peopleAhead === null) return;
  // No estimate while no window can take the ticket: nobody can say when one will.
  const wait = t.estimatedWaitMinutes === null ? "暂无窗口办理" : t.estimatedWaitMinutes > 0 ? "预计等候约 " + t.estimatedWaitMinutes + " 分钟" : "请留意叫号";
  facts.append("前面还有 " + t.peopleAhead + " 人", document.createElement("br"), wait);
}

// 好差评 on the phone once the ticket is finished: choose one of the five levels (for 不满意 / 非常不满意 any of the national
// reasons), then submit. The first rating of a ticket stands, so a ticket rated at the window shows that instead.
const levels = [[5, "非常满意"], [4, "满意"], [3, "基本满意"], [2, "不满意"], [1, "非常不满意"]];
let chosen = 0;
const reasons = new Set();
let requestId = null;
let rateShown = false;

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function showRating(rating) {
  const box = document.querySelector("[data-testid=rate]");
  if (!rating) { box.hidden = true; return; }
  box.hidden = false;
  if (!rating.canRate) {
    box.replaceChildren(el("p", { class: "rated", "data-testid": "rated" }, rating.ratedZh), el("p", { class: "en" }, rating.ratedEn));
    return;
  }
  if (rateShown) return;
  rateShown = true;
  drawRating(box, rating.reasons || []);
}

function drawRating(box, reasonList) {
  const title = el("h2", {}, "请您对本次服务进行评价");
  const row = el("div", { class: "levels" });
  for (const [level, name] of levels) {
    const b = el("button", { type: "button", class: "level" + (chosen === level ? " chosen" : ""), "data-testid": "rate-level-" + level, "aria-pressed": String(chosen === level) }, name);
    b.addEventListener("click", () => { chosen = level; if (level > 2) reasons.clear(); drawRating(box, reasonList); });
    row.append(b);
  }
  const parts = [title, row];
  if (chosen > 0 && chosen <= 2) {
    parts.push(el("p", { class: "ask" }, "很抱歉！请告诉我们哪里做得不好（可多选）"));
    const list = el("div", { class: "reasons" });
    for (const r of reasonList) {
      const on = reasons.has(r.zh);
      const b = el("button", { type: "button", class: "reason" + (on ? " chosen" : ""), "data-testid": "rate-reason", "aria-pressed": String(on) }, r.zh);
      b.addEventListener("click", () => { if (!reasons.delete(r.zh)) reasons.add(r.zh); drawRating(box, reasonList); });
      list.append(b);
    }
    parts.push(list);
  }
  const submit = el("button", { type: "button", class: "submit", "data-testid": "rate-submit" }, "提交评价");
  submit.disabled = chosen === 0;
  submit.addEventListener("click", () => sendRating(box, submit));
  const message = el("p", { class: "message", "data-testid": "rate-message" });
  parts.push(submit, message, el("p", { class: "en" }, "Rating is up to you · 评价自愿"));
  box.replaceChildren(...parts);
}

// A version-4 UUID: crypto.randomUUID exists only on https pages, and a hall's own address is often plain http.
function newId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, "0")).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}

async function sendRating(box, submit) {
  submit.disabled = true;
  requestId = requestId || newId();
  const message = box.querySelector("[data-testid=rate-message]");
  try {
    const r = await fetch("/t/" + encodeURIComponent(code) + "/rating", {
      method: "POST", headers: { "Content-Type": "application/json" }, cache: "no-store",
      body: JSON.stringify({ requestId, level: chosen, reasons: [...reasons] }),
    });
    if (r.ok) {
      box.replaceChildren(el("p", { class: "rated", "data-testid": "rated" }, "感谢您的评价！"), el("p", { class: "en" }, "Thank you!"));
      return;
    }
    const answer = await r.json();
    message.textContent = answer.error ? answer.error.zh : "评价未成功，请稍后再试";
    if (r.status === 409) {
      setTimeout(() => { rateShown = false; refresh(); }, 1500);
      return;
    }
  } catch {
    message.textContent = "网络不通，请稍后再试";
  }
  submit.disabled = false;
}

async function refresh() {
  try {
    const r = await fetch("/t/" + encodeURIComponent(code) + "/state", { cache: "no-store" });
    if (r.ok) {
      const t = await r.json();
      const status = document.querySelector("[data-testid=status]");
      status.textContent = t.statusZh;
      status.dataset.state = t.state;
      document.querySelector("[data-testid=status-en]").textContent = t.statusEn;
      showFacts(t);
      showRating(t.rating);
      if (t.final) {
        if (t.rating && t.rating.canRate) setTimeout(refresh, 15000);
        return;
      }
    }
  } catch {
    // Offline for a moment: try again at the next tick.
  }
  setTimeout(refresh, 4000);
}

refresh();
