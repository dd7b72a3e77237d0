#include "dashboard/dashboard_page.h"

#include "absl/strings/str_replace.h"

namespace wissel::dashboard {
namespace {

constexpr char kHtml[] = R"html(<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Supervisiedashboard — Wissel</title>
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#inhoud">Direct naar de cijfers</a>
<header class="top">
  <div class="title">
    <h1>Supervisiedashboard <span id="tenant-name"></span></h1>
    <p class="meta"><span id="date">–</span>, stand van <time id="time">–</time></p>
  </div>
  <p id="status" class="status status-wait" role="status">Verbinden met het dashboard…</p>
  <form method="post" action="/logout" class="logout">
    <button type="submit">Afmelden</button>
  </form>
</header>
<nav aria-label="Onderdelen van het dashboard">
  <ul>
    <li><a href="#wachtrijen">Wachtrijen</a></li>
    <li><a href="#medewerkers">Medewerkers</a></li>
    <li><a href="#digitaal">Digitaal, tenzij</a></li>
    <li><a href="#verloop">Verloop</a></li>
  </ul>
</nav>
<main id="inhoud" tabindex="-1">
  <div id="announce" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>

  <section aria-labelledby="h-overzicht">
    <h2 id="h-overzicht">Nu en vandaag</h2>
    <dl class="tiles">
      <div class="tile"><dt>Wachtend nu</dt><dd id="t-waiting">–</dd></div>
      <div class="tile"><dt>Langste wachttijd nu</dt><dd id="t-longest">–</dd></div>
      <div class="tile"><dt>Servicelevel vandaag</dt><dd id="t-sl">–</dd></div>
      <div class="tile"><dt>Binnengekomen vandaag</dt><dd id="t-routed">–</dd></div>
      <div class="tile"><dt>Afgehandeld vandaag</dt><dd id="t-handled">–</dd></div>
      <div class="tile"><dt>Afgebroken vandaag</dt><dd id="t-abandoned">–</dd></div>
    </dl>
  </section>

  <section id="wachtrijen" aria-labelledby="h-wachtrijen">
    <h2 id="h-wachtrijen">Wachtrijen</h2>
    <p class="note">Wachtend en langste wachttijd nu; de andere cijfers over vandaag.
      Servicelevel: aangenomen binnen de norm, van de aangenomen en afgebroken contacten.</p>
    <div class="table-wrap" role="region" aria-labelledby="cap-queues" tabindex="0">
      <table id="queues">
        <caption id="cap-queues">Wachtrijen nu en vandaag</caption>
        <colgroup><col></colgroup>
        <colgroup span="3"></colgroup>
        <colgroup span="2"></colgroup>
        <colgroup span="6"></colgroup>
        <thead>
          <tr>
            <th scope="col" rowspan="2">Wachtrij</th>
            <th scope="colgroup" colspan="3" class="group">Nu</th>
            <th scope="colgroup" colspan="2" class="group">Medewerkers nu</th>
            <th scope="colgroup" colspan="6" class="group">Vandaag</th>
          </tr>
          <tr>
            <th scope="col">Wachtend</th>
            <th scope="col">Aange&shy;boden</th>
            <th scope="col">Langste wacht&shy;tijd</th>
            <th scope="col">Beschik&shy;baar</th>
            <th scope="col">Aange&shy;meld</th>
            <th scope="col">Binnen&shy;gekomen</th>
            <th scope="col">Afge&shy;handeld</th>
            <th scope="col">Afge&shy;broken</th>
            <th scope="col">Service&shy;level</th>
            <th scope="col">Norm</th>
            <th scope="col">Gemid&shy;delde wacht&shy;tijd</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
    </div>
  </section>

  <section id="medewerkers" aria-labelledby="h-medewerkers">
    <h2 id="h-medewerkers">Medewerkers</h2>
    <div class="columns">
      <div class="table-wrap" role="region" aria-labelledby="cap-states" tabindex="0">
        <table id="handler-counts">
          <caption id="cap-states">Medewerkers per status</caption>
          <thead><tr><th scope="col">Status</th><th scope="col">Aantal</th></tr></thead>
          <tbody>
            <tr data-state="in_conversation"><th scope="row">In gesprek</th><td>–</td></tr>
            <tr data-state="wrap_up"><th scope="row">Nawerk</th><td>–</td></tr>
            <tr data-state="offered"><th scope="row">Contact aangeboden</th><td>–</td></tr>
            <tr data-state="available"><th scope="row">Beschikbaar</th><td>–</td></tr>
            <tr data-state="busy"><th scope="row">Niet beschikbaar</th><td>–</td></tr>
            <tr data-state="away"><th scope="row">Afwezig</th><td>–</td></tr>
            <tr data-state="offline"><th scope="row">Afgemeld (vandaag gewerkt)</th><td>–</td></tr>
          </tbody>
        </table>
      </div>
      <div class="table-wrap" role="region" aria-labelledby="cap-handlers" tabindex="0">
        <table id="handlers">
          <caption id="cap-handlers">Aangemelde medewerkers</caption>
          <thead>
            <tr><th scope="col">Medewerker</th><th scope="col" class="text">Status</th>
              <th scope="col">Aanwezigheid sinds</th></tr>
          </thead>
          <tbody></tbody>
        </table>
        <p id="no-handlers" class="empty" hidden>Er is nu niemand aangemeld.</p>
      </div>
    </div>
  </section>

  <section id="digitaal" aria-labelledby="h-digitaal">
    <h2 id="h-digitaal">Digitaal, tenzij — vandaag</h2>
    <p class="note">Hoe vaak inwoners vandaag naar de digitale weg zijn verwezen, en wanneer
      een uitzondering gold: een inwoner die hulp nodig heeft (bijvoorbeeld weinig digitale
      vaardigheden, een taalbarrière of een beperking) of die een medewerker wil spreken.</p>
    <div class="table-wrap" role="region" aria-labelledby="cap-digital" tabindex="0">
      <table id="digital">
        <caption id="cap-digital">Digitaal, tenzij per domein en fase</caption>
        <thead>
          <tr>
            <th scope="col" id="digital-key">Domein</th>
            <th scope="col" class="text">Fase</th>
            <th scope="col">Binnengekomen</th>
            <th scope="col">Verwezen naar digitaal</th>
            <th scope="col">Uitzondering: hulp nodig</th>
            <th scope="col">Uitzondering: wil een medewerker</th>
            <th scope="col">Digitaal aangeboden, toch doorgezet</th>
          </tr>
        </thead>
        <tbody></tbody>
        <tfoot>
          <tr data-key="total">
            <th scope="row" colspan="2">Totaal</th>
            <td data-field="routed">–</td><td data-field="steered">–</td>
            <td data-field="exempt_need">–</td><td data-field="exempt_wants_person">–</td>
            <td data-field="offered_and_routed">–</td>
          </tr>
        </tfoot>
      </table>
    </div>
  </section>

  <section id="verloop" aria-labelledby="h-verloop">
    <h2 id="h-verloop">Verloop van vandaag</h2>
    <p class="note" id="chart-range">Per 5 minuten over de laatste uren.</p>
    <div class="charts">
      <figure>
        <figcaption id="cap-flow">Contacten per 5 minuten</figcaption>
        <div id="chart-flow" class="chart"></div>
        <ul class="legend" aria-hidden="true">
          <li><svg width="28" height="10"><line class="s-routed" x1="0" y1="5" x2="28" y2="5"/></svg>Binnengekomen</li>
          <li><svg width="28" height="10"><line class="s-handled" x1="0" y1="5" x2="28" y2="5"/></svg>Afgehandeld</li>
          <li><svg width="28" height="10"><line class="s-abandoned" x1="0" y1="5" x2="28" y2="5"/></svg>Afgebroken</li>
        </ul>
      </figure>
      <figure>
        <figcaption id="cap-wait">Wachtend (het hoogste aantal per 5 minuten)</figcaption>
        <div id="chart-wait" class="chart"></div>
      </figure>
    </div>
    <details>
      <summary>De cijfers van de grafieken als tabel</summary>
      <div class="table-wrap" role="region" aria-labelledby="cap-buckets" tabindex="0">
        <table id="buckets">
          <caption id="cap-buckets">Contacten per 5 minuten</caption>
          <thead>
            <tr><th scope="col">Vanaf</th><th scope="col">Binnengekomen</th>
              <th scope="col">Afgehandeld</th><th scope="col">Afgebroken</th>
              <th scope="col">Wachtend (hoogste)</th></tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
    </details>
  </section>
</main>
<footer>
  <p>Wissel. Live uit de gebeurtenissen van de router; wachtenden en beschikbare medewerkers
    ook uit de wachtrijstatistieken van de router, elke paar seconden.</p>
</footer>
</body>
</html>
)html";

constexpr char kCss[] = R"css(
:root {
  --ink: #1b1b1b;
  --paper: #ffffff;
  --muted: #474747;
  --accent: #154273;
  --accent-soft: #e8eef6;
  --line: #767676;
  --bad: #a4001d;
  --bad-soft: #fde8ea;
  --ok: #0b6b2f;
  --waiting: #5b2a86;
  --focus: #154273;
  color-scheme: light;
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; color: var(--ink); background: var(--paper);
  font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif;
  font-size: 1rem; line-height: 1.5;
}
a { color: var(--accent); }
a:focus-visible, button:focus-visible, summary:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px #ffffff;
}
.skip { position: absolute; left: -10000px; top: 0; }
.skip:focus { position: static; display: inline-block; margin: .5rem; padding: .5rem 1rem;
  background: var(--paper); }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem;
  padding: .75rem 1.5rem; background: var(--accent); color: #ffffff; }
.top .title { flex: 1 1 20rem; min-width: 0; }
h1 { margin: 0; font-size: 1.5rem; line-height: 1.25; overflow-wrap: anywhere; }
h1 span { font-weight: normal; }
.top .meta { margin: 0; }
.status { margin: 0; padding: .25rem .75rem; border-radius: .25rem; font-weight: bold;
  background: #ffffff; color: var(--ink); border-left: .5rem solid var(--line); }
.status-live { border-left-color: var(--ok); }
.status-wait { border-left-color: #8a4b00; }
.status-bad { border-left-color: var(--bad); color: var(--bad); }
.logout { margin: 0; }
button { font: inherit; padding: .35rem 1rem; border: 2px solid #ffffff; border-radius: .25rem;
  background: transparent; color: #ffffff; cursor: pointer; }
button:hover { background: #0d2c4f; }
.top a:focus-visible, .top button:focus-visible { outline-color: #ffffff; box-shadow: 0 0 0 5px var(--ink); }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: 0; padding: .5rem 1.5rem;
  list-style: none; border-bottom: 1px solid var(--line); }
main { padding: 0 1.5rem 1.5rem; max-width: 110rem; }
main:focus { outline: none; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
.note { margin: 0 0 .75rem; color: var(--muted); max-width: 60rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 12rem), 1fr));
  gap: .75rem; margin: 0; }
.tile { border: 1px solid var(--line); border-radius: .25rem; padding: .5rem .75rem; }
.tile dt { color: var(--muted); }
.tile dd { margin: 0; font-size: 1.75rem; font-weight: bold; overflow-wrap: anywhere; }
.table-wrap { max-width: 100%; overflow-x: auto; margin-bottom: .5rem; }
table { border-collapse: collapse; min-width: 100%; }
caption { text-align: left; font-weight: bold; padding: .25rem 0 .5rem; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--line); text-align: right;
  vertical-align: top; }
td { white-space: nowrap; }
th:first-child, td:first-child, th.text, td[data-field="state"], td[data-field="phase"] {
  text-align: left; }
thead th { background: var(--accent-soft); vertical-align: bottom; hyphens: manual; }
thead th.group { text-align: center; border-bottom: 2px solid var(--accent); }
#queues th, #queues td { padding-left: .4rem; padding-right: .4rem; }
tbody th { font-weight: bold; }
tfoot th, tfoot td { font-weight: bold; border-top: 2px solid var(--ink); }
td.over { color: var(--bad); background: var(--bad-soft); font-weight: bold; }
.flag { display: block; font-size: .875rem; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 24rem), 1fr));
  gap: 1rem 2rem; align-items: start; }
.empty { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr));
  gap: 1rem 2rem; }
figure { margin: 0; min-width: 0; }
figcaption { font-weight: bold; margin-bottom: .25rem; }
.chart { width: 100%; min-height: 12rem; }
.chart svg { display: block; width: 100%; height: auto; overflow: visible; }
.chart text { fill: var(--ink); font-size: 12px; font-family: inherit; }
.axis { stroke: var(--line); stroke-width: 1; }
.grid { stroke: #d0d0d0; stroke-width: 1; }
.s-routed { stroke: var(--accent); stroke-width: 2.5; fill: none; }
.s-handled { stroke: var(--ok); stroke-width: 2.5; fill: none; stroke-dasharray: 7 4; }
.s-abandoned { stroke: var(--bad); stroke-width: 2.5; fill: none; stroke-dasharray: 2 3; }
.bar-waiting { fill: var(--waiting); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: .25rem 0 0; padding: 0;
  list-style: none; }
.legend svg { vertical-align: middle; margin-right: .35rem; }
details { margin-top: 1rem; }
summary { cursor: pointer; color: var(--accent); font-weight: bold; }
footer { padding: 1rem 1.5rem; color: var(--muted); border-top: 1px solid var(--line); }
@media (max-width: 40rem) {
  .top, nav ul, main, footer { padding-left: .75rem; padding-right: .75rem; }
  .tile dd { font-size: 1.35rem; }
}
@media (forced-colors: active) {
  .status, .tile, td.over { border: 1px solid CanvasText; }
  .s-routed, .s-handled, .s-abandoned { stroke: CanvasText; }
  .bar-waiting { fill: CanvasText; }
}
)css";

constexpr char kJs[] = R"js('use strict';
(function () {
  const STATES = {
    in_conversation: 'In gesprek', wrap_up: 'Nawerk', offered: 'Contact aangeboden',
    available: 'Beschikbaar', busy: 'Niet beschikbaar', away: 'Afwezig', offline: 'Afgemeld'
  };
  const PHASES = { eigen_kracht: 'Eigen kracht', preventie: 'Preventie', maatwerk: 'Maatwerk' };
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  function pad(n) { return n < 10 ? '0' + n : String(n); }
  // Seconds as Dutch text: "45 s", "2 min 05 s", "1 u 03 min".
  function duration(s) {
    if (s === null || s === undefined) return '–';
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return s % 60 === 0 ? m + ' min' : m + ' min ' + pad(s % 60) + ' s';
    return Math.floor(m / 60) + ' u ' + pad(m % 60) + ' min';
  }
  function percent(p) { return p === null || p === undefined ? '–' : p.toFixed(1).replace('.', ',') + '%'; }
  function count(n) { return n === null || n === undefined ? '–' : String(n); }
  function words(id) {
    const t = String(id).replace(/_/g, ' ');
    return t.charAt(0).toUpperCase() + t.slice(1);
  }
  function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

  // Keeps a table body's rows in step with `items` (by key), changing only what changed, so that
  // a screen reader's place in the table and the page's scroll position stay put.
  function syncRows(tbody, items, key, cells) {
    const existing = new Map();
    for (const tr of Array.from(tbody.rows)) existing.set(tr.dataset.key, tr);
    let previous = null;
    for (const item of items) {
      const k = key(item);
      const values = cells(item);
      let tr = existing.get(k);
      if (!tr) {
        tr = document.createElement('tr');
        tr.dataset.key = k;
        values.forEach((v, i) => {
          const cell = document.createElement(i === 0 ? 'th' : 'td');
          if (i === 0) cell.scope = 'row';
          if (v.field) cell.dataset.field = v.field;
          tr.appendChild(cell);
        });
      }
      existing.delete(k);
      values.forEach((v, i) => {
        const cell = tr.cells[i];
        const shown = v.flag ? v.text + ' (' + v.flag + ')' : v.text;
        if (cell.textContent === shown) return;
        cell.textContent = v.text;
        cell.classList.toggle('over', !!v.over);
        if (v.flag) {
          cell.appendChild(document.createTextNode(' '));
          const flag = document.createElement('span');
          flag.className = 'flag';
          flag.textContent = '(' + v.flag + ')';
          cell.appendChild(flag);
        }
      });
      const next = previous ? previous.nextSibling : tbody.firstChild;
      if (next !== tr) tbody.insertBefore(tr, next);
      previous = tr;
    }
    for (const tr of existing.values()) tr.remove();
  }

  let lastChart = '';
  let lastSnapshot = null;
  let lastAnnounced = '';
  let lastAnnounceAt = 0;
  let pendingAnnounce = null;

  function setStatus(kind, text) {
    const el = $('status');
    el.className = 'status status-' + kind;
    setText(el, text);
  }

  // Tells screen reader users what changed: how many wait and which queues are over their norm;
  // at most every 20 seconds, always the latest.
  function announce(text) {
    if (text === lastAnnounced) return;
    const wait = 20000 - (Date.now() - lastAnnounceAt);
    if (pendingAnnounce) clearTimeout(pendingAnnounce);
    pendingAnnounce = setTimeout(() => {
      pendingAnnounce = null;
      lastAnnounced = text;
      lastAnnounceAt = Date.now();
      setText($('announce'), text);
    }, Math.max(0, wait));
  }

  function render(s) {
    lastSnapshot = s;
    document.title = 'Supervisiedashboard ' + s.tenant_name + ' — Wissel';
    setText($('tenant-name'), s.tenant_name);
    setText($('date'), s.date);
    setText($('time'), s.time);
    $('time').dateTime = s.now;
    if (!s.feed.connected) {
      setStatus('bad', 'Geen verbinding met de router; de cijfers kunnen verouderd zijn.');
    } else if (!s.feed.caught_up) {
      setStatus('wait', 'De gegevens van vandaag worden geladen…');
    } else if (s.feed.stats_error) {
      setStatus('wait', 'Live; wachtrijstatistieken van de router ontbreken even.');
    } else {
      setStatus('live', 'Live');
    }

    let waiting = 0;
    let longest = 0;
    const over = [];
    for (const q of s.queues) {
      waiting += q.waiting;
      longest = Math.max(longest, q.longest_wait_s);
      if (q.waiting > 0 && q.longest_wait_s > q.sla_target_s) over.push(q.queue);
    }
    setText($('t-waiting'), String(waiting));
    setText($('t-longest'), duration(longest));
    setText($('t-sl'), percent(s.totals.service_level_pct));
    setText($('t-routed'), String(s.totals.routed));
    setText($('t-handled'), String(s.totals.handled));
    setText($('t-abandoned'), String(s.totals.abandoned));

    syncRows($('queues').tBodies[0], s.queues, (q) => q.queue, (q) => {
      const isOver = q.waiting > 0 && q.longest_wait_s > q.sla_target_s;
      return [
        { text: q.queue },
        { field: 'waiting', text: String(q.waiting) },
        { field: 'offered', text: String(q.offered) },
        { field: 'longest_wait', text: duration(q.longest_wait_s), over: isOver,
          flag: isOver ? 'boven norm' : '' },
        { field: 'handlers_available', text: count(q.handlers_available) },
        { field: 'handlers_signed_in', text: count(q.handlers_signed_in) },
        { field: 'routed', text: String(q.routed) },
        { field: 'handled', text: String(q.handled) },
        { field: 'abandoned', text: String(q.abandoned) },
        { field: 'service_level', text: percent(q.service_level_pct) },
        { field: 'sla_target', text: duration(q.sla_target_s) },
        { field: 'mean_wait', text: q.handled > 0 ? duration(q.mean_wait_s) : '–' }
      ];
    });

    for (const tr of $('handler-counts').tBodies[0].rows) {
      setText(tr.cells[1], String(s.handlers.counts[tr.dataset.state]));
    }
    syncRows($('handlers').tBodies[0], s.handlers.list, (h) => h.id, (h) => [
      { text: h.id },
      { field: 'state', text: STATES[h.state] || h.state },
      { field: 'since', text: h.presence_since || '–' }
    ]);
    $('no-handlers').hidden = s.handlers.list.length > 0;

    const byTopic = s.digital_first.by === 'topic';
    setText($('digital-key'), byTopic ? 'Onderwerp' : 'Domein');
    setText($('cap-digital'), byTopic ? 'Digitaal, tenzij per onderwerp' :
                                        'Digitaal, tenzij per domein en fase');
    const digitalCells = (r) => [
      { text: byTopic ? r.domain : words(r.domain) },
      { field: 'phase', text: PHASES[r.phase] || '–' },
      { field: 'routed', text: String(r.routed) },
      { field: 'steered', text: String(r.steered) },
      { field: 'exempt_need', text: String(r.exempt_need) },
      { field: 'exempt_wants_person', text: String(r.exempt_wants_person) },
      { field: 'offered_and_routed', text: String(r.offered_and_routed) }
    ];
    syncRows($('digital').tBodies[0], s.digital_first.rows, (r) => r.domain + '/' + r.phase,
             digitalCells);
    const total = $('digital').tFoot.rows[0];
    for (const td of total.querySelectorAll('td')) {
      setText(td, String(s.digital_first.total[td.dataset.field]));
    }

    const chart = JSON.stringify(s.chart);
    if (chart !== lastChart) {
      lastChart = chart;
      drawCharts(s.chart);
    }

    let text = waiting === 0 ? 'Niemand wacht.' :
               waiting + (waiting === 1 ? ' contact wacht' : ' contacten wachten') +
               ', langste wachttijd ' + duration(longest) + '.';
    if (over.length) text += ' Boven de norm: ' + over.join(', ') + '.';
    announce(text);
  }

  function el(name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A chart in `box`: x over the buckets, y from 0 to the largest value; `draw` adds the series.
  function chart(box, buckets, labelledBy, max, draw) {
    const width = Math.max(240, box.clientWidth || 480);
    const height = 200;
    const left = 36, right = 8, top = 8, bottom = 28;
    const plotW = width - left - right, plotH = height - top - bottom;
    const svg = el('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height,
                            role: 'img', 'aria-labelledby': labelledBy });
    // The y axis up to a round number: 1, 2, 4, 5, 10, 20, 40, 50, 100, ...
    let yMax = 1;
    for (let scale = 1; yMax < max; scale *= 10) {
      yMax = [1, 2, 4, 5].map((k) => k * scale).find((v) => v >= max) || 10 * scale;
    }
    const y = (v) => top + plotH - (v / yMax) * plotH;
    const n = Math.max(1, buckets.length);
    const x = (i) => left + (i + 0.5) * plotW / n;
    for (const v of yMax % 2 === 0 ? [0, yMax / 2, yMax] : [0, yMax]) {
      svg.appendChild(el('line', { class: 'grid', x1: left, x2: left + plotW, y1: y(v), y2: y(v) }));
      svg.appendChild(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
    }
    svg.appendChild(el('line', { class: 'axis', x1: left, x2: left + plotW, y1: y(0), y2: y(0) }));
    // Time labels on round times (every 15 or 30 minutes, every 1, 2 or 4 hours), as many as
    // fit the width.
    const fit = Math.max(1, Math.floor(plotW / 48));
    const step = [1, 3, 6, 12, 24, 48].find((k) => buckets.length / k <= fit) || 96;
    buckets.forEach((b, i) => {
      const hm = b.start.split(':');
      const index = (Number(hm[0]) * 60 + Number(hm[1])) / 5;
      if (index % step !== 0) return;
      svg.appendChild(el('text', { x: x(i), y: height - 8, 'text-anchor': 'middle' }, b.start));
    });
    draw(svg, x, y, plotW / n);
    box.replaceChildren(svg);
  }

  function drawCharts(c) {
    const b = c.buckets;
    const first = b.length ? b[0].start : '–';
    const last = b.length ? b[b.length - 1].start : '–';
    setText($('chart-range'), 'Per ' + c.bucket_minutes + ' minuten, van ' + first + ' tot nu.');
    let maxFlow = 0, maxWait = 0;
    for (const v of b) {
      maxFlow = Math.max(maxFlow, v.routed, v.handled, v.abandoned);
      maxWait = Math.max(maxWait, v.waiting);
    }
    const totals = b.reduce((t, v) => [t[0] + v.routed, t[1] + v.handled, t[2] + v.abandoned],
                            [0, 0, 0]);
    setText($('cap-flow'), 'Contacten per ' + c.bucket_minutes + ' minuten (' + first + '–' + last +
            '): ' + totals[0] + ' binnengekomen, ' + totals[1] + ' afgehandeld, ' + totals[2] +
            ' afgebroken');
    setText($('cap-wait'), 'Wachtend, het hoogste aantal per ' + c.bucket_minutes +
            ' minuten (' + first + '–' + last + '): hoogste ' + maxWait);
    chart($('chart-flow'), b, 'cap-flow', maxFlow, (svg, x, y) => {
      for (const series of ['routed', 'handled', 'abandoned']) {
        const points = b.map((v, i) => x(i).toFixed(1) + ',' + y(v[series]).toFixed(1)).join(' ');
        svg.appendChild(el('polyline', { class: 's-' + series, points: points }));
      }
    });
    chart($('chart-wait'), b, 'cap-wait', maxWait, (svg, x, y, step) => {
      b.forEach((v, i) => {
        if (v.waiting <= 0) return;
        const w = Math.max(1, step * 0.7);
        svg.appendChild(el('rect', { class: 'bar-waiting', x: (x(i) - w / 2).toFixed(1),
                                     y: y(v.waiting).toFixed(1), width: w.toFixed(1),
                                     height: (y(0) - y(v.waiting)).toFixed(1) }));
      });
    });
    syncRows($('buckets').tBodies[0], b.slice().reverse(), (v) => v.start, (v) => [
      { text: v.start }, { field: 'routed', text: String(v.routed) },
      { field: 'handled', text: String(v.handled) },
      { field: 'abandoned', text: String(v.abandoned) },
      { field: 'waiting', text: String(v.waiting) }
    ]);
  }

  let source = null;
  let lastMessage = 0;

  function loggedOut() {
    const status = $('status');
    status.className = 'status status-bad';
    status.textContent = 'U bent afgemeld of uw aanmelding is verlopen. ';
    const link = document.createElement('a');
    link.href = '/login';
    link.textContent = 'Opnieuw aanmelden';
    status.appendChild(link);
  }

  // A stream that the dashboard closed for good: logged out, or gone. Asks which, then
  // reconnects or says so.
  function closed() {
    fetch('/api/snapshot', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((r) => {
        if (r.status === 401) { loggedOut(); return; }
        setTimeout(connect, 5000);
      })
      .catch(() => {
        setStatus('bad', 'Het dashboard is niet bereikbaar; opnieuw proberen…');
        setTimeout(connect, 5000);
      });
  }

  function connect() {
    source = new EventSource('/api/stream');
    source.addEventListener('snapshot', (e) => {
      lastMessage = Date.now();
      render(JSON.parse(e.data));
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        closed();
      } else {
        setStatus('wait', 'De verbinding met het dashboard wordt hersteld…');
      }
    };
  }

  setInterval(() => {
    if (lastMessage && Date.now() - lastMessage > 10000 && source &&
        source.readyState === EventSource.OPEN) {
      setStatus('bad', 'Geen nieuwe gegevens sinds ' + $('time').textContent + '.');
    }
  }, 5000);
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (lastSnapshot) drawCharts(lastSnapshot.chart); }, 200);
  });
  connect();
})();
)js";

constexpr char kLoginHtml[] = R"html(<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aanmelden — Supervisiedashboard — Wissel</title>
<style>
  body { margin: 0; color: #1b1b1b; background: #ffffff; line-height: 1.5;
    font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
  header { padding: .75rem 1.5rem; background: #154273; color: #ffffff; }
  h1 { margin: 0; font-size: 1.5rem; }
  main { padding: 1rem 1.5rem; max-width: 40rem; }
  label { display: block; font-weight: bold; margin: 1rem 0 .25rem; }
  input { font: inherit; width: 100%; padding: .5rem; border: 2px solid #474747;
    border-radius: .25rem; }
  button { font: inherit; margin-top: 1rem; padding: .5rem 1.5rem; border: 2px solid #154273;
    border-radius: .25rem; background: #154273; color: #ffffff; cursor: pointer; }
  input:focus-visible, button:focus-visible { outline: 3px solid #154273; outline-offset: 2px;
    box-shadow: 0 0 0 5px #ffffff; }
  .alert { padding: .5rem .75rem; border-left: .5rem solid #a4001d; background: #fde8ea;
    color: #a4001d; font-weight: bold; }
  .hint { color: #474747; }
</style>
</head>
<body>
<header><h1>Supervisiedashboard</h1></header>
<main>
  <h2>Aanmelden</h2>
  {{ALERT}}
  <form method="post" action="/login">
    <label for="token">Uw token</label>
    <p class="hint" id="token-hint">Het token dat u van de beheerder van Wissel kreeg. U blijft
      aangemeld tot het eind van de werkdag of tot u zich afmeldt.</p>
    <input id="token" name="token" type="password" autocomplete="current-password"
      aria-describedby="token-hint" required>
    <button type="submit">Aanmelden</button>
  </form>
</main>
</body>
</html>
)html";

}  // namespace

const std::string& DashboardHtml() {
  static const std::string* const kPage = new std::string(kHtml);
  return *kPage;
}

const std::string& DashboardCss() {
  static const std::string* const kStyle = new std::string(kCss);
  return *kStyle;
}

const std::string& DashboardJs() {
  static const std::string* const kScript = new std::string(kJs);
  return *kScript;
}

std::string LoginHtml(bool rejected) {
  return absl::StrReplaceAll(
      kLoginHtml,
      {{"{{ALERT}}", rejected ? "<p class=\"alert\" role=\"alert\">Dit token is niet bekend. "
                                "Controleer het en probeer het opnieuw.</p>"
                              : ""}});
}

}  // namespace wissel::dashboard
