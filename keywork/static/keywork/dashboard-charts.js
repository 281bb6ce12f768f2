// The dashboard's charts, drawn with the vendored Chart.js from the figures the page carries
// (each canvas names its data with data-chart); a table beside each gives the same figures.
(function () {
  if (typeof Chart === "undefined") return;
  var colours = ["#1d70b8", "#f47738", "#00703c", "#4c2c92"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (set, n) {
      set.backgroundColor = colours[n % colours.length];
    });
    new Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { display: data.datasets.length > 1 } },
      },
    });
  });
})();
