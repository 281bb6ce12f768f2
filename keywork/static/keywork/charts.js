// Every chart keywork draws, with the vendored Chart.js, from the figures the page carries:
// each <canvas data-chart="ID"> names the json_script holding its figures ({type, labels,
// datasets, y: {max, title}, after}); a table beside each gives the same figures for anyone
// who cannot see it.
(function () {
  if (typeof Chart === "undefined") return;
  var colours = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f"];
  // Past six lines (a recovery-capital chart has ten), the colours come round again with a
  // dash and another point shape, so no two lines look the same.
  var dashes = [[], [6, 4], [2, 3]];
  var points = ["circle", "rectRot", "triangle"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (set, n) {
      var round = Math.floor(n / colours.length) % dashes.length;
      set.backgroundColor = set.borderColor = colours[n % colours.length];
      if (data.type === "line") {
        set.borderDash = dashes[round];
        set.pointStyle = points[round];
      }
    });
    var y = { beginAtZero: true };
    if (data.y && data.y.max) y.max = data.y.max;
    if (data.y && data.y.title) y.title = { display: true, text: data.y.title };
    var plugins = { legend: { display: data.datasets.length > 1 } };
    if (data.after) {
      plugins.tooltip = {
        callbacks: { afterLabel: function (item) { return data.after[item.dataIndex]; } },
      };
    }
    new Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: data.datasets },
      options: { animation: false, maintainAspectRatio: false, scales: { y: y }, plugins: plugins },
    });
  });
})();
