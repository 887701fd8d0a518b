// 我的警单: the card refreshes on live signals; the feedback form outside it opens only when 处置反馈 is the next
// step, and a small map pins the address on the city's own layers (no tile server).
(function () {
  const form = document.getElementById("feedback");
  if (!form) return;
  const layers = JSON.parse(document.getElementById("city-layers").textContent || "{}");
  let pin = null;

  function drawPin() {
    if (pin) { pin.remove(); pin = null; }
    // Found by an attribute, not an id: htmx would copy the old map's style attribute onto a new element of the
    // same id, which the CSP refuses.
    const el = document.querySelector("[data-pin]");
    if (!el || !window.L) return;
    const at = [Number(el.dataset.lat), Number(el.dataset.lon)];
    pin = L.map(el, { zoomControl: false, attributionControl: false }).setView(at, 15);
    L.geoJSON(layers, { style: { color: "#5b6675", weight: 1, fillOpacity: 0.04 } }).addTo(pin);
    L.circleMarker(at, { radius: 9, color: "#10233f", weight: 3, fillColor: "#c62828", fillOpacity: 1,
      className: "pin-marker" }).addTo(pin);
    if (el.dataset.from) { // where the unit last reported from: the pin and the crew in one view
      const from = el.dataset.from.split(",").map(Number);
      L.circleMarker(from, { radius: 7, color: "#fff", weight: 2, fillColor: "#1565c0", fillOpacity: 1 }).addTo(pin);
      pin.fitBounds([at, from], { padding: [24, 24], maxZoom: 16 });
    }
  }

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "order") return;
    const card = document.getElementById("order-card");
    form.hidden = !(card && card.dataset.next === "feedback");
    drawPin();
  });
  document.body.addEventListener("click", (event) => {
    if (!event.target.closest("[data-open-feedback]")) return;
    form.hidden = false;
    document.getElementById("result").focus();
  });
  document.body.addEventListener("field-fed-back", () => {
    form.reset();
    form.hidden = true;
    document.getElementById("revealed").replaceChildren();
  });
})();
