// 走失案件页: the map shows where the person was last seen (blue) and each sighting (red); a click fills the
// sighting form's coordinates. The map is made again whenever the case is read again after a step.
function missingMap() {
  const el = document.querySelector(".missing-map"); // no id: htmx would carry the old map's attributes over
  if (!el || !window.L || el.dataset.ready) return;
  el.dataset.ready = "1";
  const seen = el.dataset.lat ? [Number(el.dataset.lat), Number(el.dataset.lon)] : null;
  const points = JSON.parse(el.dataset.points || "[]");
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  fetch("/console/roads.json", { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).then((data) => {
    if (!data) return;
    (data.roads || []).forEach((r) => L.polyline(r.points, { color: "#8d99ae", weight: 2 })
      .bindTooltip(r.name, { sticky: true }).addTo(map));
  });
  const marks = [];
  if (seen) marks.push(L.circleMarker(seen, { radius: 9, color: "#1f4e9c", className: "last-seen" }).addTo(map));
  points.forEach((p) => marks.push(L.circleMarker([p.lat, p.lon], { radius: 7, color: "#c62828", className: "sighting" })
    .bindTooltip(p.label).addTo(map)));
  if (marks.length > 1) map.fitBounds(L.featureGroup(marks).getBounds().pad(0.3));
  else if (marks.length) map.setView(marks[0].getLatLng(), 15);
  else map.setView([23.12, 113.31], 12);
  let pin = null;
  map.on("click", (event) => {
    const form = document.getElementById("sighting-form");
    if (!form) return;
    const { lat, lng } = event.latlng;
    form.querySelector("input[name=lat]").value = lat.toFixed(6);
    form.querySelector("input[name=lon]").value = lng.toFixed(6);
    if (pin) pin.remove();
    pin = L.circleMarker([lat, lng], { radius: 8, color: "#e65100", className: "pin-new" }).addTo(map);
  });
}
missingMap();
document.addEventListener("htmx:afterSwap", missingMap);
