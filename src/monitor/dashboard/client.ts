/**
 * The page's script, served inline as it is (no build step at run time). Plain ES2020 for any
 * current browser. Memory stays flat: each pool keeps a fixed ring of points (CAPACITY, ten
 * minutes at one a second) and at most MAX_EVENTS list items; uPlot redraws from the ring, at
 * most once per frame. Data
 * reaches the DOM only as text (textContent), never as HTML.
 * Kept free of backticks and dollar-brace so it can live in this template literal.
 */
export const DASHBOARD_JS = String.raw`(function () {
  'use strict';
  var CAPACITY = 600;
  var MAX_EVENTS = 30;
  var SERIES = ['t', 'idle', 'used', 'connecting', 'max', 'pending', 'waitP50Ms', 'waitP99Ms', 'timeoutsPerSec', 'createErrorsPerSec'];
  var params = new URLSearchParams(location.search);
  var token = params.get('token');
  var base = location.pathname.replace(/\/+$/, '');
  var grid = document.getElementById('pools');
  var statusEl = document.getElementById('stream-status');
  var views = new Map();
  var source = null;
  var ticks = 0;
  var frameQueued = false;

  /** A fixed-size ring per series: pushing never grows memory; ordered() copies oldest to newest. */
  function Ring(capacity, width) {
    this.capacity = capacity;
    this.length = 0;
    this.head = 0;
    this.cols = [];
    for (var i = 0; i < width; i++) this.cols.push(new Array(capacity).fill(null));
  }
  Ring.prototype.push = function (row) {
    for (var i = 0; i < this.cols.length; i++) this.cols[i][this.head] = row[i];
    this.head = (this.head + 1) % this.capacity;
    if (this.length < this.capacity) this.length++;
  };
  Ring.prototype.ordered = function (i) {
    var col = this.cols[i], out = new Array(this.length), start = (this.head - this.length + this.capacity) % this.capacity;
    for (var k = 0; k < this.length; k++) out[k] = col[(start + k) % this.capacity];
    return out;
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(v, unit) {
    if (v === null || v === undefined) return '-';
    return (Math.round(v * 100) / 100) + (unit || '');
  }

  function chart(view, title, series, axes) {
    var box = el('div', 'chart');
    view.charts.appendChild(box);
    var opts = {
      title: title,
      width: Math.max(280, view.card.clientWidth - 24),
      height: 150,
      legend: { live: false },
      cursor: { show: false },
      scales: { x: { time: true }, ms: { auto: true } },
      series: [{}].concat(series),
      axes: [{ stroke: '#889' }].concat(axes),
    };
    var plot = new uPlot(opts, [[]].concat(series.map(function () { return []; })), box);
    plot._cols = series.map(function (s) { return SERIES.indexOf(s.key); });
    view.plots.push(plot);
  }

  function line(key, label, color, extra) {
    var s = { key: key, label: label, stroke: color, width: 1.5, spanGaps: false, points: { show: false } };
    for (var k in extra || {}) s[k] = extra[k];
    return s;
  }

  function makeView(name) {
    var card = el('section', 'pool');
    card.dataset.pool = name;
    var head = el('header');
    head.appendChild(el('h2', null, name));
    var badge = el('span', 'badge', 'waiting');
    badge.dataset.testid = 'health';
    head.appendChild(badge);
    card.appendChild(head);
    var reasons = el('div', 'reasons');
    reasons.dataset.testid = 'reasons';
    card.appendChild(reasons);
    var stats = el('dl', 'stats');
    var cells = {};
    [['used', 'used'], ['idle', 'idle'], ['connecting', 'connecting'], ['pending', 'waiting'], ['waitP50Ms', 'wait p50'], ['waitP99Ms', 'wait p99'],
     ['timeoutsPerSec', 'timeouts/s'], ['createErrorsPerSec', 'connect errors/s'], ['acquired', 'checkouts']].forEach(function (pair) {
      var d = el('div');
      d.appendChild(el('dt', null, pair[1]));
      var dd = el('dd', null, '-');
      dd.dataset.testid = pair[0];
      d.appendChild(dd);
      stats.appendChild(d);
      cells[pair[0]] = dd;
    });
    card.appendChild(stats);
    var charts = el('div', 'charts');
    card.appendChild(charts);
    var config = el('details', 'config');
    config.appendChild(el('summary', null, 'configuration'));
    var table = el('table');
    config.appendChild(table);
    card.appendChild(config);
    card.appendChild(el('h3', null, 'recent events'));
    var events = el('ol', 'events');
    events.dataset.testid = 'events';
    card.appendChild(events);
    grid.appendChild(card);
    var view = { name: name, card: card, badge: badge, reasons: reasons, cells: cells, charts: charts, table: table, events: events,
      eventItems: new Map(), plots: [], ring: new Ring(CAPACITY, SERIES.length), dirty: false, last: null };
    chart(view, 'connections', [line('used', 'used', '#e8590c'), line('idle', 'idle', '#2f9e44'), line('connecting', 'connecting', '#1c7ed6'),
      line('max', 'max', '#868e96', { dash: [4, 4], width: 1 })], [{ stroke: '#889' }]);
    chart(view, 'waiters and wait time', [line('pending', 'waiting', '#ae3ec9'), line('waitP50Ms', 'wait p50 ms', '#1098ad', { scale: 'ms' }),
      line('waitP99Ms', 'wait p99 ms', '#f08c00', { scale: 'ms' })], [{ stroke: '#889' }, { scale: 'ms', side: 1, stroke: '#889', grid: { show: false } }]);
    chart(view, 'timeouts and connect errors per second', [line('timeoutsPerSec', 'timeouts/s', '#e03131'), line('createErrorsPerSec', 'connect errors/s', '#5f3dc4')],
      [{ stroke: '#889' }]);
    views.set(name, view);
    return view;
  }

  function viewOf(name) {
    return views.get(name) || makeView(name);
  }

  function setConfig(view, config) {
    view.table.textContent = '';
    Object.keys(config).forEach(function (key) {
      var tr = el('tr');
      tr.appendChild(el('th', null, key));
      var v = config[key];
      tr.appendChild(el('td', null, v === null ? 'no limit' : String(v)));
      view.table.appendChild(tr);
    });
  }

  function addEvent(e) {
    var view = viewOf(e.pool);
    var li = view.eventItems.get(e.id);
    if (!li) {
      li = el('li', 'event ' + e.kind);
      li.dataset.kind = e.kind;
      view.eventItems.set(e.id, li);
      view.events.insertBefore(li, view.events.firstChild);
      while (view.events.children.length > MAX_EVENTS) {
        var old = view.events.lastChild;
        view.events.removeChild(old);
        view.eventItems.forEach(function (item, id) { if (item === old) view.eventItems.delete(id); });
      }
    }
    li.textContent = '';
    li.appendChild(el('time', null, new Date(e.at).toLocaleTimeString()));
    li.appendChild(el('b', null, ' ' + e.kind + ' '));
    li.appendChild(el('span', null, e.message + (e.count > 1 ? ' (x' + e.count + ')' : '')));
    if (e.stack) {
      var d = el('details');
      d.appendChild(el('summary', null, 'acquired at'));
      d.appendChild(el('pre', null, e.stack));
      li.appendChild(d);
    }
  }

  function setPools(pools) {
    pools.forEach(function (p) {
      var view = viewOf(p.name);
      view.card.classList.remove('gone');
      setConfig(view, p.config);
      p.events.forEach(addEvent);
    });
    var names = new Set(pools.map(function (p) { return p.name; }));
    views.forEach(function (view, name) { if (!names.has(name)) view.card.classList.add('gone'); });
  }

  function tick(msg) {
    ticks++;
    msg.points.forEach(function (p) {
      var view = viewOf(p.name);
      var row = SERIES.map(function (key) { return key === 't' ? msg.t / 1000 : p[key]; });
      view.ring.push(row);
      view.last = p;
      view.dirty = true;
    });
    // One draw per frame however many ticks arrive (a history replay is hundreds at once); none while hidden.
    if (!frameQueued && !document.hidden) {
      frameQueued = true;
      requestAnimationFrame(function () { frameQueued = false; render(); });
    }
  }

  function render() {
    views.forEach(function (view) {
      if (!view.dirty) return;
      view.dirty = false;
      var p = view.last;
      Object.keys(view.cells).forEach(function (key) {
        view.cells[key].textContent = fmt(p[key], key.indexOf('Ms') > 0 ? ' ms' : '');
      });
      view.badge.textContent = p.closed ? 'closed' : p.health;
      view.badge.className = 'badge ' + p.health;
      view.reasons.textContent = p.reasons.map(function (r) { return r.message; }).join('; ');
      view.reasons.dataset.codes = p.reasons.map(function (r) { return r.code; }).join(' ');
      var t = view.ring.ordered(0);
      view.plots.forEach(function (plot) {
        plot.setData([t].concat(plot._cols.map(function (i) { return view.ring.ordered(i); })));
      });
    });
  }

  function resize() {
    views.forEach(function (view) {
      var w = Math.max(280, view.card.clientWidth - 24);
      view.plots.forEach(function (plot) { plot.setSize({ width: w, height: 150 }); });
    });
  }

  function connect() {
    var url = base + '/events' + (token ? '?token=' + encodeURIComponent(token) : '');
    source = new EventSource(url);
    source.addEventListener('open', function () { statusEl.textContent = 'live'; statusEl.className = 'live'; });
    source.addEventListener('error', function () {
      if (statusEl.className === 'ended') return;
      // A refusal (503: too many viewers, or a closed dashboard) closes an EventSource for good;
      // a dropped stream is retried by the browser itself.
      if (source.readyState === 2) {
        statusEl.textContent = 'refused, retrying in 10 s'; statusEl.className = 'reconnecting';
        setTimeout(connect, 10000);
        return;
      }
      statusEl.textContent = 'reconnecting'; statusEl.className = 'reconnecting';
    });
    source.addEventListener('hello', function (m) { setPools(JSON.parse(m.data).pools); });
    source.addEventListener('pools', function (m) { setPools(JSON.parse(m.data)); });
    source.addEventListener('tick', function (m) { tick(JSON.parse(m.data)); });
    source.addEventListener('pool-event', function (m) { addEvent(JSON.parse(m.data)); });
    source.addEventListener('end', function () { source.close(); statusEl.textContent = 'ended'; statusEl.className = 'ended'; });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(resize, 150); });
  document.addEventListener('visibilitychange', function () { if (!document.hidden) render(); });

  // For tests and the curious: feed frames by hand, read what is kept.
  window.havuzDashboard = {
    tick: tick,
    render: render,
    series: function (pool, key) { var v = views.get(pool); return v ? v.ring.ordered(SERIES.indexOf(key)) : []; },
    event: addEvent,
    pools: setPools,
    stop: function () { if (source) source.close(); },
    stats: function () {
      var out = { ticks: ticks, pools: views.size, points: 0, events: 0 };
      views.forEach(function (v) { out.points += v.ring.length; out.events += v.events.children.length; });
      return out;
    },
  };
  connect();
})();
`;
