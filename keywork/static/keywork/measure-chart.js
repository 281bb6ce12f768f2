// The measure's month-by-month chart, drawn with the vendored Chart.js; the table below it
// carries the same figures for anyone who cannot see the chart.
(function () {
  var canvas = document.getElementById("measure-chart");
  var source = document.getElementById("measure-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "% counted", data: data.proportion, backgroundColor: "#1d70b8" }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { min: 0, max: 100, title: { display: true, text: "% of clients in drug treatment" } } },
      plugins: {
        tooltip: {
          callbacks: {
            afterLabel: function (item) {
              return data.numerator[item.dataIndex] + " of " + data.denominator[item.dataIndex];
            },
          },
        },
      },
    },
  });
})();
