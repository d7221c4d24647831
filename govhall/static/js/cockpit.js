/* The district cockpit's charts (ECharts, canvas renderer: no inline styles or scripts).
   The figures come from the JSON block #cockpit-data; each chart's table is on the page too. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("cockpit-data");
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];

    function chart(id, option) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var c = window.echarts.init(el, null, { renderer: "canvas" });
      option.animation = false;
      option.aria = { enabled: true };
      c.setOption(option);
      charts.push(c);
    }

    chart("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.trend.map(function (d) { return d.day.slice(5); }) },
      yAxis: [{ type: "value", name: "取号" }, { type: "value", name: "分钟" }],
      series: [
        { name: "取号", type: "bar", data: data.trend.map(function (d) { return d.tickets; }) },
        { name: "平均等候", type: "line", yAxisIndex: 1, data: data.trend.map(function (d) { return d.wait_mean; }) },
        { name: "九成不超过", type: "line", yAxisIndex: 1, data: data.trend.map(function (d) { return d.wait_p90; }) }
      ]
    });
    chart("chart-hour", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.by_hour.map(function (h) { return h.label; }) },
      yAxis: [{ type: "value", name: "取号" }, { type: "value", name: "分钟" }],
      series: [
        { name: "取号", type: "bar", data: data.by_hour.map(function (h) { return h.tickets; }) },
        { name: "平均等候", type: "line", yAxisIndex: 1, data: data.by_hour.map(function (h) { return h.wait_mean; }) }
      ]
    });
    var halls = data.halls.slice(0, 30);
    chart("chart-halls", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 80 },
      xAxis: { type: "category", data: halls.map(function (h) { return h.name; }), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: [{ type: "value", name: "取号" }, { type: "value", name: "分钟" }],
      series: [
        { name: "取号", type: "bar", data: halls.map(function (h) { return h.tickets; }) },
        { name: "九成不超过", type: "bar", yAxisIndex: 1, data: halls.map(function (h) { return h.wait_p90; }) }
      ]
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
