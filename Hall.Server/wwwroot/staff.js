// The staff pages' keyboard: a key typed outside a text field presses the visible button that shows it
// (data-key). When a dialog is open only its buttons answer. Escape always reaches the dialog's cancel.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  const typing = event.target instanceof HTMLElement && event.target.closest("input, textarea, select, [contenteditable]");
  if (typing && event.key !== "Escape" && event.key !== "Enter") return;
  const scope = document.querySelector(".dialog") ?? document;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const button = [...scope.querySelectorAll("button[data-key]")].find((b) => b.dataset.key === key && !b.disabled && b.offsetParent !== null);
  if (!button) return;
  event.preventDefault();
  button.click();
});
