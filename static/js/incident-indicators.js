// The incident indicators page: rates (percent) and counts per child node or handling unit,
// as grouped bars. Data comes from #incident-indicators-data (json_script). Some series start
// hidden to keep the bars readable; the legend shows them.
(function () {
  "use strict";
  var holder = document.getElementById("incident-indicators-data");
  if (!window.echarts || !holder) { return; }
  var data = JSON.parse(holder.textContent);
  var palette = ["#1d5fa8", "#217a4b", "#0f766e", "#d97706", "#7c3aed", "#b4232a", "#a8a29e"];

  function chart(selector, part, shown, percent) {
    var el = document.querySelector(selector);
    if (!el) { return; }
    var selected = {};
    part.labels.forEach(function (name, i) { selected[name] = shown.indexOf(i) >= 0; });
    var chart = echarts.init(el);
    chart.setOption({
      color: palette,
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : (percent ? v + "%" : v); }
      },
      legend: { top: 0, itemGap: 8, selected: selected },
      // The legend wraps on a narrow screen: leave it room above the bars.
      grid: { left: 10, right: 15, top: el.clientWidth < 520 ? 96 : 56, bottom: 10, containLabel: true },
      xAxis: {
        type: "category",
        data: data.names,
        axisLabel: window.shequAxis.label(el, data.names.length)
      },
      yAxis: percent ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value", minInterval: 1 },
      series: part.labels.map(function (name, i) {
        return { name: name, type: "bar", data: part.series[i], barMaxWidth: 28 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Rates: close, on-time close and rework shown; filing and handling in the legend.
  chart(".js-incident-rates", data.rates, [1, 2, 5], true);
  // Counts: reported, due, closed, closed on time shown.
  chart(".js-incident-counts", data.counts, [0, 2, 3, 4], false);
})();
