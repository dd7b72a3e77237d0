// HttpServer: the HTTP/1.1 front of a channel adapter, on cpp-httplib (Debian libcpp-httplib).
//
// It adds to cpp-httplib what every adapter needs and must get the same way:
//   - request bodies read with a size limit (413) and a deadline (408), for chunked bodies too
//     (cpp-httplib 0.11 enforces its payload limit only for Content-Length bodies);
//   - a Content-Type check per route (415);
//   - an RFC 9457 problem+json body on every error answer, including cpp-httplib's own (404,
//     400 for an unreadable request);
//   - GET /livez and GET /healthz (the latter asks a health check, e.g. the router's);
//   - slots for long-lived streams (Server-Sent Events), so streams cannot take every worker;
//   - graceful shutdown: stop accepting, wake the streams, let requests in flight finish;
//   - HTTPS when given a TlsServerContext (certificate reloaded when its files change);
//   - CORS for the configured web origins only, and 403 for a state-changing request from a
//     page of any other origin (cors_policy.h);
//   - a rate limit per client address on the routes marked with RateLimit() (429 with
//     Retry-After; rate_limiter.h).
//
// Handlers run on the server's worker threads (one connection at a time per thread) and must be
// thread-safe. Register routes before Start().
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "adapters/common/cors_policy.h"
#include "adapters/common/http_api.pb.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "adapters/common/rate_limiter.h"
#include "base/tls_server_context.h"
#include "google/protobuf/message.h"

namespace httplib {
class ContentReader;
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace wissel::adapters {

struct HttpServerOptions {
  // Address to listen on; "0.0.0.0" for every interface. Default loopback.
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free one (read it back with port()).
  int port = 0;
  // Largest request body accepted; larger ones get 413. Default 64 KiB.
  size_t max_body_bytes = size_t{64} * 1024;
  // A request (its headers, and its whole body) must arrive within this time; a body that does
  // not gets 408. Default 5 s.
  absl::Duration read_timeout = absl::Seconds(5);
  // A write to a client that does not read gives up after this time. Default 5 s.
  absl::Duration write_timeout = absl::Seconds(5);
  // An idle keep-alive connection is closed after this time. Default 5 s.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  // Worker threads: each serves one connection at a time, streams included. Default 32.
  int threads = 32;
  // Long-lived streams (SSE) open at once; more get 503. Keep below `threads`. Default 16.
  int max_streams = 16;
  // Retry-After of 503 answers. Default 2 s.
  absl::Duration retry_after = absl::Seconds(2);
  // HTTPS with this certificate and key; nullptr: plain HTTP (the adapters allow that only on
  // a loopback address, see adapter_main.h). Default nullptr.
  std::shared_ptr<base::TlsServerContext> tls;
  // The web origins that may call from a browser page. Default none.
  CorsPolicy cors;
  // The limit of the routes marked with RateLimit(). Default off.
  RateLimiterOptions rate_limit;
  // Treat a request whose Origin is this server's own origin (the scheme it serves and the Host
  // header) as not cross-origin: it passes like a request without Origin. For a program that
  // serves its own pages and forms (the dashboard's login); adapters called from other sites'
  // pages leave it off. Default off.
  bool allow_same_origin = false;
};

// "host:port", "[v6]:port" or ":port" (every interface). InvalidArgument otherwise.
absl::Status ParseListenAddress(absl::string_view address, HttpServerOptions* options);

// True for "localhost", 127.0.0.0/8 and ::1: a listen host only this machine can reach.
bool IsLoopbackHost(absl::string_view host);

// A request body that passed the limits, with its parsed media type.
struct RequestBody {
  MediaType media_type;
  std::string data;
};

class HttpServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  using BodyHandler =
      std::function<void(const httplib::Request&, const RequestBody&, httplib::Response&)>;

  // One of `max_streams` places for a long-lived stream; freed when destroyed.
  class StreamSlot {
   public:
    explicit StreamSlot(std::atomic<int>* active) : active_(active) {}
    ~StreamSlot() { active_->fetch_sub(1); }
    StreamSlot(const StreamSlot&) = delete;
    StreamSlot& operator=(const StreamSlot&) = delete;

   private:
    std::atomic<int>* active_;
  };

  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // Shutdown()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // POST with a body whose media type is one of `media_types` (e.g. kJsonMediaType); a charset
  // other than UTF-8 is refused too. `pattern` is a regular expression over the path; its
  // groups are in req.matches.
  void Post(const std::string& pattern, std::vector<std::string> media_types, BodyHandler handler);
  void Get(const std::string& pattern, Handler handler);
  void Delete(const std::string& pattern, Handler handler);
  // POST requests to `pattern` (as given to Post()) count against the rate limit of their
  // client address (options.rate_limit); over it they get 429 with Retry-After before their
  // body is read.
  void RateLimit(const std::string& pattern);

  // Called on the worker thread after every answer, for metrics: the route that answered (the
  // pattern it was registered with, each group written "{}": "/v1/chat/sessions/{}/{}";
  // "/livez", "/healthz"), or "unrouted" when no route did (a 404, a refusal before routing),
  // the request method and the HTTP status. Set before Start().
  using RequestObserver =
      std::function<void(absl::string_view route, absl::string_view method, int status)>;
  void SetRequestObserver(RequestObserver observer) { observer_ = std::move(observer); }

  // GET /healthz answers 200 with `serving` (default {"status":"SERVING"}) when `check` returns
  // OK, else 503 with a problem body (code "not_serving", the check's message as detail) and
  // Retry-After. GET /livez answers 200 while the process serves HTTP at all. This is every
  // adapter's health endpoint, the SIP adapter's included.
  void SetHealthCheck(std::function<absl::Status()> check);
  void SetHealthCheck(std::function<absl::Status()> check, api::Health serving);

  // Runs `gate` before routing for every request except GET /livez (after the CORS and rate-limit
  // checks): when it returns true it has written the answer (e.g. 401) and no route runs, and a
  // request body is not read. This is how a program makes every route but /livez require
  // credentials, /healthz and unknown paths included.
  using Gate = std::function<bool(const httplib::Request&, httplib::Response&)>;
  void SetGate(Gate gate);

  // Binds and starts serving on a background thread. Unavailable when the address is taken.
  absl::Status Start();
  // The bound port (after Start()).
  int port() const { return port_; }
  const HttpServerOptions& options() const { return options_; }
  // True when serving HTTPS.
  bool tls() const { return options_.tls != nullptr; }

  // Stops accepting connections, wakes streams (WaitForShutdown returns true), and waits for
  // requests in flight. Idempotent.
  void Shutdown();
  bool stopping() const { return stopping_.HasBeenNotified(); }
  // Sleeps up to `duration`; returns early, with true, when Shutdown() begins.
  bool WaitForShutdown(absl::Duration duration) const {
    return stopping_.WaitForNotificationWithTimeout(duration);
  }
  // A stream slot, or nullptr when max_streams are open.
  std::unique_ptr<StreamSlot> TryAcquireStream();

 private:
  void HandleBody(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader, const std::vector<std::string>& media_types,
                  const BodyHandler& handler);
  // Runs before routing: answers CORS preflights, refuses foreign origins and clients over
  // the rate limit, and bodies cpp-httplib would otherwise buffer without limit.
  bool RefuseBeforeRouting(const httplib::Request& req, httplib::Response& res);
  // Answers a CORS preflight or refuses a foreign origin's state-changing request; true when
  // it wrote the answer.
  bool AnswerCors(const httplib::Request& req, httplib::Response& res);
  // Refuses a client over the rate limit on a limited route; true when it wrote the answer.
  bool RefuseOverLimit(const httplib::Request& req, httplib::Response& res);

  // `handler`, which first notes `pattern` as the route answering (for the RequestObserver).
  Handler Routed(const std::string& pattern, Handler handler);

  HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  // The routes' labels (RouteLabel), at stable addresses: the thread answering a request points
  // at the one of its route.
  std::deque<std::string> route_labels_;
  RequestObserver observer_;
  std::vector<std::regex> body_routes_;
  std::vector<std::regex> rate_limited_routes_;
  RateLimiter rate_limiter_;
  std::function<absl::Status()> health_check_;
  api::Health health_serving_;
  Gate gate_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> active_streams_{0};
  absl::Notification stopping_;
  std::atomic<bool> shut_down_{false};
};

// A route's label for metrics: `pattern` with each parenthesised group replaced by "{}".
std::string RouteLabel(absl::string_view pattern);

// Writes `message` as a JSON body (application/json) with `status`.
void WriteJson(httplib::Response& res, int status, const google::protobuf::Message& message);

// Writes `problem` as application/problem+json (with Retry-After when it has one).
void WriteProblem(const httplib::Request& req, httplib::Response& res, const Problem& problem);

// Asks cpp-httplib to answer with "Connection: close" (used when the request body was not read,
// so the connection cannot carry another request).
void CloseAfterResponse(const httplib::Request& req);

}  // namespace wissel::adapters
