#include "router/service/grpc_status.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace wissel::service {
namespace {

// The field path at the start of `message`, or empty. A path is [A-Za-z0-9_.[\]]+ before ": ".
std::string FieldOf(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || colon == 0) return "";
  for (char c : message.substr(0, colon)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '[' &&
        c != ']') {
      return "";
    }
  }
  return std::string(message.substr(0, colon));
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  const std::string field = FieldOf(message);
  if (field.empty() || status.code() != absl::StatusCode::kInvalidArgument) {
    return grpc::Status(code, message);
  }
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(field);
  violation->set_description(message.substr(field.size() + 2));
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(code));
  rpc_status.set_message(message);
  rpc_status.add_details()->PackFrom(bad_request);
  return grpc::Status(code, message, rpc_status.SerializeAsString());
}

absl::Status WithFieldPrefix(const absl::Status& status, absl::string_view prefix) {
  if (status.ok()) return status;
  if (FieldOf(status.message()).empty()) return status;
  return absl::Status(status.code(), absl::StrCat(prefix, ".", status.message()));
}

}  // namespace wissel::service
