// ChatService: the chat adapter's HTTP endpoints, the server side a chat widget's backend
// forwards its sessions to. One chat session is one contact, whatever the retries: the session
// id is the idempotency key ("chat:" + session id) of RouteContact.
//
//   POST   /v1/chat/sessions                                   open (or re-open) a session
//   GET    /v1/chat/sessions/{tenant}/{session_id}             the session as it is now
//   GET    /v1/chat/sessions/{tenant}/{session_id}/events      Server-Sent Events
//   POST   /v1/chat/sessions/{tenant}/{session_id}/end         {"reason": "completed"|"abandoned"}
//   DELETE /v1/chat/sessions/{tenant}/{session_id}             the visitor left (abandoned)
//
// The events stream polls the router (GetContact, and for a queued contact a RouteContact
// replay with the session's idempotency key, which answers with the current position) every
// poll_interval while a client is connected, and sends an event when something changed:
// "position" (queued: position and expected wait), "assigned" (offered to or connected with a
// handler), "ended" (completed or abandoned; then the stream ends). A push API on the router
// would be better; polling is bounded by max_streams and max_stream_duration.
//
// Session tokens (capability_token.h): the open answer carries a new random token; every other
// call about the session needs it ("Authorization: Bearer TOKEN"; the events stream also takes
// "?session_token=TOKEN" for EventSource). No token: 401. A token that is not this session's,
// and a session this instance does not know, get the same 404, so that a caller without the
// token learns nothing about which sessions exist. Re-opening a session this instance knows
// needs its token too (401 without, 403 with another), and answers without a new token.
// Opening is rate limited per client address (HttpServer::RateLimit).
//
// Thread-safe: the HTTP server calls the handlers from its worker threads.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/chat/session_directory.h"
#include "adapters/common/http_server.h"
#include "adapters/common/router_client.h"
#include "wissel/v1/contact.pb.h"

namespace wissel::adapters::chat {

struct ChatOptions {
  // How often an events stream asks the router for news. Default 500 ms.
  absl::Duration poll_interval = absl::Milliseconds(500);
  // A comment line is sent on an idle stream this often, so that proxies keep it open and a
  // client that went away is noticed. Default 5 s.
  absl::Duration heartbeat_interval = absl::Seconds(5);
  // A stream ends after this time; EventSource clients reconnect by themselves. Default 30 min.
  absl::Duration max_stream_duration = absl::Minutes(30);
  // A stream whose router stays unreachable this long ends with an "error" event. Default 10 s.
  absl::Duration router_grace = absl::Seconds(10);
  // The reconnection delay EventSource clients are told ("retry:"). Default 2 s.
  absl::Duration client_retry = absl::Seconds(2);
  // Sessions remembered (see SessionDirectory). Default 100000.
  size_t max_sessions = 100000;
};

class ChatService {
 public:
  // Registers the endpoints on `server` (before it starts) and its health check. `router` and
  // `server` must outlive this object.
  ChatService(ChatOptions options, RouterClient* router, HttpServer* server);

  const SessionDirectory& sessions() const { return sessions_; }

 private:
  struct Observation;
  class EventStream;

  void Open(const httplib::Request& req, const RequestBody& body, httplib::Response& res);
  void Get(const httplib::Request& req, httplib::Response& res);
  void Events(const httplib::Request& req, httplib::Response& res);
  void End(const httplib::Request& req, httplib::Response& res, bool completed,
           const std::string& contact_id);
  void EndWithBody(const httplib::Request& req, const RequestBody& body, httplib::Response& res);

  // The session's entry when `req` carries its token (the Authorization header; with
  // `query_token`, also ?session_token=). Unauthenticated without a token; NotFound
  // "session_id" for an unknown session or another session's token; InvalidArgument
  // "contact_id" when `contact_id` is given and is not the session's contact.
  absl::StatusOr<SessionEntry> Authorize(const httplib::Request& req, const std::string& tenant,
                                         const std::string& session_id,
                                         const std::string& contact_id, bool query_token);
  // The contact as it is now; for a queued contact of a known topic, with its current decision.
  absl::StatusOr<Observation> Observe(const std::string& tenant, const std::string& session_id,
                                      const SessionEntry& entry);
  // Writes the problem for a router (or parse) error, fields renamed to the client's.
  void WriteError(const httplib::Request& req, httplib::Response& res, const absl::Status& status);

  const ChatOptions options_;
  RouterClient* const router_;
  HttpServer* const server_;
  SessionDirectory sessions_;
};

}  // namespace wissel::adapters::chat
