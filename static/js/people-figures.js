// The register's figures page: status and dwellings per child node (stacked bars), age bands
// and care groups of the total. Data comes from #people-figures-data (json_script).
(function () {
  "use strict";
  var holder = document.getElementById("people-figures-data");
  if (!window.echarts || !holder) { return; }
  var data = JSON.parse(holder.textContent);
  var palette = ["#1d5fa8", "#217a4b", "#d97706", "#b4232a", "#0f766e", "#7c3aed", "#a8a29e", "#be185d"];

  function draw(selector, make) {
    var el = document.querySelector(selector);
    if (!el) { return; }
    var chart = echarts.init(el);
    var option = make(el);
    option.color = palette;
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function stacked(part) {
    return function (el) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 10, right: 15, top: 40, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: data.names, axisLabel: window.shequAxis.label(el, data.names.length) },
        yAxis: { type: "value", minInterval: 1 },
        series: part.labels.map(function (name, i) {
          return { name: name, type: "bar", stack: "all", data: part.series[i] };
        })
      };
    };
  }

  function bars(part, horizontal) {
    return function () {
      var category = { type: "category", data: part.labels, axisLabel: { interval: 0 } };
      var value = { type: "value", minInterval: 1 };
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 10, right: 30, top: 20, bottom: 10, containLabel: true },
        xAxis: horizontal ? value : category,
        yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
        series: [{ type: "bar", data: part.values, label: { show: true, position: horizontal ? "right" : "top" } }]
      };
    };
  }

  draw(".js-people-status", stacked(data.status));
  draw(".js-people-dwellings", stacked(data.dwellings));
  draw(".js-people-bands", bars(data.bands, false));
  draw(".js-people-care", bars(data.care, true));
})();
