// The board's map: the city's own layers (no tile server needed), units and open incidents.
(function () {
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  // Canvas, not one DOM element per marker: a busy hour has hundreds of open incidents on the board.
  const map = L.map(el, { zoomControl: true, attributionControl: false, preferCanvas: true });
  const tiles = el.dataset.tiles;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  let fitted = false;
  const colours = { available: "#2e7d32", dispatched: "#ef6c00", en_route: "#ef6c00", on_scene: "#c62828" };

  async function draw() {
    const response = await fetch("/console/map.json", { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    layer.clearLayers();
    const city = L.geoJSON(data.layers || { type: "FeatureCollection", features: [] },
      { style: { color: "#5b6675", weight: 1, fillOpacity: 0.04 } }).addTo(layer);
    (data.units || []).forEach((u) => L.circleMarker([u.lat, u.lon],
      { radius: 6, color: colours[u.status] || "#757575", fillOpacity: 0.9 }).bindTooltip(u.code).addTo(layer));
    (data.incidents || []).forEach((i) => L.circleMarker([i.lat, i.lon],
      { radius: 5, weight: 2, color: "#10233f", fillColor: "#ffd740", fillOpacity: 1 })
      .bindTooltip(`#${i.id} P${i.priority}`).addTo(layer));
    if (!fitted) {
      const bounds = city.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds); else map.setView([23.13, 113.26], 12);
      fitted = true;
    }
  }
  draw();
  document.body.addEventListener("htmx:sseMessage", (event) => {
    if (event.detail.type === "units" || event.detail.type === "incidents") draw();
  });
})();
