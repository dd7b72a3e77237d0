// DashboardService: the supervisor dashboard's HTTP endpoints.
//
//   GET  /               the page (HTML; its style and script from the two routes below)
//   GET  /dashboard.css  its style sheet
//   GET  /dashboard.js   its script: follows /api/stream and draws tables and charts
//   GET  /api/snapshot   the figures now (JSON, snapshot_json.h)
//   GET  /api/stream     Server-Sent Events "snapshot": the figures at once, then every second
//                        and on change
//   GET  /login          the login form (public)
//   POST /login          checks the token of the form (token=...): a session cookie and 303 to
//                        /, or 401 with the form again (public, rate limited per address)
//   POST /logout         ends the session, expires the cookie, 303 to /login
//   GET  /healthz        200 when the event stream is open and read up to now, else 503
//   GET  /livez          200 while the process serves (the only route without credentials
//                        besides the login form)
//
// Every other route needs a supervisor: "Authorization: Bearer TOKEN" with a token whose digest
// is listed (supervisor_tokens.h), or the session cookie a login gave (login_sessions.h). No
// credentials, a wrong token, an unknown or expired session: 401 (problem+json with
// WWW-Authenticate: Bearer; a browser asking for the page gets the login form with the 401).
// The check runs before routing (HttpServer::SetGate), so unknown paths are 401 too and say
// nothing about which exist. Every answer forbids framing, sniffing and referrers; the page's
// Content-Security-Policy allows only its own style sheet, script and connections.
//
// Thread-safe: the HTTP server calls the handlers from its worker threads.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "adapters/common/http_server.h"
#include "dashboard/dashboard_state.h"
#include "dashboard/login_sessions.h"
#include "dashboard/supervisor_tokens.h"

namespace wissel::dashboard {

struct DashboardServiceOptions {
  SupervisorTokens supervisors;
  // How long a login lasts. Default 12 h (a working day and some).
  absl::Duration session_lifetime = absl::Hours(12);
  // Sessions open at once, at most (the least recently used is ended first). Default 1000.
  size_t max_sessions = 1000;
  // A comment line on a stream without a new snapshot this long. Default 15 s.
  absl::Duration keep_alive_interval = absl::Seconds(15);
  // The reconnection delay browsers are told ("retry:"). Default 3 s.
  absl::Duration client_retry = absl::Seconds(3);
};

class DashboardService {
 public:
  // The session cookie's name. "__Host-": browsers accept it only with Secure, Path=/ and no
  // Domain, so no other host or path can set or shadow it.
  static constexpr char kCookieName[] = "__Host-wissel-dashboard";

  // Registers the routes, the gate and the health check on `server` (before it starts). `state`
  // and `server` must outlive this object.
  DashboardService(DashboardServiceOptions options, DashboardState* state,
                   adapters::HttpServer* server);

 private:
  class SnapshotStream;

  // The gate: true when it answered (401) because the request has no valid credentials.
  bool RefuseUnauthenticated(const httplib::Request& req, httplib::Response& res);
  // The supervisor the request speaks for, or the reason it speaks for none.
  absl::StatusOr<std::string> Authenticate(const httplib::Request& req);
  void Page(const httplib::Request& req, httplib::Response& res);
  void LoginForm(const httplib::Request& req, httplib::Response& res);
  void Login(const httplib::Request& req, const adapters::RequestBody& body,
             httplib::Response& res);
  void Logout(const httplib::Request& req, httplib::Response& res);
  void Snapshot(const httplib::Request& req, httplib::Response& res);
  void Stream(const httplib::Request& req, httplib::Response& res);
  // The login form with `status`; with `rejected` it says the token was not known.
  void WriteLoginPage(httplib::Response& res, int status, bool rejected);

  const DashboardServiceOptions options_;
  DashboardState* const state_;
  adapters::HttpServer* const server_;
  LoginSessions sessions_;
};

}  // namespace wissel::dashboard
