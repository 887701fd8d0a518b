// 指挥大屏: tiles come from the server (htmx); the charts read the figures the tiles carry (#kpi-data, swapped in with
// them) and speak the reader's language (#dash-words).
// The `kpi` signal of the event stream refreshes them at most once a second, never dropping the last one.
(function () {
  const root = document.getElementById("dashboard");
  if (!root || !window.echarts) return;
  const style = getComputedStyle(document.body);
  const colour = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const ink = colour("--ink", "#1b2430");
  const muted = colour("--muted", "#5b6675");
  const line = colour("--line", "#d8dee6");
  const size = Math.round(parseFloat(style.fontSize) || 15);
  const large = document.body.classList.contains("large");
  const text = { color: ink, fontSize: size };
  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry inline styles, which the CSP refuses.
  const tip = { renderMode: "richText", textStyle: text };
  const words = JSON.parse(document.getElementById("dash-words").textContent);
  const english = words.lang === "en";
  const mix = echarts.init(document.getElementById("chart-mix"));
  const trend = echarts.init(document.getElementById("chart-trend"));

  function figures() {
    const el = document.getElementById("kpi-data");
    return el ? JSON.parse(el.dataset.json) : null;
  }

  function draw() {
    const data = figures();
    if (!data) return;
    const cats = data.categories.slice(0, 10).reverse();
    mix.setOption({
      textStyle: text,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { ...tip, trigger: "item", formatter: (p) => `${p.name}: ${p.value}` },
      xAxis: { type: "value", minInterval: 1, axisLabel: text, splitLine: { lineStyle: { color: line } } },
      yAxis: { type: "category", data: cats.map((c) => (english ? c.category_en : c.category_zh)), axisLabel: text },
      series: [{ type: "bar", data: cats.map((c) => c.count), itemStyle: { color: colour("--police", "#c62828") },
                 label: { show: true, position: "right", color: ink, fontSize: size } }],
    }, true);
    const hours = Array.from({ length: 24 }, (_, h) => `${h}${words.hour}`);
    const t = data.trend;
    trend.setOption({
      textStyle: text,
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: { ...tip, trigger: "axis" },
      legend: { textStyle: text, top: 0 },
      xAxis: { type: "category", data: hours, axisLabel: text },
      yAxis: { type: "value", minInterval: 1, axisLabel: text, splitLine: { lineStyle: { color: line } } },
      series: [
        { name: `${words.today} ${t.day}`, type: "line", data: t.today_counts, lineStyle: { width: large ? 5 : 3 },
          color: colour("--police", "#c62828") },
        { name: `${words.yesterday} ${t.yesterday}`, type: "line", data: t.yesterday_counts, color: colour("--warn", "#ef6c00"),
          lineStyle: { type: "dashed", width: large ? 3 : 2 } },
        { name: `${words.last_year} ${t.last_year}`, type: "line", data: t.last_year_counts, color: muted,
          lineStyle: { type: "dotted", width: large ? 3 : 2 } },
      ],
    }, true);
  }

  // The heat map: the city's own layers (no tile server), cells coloured by how many incidents fell in them.
  const el = document.getElementById("heat");
  const map = window.L ? L.map(el, { attributionControl: false }) : null;
  if (map && el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  const cells = map ? L.layerGroup().addTo(map) : null;
  let fitted = false;
  async function heat() {
    if (!map) return;
    const response = await fetch("/console/dashboard/heat.json", { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    cells.clearLayers();
    const city = L.geoJSON(data.layers || { type: "FeatureCollection", features: [] },
      { style: { color: muted, weight: 1, fillOpacity: 0.04 } }).addTo(cells);
    const top = Math.max(1, ...data.cells.map((c) => c.count));
    const half = 0.0025;
    data.cells.forEach((c) => {
      const heat = c.count / top;
      const hue = Math.round(60 - 60 * heat); // yellow (few) to red (most)
      L.rectangle([[c.lat - half, c.lon - half], [c.lat + half, c.lon + half]],
        { stroke: false, fillColor: `hsl(${hue}, 100%, 50%)`, fillOpacity: 0.35 + 0.5 * heat })
        .bindTooltip(`${c.count} ${words.incidents}`).addTo(cells);
    });
    if (!fitted) {
      const bounds = city.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds);
      else if (data.cells.length) map.fitBounds(data.cells.map((c) => [c.lat, c.lon]), { maxZoom: 14 });
      else map.setView([23.13, 113.26], 12);
      fitted = true;
    }
  }

  let last = 0;
  let timer = null;
  function refresh() {
    if (timer) return; // one is already due: it will fetch the latest figures
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      htmx.trigger(document.body, "kpi-refresh");
      heat();
    }, Math.max(0, 1000 - (Date.now() - last)));
  }

  document.body.addEventListener("htmx:sseMessage", (event) => {
    if (event.detail.type === "kpi") refresh();
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "kpis") draw();
  });
  window.addEventListener("resize", () => { mix.resize(); trend.resize(); if (map) map.invalidateSize(); });
  draw();
  heat();
})();
