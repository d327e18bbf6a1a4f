// The hotline indicators: the six rates and the counts per row, drawn with ECharts from
// #hotline-data (json_script).
(function () {
  "use strict";
  var holder = document.getElementById("hotline-data");
  if (!window.echarts || !holder) { return; }
  var d = JSON.parse(holder.textContent);
  var colors = ["#1d5fa8", "#217a4b", "#0f766e", "#a86400", "#b4232a", "#6b3fa0"];

  function draw(el, keys, source, percent) {
    var many = d.names.length > 6;
    var chart = echarts.init(el);
    chart.setOption({
      color: colors,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 45, right: 15, top: 40, bottom: many ? 80 : 30 },
      xAxis: { type: "category", data: d.names, axisLabel: { rotate: many ? 40 : 0, interval: 0 } },
      yAxis: percent ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value", minInterval: 1 },
      series: keys.map(function (key) { return { name: d.labels[key], type: "bar", data: source[key] }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll(".js-hotline-rates").forEach(function (el) {
    draw(el, Object.keys(d.series), d.series, true);
  });
  document.querySelectorAll(".js-hotline-counts").forEach(function (el) {
    draw(el, Object.keys(d.counts), d.counts, false);
  });
})();
