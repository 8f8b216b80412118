/* Charts of the book: drawn with the locally served vega-embed in the page's light or dark colours (redrawn
   when the reader switches), with the chart's own data offered as a CSV download and a table.
   The spec sits in <script type="application/json" id="CHART-spec">; critmin/render/charts.py writes it. */
(function () {
  "use strict";
  var views = {};

  function unpack(p) {
    // Column-wise, dictionary-encoded rows (charts.py _pack) back to a list of objects.
    if (!p || !p.packed) return p;
    var n = p.packed, rows = [], r;
    for (r = 0; r < n; r++) rows.push({});
    p.cols.forEach(function (c) {
      var k = c[0], d = c[1];
      for (var r = 0; r < n; r++) rows[r][k] = d.u ? d.u[d.i[r]] : d.v[r];
    });
    return rows;
  }

  function isDark() {
    return document.documentElement.getAttribute("data-theme") === "dark";
  }

  function merge(base, over) {
    var out = {}, k;
    for (k in base) out[k] = base[k];
    for (k in over) {
      var b = out[k], o = over[k];
      out[k] = (b && o && typeof b === "object" && typeof o === "object" && !Array.isArray(b) && !Array.isArray(o))
        ? merge(b, o) : o;
    }
    return out;
  }

  function swapInk(obj, ink) {
    // Reference marks drawn in a fixed grey or black get their dark-mode counterpart; data are left alone.
    if (typeof obj === "string") return Object.prototype.hasOwnProperty.call(ink, obj) ? ink[obj] : obj;
    if (Array.isArray(obj)) return obj.map(function (v) { return swapInk(v, ink); });
    if (obj && typeof obj === "object") {
      var out = {};
      for (var k in obj) out[k] = (k === "datasets" || k === "values" || k === "usermeta") ? obj[k] : swapInk(obj[k], ink);
      return out;
    }
    return obj;
  }

  function themed(spec) {
    var meta = (spec.usermeta || {}).critmin || {};
    if (!isDark() || !meta.dark) return spec;
    var s = swapInk(spec, meta.dark.ink || {});
    s.config = merge(s.config || {}, meta.dark.config || {});
    return s;
  }

  function formatValue(v, fmt) {
    if (v === null || v === undefined || v === "") return "–";
    if (typeof v !== "number") return String(v);
    if (fmt && /%$/.test(fmt)) {
      var d = parseInt((fmt.match(/\.(\d+)/) || [0, 1])[1], 10);
      return (v * 100).toFixed(d) + "%";
    }
    if (fmt === "d") return String(Math.round(v));
    return v.toLocaleString("en", { maximumSignificantDigits: 6 });
  }

  function csvCell(v) {
    if (v === null || v === undefined) return "";
    var s = String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function columns(rows, meta) {
    var keys = [];
    rows.forEach(function (r) { for (var k in r) if (keys.indexOf(k) < 0) keys.push(k); });
    var order = meta.fields || [];
    return order.filter(function (f) { return keys.indexOf(f[0]) >= 0; }).map(function (f) { return f[0]; })
      .concat(keys.filter(function (k) { return !order.some(function (f) { return f[0] === k; }); }));
  }

  function offerData(id, spec) {
    var box = document.getElementById(id + "-data");
    if (!box || box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    var meta = (spec.usermeta || {}).critmin || {};
    var titles = {}, formats = {};
    (meta.fields || []).forEach(function (f) { titles[f[0]] = f[1]; if (f[2]) formats[f[0]] = f[2]; });
    var links = box.querySelector(".critmin-chart-downloads");
    var names = Object.keys(spec.datasets || {});
    names.forEach(function (name, i) {
      var rows = spec.datasets[name];
      if (!Array.isArray(rows) || !rows.length) return;
      var cols = columns(rows, meta);
      var lines = [cols.map(csvCell).join(",")];
      rows.forEach(function (r) { lines.push(cols.map(function (c) { return csvCell(r[c]); }).join(",")); });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
      a.download = (meta.file || id) + (names.length > 1 ? "-" + (i + 1) : "") + ".csv";
      a.textContent = "Download the data (CSV" + (names.length > 1 ? ", part " + (i + 1) : "") + ", " +
        rows.length + " rows)";
      links.appendChild(a);
      links.appendChild(document.createTextNode(" "));
    });
    var main = names.map(function (n) { return spec.datasets[n]; }).filter(Array.isArray)
      .sort(function (a, b) { return b.length - a.length; })[0];
    if (!main || !main.length) return;
    var cols = columns(main, meta), limit = 400;
    var table = document.createElement("table");
    table.className = "table critmin-table critmin-chart-table";
    var head = "<thead><tr>" + cols.map(function (c) { return '<th scope="col">' + esc(titles[c] || c) + "</th>"; })
      .join("") + "</tr></thead><tbody>";
    var body = main.slice(0, limit).map(function (r) {
      return "<tr>" + cols.map(function (c) { return "<td>" + esc(formatValue(r[c], formats[c])) + "</td>"; }).join("") + "</tr>";
    }).join("");
    table.innerHTML = head + body + "</tbody>";
    var wrap = box.querySelector(".critmin-chart-rows");
    wrap.appendChild(table);
    if (main.length > limit) {
      var note = document.createElement("p");
      note.textContent = "First " + limit + " of " + main.length + " rows; the CSV has them all.";
      wrap.appendChild(note);
    }
  }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function draw(id) {
    var el = document.getElementById(id), src = document.getElementById(id + "-spec");
    if (!el || !src || !window.vegaEmbed) return;
    var spec = JSON.parse(src.textContent);
    if (spec.datasets) Object.keys(spec.datasets).forEach(function (k) { spec.datasets[k] = unpack(spec.datasets[k]); });
    if (views[id]) { views[id].finalize(); }
    window.vegaEmbed("#" + id, themed(spec), { actions: false, renderer: "svg" })
      .then(function (res) { views[id] = res; el.setAttribute("data-drawn", isDark() ? "dark" : "light"); })
      .catch(function (e) { console.error("chart " + id + ": " + e); });
    var box = document.getElementById(id + "-data");
    if (box && !box.getAttribute("data-listening")) {
      box.setAttribute("data-listening", "1");
      box.addEventListener("toggle", function () { if (box.open) offerData(id, spec); });
    }
  }

  var pending = [];
  window.critminChart = function (id) {
    if (window.vegaEmbed && document.readyState !== "loading") draw(id); else pending.push(id);
  };
  function drawPending() { pending.splice(0).forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawPending);
  window.addEventListener("load", drawPending);
  // The theme's light/dark switch sets data-theme on <html>: redraw in the other colours.
  var last = isDark();
  new MutationObserver(function () {
    if (isDark() === last) return;
    last = isDark();
    Object.keys(views).forEach(draw);
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
})();
