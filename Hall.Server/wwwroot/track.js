// The citizen's phone page /t/{code}: polls its ticket's state every few seconds until the ticket is final.
const code = document.body.dataset.code;

function showFacts(t) {
  const facts = document.querySelector("[data-testid=facts]");
  facts.replaceChildren();
  if (t.peopleAhead === null) return;
  // No estimate while no window can take the ticket: nobody can say when one will.
  const wait = t.estimatedWaitMinutes === null ? "暂无窗口办理" : t.estimatedWaitMinutes > 0 ? "预计等候约 " + t.estimatedWaitMinutes + " 分钟" : "请留意叫号";
  facts.append("前面还有 " + t.peopleAhead + " 人", document.createElement("br"), wait);
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
      if (t.final) return;
    }
  } catch {
    // Offline for a moment: try again at the next tick.
  }
  setTimeout(refresh, 4000);
}

setTimeout(refresh, 4000);
