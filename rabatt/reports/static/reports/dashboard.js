// Draw each dashboard chart from the JSON the page carries (Chart.js, served from our static
// files). Without JavaScript the tables under the charts carry the same figures.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (d) {
      return {label: d.label, data: d.data, backgroundColor: d.colour, borderColor: d.colour,
              fill: false, tension: 0.2};
    });
    var valueAxis = {beginAtZero: true, stacked: !!spec.stacked};
    if (spec.percent) { valueAxis.max = 100; valueAxis.ticks = {callback: function (v) { return v + " %"; }}; }
    var scales = spec.horizontal ? {x: valueAxis, y: {stacked: !!spec.stacked}}
                                 : {x: {stacked: !!spec.stacked}, y: valueAxis};
    new Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x", scales: scales,
        plugins: {legend: {display: datasets.length > 1}}
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    document.documentElement.dataset.chartsDrawn = "true";
  });
})();
