// Reports: each chart drawn with Chart.js from the figures in its page's data block (a
// <script type="application/json">: the Content-Security-Policy allows no inline script).
// Every series differs in colour and in pattern, and is named in the legend; the table beside
// each chart holds the same figures.
"use strict";
(() => {
  // Okabe and Ito's palette, told apart with the common colour-vision deficiencies.
  const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"];
  // Bars that name a decision or an outcome take its colour from the pages' style sheet.
  const NAMED = {
    clear: "--clear", authorized: "--authorized", refer: "--refer", deny: "--deny",
    open: "--refer", released: "--clear", held: "--deny", other: "--muted",
  };
  const SIZE = 12;

  function pattern(colour, kind) {
    if (kind === 0) return colour;  // the first series: plain
    const tile = document.createElement("canvas");
    tile.width = tile.height = SIZE;
    const c = tile.getContext("2d");
    c.fillStyle = colour;
    c.fillRect(0, 0, SIZE, SIZE);
    c.strokeStyle = "rgba(255, 255, 255, 0.75)";
    c.fillStyle = "rgba(255, 255, 255, 0.75)";
    c.lineWidth = 2;
    c.beginPath();
    switch (kind % 6) {
      case 1:  // diagonal lines
        c.moveTo(0, SIZE); c.lineTo(SIZE, 0);
        c.moveTo(-SIZE / 2, SIZE / 2); c.lineTo(SIZE / 2, -SIZE / 2);
        c.moveTo(SIZE / 2, SIZE * 1.5); c.lineTo(SIZE * 1.5, SIZE / 2);
        break;
      case 2:  // dots
        c.arc(SIZE / 4, SIZE / 4, 1.6, 0, 2 * Math.PI);
        c.arc((3 * SIZE) / 4, (3 * SIZE) / 4, 1.6, 0, 2 * Math.PI);
        c.fill();
        break;
      case 3:  // horizontal lines
        c.moveTo(0, SIZE / 4); c.lineTo(SIZE, SIZE / 4);
        c.moveTo(0, (3 * SIZE) / 4); c.lineTo(SIZE, (3 * SIZE) / 4);
        break;
      case 4:  // crossed lines
        c.moveTo(0, 0); c.lineTo(SIZE, SIZE);
        c.moveTo(0, SIZE); c.lineTo(SIZE, 0);
        break;
      default:  // vertical lines
        c.moveTo(SIZE / 4, 0); c.lineTo(SIZE / 4, SIZE);
        c.moveTo((3 * SIZE) / 4, 0); c.lineTo((3 * SIZE) / 4, SIZE);
    }
    c.stroke();
    return c.createPattern(tile, "repeat");
  }

  function named(name, i) {
    const variable = NAMED[name];
    const found = variable && getComputedStyle(document.documentElement).getPropertyValue(variable);
    return (found && found.trim()) || COLOURS[i % COLOURS.length];
  }

  function datasets(spec, series) {
    return spec.datasets.map((d, i) => {
      const data = series ? series[i] : d.data;
      if (spec.per_bar) {
        return {
          label: d.label, data,
          backgroundColor: spec.per_bar.map((name, j) => pattern(named(name, j), j)),
          borderColor: spec.per_bar.map((name, j) => named(name, j)),
          borderWidth: 1,
        };
      }
      const colour = COLOURS[i % COLOURS.length];
      return { label: d.label, data, backgroundColor: pattern(colour, i), borderColor: colour, borderWidth: 1 };
    });
  }

  function draw(canvas) {
    const block = document.getElementById(canvas.dataset.chart);
    if (!block || typeof Chart === "undefined") return;
    const spec = JSON.parse(block.textContent);
    const stacked = Boolean(spec.stacked);
    const value = spec.horizontal ? "x" : "y";
    const scales = {
      x: { stacked, ticks: { autoSkip: true, maxRotation: 60 } },
      y: { stacked, ticks: { autoSkip: true } },
    };
    scales[value].beginAtZero = true;
    scales[value].ticks.precision = 0;
    scales[value].title = { display: true, text: spec.axis };
    const chart = new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        locale: spec.locale,
        indexAxis: spec.horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales,
        plugins: { legend: { display: !spec.per_bar, position: "bottom" } },
      },
    });
    const filter = document.querySelector(`[data-filter-for="${canvas.id}"]`);
    if (filter && spec.by_component) {
      const select = filter.querySelector("select");
      select.addEventListener("change", () => {
        chart.data.datasets = datasets(spec, spec.by_component[select.value]);
        chart.update();
      });
      filter.hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
