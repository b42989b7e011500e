/* The map page. Without tiles (the default): the clusters on a plain plot of the place's extent
   (longitude, latitude) with the vendored ECharts; east-west is shrunk by cos(latitude) so the county keeps
   its shape, and no server is asked for anything. With the county's 天地图 key: Leaflet (vendored) over its
   tiles, the only other server the page then asks. The points come in the page (#map-data). */
(function () {
  "use strict";

  function fit(extent, width, height) {  // widen the short side so one km is as long both ways
    const mid = (extent.south + extent.north) / 2;
    const k = Math.cos(mid * Math.PI / 180);
    let w = (extent.east - extent.west) * k, h = extent.north - extent.south;
    const want = width / height;
    if (w / h < want) w = h * want; else h = w / want;
    const cx = (extent.west + extent.east) / 2, cy = mid;
    return { west: cx - w / k / 2, east: cx + w / k / 2, south: cy - h / 2, north: cy + h / 2 };
  }

  /* The county's tiles (天地图) with Leaflet, vendored: the clusters as sized circles with their count. */
  function drawOnTiles(box, data) {
    const map = self.L.map(box, { attributionControl: true, zoomControl: true });
    map.attributionControl.setPrefix("Leaflet");
    data.tiles.urls.forEach(function (url) {
      self.L.tileLayer(url, { subdomains: data.tiles.subdomains, maxZoom: 18, attribution: data.tiles.attribution }).addTo(map);
    });
    const max = Math.max.apply(null, data.clusters.map(function (c) { return c.count; }).concat([1]));
    data.clusters.forEach(function (c) {
      const size = Math.round(20 + 30 * Math.sqrt(c.count / max));
      const icon = self.L.divIcon({ className: "map-cluster", html: "<span>" + c.count + "</span>", iconSize: [size, size] });
      self.L.marker([c.lat, c.lng], { icon: icon, title: (c.places || []).join("、") + " " + c.count + " " + data.count_label }).addTo(map);
    });
    if (data.focus) self.L.circleMarker([data.focus.lat, data.focus.lng], { radius: 8, color: "#1d4ed8" }).addTo(map);
    const e = data.extent;
    map.fitBounds([[e.south, e.west], [e.north, e.east]]);
    box.dataset.drawn = String(data.clusters.length);
  }

  function draw() {
    const box = document.getElementById("map");
    const data = JSON.parse(document.getElementById("map-data").textContent);
    if (box && data.tiles && data.extent && self.L) { drawOnTiles(box, data); return; }
    if (!box || !self.echarts) return;
    if (!data.extent) { box.classList.add("empty"); box.dataset.drawn = "0"; return; }
    const chart = self.echarts.init(box, null, { renderer: "svg" });
    const e = fit(data.extent, box.clientWidth || 600, box.clientHeight || 400);
    const narrow = (box.clientWidth || 600) < 560;  // a phone: fewer, shorter axis labels
    const max = Math.max.apply(null, data.clusters.map(function (c) { return c.count; }).concat([1]));
    const series = [{
      type: "scatter", name: data.label,
      data: data.clusters.map(function (c) { return { value: [c.lng, c.lat, c.count], places: c.places }; }),
      symbolSize: function (v) { return 10 + 34 * Math.sqrt(v[2] / max); },
      itemStyle: { color: "#b42318", opacity: 0.7, borderColor: "#fff", borderWidth: 1 },
      label: { show: true, formatter: function (p) { return String(p.value[2]); }, color: "#fff", fontSize: 11 },
    }];
    if (data.focus) {
      series.push({ type: "effectScatter", data: [[data.focus.lng, data.focus.lat]], symbolSize: 14,
        itemStyle: { color: "#1d4ed8" }, z: 5 });
    }
    chart.setOption({
      animation: false,
      grid: { left: narrow ? 48 : 60, right: 12, top: 12, bottom: 32 },
      tooltip: { trigger: "item", formatter: function (p) {
        if (!p.data || !p.data.value) return "";
        return (p.data.places || []).join("、") + "<br>" + p.value[2] + " " + data.count_label;
      } },
      xAxis: { type: "value", min: e.west, max: e.east, scale: true, splitNumber: narrow ? 3 : 6,
        splitLine: { lineStyle: { color: "#eef0f3" } },
        axisLabel: { showMinLabel: false, showMaxLabel: false, hideOverlap: true,
          formatter: function (v) { return v.toFixed(narrow ? 1 : 2) + "°E"; } } },
      yAxis: { type: "value", min: e.south, max: e.north, scale: true, splitNumber: narrow ? 4 : 6,
        splitLine: { lineStyle: { color: "#eef0f3" } },
        axisLabel: { showMinLabel: false, showMaxLabel: false, hideOverlap: true,
          formatter: function (v) { return v.toFixed(narrow ? 1 : 2) + "°N"; } } },
      series: series,
    });
    box.dataset.drawn = String(data.clusters.length);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
