// The hall's figures page: grouped bars per worker, unit or community, and stacked ratings.
// Data comes from #figures-data (json_script); each .js-figure-* element names its table.
(function () {
  "use strict";
  var holder = document.getElementById("figures-data");
  if (!window.echarts || !holder) { return; }
  var data = JSON.parse(holder.textContent);
  var labels = data.labels;
  var colors = ["#1d5fa8", "#217a4b", "#0f766e", "#b4232a"];
  var levelColors = ["#217a4b", "#4f9d69", "#a8a29e", "#d97706", "#b4232a"];

  function axis(el, names) {
    return {
      grid: { left: 10, right: 15, top: 35, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: window.shequAxis.label(el, names.length) },
      yAxis: { type: "value", minInterval: 1 }
    };
  }

  function draw(el, option) {
    var chart = echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll(".js-figure-bars").forEach(function (el) {
    var t = data.tables[+el.dataset.index];
    var option = axis(el, t.names);
    option.color = colors;
    option.tooltip = { trigger: "axis" };
    option.legend = { top: 0 };
    option.series = ["accepted", "finished", "on_time", "overdue"].map(function (key) {
      return { name: labels[key], type: "bar", data: t[key] };
    });
    draw(el, option);
  });

  document.querySelectorAll(".js-figure-ratings").forEach(function (el) {
    var t = data.tables[+el.dataset.index];
    var option = axis(el, t.names);
    option.color = levelColors;
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
    option.legend = { top: 0 };
    option.series = labels.levels.map(function (name, i) {
      return { name: name, type: "bar", stack: "ratings", data: t.ratings[i] };
    });
    draw(el, option);
  });
})();
