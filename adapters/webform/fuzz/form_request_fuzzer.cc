// libFuzzer harness for the web form adapter's request parsing: the first byte picks the body's
// media type ('f' urlencoded, anything else JSON), the rest is the body. Properties: no crash, no
// sanitizer report; every refusal is an InvalidArgument naming a field; every accepted submission
// is a web form contact whose attributes hold only whitelisted keys (plus the submission id) and
// whose party has at most one identifier.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/match.h"
#include "adapters/common/media_type.h"
#include "adapters/common/problem.h"
#include "adapters/webform/form_request.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const wissel::adapters::webform::FormOptions options;
  const char* media_type =
      data[0] == 'f' ? wissel::adapters::kFormMediaType : wissel::adapters::kJsonMediaType;
  const absl::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  absl::StatusOr<wissel::adapters::webform::Submission> submission =
      wissel::adapters::webform::ParseSubmission(media_type, body, "gemeente-wisseloord",
                                                 "paspoort", options);
  if (!submission.ok()) {
    Check(submission.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!wissel::adapters::FieldOf(submission.status().message()).empty());
    return 0;
  }
  const wissel::v1::Contact& contact = submission->request.contact();
  Check(contact.channel() == wissel::v1::CHANNEL_WEB_FORM);
  Check(absl::StartsWith(contact.idempotency_key(), "webform:"));
  Check(contact.idempotency_key().size() <= 128);
  Check(contact.attributes_size() <= 32);
  for (const auto& [key, value] : contact.attributes()) {
    Check(key == "submission_id" || options.attribute_keys.contains(key));
  }
  return 0;
}
