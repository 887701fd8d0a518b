// 警情页: a live refresh of the moves never wipes a reason or a note being typed; after a move they start afresh.
document.addEventListener("htmx:beforeRequest", (event) => {
  const panel = event.detail.elt;
  if (!panel || panel.id !== "incident-moves") return;
  const cause = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
  if (cause && cause.type === "incident-moved") return;
  const fields = panel.querySelectorAll("input:not([type=hidden]), textarea, select");
  if ([...fields].some((field) => field.value || field === document.activeElement)) event.preventDefault();
});

// A call-back recorded from this page (its route answers call-recorded) is a move too.
document.addEventListener("call-recorded", () => htmx.trigger(document.body, "incident-moved"));
