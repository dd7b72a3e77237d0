#include "adapters/common/problem.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/http_api.pb.h"
#include "google/protobuf/util/json_util.h"

namespace wissel::adapters {

absl::Status FieldError(absl::string_view field, absl::string_view detail) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", detail));
}

std::string FieldOf(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || colon == 0) return "";
  for (char c : message.substr(0, colon)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '[' &&
        c != ']' && c != '-') {
      return "";
    }
  }
  return std::string(message.substr(0, colon));
}

std::string ClientFieldName(absl::string_view parent, absl::string_view key) {
  std::string joined = parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
  if (!key.empty() && FieldOf(absl::StrCat(joined, ": x")) == joined) return joined;
  return parent.empty() ? "body" : std::string(parent);
}

absl::Status RenameField(const absl::Status& status,
                         const std::function<std::string(absl::string_view)>& rename) {
  if (status.ok()) return status;
  const std::string field = FieldOf(status.message());
  if (field.empty()) return status;
  return {status.code(),
          absl::StrCat(rename(field), ": ", status.message().substr(field.size() + 2))};
}

Problem InvalidField(absl::string_view field, absl::string_view detail) {
  Problem p;
  p.status = 400;
  p.code = "invalid_field";
  p.detail = field.empty() ? std::string(detail) : absl::StrCat(field, ": ", detail);
  p.errors.push_back({std::string(field), std::string(detail)});
  return p;
}

Problem ProblemFromStatus(const absl::Status& status, absl::Duration retry_after) {
  Problem p;
  const std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kOk:
      p.status = 500;
      p.code = "internal";
      p.detail = "no error";
      return p;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: {
      const std::string field = FieldOf(message);
      if (field.empty()) {
        p = InvalidField("", message);
      } else {
        p = InvalidField(field, absl::string_view(message).substr(field.size() + 2));
      }
      return p;
    }
    case absl::StatusCode::kNotFound:
      p.status = 404;
      p.code = "not_found";
      p.detail = message;
      if (std::string field = FieldOf(message); !field.empty()) {
        p.errors.push_back({field, message.substr(field.size() + 2)});
      }
      return p;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      p.status = 409;
      p.code = "conflict";
      p.detail = message;
      return p;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      p.status = 503;
      p.code = "router_unavailable";
      p.detail = "the routing service cannot be reached at the moment; retry later";
      p.retry_after = retry_after;
      return p;
    case absl::StatusCode::kResourceExhausted:
      p.status = 503;
      p.code = "overloaded";
      p.detail = "the service is busy; retry later";
      p.retry_after = retry_after;
      return p;
    case absl::StatusCode::kPermissionDenied:
      p.status = 403;
      p.code = "forbidden";
      p.detail = message;
      return p;
    case absl::StatusCode::kUnauthenticated:
      p.status = 401;
      p.code = "unauthenticated";
      p.detail = message;
      return p;
    default:
      p.status = 502;
      p.code = "router_error";
      p.detail = "the routing service failed to handle the request";
      return p;
  }
}

std::string ProblemBody(const Problem& problem, absl::string_view instance) {
  api::Problem out;
  out.set_type("about:blank");
  out.set_title(std::string(StatusPhrase(problem.status)));
  out.set_status(problem.status);
  out.set_detail(problem.detail);
  out.set_instance(std::string(instance));
  out.set_code(problem.code);
  for (const FieldViolation& v : problem.errors) {
    api::FieldViolation* e = out.add_errors();
    e->set_field(v.field);
    e->set_detail(v.detail);
    if (out.field().empty() && !v.field.empty()) out.set_field(v.field);
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(out, &json, options).ok()) {
    // Only invalid UTF-8 can fail here; answer without the texts rather than not at all.
    return absl::StrCat(R"({"type":"about:blank","status":)", problem.status, "}");
  }
  return json;
}

absl::string_view StatusPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

std::string RetryAfterSeconds(absl::Duration retry_after) {
  const double seconds = std::ceil(absl::ToDoubleSeconds(retry_after));
  return absl::StrCat(seconds < 1 ? 1 : static_cast<int64_t>(seconds));
}

}  // namespace wissel::adapters
