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

// 标点: a small map in the moves panel; a click drops the pin and fills the coordinates the form sends. The map is
// made again whenever the panel is swapped in (a filled form is never swapped: the coordinates count as typing).
function pinMap() {
  const el = document.querySelector(".pin-map"); // no id: htmx would carry the old map's attributes over a swap
  if (!el || !window.L || el.dataset.ready) return;
  el.dataset.ready = "1";
  const here = el.dataset.lat ? [Number(el.dataset.lat), Number(el.dataset.lon)] : null;
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  const tiles = document.getElementById("map") && document.getElementById("map").dataset.tiles;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  fetch("/console/roads.json", { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).then((data) => {
    if (!data) return;
    const city = L.geoJSON(data.layers || { type: "FeatureCollection", features: [] },
      { interactive: false, style: { color: "#5b6675", weight: 1, fillOpacity: 0.03 } }).addTo(map);
    (data.roads || []).forEach((r) => L.polyline(r.points, { color: "#8d99ae", weight: 2 })
      .bindTooltip(r.name, { sticky: true }).addTo(map));
    if (!here && city.getBounds().isValid()) map.fitBounds(city.getBounds());
  });
  if (here) map.setView(here, 16); else map.setView([23.12, 113.31], 12);
  let pin = here ? L.circleMarker(here, { radius: 8, color: "#10233f", className: "pin-now" }).addTo(map) : null;
  map.on("click", (event) => {
    const { lat, lng } = event.latlng;
    const form = el.closest("form"); // inputs without ids: htmx would carry a style attribute over a swap
    form.querySelector("input[name=lat]").value = lat.toFixed(6);
    form.querySelector("input[name=lon]").value = lng.toFixed(6);
    if (pin) pin.remove();
    pin = L.circleMarker([lat, lng], { radius: 8, color: "#c62828", className: "pin-new" }).addTo(map);
  });
}
pinMap();
document.addEventListener("htmx:afterSwap", pinMap);
