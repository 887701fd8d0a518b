// 工单台: filters re-load the page with their query in the URL; rows open the order's panel beside the table
// (click, or Enter on a row; ↑↓ move between rows); the picked row stays marked across live refreshes.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form) form.requestSubmit();
});

function picked() {
  const detail = document.querySelector("#order-panel .order-detail");
  return detail ? detail.dataset.order : null;
}

function mark() {
  const id = picked();
  document.querySelectorAll("#inbox-table tr[data-order]").forEach((row) => {
    row.classList.toggle("picked", row.dataset.order === id);
  });
}

document.addEventListener("htmx:afterSettle", mark);

document.addEventListener("keydown", (event) => {
  const row = event.target.closest && event.target.closest("#inbox-table tr[data-order]");
  if (!row || event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.key === "Enter") {
    event.preventDefault();
    row.click();
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
    if (next && next.dataset.order) next.focus();
  }
});

// A refresh swaps the table: a row that had the keyboard focus gets it back (the panel's fields are not touched).
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target.id !== "inbox") return;
  const row = document.activeElement && document.activeElement.closest("#inbox-table tr[data-order]");
  window.__focusedOrder = row ? row.dataset.order : null;
});
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "inbox" || !window.__focusedOrder) return;
  const row = document.querySelector(`#inbox-table tr[data-order="${window.__focusedOrder}"]`);
  if (row) row.focus();
});
