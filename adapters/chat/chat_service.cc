#include "adapters/chat/chat_service.h"

#include <glog/logging.h>
#include <httplib.h>

#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "adapters/chat/chat_api.pb.h"
#include "adapters/chat/chat_request.h"
#include "adapters/common/api_names.h"
#include "adapters/common/capability_token.h"
#include "adapters/common/json_body.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "base/bearer_token.h"
#include "base/status_macros.h"

namespace wissel::adapters::chat {
namespace {

constexpr char kSessionPattern[] = R"(/v1/chat/sessions/([^/]+)/([^/]+))";

int32_t WholeSeconds(const google::protobuf::Duration& d) {
  if (d.seconds() > std::numeric_limits<int32_t>::max()) {
    return std::numeric_limits<int32_t>::max();
  }
  return static_cast<int32_t>(std::max<int64_t>(0, d.seconds()));
}

std::string SessionPath(absl::string_view tenant, absl::string_view session_id) {
  return absl::StrCat("/v1/chat/sessions/", tenant, "/", session_id);
}

api::SessionResponse ToSessionResponse(absl::string_view tenant, absl::string_view session_id,
                                       const std::string& contact_id,
                                       const v1::Decision& decision) {
  api::SessionResponse out;
  out.set_contact_id(contact_id);
  out.set_session_id(std::string(session_id));
  out.set_outcome(OutcomeName(decision.outcome()));
  out.set_queue(decision.queue());
  out.set_handler_id(decision.handler_id());
  if (decision.outcome() == v1::Decision::OUTCOME_QUEUED) {
    out.set_position(decision.position());
    out.set_expected_wait_seconds(WholeSeconds(decision.expected_wait()));
  }
  if (!decision.digital_offer().url().empty() || !decision.digital_offer().message().empty()) {
    out.mutable_digital_offer()->set_url(decision.digital_offer().url());
    out.mutable_digital_offer()->set_message(decision.digital_offer().message());
  }
  out.set_message(decision.message());
  out.set_events_url(absl::StrCat(SessionPath(tenant, session_id), "/events"));
  return out;
}

std::string SseFrame(absl::string_view event, absl::string_view data) {
  // JSON from protobuf is one line, so one data: line suffices.
  return absl::StrCat("event: ", event, "\ndata: ", data, "\n\n");
}

bool RouterUnreachable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace

struct ChatService::Observation {
  v1::ContactRecord record;
  // The current decision when the router told it (queued: position now), else the decision as
  // it was made.
  v1::Decision decision;
};

// One client's Server-Sent Events stream. cpp-httplib calls Step() in a loop on the worker
// thread that serves the client, until it calls sink.done() or returns false.
class ChatService::EventStream {
 public:
  EventStream(ChatService* service, std::unique_ptr<HttpServer::StreamSlot> slot,
              std::string tenant, std::string session_id, SessionEntry entry, Observation first)
      : service_(service),
        slot_(std::move(slot)),
        tenant_(std::move(tenant)),
        session_id_(std::move(session_id)),
        entry_(std::move(entry)),
        first_(std::move(first)),
        end_by_(absl::Now() + service->options_.max_stream_duration) {}

  bool Step(httplib::DataSink& sink) {
    const ChatOptions& options = service_->options_;
    if (!started_) {
      started_ = true;
      if (!Write(sink, absl::StrCat("retry: ", absl::ToInt64Milliseconds(options.client_retry),
                                    "\n\n"))) {
        return false;
      }
      if (!Emit(sink, first_)) return false;
      if (ended_) Finish(sink);
      return true;
    }
    if (service_->server_->WaitForShutdown(options.poll_interval)) {
      // The adapter is stopping: end the stream; the client reconnects (to another instance).
      sink.done();
      return true;
    }
    const absl::Time now = absl::Now();
    if (now >= end_by_) {
      sink.done();
      return true;
    }
    absl::StatusOr<Observation> seen = service_->Observe(tenant_, session_id_, entry_);
    if (seen.ok()) {
      failing_since_ = absl::InfiniteFuture();
      if (!Emit(sink, *seen)) return false;
      if (ended_) {
        Finish(sink);
        return true;
      }
    } else {
      // The router unreachable: keep trying for router_grace. Anything else (the contact is
      // gone, e.g. past its retention) ends the stream.
      if (RouterUnreachable(seen.status()) && failing_since_ == absl::InfiniteFuture()) {
        failing_since_ = now;
      }
      if (!RouterUnreachable(seen.status()) || now - failing_since_ >= options.router_grace) {
        const Problem problem =
            ProblemFromStatus(RenameField(seen.status(), ClientField), options.client_retry);
        Write(sink, SseFrame("error", ProblemBody(problem, SessionPath(tenant_, session_id_))));
        sink.done();
        return true;
      }
    }
    if (now - last_write_ >= options.heartbeat_interval) return Write(sink, ": keep-alive\n\n");
    return true;
  }

 private:
  bool Write(httplib::DataSink& sink, const std::string& text) {
    last_write_ = absl::Now();
    return sink.write(text.data(), text.size());
  }

  // Sends the event for `seen` unless it is the same as the last one sent.
  bool Emit(httplib::DataSink& sink, const Observation& seen) {
    const v1::ContactRecord& record = seen.record;
    api::SessionEvent event;
    event.set_contact_id(record.contact_id());
    event.set_session_id(session_id_);
    event.set_state(ContactStateName(record.state()));
    event.set_queue(record.queue());
    std::string name;
    if (IsEnded(record.state())) {
      name = "ended";
      ended_ = true;
    } else if (record.state() == v1::CONTACT_STATE_QUEUED) {
      name = "position";
      event.set_position(seen.decision.position());
      event.set_expected_wait_seconds(WholeSeconds(seen.decision.expected_wait()));
    } else {
      name = "assigned";
      event.set_handler_id(record.handler_id().empty() ? seen.decision.handler_id()
                                                       : record.handler_id());
    }
    std::string frame = SseFrame(name, ToJson(event));
    if (frame == last_frame_) return true;
    last_frame_ = frame;
    return Write(sink, frame);
  }

  void Finish(httplib::DataSink& sink) {
    service_->sessions_.Erase(tenant_, session_id_);
    sink.done();
  }

  ChatService* const service_;
  const std::unique_ptr<HttpServer::StreamSlot> slot_;  // held for the stream's life
  const std::string tenant_;
  const std::string session_id_;
  const SessionEntry entry_;
  const Observation first_;
  const absl::Time end_by_;
  bool started_ = false;
  bool ended_ = false;
  std::string last_frame_;
  absl::Time last_write_ = absl::InfinitePast();
  absl::Time failing_since_ = absl::InfiniteFuture();
};

ChatService::ChatService(ChatOptions options, RouterClient* router, HttpServer* server)
    : options_(options), router_(router), server_(server), sessions_(options_.max_sessions) {
  server_->Post("/v1/chat/sessions", {kJsonMediaType},
                [this](const httplib::Request& req, const RequestBody& body,
                       httplib::Response& res) { Open(req, body, res); });
  server_->Get(kSessionPattern,
               [this](const httplib::Request& req, httplib::Response& res) { Get(req, res); });
  server_->Get(absl::StrCat(kSessionPattern, "/events"),
               [this](const httplib::Request& req, httplib::Response& res) { Events(req, res); });
  server_->Post(absl::StrCat(kSessionPattern, "/end"), {kJsonMediaType},
                [this](const httplib::Request& req, const RequestBody& body,
                       httplib::Response& res) { EndWithBody(req, body, res); });
  server_->Delete(kSessionPattern, [this](const httplib::Request& req, httplib::Response& res) {
    End(req, res, /*completed=*/false, req.get_param_value("contact_id"));
  });
  server_->RateLimit("/v1/chat/sessions");
  server_->SetHealthCheck([this] { return router_->CheckHealth(); });
}

void ChatService::WriteError(const httplib::Request& req, httplib::Response& res,
                             const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", R"(Bearer realm="wissel-chat")");
  }
  WriteProblem(req, res,
               ProblemFromStatus(RenameField(status, ClientField), server_->options().retry_after));
}

void ChatService::Open(const httplib::Request& req, const RequestBody& body,
                       httplib::Response& res) {
  absl::StatusOr<v1::RouteContactRequest> request = ParseOpenSession(body.data);
  if (!request.ok()) return WriteError(req, res, request.status());
  const v1::Contact& contact = request->contact();
  const std::string session_id = contact.idempotency_key().substr(IdempotencyKey("").size());

  // A session this instance knows is re-opened only by the holder of its token: the session id
  // alone (chosen by the widget, maybe guessable) must not hand out the session.
  const std::optional<std::string> presented =
      base::BearerToken(req.get_header_value("Authorization"));
  if (std::optional<SessionEntry> known = sessions_.Find(contact.tenant(), session_id)) {
    if (!presented) {
      return WriteError(req, res,
                        absl::UnauthenticatedError(
                            "session_id: this session is open; re-opening it needs its session "
                            "token (Authorization: Bearer)"));
    }
    if (!base::TokenMatches(known->token, *presented)) {
      return WriteError(req, res,
                        absl::PermissionDeniedError("session_id: the token is not this session's"));
    }
  }
  // A new session's token is drawn before routing: without randomness, nothing is routed.
  absl::StatusOr<std::string> token = NewCapabilityToken();
  if (!token.ok()) return WriteError(req, res, token.status());

  absl::StatusOr<v1::RouteContactResponse> routed = router_->RouteContact(*request);
  if (!routed.ok()) return WriteError(req, res, routed.status());
  api::SessionResponse out =
      ToSessionResponse(contact.tenant(), session_id, routed->contact_id(), routed->decision());
  SessionEntry entry{routed->contact_id(), contact.topic(), base::DigestOf(*token)};
  if (sessions_.Insert(contact.tenant(), session_id, std::move(entry))) {
    out.set_session_token(*token);
  } else if (!presented) {
    // Another open of the same new session got there first; it holds the token.
    return WriteError(req, res,
                      absl::UnauthenticatedError(
                          "session_id: this session is open; re-opening it needs its session "
                          "token (Authorization: Bearer)"));
  }
  res.set_header("Cache-Control", "no-store");  // the answer carries a credential
  res.set_header("Location", SessionPath(contact.tenant(), session_id));
  WriteJson(res, 200, out);
}

absl::StatusOr<SessionEntry> ChatService::Authorize(const httplib::Request& req,
                                                    const std::string& tenant,
                                                    const std::string& session_id,
                                                    const std::string& contact_id,
                                                    bool query_token) {
  if (!contact_id.empty()) {
    WISSEL_RETURN_IF_ERROR(ValidateIdentifier("contact_id", contact_id));
  }
  std::optional<std::string> token = base::BearerToken(req.get_header_value("Authorization"));
  if (!token && query_token && req.has_param("session_token")) {
    token = req.get_param_value("session_token");
  }
  if (!token || token->empty()) {
    return absl::UnauthenticatedError(
        "the session token is required (Authorization: Bearer TOKEN from the open answer)");
  }
  // An unknown session and a wrong token are the same answer: nothing is revealed about which
  // sessions exist. The digests are compared in constant time.
  // The token is hashed and compared whether or not the session exists (against a digest no
  // token has), so that the time taken does not tell either.
  const base::TokenDigest presented = base::DigestOf(*token);
  std::optional<SessionEntry> entry = sessions_.Find(tenant, session_id);
  const bool matches = base::SameDigest(entry ? entry->token : base::TokenDigest{}, presented);
  if (!entry || !matches) {
    return absl::NotFoundError(
        "session_id: no such session for this token on this adapter instance; open the "
        "session again (POST /v1/chat/sessions)");
  }
  if (!contact_id.empty() && contact_id != entry->contact_id) {
    return FieldError("contact_id", "is not the contact of this session");
  }
  return *std::move(entry);
}

absl::StatusOr<ChatService::Observation> ChatService::Observe(const std::string& tenant,
                                                              const std::string& session_id,
                                                              const SessionEntry& entry) {
  v1::GetContactRequest get;
  get.set_tenant(tenant);
  get.set_contact_id(entry.contact_id);
  WISSEL_ASSIGN_OR_RETURN(v1::ContactRecord record, router_->GetContact(get));
  if (record.channel() != v1::CHANNEL_CHAT) {
    return absl::NotFoundError("contact_id: not a chat contact");
  }
  Observation seen;
  seen.decision = record.decision();
  if (record.state() == v1::CONTACT_STATE_QUEUED && !entry.topic.empty()) {
    // A retry of the open with the session's idempotency key answers with the decision as it
    // stands now (the current position and expected wait) and changes nothing.
    v1::RouteContactRequest replay;
    v1::Contact* contact = replay.mutable_contact();
    contact->set_tenant(tenant);
    contact->set_channel(v1::CHANNEL_CHAT);
    contact->set_topic(entry.topic);
    contact->set_idempotency_key(IdempotencyKey(session_id));
    absl::StatusOr<v1::RouteContactResponse> now = router_->RouteContact(replay);
    if (now.ok() && now->contact_id() == entry.contact_id) {
      seen.decision = now->decision();
    } else if (now.ok()) {
      LOG(ERROR) << "position probe for chat session of contact " << entry.contact_id
                 << " answered with contact " << now->contact_id();
    }
  }
  seen.record = std::move(record);
  return seen;
}

void ChatService::Get(const httplib::Request& req, httplib::Response& res) {
  const std::string tenant = req.matches[1];
  const std::string session_id = req.matches[2];
  if (absl::Status s = ValidateSessionPath(tenant, session_id); !s.ok()) {
    return WriteError(req, res, s);
  }
  absl::StatusOr<SessionEntry> entry =
      Authorize(req, tenant, session_id, req.get_param_value("contact_id"), /*query_token=*/false);
  if (!entry.ok()) return WriteError(req, res, entry.status());
  absl::StatusOr<Observation> seen = Observe(tenant, session_id, *entry);
  if (!seen.ok()) return WriteError(req, res, seen.status());
  api::SessionResponse out =
      ToSessionResponse(tenant, session_id, entry->contact_id, seen->decision);
  out.set_state(ContactStateName(seen->record.state()));
  if (seen->record.state() != v1::CONTACT_STATE_QUEUED) {
    out.clear_position();
    out.clear_expected_wait_seconds();
    out.set_handler_id(seen->record.handler_id());
  }
  WriteJson(res, 200, out);
}

void ChatService::Events(const httplib::Request& req, httplib::Response& res) {
  const std::string tenant = req.matches[1];
  const std::string session_id = req.matches[2];
  if (absl::Status s = ValidateSessionPath(tenant, session_id); !s.ok()) {
    return WriteError(req, res, s);
  }
  absl::StatusOr<SessionEntry> entry =
      Authorize(req, tenant, session_id, req.get_param_value("contact_id"), /*query_token=*/true);
  if (!entry.ok()) return WriteError(req, res, entry.status());
  std::unique_ptr<HttpServer::StreamSlot> slot = server_->TryAcquireStream();
  if (slot == nullptr) {
    Problem p = ProblemFromStatus(absl::ResourceExhaustedError("too many event streams"),
                                  server_->options().retry_after);
    p.detail = "too many event streams are open; retry later";
    return WriteProblem(req, res, p);
  }
  absl::StatusOr<Observation> first = Observe(tenant, session_id, *entry);
  if (!first.ok()) return WriteError(req, res, first.status());
  auto stream = std::make_shared<EventStream>(this, std::move(slot), tenant, session_id,
                                              *std::move(entry), *std::move(first));
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream](size_t /*offset*/, httplib::DataSink& sink) { return stream->Step(sink); });
}

void ChatService::EndWithBody(const httplib::Request& req, const RequestBody& body,
                              httplib::Response& res) {
  absl::StatusOr<EndSession> end = ParseEndSession(body.data);
  if (!end.ok()) return WriteError(req, res, end.status());
  End(req, res, end->reason == EndReason::kCompleted, end->contact_id);
}

void ChatService::End(const httplib::Request& req, httplib::Response& res, bool completed,
                      const std::string& contact_id) {
  const std::string tenant = req.matches[1];
  const std::string session_id = req.matches[2];
  if (absl::Status s = ValidateSessionPath(tenant, session_id); !s.ok()) {
    return WriteError(req, res, s);
  }
  absl::StatusOr<SessionEntry> entry = Authorize(req, tenant, session_id, contact_id, false);
  if (!entry.ok()) return WriteError(req, res, entry.status());

  absl::StatusOr<v1::ContactRecord> ended;
  if (completed) {
    v1::CompleteContactRequest complete;
    complete.set_tenant(tenant);
    complete.set_contact_id(entry->contact_id);
    ended = router_->CompleteContact(complete);
  } else {
    v1::CancelContactRequest cancel;
    cancel.set_tenant(tenant);
    cancel.set_contact_id(entry->contact_id);
    cancel.set_reason("visitor_left");
    ended = router_->CancelContact(cancel);
  }
  const v1::ContactState wanted =
      completed ? v1::CONTACT_STATE_COMPLETED : v1::CONTACT_STATE_ABANDONED;
  if (!ended.ok() && ended.status().code() == absl::StatusCode::kFailedPrecondition) {
    // A retried end finds the contact already ended as asked: answer as the first time.
    v1::GetContactRequest get;
    get.set_tenant(tenant);
    get.set_contact_id(entry->contact_id);
    absl::StatusOr<v1::ContactRecord> record = router_->GetContact(get);
    if (record.ok() && record->state() == wanted) ended = *std::move(record);
  }
  if (!ended.ok()) return WriteError(req, res, ended.status());
  // The session stays known (until it is forgotten as least recently used), so that a retried
  // end with the token is answered as the first one was.
  api::EndSessionResponse out;
  out.set_contact_id(entry->contact_id);
  out.set_session_id(session_id);
  out.set_state(ContactStateName(ended->state()));
  WriteJson(res, 200, out);
}

}  // namespace wissel::adapters::chat
