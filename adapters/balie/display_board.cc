#include "adapters/balie/display_board.h"

#include <utility>

#include "absl/strings/str_replace.h"

namespace wissel::adapters::balie {

void DisplayBoard::Publish(DisplayCall call) {
  absl::MutexLock lock(&mu_);
  call.sequence = ++sequence_;
  calls_.push_back(std::move(call));
  while (calls_.size() > keep_) calls_.pop_front();
}

std::vector<DisplayCall> DisplayBoard::CallsAfter(uint64_t after, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const auto has_new = [this, after]()
                           ABSL_SHARED_LOCKS_REQUIRED(mu_) { return sequence_ > after; };
  mu_.AwaitWithTimeout(absl::Condition(&has_new), timeout);
  std::vector<DisplayCall> out;
  for (const DisplayCall& c : calls_) {
    if (c.sequence > after) out.push_back(c);
  }
  return out;
}

uint64_t DisplayBoard::last_sequence() const {
  absl::MutexLock lock(&mu_);
  return sequence_;
}

std::string HtmlEscape(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::string DisplayPage(const std::string& title, const std::string& events_path,
                        const std::string& time_zone) {
  // Colours: white (#ffffff) and yellow (#ffd84d) on dark blue (#0a1f44): contrast ratios
  // about 16:1 and 12:1 (WCAG AAA asks 7:1). Type: the current ticket 20vh, list tickets 64px+.
  static constexpr char kPage[] = R"html(<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}} — wachtkamer</title>
<style>
  :root { --bg: #0a1f44; --panel: #12305f; --fg: #ffffff; --accent: #ffd84d; }
  * { box-sizing: border-box; }
  html, body { margin: 0; height: 100%; background: var(--bg); color: var(--fg);
    font-family: "DejaVu Sans", Verdana, Arial, sans-serif; }
  body { display: flex; flex-direction: column; }
  header { display: flex; justify-content: space-between; align-items: center;
    padding: 2vh 3vw; border-bottom: 4px solid var(--accent); }
  h1 { margin: 0; font-size: clamp(32px, 5vh, 72px); font-weight: 700; }
  #clock { font-size: clamp(40px, 6vh, 96px); font-weight: 700; font-variant-numeric: tabular-nums; }
  main { flex: 1; display: grid; grid-template-columns: 3fr 2fr; gap: 3vw; padding: 3vh 3vw; }
  h2 { margin: 0 0 2vh 0; font-size: clamp(28px, 4vh, 56px); font-weight: 700; }
  #now { background: var(--panel); border: 6px solid var(--accent); border-radius: 24px;
    padding: 3vh 3vw; display: flex; flex-direction: column; justify-content: center; }
  #current { font-size: clamp(64px, 20vh, 260px); font-weight: 800; line-height: 1.05;
    color: var(--accent); letter-spacing: 0.04em; }
  #current-desk { font-size: clamp(48px, 10vh, 140px); font-weight: 700; margin-top: 2vh; }
  #waiting { font-size: clamp(36px, 6vh, 80px); }
  ol { list-style: none; margin: 0; padding: 0; }
  li.call { display: flex; justify-content: space-between; align-items: baseline;
    font-size: clamp(48px, 7vh, 96px); font-weight: 700; padding: 1vh 0;
    border-bottom: 2px solid #3b5b8f; }
  li.call .ticket { color: var(--accent); min-width: 4ch; }
  li.call .time { font-size: clamp(28px, 3.5vh, 48px); font-weight: 400; }
  #status { font-size: 28px; min-height: 1.5em; padding: 0 3vw 2vh; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; }
</style>
</head>
<body>
<header>
  <h1>{{TITLE}}</h1>
  <div id="clock" role="timer" aria-label="Huidige tijd">--:--</div>
</header>
<main>
  <section id="now" aria-labelledby="now-title">
    <h2 id="now-title">Nu aan de beurt</h2>
    <div id="announce" aria-live="polite" aria-atomic="true">
      <div id="current">—</div>
      <div id="current-desk">Even geduld, u wordt zo geroepen</div>
    </div>
  </section>
  <section aria-labelledby="recent-title">
    <h2 id="recent-title">Eerder geroepen</h2>
    <ol id="calls" aria-label="Laatst geroepen nummers"></ol>
  </section>
</main>
<div id="status" role="status"></div>
<script>
(function () {
  "use strict";
  var ZONE = "{{ZONE}}";
  var KEEP = 6;
  var calls = [];
  function clock() {
    var text;
    try {
      text = new Date().toLocaleTimeString("nl-NL", {hour: "2-digit", minute: "2-digit", timeZone: ZONE});
    } catch (e) {
      text = new Date().toTimeString().slice(0, 5);
    }
    document.getElementById("clock").textContent = text;
  }
  function render() {
    var list = document.getElementById("calls");
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var i = 1; i < calls.length; i++) {
      var c = calls[i];
      var li = document.createElement("li");
      li.className = "call";
      var t = document.createElement("span");
      t.className = "ticket";
      t.textContent = c.ticket;
      var d = document.createElement("span");
      d.className = "desk";
      d.textContent = c.desk_name;
      var tm = document.createElement("span");
      tm.className = "time";
      tm.textContent = c.local_time || "";
      li.setAttribute("aria-label", "Ticket " + c.ticket + ", " + c.desk_name);
      li.appendChild(t); li.appendChild(d); li.appendChild(tm);
      list.appendChild(li);
    }
    if (calls.length > 0) {
      document.getElementById("current").textContent = calls[0].ticket;
      document.getElementById("current-desk").textContent = "naar " + calls[0].desk_name;
      document.getElementById("announce").setAttribute("aria-label",
          "Ticket " + calls[0].ticket + ", " + calls[0].desk_name.toLowerCase());
    }
  }
  function add(c) {
    for (var i = 0; i < calls.length; i++) {
      if (calls[i].ticket === c.ticket && calls[i].desk === c.desk && calls[i].time === c.time) return;
    }
    calls.unshift(c);
    calls.sort(function (a, b) { return a.time < b.time ? 1 : a.time > b.time ? -1 : 0; });
    if (calls.length > KEEP + 1) calls.length = KEEP + 1;
    render();
  }
  clock();
  setInterval(clock, 1000);
  var status = document.getElementById("status");
  if (!window.EventSource) {
    status.textContent = "Deze browser kan de oproepen niet tonen.";
    return;
  }
  // First a snapshot stream (?once=1: the recent calls, then the server ends it), then the
  // live stream from the last call seen (?after=N; reconnects send Last-Event-ID). The live
  // stream opens a few seconds later so that snapshot tools with a virtual-time budget (headless
  // Chromium --dump-dom) see a finished page; no call is lost meanwhile thanks to "after".
  var EVENTS = "{{EVENTS}}";
  var lastSeq = 0;
  function onCalled(e) {
    var id = parseInt(e.lastEventId || "0", 10);
    if (id > lastSeq) lastSeq = id;
    try { add(JSON.parse(e.data)); } catch (err) { /* ignore a malformed event */ }
  }
  function live() {
    var source = new EventSource(EVENTS + "?after=" + lastSeq);
    source.addEventListener("called", onCalled);
    source.onopen = function () { status.textContent = ""; };
    source.onerror = function () { status.textContent = "Verbinding verbroken, opnieuw verbinden…"; };
  }
  var snapshot = new EventSource(EVENTS + "?once=1");
  snapshot.addEventListener("called", onCalled);
  snapshot.onerror = function () {
    snapshot.close();
    setTimeout(live, 6000);
  };
})();
</script>
</body>
</html>
)html";
  return absl::StrReplaceAll(
      kPage,
      {{"{{TITLE}}", HtmlEscape(title)}, {"{{EVENTS}}", events_path}, {"{{ZONE}}", time_zone}});
}

}  // namespace wissel::adapters::balie
