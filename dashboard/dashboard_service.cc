#include "dashboard/dashboard_service.h"

#include <glog/logging.h>
#include <httplib.h>

#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/form_urlencoded.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "base/bearer_token.h"
#include "dashboard/dashboard_page.h"
#include "dashboard/http_cookie.h"
#include "dashboard/server_sent_events.h"

namespace wissel::dashboard {
namespace {

constexpr char kPageCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// The login form has no script and its style inline.
constexpr char kLoginCsp[] =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

// Headers on every answer of the dashboard's own routes.
void SecurityHeaders(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  // "same-origin", not "no-referrer": with no-referrer a browser sends "Origin: null" even
  // on the login form's own POST, which then looks cross-origin.
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("X-Frame-Options", "DENY");
}

bool WantsHtml(const httplib::Request& req) {
  return absl::StrContains(req.get_header_value("Accept"), "text/html");
}

void WriteUnauthenticated(const httplib::Request& req, httplib::Response& res,
                          const std::string& detail) {
  adapters::Problem p;
  p.status = 401;
  p.code = "unauthenticated";
  p.detail = detail;
  res.set_header("WWW-Authenticate", R"(Bearer realm="wissel-dashboard")");
  adapters::WriteProblem(req, res, p);
}

}  // namespace

// One page's Server-Sent Events stream; cpp-httplib calls Step() in a loop on the worker thread
// that serves it until it returns false or calls sink.done().
class DashboardService::SnapshotStream {
 public:
  SnapshotStream(DashboardService* service, std::unique_ptr<adapters::HttpServer::StreamSlot> slot,
                 std::string session)
      : service_(service), slot_(std::move(slot)), session_(std::move(session)) {}

  bool Step(httplib::DataSink& sink) {
    const DashboardServiceOptions& options = service_->options_;
    if (!started_) {
      started_ = true;
      if (!Write(sink, SseRetry(options.client_retry))) return false;
    }
    // The latest snapshot at once, then each newer one (one a second at least).
    const PublishedSnapshot latest = service_->state_->WaitNewer(sent_, absl::Seconds(1));
    // A logout (or the session's end) ends the page's stream too; so does a shutdown (the page
    // reconnects to the restarted dashboard).
    if (service_->server_->stopping() ||
        (!session_.empty() && !service_->sessions_.Find(session_).has_value())) {
      sink.done();
      return true;
    }
    if (latest.version > sent_ && latest.json != nullptr) {
      sent_ = latest.version;
      return Write(sink, SseEvent("snapshot", latest.version, *latest.json));
    }
    if (absl::Now() - last_write_ >= options.keep_alive_interval) {
      return Write(sink, SseComment("keep-alive"));
    }
    return true;
  }

 private:
  bool Write(httplib::DataSink& sink, const std::string& text) {
    last_write_ = absl::Now();
    return sink.write(text.data(), text.size());
  }

  DashboardService* const service_;
  const std::unique_ptr<adapters::HttpServer::StreamSlot> slot_;  // held for the stream's life
  const std::string session_;  // the session the stream was opened with; empty: a bearer token
  bool started_ = false;
  uint64_t sent_ = 0;
  absl::Time last_write_ = absl::InfinitePast();
};

DashboardService::DashboardService(DashboardServiceOptions options, DashboardState* state,
                                   adapters::HttpServer* server)
    : options_(std::move(options)),
      state_(state),
      server_(server),
      sessions_(options_.max_sessions, options_.session_lifetime) {
  server_->SetGate([this](const httplib::Request& req, httplib::Response& res) {
    return RefuseUnauthenticated(req, res);
  });
  server_->SetHealthCheck([this]() -> absl::Status {
    const PublishedSnapshot latest = state_->Latest();
    if (!latest.connected) {
      return absl::UnavailableError("the event stream of the router is not open");
    }
    if (!latest.caught_up) return absl::UnavailableError("the retained events are being read");
    return absl::OkStatus();
  });
  server_->Get("/",
               [this](const httplib::Request& req, httplib::Response& res) { Page(req, res); });
  server_->Get("/dashboard.css", [](const httplib::Request&, httplib::Response& res) {
    SecurityHeaders(res);
    res.set_content(DashboardCss(), "text/css; charset=utf-8");
  });
  server_->Get("/dashboard.js", [](const httplib::Request&, httplib::Response& res) {
    SecurityHeaders(res);
    res.set_content(DashboardJs(), "text/javascript; charset=utf-8");
  });
  server_->Get("/api/snapshot",
               [this](const httplib::Request& req, httplib::Response& res) { Snapshot(req, res); });
  server_->Get("/api/stream",
               [this](const httplib::Request& req, httplib::Response& res) { Stream(req, res); });
  server_->Get("/login", [this](const httplib::Request& req, httplib::Response& res) {
    LoginForm(req, res);
  });
  server_->Post("/login", {adapters::kFormMediaType},
                [this](const httplib::Request& req, const adapters::RequestBody& body,
                       httplib::Response& res) { Login(req, body, res); });
  server_->Post("/logout", {adapters::kFormMediaType},
                [this](const httplib::Request& req, const adapters::RequestBody& /*body*/,
                       httplib::Response& res) { Logout(req, res); });
  // Tokens are 256 random bits, but a guesser is slowed down anyway.
  server_->RateLimit("/login");
}

absl::StatusOr<std::string> DashboardService::Authenticate(const httplib::Request& req) {
  // A request that brings a token is judged by it alone, never by a cookie beside it.
  if (req.has_header("Authorization")) {
    const std::optional<std::string> token =
        base::BearerToken(req.get_header_value("Authorization"));
    if (!token) {
      return absl::UnauthenticatedError("Authorization: only a Bearer token is accepted");
    }
    std::optional<std::string> supervisor = options_.supervisors.Find(*token);
    if (!supervisor) return absl::UnauthenticatedError("Authorization: the token is not known");
    return *std::move(supervisor);
  }
  const std::optional<std::string> session =
      CookieValue(req.get_header_value("Cookie"), kCookieName);
  if (!session) {
    return absl::UnauthenticatedError(
        "a supervisor's bearer token (Authorization) or a login (POST /login) is required");
  }
  std::optional<std::string> supervisor = sessions_.Find(*session);
  if (!supervisor) {
    return absl::UnauthenticatedError("the login has ended or is not known; log in again");
  }
  return *std::move(supervisor);
}

bool DashboardService::RefuseUnauthenticated(const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/login" && (req.method == "GET" || req.method == "POST")) return false;
  absl::StatusOr<std::string> supervisor = Authenticate(req);
  if (supervisor.ok()) return false;
  SecurityHeaders(res);
  if ((req.path == "/" || req.path == "/logout") && WantsHtml(req)) {
    // A browser (a first visit, an ended login): the login form, with the same 401.
    res.set_header("WWW-Authenticate", R"(Bearer realm="wissel-dashboard")");
    WriteLoginPage(res, 401, /*rejected=*/false);
    return true;
  }
  WriteUnauthenticated(req, res, std::string(supervisor.status().message()));
  return true;
}

void DashboardService::WriteLoginPage(httplib::Response& res, int status, bool rejected) {
  SecurityHeaders(res);
  res.status = status;
  res.set_header("Content-Security-Policy", kLoginCsp);
  res.set_content(LoginHtml(rejected), "text/html; charset=utf-8");
}

void DashboardService::Page(const httplib::Request& /*req*/, httplib::Response& res) {
  SecurityHeaders(res);
  res.set_header("Content-Security-Policy", kPageCsp);
  if (server_->tls()) res.set_header("Strict-Transport-Security", "max-age=31536000");
  res.set_content(DashboardHtml(), "text/html; charset=utf-8");
}

void DashboardService::LoginForm(const httplib::Request& /*req*/, httplib::Response& res) {
  WriteLoginPage(res, 200, /*rejected=*/false);
}

void DashboardService::Login(const httplib::Request& req, const adapters::RequestBody& body,
                             httplib::Response& res) {
  absl::StatusOr<adapters::FormFields> fields = adapters::ParseFormUrlEncoded(body.data, 8);
  std::optional<std::string> supervisor;
  if (fields.ok()) {
    for (const auto& [name, value] : *fields) {
      if (name == "token" && !value.empty()) supervisor = options_.supervisors.Find(value);
    }
  }
  if (!supervisor) {
    if (WantsHtml(req)) {
      res.set_header("WWW-Authenticate", R"(Bearer realm="wissel-dashboard")");
      WriteLoginPage(res, 401, /*rejected=*/true);
    } else {
      SecurityHeaders(res);
      WriteUnauthenticated(req, res, "token: is not known");
    }
    return;
  }
  absl::StatusOr<std::string> session = sessions_.Open(*supervisor);
  if (!session.ok()) {
    LOG(ERROR) << "dashboard: no session: " << session.status();
    adapters::Problem p;
    p.status = 500;
    p.code = "internal";
    p.detail = "internal error";
    adapters::WriteProblem(req, res, p);
    return;
  }
  LOG(INFO) << "dashboard: " << *supervisor << " logged in";
  SecurityHeaders(res);
  res.set_header("Set-Cookie", SessionCookie(kCookieName, *session, options_.session_lifetime));
  // 303: the browser follows with a GET of the page, same-site, so it sends the cookie.
  res.status = 303;
  res.set_header("Location", "/");
}

void DashboardService::Logout(const httplib::Request& req, httplib::Response& res) {
  if (const std::optional<std::string> session =
          CookieValue(req.get_header_value("Cookie"), kCookieName)) {
    sessions_.Close(*session);
  }
  SecurityHeaders(res);
  res.set_header("Set-Cookie", ExpiredCookie(kCookieName));
  res.status = 303;
  res.set_header("Location", "/login");
}

void DashboardService::Snapshot(const httplib::Request& req, httplib::Response& res) {
  SecurityHeaders(res);
  const PublishedSnapshot latest = state_->Latest();
  if (latest.json == nullptr) {
    adapters::Problem p;
    p.status = 503;
    p.code = "unavailable";
    p.detail = "no figures yet; retry shortly";
    p.retry_after = server_->options().retry_after;
    adapters::WriteProblem(req, res, p);
    return;
  }
  res.status = 200;
  res.set_content(*latest.json, "application/json");
}

void DashboardService::Stream(const httplib::Request& req, httplib::Response& res) {
  SecurityHeaders(res);
  std::unique_ptr<adapters::HttpServer::StreamSlot> slot = server_->TryAcquireStream();
  if (slot == nullptr) {
    adapters::Problem p = adapters::ProblemFromStatus(
        absl::ResourceExhaustedError("too many streams"), server_->options().retry_after);
    p.detail = "too many dashboard pages are open; retry later";
    adapters::WriteProblem(req, res, p);
    return;
  }
  // The gate let the request in with a bearer token or a session; a stream opened with a session
  // ends with it.
  std::string session;
  if (!req.has_header("Authorization")) {
    session = CookieValue(req.get_header_value("Cookie"), kCookieName).value_or("");
  }
  auto stream = std::make_shared<SnapshotStream>(this, std::move(slot), std::move(session));
  res.status = 200;
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream](size_t /*offset*/, httplib::DataSink& sink) { return stream->Step(sink); });
}

}  // namespace wissel::dashboard
