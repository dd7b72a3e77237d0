#include "adapters/webform/webform_service.h"

#include <httplib.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/common/api_names.h"
#include "adapters/common/capability_token.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "adapters/common/text.h"
#include "adapters/webform/webform_api.pb.h"
#include "base/bearer_token.h"

namespace wissel::adapters::webform {
namespace {

std::string StatusPath(absl::string_view tenant, absl::string_view contact_id) {
  return absl::StrCat("/v1/forms/", tenant, "/contacts/", contact_id);
}

}  // namespace

WebformService::WebformService(WebformOptions options, RouterClient* router, HttpServer* server)
    : options_(std::move(options)),
      router_(router),
      server_(server),
      status_tokens_(options_.max_status_tokens) {
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
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", R"(Bearer realm="wissel-webform")");
  }
  WriteProblem(req, res,
               ProblemFromStatus(RenameField(status, ClientField), server_->options().retry_after));
}

void WebformService::Submit(const httplib::Request& req, const RequestBody& body,
                            httplib::Response& res) {
  const std::string tenant = req.matches[1];
  const std::string topic = req.matches[2];
  absl::StatusOr<Submission> submission =
      ParseSubmission(body.media_type.type, body.data, tenant, topic, options_.form);
  if (!submission.ok()) return WriteError(req, res, submission.status());
  // The status token is drawn before routing: without randomness, nothing is routed.
  absl::StatusOr<std::string> token = NewCapabilityToken();
  if (!token.ok()) return WriteError(req, res, token.status());
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
  // Only the submission that created the work item gets its token; a resubmission is answered
  // without one (see webform_service.h), and so is the loser of two racing first submissions.
  if (!routed->replayed() &&
      status_tokens_.Insert(tenant, routed->contact_id(), base::DigestOf(*token))) {
    out.set_status_token(*token);
  }
  res.set_header("Cache-Control", "no-store");  // the answer may carry a credential
  res.set_header("Location", out.status_url());
  WriteJson(res, 202, out);
}

absl::Status WebformService::Authorize(const httplib::Request& req, const std::string& tenant,
                                       const std::string& contact_id) {
  const std::optional<std::string> token = base::BearerToken(req.get_header_value("Authorization"));
  if (!token) {
    return absl::UnauthenticatedError(
        "the status token is required (Authorization: Bearer STATUS_TOKEN, the status_token of "
        "the submission's answer)");
  }
  // An unknown work item and a wrong token are the same answer, and the token is hashed and
  // compared in both cases (against a digest no token has), so that neither the answer nor the
  // time taken tells whether the contact id exists.
  const base::TokenDigest presented = base::DigestOf(*token);
  const std::optional<base::TokenDigest> expected = status_tokens_.Find(tenant, contact_id);
  const bool matches = base::SameDigest(expected ? *expected : base::TokenDigest{}, presented);
  if (!expected || !matches) {
    return absl::NotFoundError(
        "contact_id: no such submission for this status token on this adapter instance");
  }
  return absl::OkStatus();
}

void WebformService::Status(const httplib::Request& req, httplib::Response& res) {
  const std::string tenant = req.matches[1];
  const std::string contact_id = req.matches[2];
  if (absl::Status s = ValidateTenant("tenant", tenant); !s.ok()) return WriteError(req, res, s);
  if (absl::Status s = ValidateIdentifier("contact_id", contact_id); !s.ok()) {
    return WriteError(req, res, s);
  }
  if (absl::Status s = Authorize(req, tenant, contact_id); !s.ok()) {
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
