// The map of the board and of /console/map: the city's own layers (no tile server needed), stations and their
// areas, units coloured by status and open incidents by priority, a legend, and a popup for each marker.
// Everything a person typed reaches the page as text nodes, never as HTML.
(function () {
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  // SVG markers, one element each: the board shows at most a few hundred, and each one can be clicked.
  const map = L.map(el, { zoomControl: true, attributionControl: false, zoomSnap: 0.25 });
  const tiles = el.dataset.tiles;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  const UNIT = { available: "#2e7d32", dispatched: "#ef6c00", accepted: "#f9a825", en_route: "#1565c0",
                 on_scene: "#c62828", busy: "#6d4c41", off_duty: "#9e9e9e" };
  const PRIORITY = { 1: "#b71c1c", 2: "#e65100", 3: "#f9a825", 4: "#1565c0" };
  let city = null;
  let view = "unset"; // "fitted" to the city until the person drags the map ("moved")
  map.on("dragstart", () => { view = "moved"; });

  function fit() {
    const bounds = city && city.getBounds();
    if (bounds && bounds.isValid()) map.fitBounds(bounds); else map.setView([23.13, 113.26], 12);
    view = "fitted";
  }

  let legend = null;
  let opened = null; // the marker whose popup is open survives a redraw on a live signal
  const markers = new Map();
  map.on("popupclose", () => { opened = null; });

  function mark(key, at, options, content) {
    const marker = L.circleMarker(at, options).bindPopup(content).addTo(layer);
    marker.on("popupopen", () => { opened = key; });
    markers.set(key, marker);
  }

  function node(tag, text, attrs) {
    const n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    Object.entries(attrs || {}).forEach(([k, v]) => n.setAttribute(k, v));
    return n;
  }

  function popup(lines, link) {
    const box = node("div", undefined, { class: "popup", translate: "no" });
    lines.filter(Boolean).forEach((line, i) => box.append(node(i ? "div" : "strong", line)));
    if (link) box.append(node("a", link.text, { href: link.href, class: "popup-link" }));
    return box;
  }

  function drawLegend(words) {
    if (legend) return;
    legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const box = node("div", undefined, { class: "legend", id: "map-legend" });
      const row = (colour, text, shape) => {
        const line = node("div");
        line.append(node("span", undefined, { class: `swatch ${shape}`, "data-colour": colour }), node("span", text));
        box.append(line);
      };
      Object.entries(words.units).forEach(([status, text]) => row(UNIT[status] || "#757575", text, "dot"));
      Object.entries(words.priorities).forEach(([p, text]) => row(PRIORITY[p], `${words.incident} ${text}`, "dot incident"));
      row("#10233f", words.station, "ring");
      if (words.posts) row("#2e7d32", words.posts.ok, "dot");
      if (words.gap) row("#f2b8b8", words.gap, "dot");
      // The CSP allows no style attribute in the page's HTML; colours are set through the DOM instead.
      box.querySelectorAll("[data-colour]").forEach((s) => { s.style.background = s.dataset.colour; });
      return box;
    };
    legend.addTo(map);
  }

  async function draw() {
    const response = await fetch("/console/map.json", { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    const words = data.legend;
    const reopen = opened;
    layer.clearLayers();
    markers.clear();
    city = L.geoJSON(data.layers || { type: "FeatureCollection", features: [] },
      { style: { color: "#5b6675", weight: 1, fillOpacity: 0.03 },
        onEachFeature: (f, area) => f.properties && f.properties.name && area.bindTooltip(f.properties.name,
          { permanent: true, direction: "center", className: "district" }) }).addTo(layer);
    (data.roads || []).forEach((r) => L.polyline(r.points, { color: "#8d99ae", weight: 2, interactive: true,
      className: "road" }).bindTooltip(r.name, { sticky: true }).addTo(layer));
    if (data.gaps) L.geoJSON(data.gaps, { interactive: false, style: { color: "#c62828", weight: 0,
      fillColor: "#c62828", fillOpacity: 0.18, className: "gap" } }).addTo(layer);
    (data.stations || []).forEach((s) => {
      if (s.area) L.geoJSON(s.area, { style: { color: "#10233f", weight: 2, dashArray: "4 4", fillOpacity: 0.05 } }).addTo(layer);
      if (s.lat === undefined) return;
      mark(`station-${s.code}`, [s.lat, s.lon], { radius: 9, color: "#10233f", weight: 3, fill: false,
        className: `station station-${s.code}` }, () => popup([s.name, words.station, s.jurisdiction]));
    });
    (data.posts || []).forEach((p) => mark(`post-${p.code}`, [p.lat, p.lon],
      { radius: 6, weight: 2, color: "#10233f", fillColor: p.health === "ok" ? "#2e7d32" : "#c62828", fillOpacity: 1,
        className: `post post-${p.code} post-${p.health}` },
      () => popup([`${p.code} ${p.name}`, words.posts[p.health] || p.health, p.address])));
    (data.incidents || []).forEach((i) => mark(`incident-${i.id}`, [i.lat, i.lon],
      { radius: 8, weight: 2, color: "#10233f", fillColor: PRIORITY[i.priority] || "#757575", fillOpacity: 1,
        className: `incident incident-${i.id}` },
      () => popup([`#${i.id} P${i.priority} ${i.category}`, i.state, i.words, i.address],
        { href: `/console/incidents/${i.id}`, text: `${words.open} #${i.id}` })));
    (data.units || []).forEach((u) => mark(`unit-${u.code}`, [u.lat, u.lon],
      { radius: 7, color: "#fff", weight: 2, fillColor: UNIT[u.status] || "#757575", fillOpacity: 1,
        className: `unit unit-${u.code}` },
      () => popup([`${u.code} ${u.name}`, words.units[u.status] || u.status],
        u.incident ? { href: `/console/incidents/${u.incident}`, text: `${words.open} #${u.incident}` } : null)));
    if (reopen && markers.has(reopen)) markers.get(reopen).openPopup();
    drawLegend(words);
    if (view === "unset") fit();
  }
  draw();
  // The panel's height comes from the layout: tell Leaflet once it is known.
  new ResizeObserver(() => {
    map.invalidateSize();
    if (view === "fitted") fit();
  }).observe(el);
  document.body.addEventListener("htmx:sseMessage", (event) => {
    if (event.detail.type === "units" || event.detail.type === "incidents") draw();
  });
})();
