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

// A key pressed just as a refresh swaps the moves in can reach a form htmx has not taken over yet: rather than
// let the browser send it as a plain page request, hand it to htmx and send it again.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.closest("#incident-moves") || !form.hasAttribute("hx-post")) return;
  event.preventDefault();
  htmx.process(form);
  const button = event.submitter;
  setTimeout(() => form.requestSubmit(button)); // not within this submit: the browser would ignore it
});
