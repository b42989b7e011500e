/* Draw each chart of the dashboard from the data its table prints (json_script "dash-charts").
   Without ECharts (not vendored yet, or no JS) the tables alone carry every figure. */
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("dash-charts");
    if (!node || !window.echarts) { return; }
    var data = JSON.parse(node.textContent);
    var big = document.body.classList.contains("big-screen");  // the wall screen: dark, larger type
    var palette = ["#2b6cb0", "#6b46c1", "#319795", "#dd6b20", "#718096", "#2f855a", "#d69e2e", "#b42318"];
    /* One colour, one meaning, on every chart: met / cleared / solved green, close amber, not met /
       failing / still open red, in progress blue; anything else takes the neutral palette. */
    var MEANING = { green: "#2f855a", cleared: "#2f855a", solved: "#2f855a", yellow: "#d69e2e",
      red: "#b42318", failing: "#b42318", open: "#b42318", ongoing: "#2b6cb0" };
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var type = el.getAttribute("data-type");
      var given = data[el.getAttribute("data-chart")] || [];
      var series = given.series || [];
      var rows = given.rows || given;
      /* series names in the page's language, from the template (data-names), not written here */
      var names = JSON.parse(el.getAttribute("data-names") || "[]");
      if (type === "pie") { rows = rows.filter(function (r) { return r.count > 0; }); }
      if (!rows.length) { return; }
      var option;
      if (type === "multi") {
        /* several series over the rows of a table: bars (items, kinds, places) or lines (rounds, months) */
        var bars = el.hasAttribute("data-bars");
        option = { tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 40, right: 20, top: 20, bottom: 60 },
          xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { rotate: rows.length > 6 ? 40 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: series.map(function (s) {
            var colour = MEANING[s.key];
            return { name: s.name, type: bars ? "bar" : "line", itemStyle: colour ? { color: colour } : undefined,
              lineStyle: colour ? { color: colour } : undefined,
              data: rows.map(function (r) { return { value: r[s.key], link: r.link }; }) }; }) };
      } else if (type === "pie") {
        option = { tooltip: { trigger: "item" }, legend: { bottom: 0 },
          series: [{ type: "pie", radius: ["35%", "70%"], top: 0, bottom: 40, label: { position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold" },
            data: rows.map(function (r) {
              var colour = MEANING[r.key];
              return { name: r.label, value: r.count, link: r.link, itemStyle: colour ? { color: colour } : undefined };
            }) }] };
      } else if (type === "funnel") {
        option = { tooltip: { trigger: "item" },
          series: [{ type: "funnel", sort: "descending", label: { formatter: "{b}: {c}" }, minSize: "10%",
            data: rows.map(function (r) { return { name: r.label, value: r.count, link: r.link }; }) }] };
      } else if (type === "rates" || type === "coverage") {
        option = { tooltip: {}, grid: { left: 80, right: 30, top: 10, bottom: 30 },
          xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
          yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
          series: [{ type: "bar", label: { show: true, position: "right", formatter: function (p) { return rows[p.dataIndex].percent || "—"; } },
            data: rows.map(function (r) { return { value: r.value, link: r.link }; }) }] };
      } else if (type === "trend") {
        option = { tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 40, right: 20, top: 20, bottom: 50 },
          xAxis: { type: "category", data: rows.map(function (r) { return r.month; }) }, yAxis: { type: "value" },
          series: [
            { name: names[0], type: "line", data: rows.map(function (r) { return { value: r.received, link: r.link }; }) },
            { name: names[1], type: "line", data: rows.map(function (r) { return r.closed; }) },
            { name: names[2], type: "line", data: rows.map(function (r) { return r.solved; }) }] };
      } else if (type === "children") {
        option = { tooltip: { trigger: "axis" }, grid: { left: 40, right: 20, top: 20, bottom: 60 },
          xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: rows.length > 6 ? 40 : 0 } },
          yAxis: { type: "value" },
          series: [{ name: names[0], type: "bar", data: rows.map(function (r) { return { value: r.received, link: r.received_link }; }) }] };
      } else {
        option = { tooltip: {}, grid: { left: 110, right: 30, top: 10, bottom: 30 }, xAxis: { type: "value" },
          yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
          series: [{ type: "bar", label: { show: true, position: "right" },
            data: rows.map(function (r) { return { value: r.count, link: r.link }; }) }] };
      }
      option.color = palette;
      option.animation = false;  // steady for projectors, printing and screenshots
      option.textStyle = { fontSize: big ? 16 : 14 };
      if (big) { option.backgroundColor = "transparent"; }
      el.classList.add("drawn");
      var chart = window.echarts.init(el, big ? "dark" : null);
      chart.setOption(option);
      chart.on("click", function (p) { if (p.data && p.data.link) { window.location.href = p.data.link; } });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  /* The wall screen's 全屏 button: shown only where the browser can go full screen. */
  function fullscreen() {
    var button = document.querySelector("[data-fullscreen]");
    if (!button || !document.documentElement.requestFullscreen) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
  }
  document.addEventListener("DOMContentLoaded", fullscreen);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
