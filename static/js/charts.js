// Charts drawn with ECharts from data the server embeds with json_script.
// Elements: .js-bars / .js-pie with data-index into the JSON list #overview-data, or
// #children-chart with #chart-data (the region page).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var colors = ["#1d5fa8", "#b4232a", "#217a4b", "#a86400", "#6b3fa0", "#0f766e"];

  function bars(el, d) {
    var labels = JSON.parse(el.dataset.labels || "{}");
    var chart = echarts.init(el);
    chart.setOption({
      color: colors,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: d.names, axisLabel: window.shequAxis.label(el, d.names.length) },
      yAxis: { type: "value" },
      series: [
        { name: labels.persons || "persons", type: "bar", data: d.persons },
        { name: labels.households || "households", type: "bar", data: d.households }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function pie(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      color: colors,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: data, label: { formatter: "{b}\n{c}" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var all = document.getElementById("overview-data");
  if (all) {
    var list = JSON.parse(all.textContent);
    document.querySelectorAll(".js-bars").forEach(function (el) { bars(el, list[+el.dataset.index].bars); });
    document.querySelectorAll(".js-pie").forEach(function (el) { pie(el, list[+el.dataset.index].pie); });
  }
  var one = document.getElementById("chart-data");
  var el = document.getElementById("children-chart");
  if (one && el) { bars(el, JSON.parse(one.textContent)); }
})();
