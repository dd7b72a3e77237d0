#include "adapters/common/bad_request.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace wissel::adapters {

absl::Status WithBadRequest(absl::Status status, const google::rpc::BadRequest& bad_request) {
  if (!status.ok()) {
    status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  }
  return status;
}

absl::Status FieldViolationError(absl::string_view field, absl::string_view description) {
  google::rpc::BadRequest bad_request;
  google::rpc::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  return WithBadRequest(absl::InvalidArgumentError(absl::StrCat(field, ": ", description)),
                        bad_request);
}

std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status) {
  const absl::optional<absl::Cord> payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return std::nullopt;
  return bad_request;
}

std::string ViolatedField(const absl::Status& status) {
  const std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(status);
  if (!bad_request.has_value() || bad_request->field_violations_size() == 0) return "";
  return bad_request->field_violations(0).field();
}

}  // namespace wissel::adapters
