// 警情页: a live refresh of the moves never wipes a reason or a note being typed (the swap waits for the next
// signal); after one's own move the forms are spent, so they are emptied and the refresh goes through.
const typing = (panel) =>
  [...panel.querySelectorAll("input:not([type=hidden]), textarea, select")].some(
    (field) => field.value || field === document.activeElement,
  );

document.addEventListener("htmx:beforeSwap", (event) => {
  const panel = event.detail.target;
  if (panel && panel.id === "incident-moves" && typing(panel)) event.detail.shouldSwap = false;
});

document.addEventListener("incident-moved", () => {
  const panel = document.getElementById("incident-moves");
  if (!panel) return;
  panel.querySelectorAll("form").forEach((form) => form.reset());
  if (panel.contains(document.activeElement)) document.activeElement.blur();
});

// A call-back recorded from this page (its route answers callback-recorded) is a move too.
document.addEventListener("callback-recorded", () => htmx.trigger(document.body, "incident-moved"));
