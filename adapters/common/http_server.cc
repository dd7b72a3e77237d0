#include "adapters/common/http_server.h"

#include <arpa/inet.h>
#include <glog/logging.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "adapters/common/http_api.pb.h"
#include "adapters/common/json_body.h"

namespace wissel::adapters {
namespace {

std::chrono::microseconds ToChrono(absl::Duration d) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

bool IsChunked(const httplib::Request& req) {
  return absl::StrContains(absl::AsciiStrToLower(req.get_header_value("Transfer-Encoding")),
                           "chunked");
}

// The declared Content-Length: nullopt when absent, -1 when malformed.
std::optional<int64_t> DeclaredLength(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  int64_t length = 0;
  if (!absl::SimpleAtoi(req.get_header_value("Content-Length"), &length) || length < 0) {
    return -1;
  }
  return length;
}

Problem TooLarge(size_t max) {
  Problem p;
  p.status = 413;
  p.code = "payload_too_large";
  p.detail = absl::StrCat("the request body is larger than ", max, " bytes");
  p.errors.push_back({"body", p.detail});
  return p;
}

// The body of an error answer that no handler wrote (cpp-httplib's own 400, 404, 413, ...).
Problem DefaultProblem(const httplib::Request& req, int status, const HttpServerOptions& options) {
  Problem p;
  p.status = status;
  switch (status) {
    case 400:
      p.code = "bad_request";
      p.detail = "the request could not be read: malformed, or not complete within the timeout";
      break;
    case 404:
      p.code = "not_found";
      p.detail = absl::StrCat("no endpoint ", req.method, " ", req.path);
      break;
    case 413:
      return TooLarge(options.max_body_bytes);
    case 414:
      p.code = "uri_too_long";
      p.detail = "the request target is too long";
      break;
    case 416:
      p.code = "range_not_satisfiable";
      p.detail = "ranges are not supported";
      break;
    case 503:
      p.code = "unavailable";
      p.detail = "the service is not available; retry later";
      p.retry_after = options.retry_after;
      break;
    default:
      p.code = "error";
      p.detail = std::string(StatusPhrase(status));
      break;
  }
  return p;
}

// The label of the route answering the request this thread works on (HttpServer::Routed);
// null until a route's handler runs. Set and read on the one worker thread that serves the
// request, from routing to the logger.
thread_local const std::string* current_route = nullptr;

// True when `origin` is the origin of the request's own target: the scheme the server serves
// and the Host header (which a browser sets to the host and port it connects to).
bool IsSameOrigin(const httplib::Request& req, absl::string_view origin, bool tls) {
  const std::string host = req.get_header_value("Host");
  if (origin.empty() || host.empty()) return false;
  return absl::AsciiStrToLower(origin) ==
         absl::StrCat(tls ? "https://" : "http://", absl::AsciiStrToLower(host));
}

std::unique_ptr<httplib::Server> MakeServer(const std::shared_ptr<base::TlsServerContext>& tls) {
  if (tls == nullptr) return std::make_unique<httplib::Server>();
  // cpp-httplib calls the setup at once, on the SSL_CTX it then serves with; `tls` is kept in
  // the options for as long as the server lives.
  return std::make_unique<httplib::SSLServer>([tls](SSL_CTX& ctx) {
    const absl::Status s = tls->Configure(&ctx);
    if (!s.ok()) LOG(ERROR) << "TLS setup failed: " << s.message();
    return s.ok();
  });
}

}  // namespace

std::string RouteLabel(absl::string_view pattern) {
  std::string label;
  int depth = 0;
  for (char c : pattern) {
    if (c == '(') {
      if (depth++ == 0) label += "{}";
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (depth == 0) {
      label += c;
    }
  }
  return label;
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  const std::string text(host);
  in_addr v4 = {};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6 = {};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return memcmp(&v6, &kLoopback, sizeof(v6)) == 0;
  }
  return false;
}

absl::Status ParseListenAddress(absl::string_view address, HttpServerOptions* options) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", address, "' is not host:port"));
  }
  absl::string_view host = address.substr(0, colon);
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("listen address '", address, "' has no port"));
  }
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  options->host = host.empty() ? "0.0.0.0" : std::string(host);
  options->port = port;
  return absl::OkStatus();
}

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)),
      server_(MakeServer(options_.tls)),
      rate_limiter_(options_.rate_limit) {
  health_serving_.set_status("SERVING");
  const int threads = std::max(2, options_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_read_timeout(ToChrono(options_.read_timeout));
  server_->set_write_timeout(ToChrono(options_.write_timeout));
  server_->set_keep_alive_timeout(
      std::max<time_t>(1, absl::ToInt64Seconds(options_.keep_alive_timeout)));
  server_->set_keep_alive_max_count(100);
  server_->set_payload_max_length(options_.max_body_bytes);

  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    current_route = nullptr;
    return RefuseBeforeRouting(req, res) ? httplib::Server::HandlerResponse::Handled
                                         : httplib::Server::HandlerResponse::Unhandled;
  });
  // "Expect: 100-continue" (curl sends it for larger bodies): refuse an oversized body before
  // the client sends it.
  server_->set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        const std::optional<int64_t> length = DeclaredLength(req);
        if (length && *length > static_cast<int64_t>(options_.max_body_bytes)) {
          CloseAfterResponse(req);
          WriteProblem(req, res, TooLarge(options_.max_body_bytes));
          return 413;
        }
        return 100;
      });
  // CORS headers on every answer, errors included: "Vary: Origin" always, the origin itself
  // only when it is configured.
  server_->set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    for (auto& [name, value] : options_.cors.ResponseHeaders(origin)) {
      if (!res.has_header(name.c_str())) res.set_header(name.c_str(), value);
    }
  });
  server_->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler wrote its own problem
    WriteProblem(req, res, DefaultProblem(req, res.status, options_));
  });
  server_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& /*error*/) {
        LOG(ERROR) << "exception in handler for " << req.method << " " << req.path;
        Problem p;
        p.status = 500;
        p.code = "internal";
        p.detail = "internal error";
        WriteProblem(req, res, p);
      });
  server_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const std::string* route = std::exchange(current_route, nullptr);
    if (observer_) observer_(route != nullptr ? *route : "unrouted", req.method, res.status);
    // Method, path and status only: bodies and queries may carry personal data.
    if (res.status >= 500) {
      LOG(WARNING) << req.method << " " << req.path << " " << res.status;
    } else {
      VLOG(1) << req.method << " " << req.path << " " << res.status;
    }
  });
  server_->Get("/livez", Routed("/livez", [](const httplib::Request&, httplib::Response& res) {
                 api::Health health;
                 health.set_status("SERVING");
                 WriteJson(res, 200, health);
               }));
  server_->Get("/healthz",
               Routed("/healthz", [this](const httplib::Request& req, httplib::Response& res) {
                 const absl::Status status = health_check_ ? health_check_() : absl::OkStatus();
                 if (status.ok()) {
                   WriteJson(res, 200, health_serving_);
                   return;
                 }
                 Problem p;
                 p.status = 503;
                 p.code = "not_serving";
                 p.detail = std::string(status.message());
                 p.retry_after = options_.retry_after;
                 WriteProblem(req, res, p);
               }));
}

HttpServer::~HttpServer() { Shutdown(); }

HttpServer::Handler HttpServer::Routed(const std::string& pattern, Handler handler) {
  const std::string* label = &route_labels_.emplace_back(RouteLabel(pattern));
  return
      [label, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
        current_route = label;
        handler(req, res);
      };
}

bool HttpServer::AnswerCors(const httplib::Request& req, httplib::Response& res) {
  const std::string origin = req.get_header_value("Origin");
  if (CorsPolicy::IsPreflight(req.method, origin,
                              req.get_header_value("Access-Control-Request-Method"))) {
    absl::StatusOr<HeaderList> headers =
        options_.cors.Preflight(origin, req.get_header_value("Access-Control-Request-Method"));
    if (!headers.ok()) {
      Problem p = ProblemFromStatus(headers.status(), options_.retry_after);
      p.status = 403;
      p.code = "origin_not_allowed";
      WriteProblem(req, res, p);
      return true;
    }
    for (auto& [name, value] : *headers) res.set_header(name.c_str(), value);
    res.status = 204;
    return true;
  }
  if (options_.allow_same_origin && IsSameOrigin(req, origin, tls())) return false;
  if (options_.cors.RefusesRequest(req.method, origin)) {
    // The page's request would have its effect even though the page could not read the
    // answer: refuse it before anything happens.
    CloseAfterResponse(req);
    Problem p;
    p.status = 403;
    p.code = "origin_not_allowed";
    p.detail = "requests from this web origin are not allowed";
    p.errors.push_back({"Origin", p.detail});
    WriteProblem(req, res, p);
    return true;
  }
  return false;
}

bool HttpServer::RefuseOverLimit(const httplib::Request& req, httplib::Response& res) {
  if (!rate_limiter_.enabled() || req.method != "POST") return false;
  bool limited = false;
  for (const std::regex& route : rate_limited_routes_) {
    if (std::regex_match(req.path, route)) {
      limited = true;
      break;
    }
  }
  if (!limited) return false;
  const RateLimiter::Decision decision = rate_limiter_.Admit(req.remote_addr);
  if (decision.allowed) return false;
  CloseAfterResponse(req);
  Problem p;
  p.status = 429;
  p.code = "too_many_requests";
  p.detail = "too many requests from this address; retry later";
  p.retry_after = decision.retry_after;
  WriteProblem(req, res, p);
  return true;
}

bool HttpServer::RefuseBeforeRouting(const httplib::Request& req, httplib::Response& res) {
  if (AnswerCors(req, res) || RefuseOverLimit(req, res)) return true;
  const std::optional<int64_t> length = DeclaredLength(req);
  if (gate_ && !(req.method == "GET" && req.path == "/livez") && gate_(req, res)) {
    // The body, if any, was not read: the connection cannot carry another request.
    if (IsChunked(req) || (length && *length != 0)) CloseAfterResponse(req);
    return true;
  }
  if (length && *length < 0) {
    CloseAfterResponse(req);
    WriteProblem(req, res, InvalidField("Content-Length", "is not a number"));
    return true;
  }
  if (length && *length > static_cast<int64_t>(options_.max_body_bytes)) {
    CloseAfterResponse(req);
    WriteProblem(req, res, TooLarge(options_.max_body_bytes));
    return true;
  }
  const bool has_body = IsChunked(req) || (length && *length > 0);
  if (!has_body) return false;
  // cpp-httplib reads the body of any other route into memory before routing, without a limit
  // when it is chunked: only the body routes, which read with limits, take a body.
  bool body_route = false;
  if (req.method == "POST") {
    for (const std::regex& route : body_routes_) {
      if (std::regex_match(req.path, route)) {
        body_route = true;
        break;
      }
    }
  }
  if (body_route) return false;
  CloseAfterResponse(req);
  Problem p;
  if (req.method == "POST") {
    p.status = 404;
    p.code = "not_found";
    p.detail = absl::StrCat("no endpoint ", req.method, " ", req.path);
  } else {
    p = InvalidField("body", absl::StrCat(req.method, " requests take no body"));
  }
  WriteProblem(req, res, p);
  return true;
}

void HttpServer::Post(const std::string& pattern, std::vector<std::string> media_types,
                      BodyHandler handler) {
  body_routes_.emplace_back(pattern);
  const std::string* label = &route_labels_.emplace_back(RouteLabel(pattern));
  server_->Post(pattern,
                [this, label, media_types = std::move(media_types), handler = std::move(handler)](
                    const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) {
                  current_route = label;
                  HandleBody(req, res, reader, media_types, handler);
                });
}

void HttpServer::HandleBody(const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader,
                            const std::vector<std::string>& media_types,
                            const BodyHandler& handler) {
  // Content type first: no point in reading a body that will be refused.
  const absl::StatusOr<MediaType> media_type = ParseMediaType(req.get_header_value("Content-Type"));
  bool accepted = false;
  if (media_type.ok()) {
    for (const std::string& t : media_types) accepted = accepted || media_type->type == t;
  }
  if (!accepted || (!media_type->charset.empty() && media_type->charset != "utf-8")) {
    CloseAfterResponse(req);
    Problem p;
    p.status = 415;
    p.code = "unsupported_media_type";
    p.detail = accepted ? "the charset must be utf-8"
                        : absl::StrCat("Content-Type must be ", absl::StrJoin(media_types, " or "));
    p.errors.push_back({"Content-Type", p.detail});
    res.set_header("Accept-Post", absl::StrJoin(media_types, ", "));
    WriteProblem(req, res, p);
    return;
  }

  RequestBody body;
  body.media_type = *media_type;
  // HTTP/1.1: a request with neither Content-Length nor chunked encoding has no body
  // (RFC 9112 section 6.3); cpp-httplib would read until the client closes.
  if (IsChunked(req) || DeclaredLength(req).value_or(0) > 0) {
    const absl::Time start = absl::Now();
    const absl::Time deadline = start + options_.read_timeout;
    absl::Time last_data = start;
    bool too_large = false;
    bool too_slow = false;
    const bool read = reader([&](const char* data, size_t size) {
      last_data = absl::Now();
      if (body.data.size() + size > options_.max_body_bytes) {
        too_large = true;
        return false;
      }
      if (last_data > deadline) {  // a client that trickles its body
        too_slow = true;
        return false;
      }
      body.data.append(data, size);
      return true;
    });
    if (!read) {
      CloseAfterResponse(req);
      if (too_large) {
        WriteProblem(req, res, TooLarge(options_.max_body_bytes));
        return;
      }
      // A read that failed after the read timeout without data timed out; otherwise the body
      // was malformed (bad chunk) or the client went away.
      const absl::Time now = absl::Now();
      if (too_slow || now - last_data >= options_.read_timeout * 0.9) {
        Problem p;
        p.status = 408;
        p.code = "request_timeout";
        p.detail = absl::StrCat("the request body did not arrive within ",
                                absl::FormatDuration(options_.read_timeout));
        p.errors.push_back({"body", p.detail});
        WriteProblem(req, res, p);
        return;
      }
      WriteProblem(req, res,
                   InvalidField("body", "could not be read (malformed chunked encoding)"));
      return;
    }
  }
  handler(req, body, res);
}

void HttpServer::Get(const std::string& pattern, Handler handler) {
  server_->Get(pattern, Routed(pattern, std::move(handler)));
}

void HttpServer::Delete(const std::string& pattern, Handler handler) {
  server_->Delete(pattern, Routed(pattern, std::move(handler)));
}

void HttpServer::RateLimit(const std::string& pattern) {
  rate_limited_routes_.emplace_back(pattern);
}

void HttpServer::SetGate(Gate gate) { gate_ = std::move(gate); }

void HttpServer::SetHealthCheck(std::function<absl::Status()> check) {
  health_check_ = std::move(check);
}

void HttpServer::SetHealthCheck(std::function<absl::Status()> check, api::Health serving) {
  health_check_ = std::move(check);
  health_serving_ = std::move(serving);
}

absl::Status HttpServer::Start() {
  if (!server_->is_valid()) {
    return absl::InternalError("the HTTPS server could not be set up (see the log)");
  }
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.host, ":", options_.port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // cpp-httplib's stop() does nothing until the listener runs: wait for it, so that a Shutdown()
  // right after Start() cannot be lost.
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!server_->is_running() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  if (!server_->is_running()) {
    server_->stop();
    thread_.join();
    return absl::InternalError("the HTTP listener did not start");
  }
  return absl::OkStatus();
}

void HttpServer::Shutdown() {
  if (shut_down_.exchange(true)) return;
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  server_->stop();  // closes the listening socket, then joins the workers (requests finish)
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<HttpServer::StreamSlot> HttpServer::TryAcquireStream() {
  if (active_streams_.fetch_add(1) >= options_.max_streams) {
    active_streams_.fetch_sub(1);
    return nullptr;
  }
  return std::make_unique<StreamSlot>(&active_streams_);
}

void WriteJson(httplib::Response& res, int status, const google::protobuf::Message& message) {
  res.status = status;
  res.set_content(ToJson(message), "application/json");
}

void WriteProblem(const httplib::Request& req, httplib::Response& res, const Problem& problem) {
  res.status = problem.status;
  if (problem.retry_after > absl::ZeroDuration()) {
    res.set_header("Retry-After", RetryAfterSeconds(problem.retry_after));
  }
  res.set_content(ProblemBody(problem, req.path), kProblemContentType);
}

void CloseAfterResponse(const httplib::Request& req) {
  // cpp-httplib decides on "Connection: close" from the request's header, after the handler
  // ran; the Request object is its own non-const local, so changing it is well-defined.
  auto& headers = const_cast<httplib::Request&>(req).headers;
  headers.erase("Connection");
  headers.emplace("Connection", "close");
}

}  // namespace wissel::adapters
