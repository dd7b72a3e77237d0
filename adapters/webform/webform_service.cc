#include "adapters/webform/webform_service.h"

#include <httplib.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "adapters/common/api_names.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "adapters/webform/webform_api.pb.h"

namespace wissel::adapters::webform {
namespace {

std::string StatusPath(absl::string_view tenant, absl::string_view contact_id) {
  return absl::StrCat("/v1/forms/", tenant, "/contacts/", contact_id);
}

}  // namespace

WebformService::WebformService(FormOptions options, RouterClient* router, HttpServer* server)
    : options_(std::move(options)), router_(router), server_(server) {
  server_->Post(R"(/v1/forms/([^/]+)/([^/]+))", {kJsonMediaType, kFormMediaType},
                [this](const httplib::Request& req, const RequestBody& body,
                       httplib::Response& res) { Submit(req, body, res); });
  server_->RateLimit(R"(/v1/forms/([^/]+)/([^/]+))");  // submissions, per client address
  server_->Get(R"(/v1/forms/([^/]+)/contacts/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { Status(req, res); });
  server_->SetHealthCheck([this] { return router_->CheckHealth(); });
}

void WebformService::WriteError(const httplib::Request& req, httplib::Response& res,
                                const absl::Status& status) {
  WriteProblem(req, res,
               ProblemFromStatus(RenameField(status, ClientField), server_->options().retry_after));
}

void WebformService::Submit(const httplib::Request& req, const RequestBody& body,
                            httplib::Response& res) {
  const std::string tenant = req.matches[1];
  const std::string topic = req.matches[2];
  absl::StatusOr<Submission> submission =
      ParseSubmission(body.media_type.type, body.data, tenant, topic, options_);
  if (!submission.ok()) return WriteError(req, res, submission.status());
  absl::StatusOr<v1::RouteContactResponse> routed = router_->RouteContact(submission->request);
  if (!routed.ok()) return WriteError(req, res, routed.status());

  const v1::Decision& decision = routed->decision();
  api::SubmissionAccepted out;
  out.set_contact_id(routed->contact_id());
  out.set_submission_id(submission->submission_id);
  out.set_queue(decision.queue());
  out.set_expected_handling_date(decision.expected_handling_date());
  out.set_outcome(OutcomeName(decision.outcome()));
  if (!decision.digital_offer().url().empty() || !decision.digital_offer().message().empty()) {
    out.mutable_digital_offer()->set_url(decision.digital_offer().url());
    out.mutable_digital_offer()->set_message(decision.digital_offer().message());
  }
  out.set_message(decision.message());
  for (const std::string& field : submission->not_forwarded) out.add_not_forwarded(field);
  out.set_status_url(StatusPath(tenant, routed->contact_id()));
  res.set_header("Location", out.status_url());
  WriteJson(res, 202, out);
}

void WebformService::Status(const httplib::Request& req, httplib::Response& res) {
  const std::string tenant = req.matches[1];
  const std::string contact_id = req.matches[2];
  if (absl::Status s = ValidateTenant("tenant", tenant); !s.ok()) return WriteError(req, res, s);
  if (absl::Status s = ValidateIdentifier("contact_id", contact_id); !s.ok()) {
    return WriteError(req, res, s);
  }
  v1::GetContactRequest get;
  get.set_tenant(tenant);
  get.set_contact_id(contact_id);
  absl::StatusOr<v1::ContactRecord> record = router_->GetContact(get);
  if (!record.ok()) return WriteError(req, res, record.status());
  if (record->channel() != v1::CHANNEL_WEB_FORM) {
    return WriteError(req, res, absl::NotFoundError("contact_id: not a web form contact"));
  }
  api::SubmissionStatus out;
  out.set_contact_id(record->contact_id());
  out.set_state(ContactStateName(record->state()));
  out.set_queue(record->queue());
  out.set_expected_handling_date(record->decision().expected_handling_date());
  WriteJson(res, 200, out);
}

}  // namespace wissel::adapters::webform
