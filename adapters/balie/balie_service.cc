#include "adapters/balie/balie_service.h"

#include <glog/logging.h>
#include <httplib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "adapters/balie/balie_api.pb.h"
#include "adapters/balie/checkin_request.h"
#include "adapters/common/api_names.h"
#include "adapters/common/json_body.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "base/status_macros.h"

namespace wissel::adapters::balie {
namespace {

constexpr char kTenantPattern[] = R"(/v1/balie/([^/]+))";

int32_t WholeSeconds(const google::protobuf::Duration& d) {
  return static_cast<int32_t>(
      std::clamp<int64_t>(d.seconds(), 0, std::numeric_limits<int32_t>::max()));
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// The text for the kiosk screen and the printed ticket.
std::string KioskMessage(const std::string& ticket, const v1::Decision& decision) {
  switch (decision.outcome()) {
    case v1::Decision::OUTCOME_QUEUED: {
      const int minutes = (WholeSeconds(decision.expected_wait()) + 59) / 60;
      std::string text = absl::StrCat("Uw nummer is ", ticket, ". ");
      if (decision.position() > 0) {
        absl::StrAppend(
            &text, "Er ", decision.position() == 1 ? "is" : "zijn", " ",
            decision.position() - 1 == 0 ? "geen" : absl::StrCat(decision.position() - 1), " ",
            decision.position() - 1 == 1 ? "persoon" : "personen", " voor u. ");
      }
      if (minutes > 0) {
        absl::StrAppend(&text, "Verwachte wachttijd: ongeveer ", minutes,
                        minutes == 1 ? " minuut. " : " minuten. ");
      }
      absl::StrAppend(&text, "Let op het scherm in de wachtruimte.");
      return text;
    }
    case v1::Decision::OUTCOME_ASSIGNED:
      return absl::StrCat("Uw nummer is ", ticket,
                          ". U wordt zo geroepen; let op het scherm in de wachtruimte.");
    case v1::Decision::OUTCOME_DIGITAL:
      return decision.digital_offer().message().empty() ? decision.message()
                                                        : decision.digital_offer().message();
    case v1::Decision::OUTCOME_CALLBACK:
      return decision.message().empty() ? "U wordt teruggebeld." : decision.message();
    case v1::Decision::OUTCOME_CLOSED:
      return decision.message().empty() ? "De balie is nu gesloten." : decision.message();
    default:
      return decision.message();
  }
}

std::string SseCalled(const DisplayCall& call, const absl::TimeZone& zone) {
  api::CalledEvent event;
  event.set_ticket(call.ticket);
  event.set_desk(call.desk);
  event.set_desk_name(call.desk_name);
  event.set_time(Rfc3339(call.time));
  event.set_local_time(absl::FormatTime("%H:%M", call.time, zone));
  return absl::StrCat("id: ", call.sequence, "\nevent: called\ndata: ", ToJson(event), "\n\n");
}

api::DeskState ToDeskState(const DeskConfig& desk, const DeskSnapshot& s) {
  api::DeskState out;
  out.set_desk(desk.id);
  out.set_desk_name(desk.name);
  out.set_status(DeskStatusName(s.status));
  if (s.status == DeskStatus::kServing) {
    out.set_ticket(s.ticket);
    out.set_contact_id(s.contact_id);
    out.set_called_at(Rfc3339(s.called_at));
  }
  return out;
}

}  // namespace

// One display's Server-Sent Events stream; cpp-httplib calls Step() in a loop on the worker
// thread that serves the display until it returns false or calls sink.done().
class BalieService::DisplayStream {
 public:
  DisplayStream(BalieService* service, std::unique_ptr<HttpServer::StreamSlot> slot, uint64_t after,
                bool once)
      : service_(service), slot_(std::move(slot)), after_(after), once_(once) {}

  bool Step(httplib::DataSink& sink) {
    const BalieOptions& options = service_->options_;
    std::vector<DisplayCall> calls;
    if (!started_) {
      started_ = true;
      if (!Write(sink, absl::StrCat("retry: ", absl::ToInt64Milliseconds(options.client_retry),
                                    "\n\n"))) {
        return false;
      }
      // The backlog: a reloaded screen shows the recent calls at once.
      calls = service_->board_->CallsAfter(after_, absl::ZeroDuration());
    } else {
      calls = service_->board_->CallsAfter(after_, absl::Seconds(1));
    }
    if (service_->server_->stopping()) {
      sink.done();  // the display reconnects (to the restarted adapter)
      return true;
    }
    for (const DisplayCall& call : calls) {
      after_ = std::max(after_, call.sequence);
      if (!Write(sink, SseCalled(call, service_->zone_))) return false;
    }
    if (once_) {
      sink.done();  // a snapshot: the backlog only
      return true;
    }
    if (calls.empty() && absl::Now() - last_write_ >= options.keep_alive_interval) {
      return Write(sink, ": keep-alive\n\n");
    }
    return true;
  }

 private:
  bool Write(httplib::DataSink& sink, const std::string& text) {
    last_write_ = absl::Now();
    return sink.write(text.data(), text.size());
  }

  BalieService* const service_;
  const std::unique_ptr<HttpServer::StreamSlot> slot_;  // held for the stream's life
  uint64_t after_;
  const bool once_;
  bool started_ = false;
  absl::Time last_write_ = absl::InfinitePast();
};

BalieService::BalieService(BalieOptions options, const BalieConfig* config, RouterClient* router,
                           TicketCounter* tickets, DisplayBoard* board,
                           std::map<std::string, DeskAgent*> desks, HttpServer* server)
    : options_(std::move(options)),
      config_(config),
      router_(router),
      tickets_(tickets),
      board_(board),
      desks_(std::move(desks)),
      server_(server) {
  if (!absl::LoadTimeZone(config_->time_zone, &zone_)) zone_ = absl::UTCTimeZone();
  const std::string tenant = kTenantPattern;
  server_->Post(tenant + "/checkins", {kJsonMediaType},
                [this](const httplib::Request& req, const RequestBody& body,
                       httplib::Response& res) { Checkin(req, body, res); });
  server_->Get(tenant + "/desks", [this](const httplib::Request& req, httplib::Response& res) {
    ListDesks(req, res);
  });
  server_->Get(tenant + "/desks/([^/]+)",
               [this](const httplib::Request& req, httplib::Response& res) { GetDesk(req, res); });
  server_->Post(tenant + "/desks/([^/]+)/next", {kJsonMediaType},
                [this](const httplib::Request& req, const RequestBody& body,
                       httplib::Response& res) { DeskAction(req, body, res, /*next=*/true); });
  server_->Post(tenant + "/desks/([^/]+)/done", {kJsonMediaType},
                [this](const httplib::Request& req, const RequestBody& body,
                       httplib::Response& res) { DeskAction(req, body, res, /*next=*/false); });
  server_->Get(tenant + "/display",
               [this](const httplib::Request& req, httplib::Response& res) { Display(req, res); });
  server_->Get(
      tenant + "/display/events",
      [this](const httplib::Request& req, httplib::Response& res) { DisplayEvents(req, res); });
  server_->RateLimit(tenant + "/checkins");
  server_->SetHealthCheck([this] { return router_->CheckHealth(); });
}

void BalieService::WriteError(const httplib::Request& req, httplib::Response& res,
                              const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", R"(Bearer realm="wissel-balie")");
  }
  WriteProblem(req, res,
               ProblemFromStatus(RenameField(status, ClientField), server_->options().retry_after));
}

void BalieService::Checkin(const httplib::Request& req, const RequestBody& body,
                           httplib::Response& res) {
  const std::string tenant = req.matches[1];
  if (absl::Status s = ValidateTenantPath(tenant, *config_); !s.ok()) {
    return WriteError(req, res, s);
  }
  // The kiosk's credential before anything is parsed, drawn or routed.
  if (absl::Status s = options_.credentials.CheckKiosk(req.get_header_value("Authorization"));
      !s.ok()) {
    return WriteError(req, res, s);
  }
  absl::StatusOr<balie::Checkin> checkin = ParseCheckin(tenant, body.data, *config_);
  if (!checkin.ok()) return WriteError(req, res, checkin.status());

  // The number is drawn before routing because it travels with the contact. A retry or a
  // failed call gives it back (Release) unless another was drawn meanwhile: then the sequence
  // has a gap, never a duplicate.
  const std::string drawn = tickets_->Next(checkin->letter, options_.clock());
  v1::Contact* contact = checkin->request.mutable_contact();
  (*contact->mutable_attributes())[kTicketAttribute] = drawn;
  absl::StatusOr<v1::RouteContactResponse> routed = router_->RouteContact(checkin->request);
  if (!routed.ok()) {
    tickets_->Release(drawn, options_.clock());
    return WriteError(req, res, routed.status());
  }

  std::string ticket = drawn;
  if (routed->replayed()) {
    tickets_->Release(drawn, options_.clock());
    v1::GetContactRequest get;
    get.set_tenant(tenant);
    get.set_contact_id(routed->contact_id());
    absl::StatusOr<v1::ContactRecord> record = router_->GetContact(get);
    if (!record.ok()) return WriteError(req, res, record.status());
    const auto it = record->attributes().find(kTicketAttribute);
    ticket = it == record->attributes().end() ? "" : it->second;
  }
  const v1::Decision& decision = routed->decision();
  const bool waits = decision.outcome() == v1::Decision::OUTCOME_QUEUED ||
                     decision.outcome() == v1::Decision::OUTCOME_ASSIGNED;
  api::CheckinResponse out;
  if (waits) out.set_ticket(ticket);
  out.set_contact_id(routed->contact_id());
  out.set_outcome(OutcomeName(decision.outcome()));
  if (decision.outcome() == v1::Decision::OUTCOME_QUEUED) {
    out.set_position(decision.position());
    out.set_expected_wait_seconds(WholeSeconds(decision.expected_wait()));
  }
  out.set_message(KioskMessage(ticket, decision));
  out.set_topic(contact->topic());
  if (!decision.digital_offer().url().empty()) {
    out.mutable_digital_offer()->set_url(decision.digital_offer().url());
    out.mutable_digital_offer()->set_message(decision.digital_offer().message());
  }
  out.set_replayed(routed->replayed());
  WriteJson(res, routed->replayed() ? 200 : 201, out);
}

absl::StatusOr<DeskAgent*> BalieService::FindDesk(const httplib::Request& req) {
  WISSEL_RETURN_IF_ERROR(ValidateTenantPath(req.matches[1].str(), *config_));
  if (config_->FindDesk(req.matches[2].str()) == nullptr) {
    return absl::NotFoundError("desk: no such desk at this balie");
  }
  // The desk's own credential before anything happens at it.
  WISSEL_RETURN_IF_ERROR(
      options_.credentials.CheckDesk(req.matches[2].str(), req.get_header_value("Authorization")));
  const auto it = desks_.find(req.matches[2].str());
  if (it == desks_.end()) return absl::NotFoundError("desk: no such desk at this balie");
  return it->second;
}

void BalieService::DeskAction(const httplib::Request& req, const RequestBody& body,
                              httplib::Response& res, bool next) {
  absl::StatusOr<DeskAgent*> desk = FindDesk(req);
  if (!desk.ok()) return WriteError(req, res, desk.status());
  api::DeskActionRequest action;
  if (!body.data.empty()) {
    if (absl::Status s = ParseJsonBody(body.data, &action); !s.ok()) {
      return WriteError(req, res, s);
    }
  }
  absl::StatusOr<DeskSnapshot> state =
      next ? (*desk)->Next(options_.next_wait) : (*desk)->Done(action.keep_as_contact_person());
  if (!state.ok()) return WriteError(req, res, state.status());
  // 202: ready, but nobody to call yet; the desk is called as soon as a resident checks in.
  WriteJson(res, next && state->status != DeskStatus::kServing ? 202 : 200,
            ToDeskState((*desk)->desk(), *state));
}

void BalieService::GetDesk(const httplib::Request& req, httplib::Response& res) {
  absl::StatusOr<DeskAgent*> desk = FindDesk(req);
  if (!desk.ok()) return WriteError(req, res, desk.status());
  WriteJson(res, 200, ToDeskState((*desk)->desk(), (*desk)->Snapshot()));
}

void BalieService::ListDesks(const httplib::Request& req, httplib::Response& res) {
  if (absl::Status s = ValidateTenantPath(req.matches[1].str(), *config_); !s.ok()) {
    return WriteError(req, res, s);
  }
  if (absl::Status s = options_.credentials.CheckAnyDesk(req.get_header_value("Authorization"));
      !s.ok()) {
    return WriteError(req, res, s);
  }
  api::DeskList out;
  for (const DeskConfig& desk : config_->desks) {
    const auto it = desks_.find(desk.id);
    *out.add_desks() =
        ToDeskState(desk, it == desks_.end() ? DeskSnapshot{} : it->second->Snapshot());
  }
  WriteJson(res, 200, out);
}

void BalieService::Display(const httplib::Request& req, httplib::Response& res) {
  const std::string tenant = req.matches[1];
  if (absl::Status s = ValidateTenantPath(tenant, *config_); !s.ok()) {
    return WriteError(req, res, s);
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                 "connect-src 'self'");
  res.set_content(
      DisplayPage(config_->display_title, absl::StrCat("/v1/balie/", tenant, "/display/events"),
                  config_->time_zone),
      "text/html; charset=utf-8");
}

void BalieService::DisplayEvents(const httplib::Request& req, httplib::Response& res) {
  if (absl::Status s = ValidateTenantPath(req.matches[1].str(), *config_); !s.ok()) {
    return WriteError(req, res, s);
  }
  std::unique_ptr<HttpServer::StreamSlot> slot = server_->TryAcquireStream();
  if (slot == nullptr) {
    Problem p = ProblemFromStatus(absl::ResourceExhaustedError("too many display streams"),
                                  server_->options().retry_after);
    p.detail = "too many display streams are open; retry later";
    return WriteProblem(req, res, p);
  }
  // Only the calls after the last one the display saw: Last-Event-ID (a reconnecting browser)
  // or ?after=N, unless the id is from before an adapter restart (larger than anything this
  // instance published). ?once=1: the backlog, then the stream ends.
  uint64_t after = 0;
  std::string seen_text = req.get_header_value("Last-Event-ID");
  if (seen_text.empty()) seen_text = req.get_param_value("after");
  if (uint64_t seen = 0; absl::SimpleAtoi(seen_text, &seen) && seen <= board_->last_sequence()) {
    after = seen;
  }
  const bool once = req.get_param_value("once") == "1";
  auto stream = std::make_shared<DisplayStream>(this, std::move(slot), after, once);
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream](size_t /*offset*/, httplib::DataSink& sink) { return stream->Step(sink); });
}

}  // namespace wissel::adapters::balie
