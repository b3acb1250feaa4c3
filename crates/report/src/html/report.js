// Podium report: behaviour for the charts drawn in the page (all data is already in it).
// - Any element with data-tip shows that text in a tooltip while hovered.
// - Radar: a legend button hides or shows a subject's polygon; clicking an axis label (or
//   its button under the chart) hides that axis and redraws the polygons over the
//   remaining axes with the same geometry the server used (crates/report/src/html/charts.rs).
// - A flame graph's download link takes its file from the embedded image.
(function () {
  'use strict';

  var tip = document.getElementById('tip');
  var radar = document.getElementById('radar-chart');

  // A radar vertex can sit on another subject's (close scores): the tooltip lists every
  // shown vertex of that axis within a few pixels, best-ranked subject first.
  function tipText(el) {
    if (!radar || !el.classList.contains('vertex')) return el.getAttribute('data-tip');
    var box = el.getBoundingClientRect();
    var x = box.left + box.width / 2, y = box.top + box.height / 2;
    var near = [];
    radar.querySelectorAll('.series:not(.off) .vertex[data-axis="' + el.getAttribute('data-axis') + '"]')
      .forEach(function (v) {
        var b = v.getBoundingClientRect();
        if (Math.hypot(b.left + b.width / 2 - x, b.top + b.height / 2 - y) <= 8) {
          near.push([Number(v.closest('.series').getAttribute('data-series')), v.getAttribute('data-tip')]);
        }
      });
    near.sort(function (a, b) { return a[0] - b[0]; });
    return near.map(function (n) { return n[1]; }).join('\n');
  }
  function place(evt) {
    tip.style.left = Math.min(evt.pageX + 14, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8) + 'px';
    tip.style.top = (evt.pageY + 16) + 'px';
  }
  function tipped(node) {
    return node && node.closest ? node.closest('[data-tip]') : null;
  }
  document.addEventListener('mouseover', function (evt) {
    var el = tipped(evt.target);
    if (!el) return;
    tip.textContent = tipText(el);
    tip.hidden = false;
    place(evt);
  });
  document.addEventListener('mousemove', function (evt) {
    if (!tip.hidden) place(evt);
  });
  document.addEventListener('mouseout', function (evt) {
    var el = tipped(evt.target);
    if (el && !(evt.relatedTarget && el.contains(evt.relatedTarget))) tip.hidden = true;
  });

  if (radar) {
    var num = function (name) { return Number(radar.getAttribute(name)); };
    var cx = num('data-cx'), cy = num('data-cy'), R = num('data-r');
    var gap = num('data-gap'), scale = num('data-scale');
    var axisCount = radar.querySelectorAll('line.axis').length;
    var hidden = [];
    for (var i = 0; i < axisCount; i++) hidden.push(false);

    var polar = function (angle, radius) {
      return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)];
    };
    var fixed = function (v) { return v.toFixed(1); };

    var layout = function () {
      var visible = [];
      for (var a = 0; a < axisCount; a++) if (!hidden[a]) visible.push(a);
      var angle = {};
      visible.forEach(function (axis, j) {
        angle[axis] = -Math.PI / 2 + 2 * Math.PI * j / visible.length;
      });
      radar.querySelectorAll('[data-axis]').forEach(function (el) {
        var axis = Number(el.getAttribute('data-axis'));
        el.classList.toggle('off', hidden[axis]);
        if (hidden[axis]) return;
        var p;
        if (el.classList.contains('axis')) {
          p = polar(angle[axis], R);
          el.setAttribute('x2', fixed(p[0]));
          el.setAttribute('y2', fixed(p[1]));
        } else if (el.classList.contains('axis-label')) {
          var c = Math.cos(angle[axis]), s = Math.sin(angle[axis]);
          p = polar(angle[axis], R + gap);
          el.setAttribute('x', fixed(p[0]));
          el.setAttribute('y', fixed(p[1]));
          el.setAttribute('text-anchor', c > 0.3 ? 'start' : c < -0.3 ? 'end' : 'middle');
          el.setAttribute('dominant-baseline', s < -0.3 ? 'auto' : s > 0.3 ? 'hanging' : 'middle');
        } else if (el.classList.contains('vertex')) {
          p = polar(angle[axis], R * Number(el.getAttribute('data-value')) / scale);
          el.setAttribute('cx', fixed(p[0]));
          el.setAttribute('cy', fixed(p[1]));
        }
      });
      radar.querySelectorAll('polygon[data-values]').forEach(function (poly) {
        var values = poly.getAttribute('data-values').split(',');
        poly.setAttribute('points', visible.map(function (axis) {
          var p = polar(angle[axis], R * (Number(values[axis]) || 0) / scale);
          return fixed(p[0]) + ',' + fixed(p[1]);
        }).join(' '));
      });
      document.querySelectorAll('.axis-toggle').forEach(function (button) {
        button.setAttribute('aria-pressed', String(!hidden[Number(button.getAttribute('data-axis'))]));
      });
    };

    var toggleAxis = function (axis) {
      var shown = hidden.filter(function (h) { return !h; }).length;
      if (!hidden[axis] && shown <= 1) return; // keep at least one axis to draw on
      hidden[axis] = !hidden[axis];
      layout();
    };

    radar.addEventListener('click', function (evt) {
      var label = evt.target.closest('.axis-label');
      if (label) toggleAxis(Number(label.getAttribute('data-axis')));
    });
    radar.addEventListener('keydown', function (evt) {
      var label = evt.target.closest('.axis-label');
      if (label && (evt.key === 'Enter' || evt.key === ' ')) {
        evt.preventDefault();
        toggleAxis(Number(label.getAttribute('data-axis')));
      }
    });
    document.querySelectorAll('.axis-toggle').forEach(function (button) {
      button.addEventListener('click', function () {
        toggleAxis(Number(button.getAttribute('data-axis')));
      });
    });
    document.querySelectorAll('.legend-item').forEach(function (button) {
      button.addEventListener('click', function () {
        var group = radar.querySelector('.series[data-series="' + button.getAttribute('data-series') + '"]');
        if (!group) return;
        var off = group.classList.toggle('off');
        button.setAttribute('aria-pressed', String(!off));
      });
    });
  }

  document.querySelectorAll('a.svg-download').forEach(function (link) {
    link.addEventListener('click', function () {
      var img = document.getElementById(link.getAttribute('data-for'));
      if (img) link.href = img.src;
    });
  });
})();
