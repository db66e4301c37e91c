// The staff pages' keyboard: a key typed outside a text field presses the visible button that shows it
// (data-key). When a dialog is open only its buttons answer. Escape always reaches the dialog's cancel.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  // Lost the server: no key pretends to press a button the server cannot hear.
  const veil = document.getElementById("components-reconnect-modal");
  if (veil && getComputedStyle(veil).display !== "none") return;
  const typing = event.target instanceof HTMLElement && event.target.closest("input, textarea, select, [contenteditable]");
  // A field marked data-enter="leave" (the 办件编号 a scanner types, ending with Enter): Enter only leaves it, so the dialog's
  // keys answer again and nothing is finished by the scan itself.
  if (typing && event.key === "Enter" && typing.dataset.enter === "leave") {
    event.preventDefault();
    typing.blur();
    return;
  }
  if (typing && event.key !== "Escape" && event.key !== "Enter") return;
  const scope = document.querySelector(".dialog") ?? document;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  // A field with a key of its own (data-key on the input): the key puts the cursor in it.
  const field = typing ? null : [...scope.querySelectorAll("input[data-key]")].find((f) => f.dataset.key === key && !f.disabled && f.offsetParent !== null);
  if (field) {
    event.preventDefault();
    field.focus();
    return;
  }
  const button = [...scope.querySelectorAll("button[data-key]")].find((b) => b.dataset.key === key && !b.disabled && b.offsetParent !== null);
  if (!button) return;
  event.preventDefault();
  button.click();
});

// A dialog that opens puts the cursor in its first field: the autofocus attribute alone works only on a page's first load.
new MutationObserver(() => {
  const field = document.querySelector(".dialog [autofocus]:not([data-focused])");
  if (!field) return;
  field.dataset.focused = "";
  field.focus();
}).observe(document.body, { childList: true, subtree: true });

// The page lost the server (Blazor shows #components-reconnect-modal). Keep trying as long as it takes — a hall's server
// may be down for minutes — and reload when a restarted server no longer knows this page's circuit.
const reconnectModal = document.getElementById("components-reconnect-modal");
let reconnectTimer = null;
async function reconnectOrReload() {
  try {
    if (!(await Blazor.reconnect())) location.reload();
    else stopReconnecting();
  } catch {
    // Not reachable yet; the timer tries again.
  }
}
function stopReconnecting() {
  clearInterval(reconnectTimer);
  reconnectTimer = null;
}
reconnectModal?.addEventListener("components-reconnect-state-changed", (event) => {
  const state = event.detail?.state;
  if (state === "rejected") location.reload();
  else if (state === "hide") stopReconnecting();
  else if (state === "failed" && reconnectTimer === null) reconnectTimer = setInterval(reconnectOrReload, 3000);
});
