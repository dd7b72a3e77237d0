#include "adapters/common/json_body.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/common/problem.h"
#include "google/protobuf/util/json_util.h"

namespace wissel::adapters {
namespace {

// "attributes[0].value" -> "attributes", "attributes[0]" -> "attributes": protobuf reports map
// entries by position, which means nothing to the client.
std::string CleanPath(absl::string_view path) {
  std::string out;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if ((part == "value" || part == "key") && absl::EndsWith(out, "]") &&
        out.rfind('[') != std::string::npos) {
      out.erase(out.rfind('['));
      continue;
    }
    if (!out.empty()) out += '.';
    absl::StrAppend(&out, part);
  }
  return out;
}

// protobuf says "invalid value 5 for type TYPE_STRING"; say what was expected instead, without
// echoing the value (it may be a BSN).
std::string ExpectedType(absl::string_view reason) {
  if (absl::StrContains(reason, "TYPE_STRING")) return "must be a string";
  if (absl::StrContains(reason, "TYPE_BOOL")) return "must be true or false";
  if (absl::StrContains(reason, "TYPE_INT") || absl::StrContains(reason, "TYPE_UINT") ||
      absl::StrContains(reason, "TYPE_SINT") || absl::StrContains(reason, "TYPE_FIXED")) {
    return "must be an integer within range";
  }
  if (absl::StrContains(reason, "TYPE_DOUBLE") || absl::StrContains(reason, "TYPE_FLOAT")) {
    return "must be a number";
  }
  if (absl::StrContains(reason, "TYPE_ENUM")) return "is not one of the allowed values";
  if (absl::StrContains(reason, "type.googleapis.com/")) return "must be a JSON object";
  if (absl::StrContains(reason, "oneof")) return "give only one of its identifiers";
  if (absl::StrContains(reason, "TYPE_MESSAGE") || absl::StrContains(reason, "for type")) {
    return "has the wrong type";
  }
  return "is invalid";
}

// The field-naming status for protobuf's JSON error text; may come out without a field.
absl::Status FieldErrorOf(absl::string_view text) {
  // Only the first line: syntax errors go on with the input and a caret under the position.
  text = text.substr(0, text.find('\n'));
  const size_t close = text.find(')');
  if (!text.empty() && text.front() == '(' && close != absl::string_view::npos && close > 1 &&
      ClientFieldName("", text.substr(1, close - 1)) == text.substr(1, close - 1)) {
    // "(party.bsn): invalid value 1 for type TYPE_STRING"
    // "(party) nested: Cannot find field."
    // "(attributes[0]) a: Repeated map key: 'a' is already set."
    std::string path = CleanPath(text.substr(1, close - 1));
    absl::string_view rest = text.substr(close + 1);
    if (absl::StartsWith(rest, ": ")) {
      // "(contact): invalid value Starting an object on a scalar field for type topic"
      // "(contact): invalid value Cannot bind a list to map for field 'attributes'. ..."
      if (absl::Status inner = FieldErrorOf(rest); FieldOf(inner.message()) != "body") {
        return FieldError(absl::StrCat(path, ".", FieldOf(inner.message())),
                          inner.message().substr(FieldOf(inner.message()).size() + 2));
      }
      return FieldError(path, ExpectedType(rest));
    }
    if (absl::StartsWith(rest, " ")) {
      rest.remove_prefix(1);
      // The name is the client's key and may itself hold ": "; find protobuf's reason instead.
      size_t colon = absl::string_view::npos;
      for (const absl::string_view marker :
           {absl::string_view(": Cannot find field"), absl::string_view(": Proto field is not"),
            absl::string_view(": Repeated map key")}) {
        if (colon == absl::string_view::npos) colon = rest.rfind(marker);
      }
      if (colon == absl::string_view::npos) colon = rest.find(": ");
      const absl::string_view name = rest.substr(0, colon);
      const absl::string_view reason = colon == absl::string_view::npos ? "" : rest.substr(colon);
      if (absl::StrContains(reason, "Cannot find field")) {
        const std::string field = ClientFieldName(path, name);
        return FieldError(field,
                          field == path ? "has a field that is not known" : "is not a known field");
      }
      if (absl::StrContains(reason, "not repeating")) {
        return FieldError(ClientFieldName(path, name), "must be a single value, not a list");
      }
      if (absl::StrContains(reason, "Repeated map key")) {
        if (absl::EndsWith(path, "]") && path.rfind('[') != std::string::npos) {
          path.erase(path.rfind('['));  // the entry's position
        }
        return FieldError(path, "has a key more than once");
      }
      return FieldError(path, "is invalid");
    }
    return FieldError(path, "is invalid");
  }
  // "bogus: Cannot find field." and "tenant: Proto field is not repeating, cannot start list."
  for (const absl::string_view reason : {absl::string_view(": Cannot find field"),
                                         absl::string_view(": Proto field is not repeating")}) {
    const size_t at = text.rfind(reason);
    if (at == absl::string_view::npos || at == 0) continue;
    const std::string name = ClientFieldName("", text.substr(0, at));
    if (reason == ": Cannot find field") {
      return FieldError(name,
                        name == "body" ? "has a field that is not known" : "is not a known field");
    }
    return FieldError(name, "must be a single value, not a list");
  }
  // ": invalid value Cannot bind a list to map for field 'attributes'. for type Map"
  if (const size_t quote = text.find("for field '"); quote != absl::string_view::npos) {
    const absl::string_view rest = text.substr(quote + 11);
    const size_t end = rest.find('\'');
    if (end != absl::string_view::npos && end > 0) {
      return FieldError(ClientFieldName("", rest.substr(0, end)), "must be a JSON object");
    }
  }
  // ": invalid value Starting an object on a scalar field for type tenant"
  if (absl::StrContains(text, "Starting an object on a scalar field")) {
    const size_t at = text.rfind("for type ");
    if (at != absl::string_view::npos && at + 9 < text.size()) {
      return FieldError(ClientFieldName("", text.substr(at + 9)), "must not be a JSON object");
    }
  }
  if (absl::StrContains(text, "Root element must be a message")) {
    return FieldError("body", "must be a JSON object");
  }
  if (absl::StrContains(text, "UTF-8")) return FieldError("body", "is not valid UTF-8");
  return FieldError("body", "is not valid JSON");
}

}  // namespace

absl::Status JsonErrorToFieldError(absl::string_view text) {
  absl::Status status = FieldErrorOf(text);
  // Whatever protobuf said, the answer names a field ("body" at least).
  if (FieldOf(status.message()).empty()) return FieldError("body", "is not valid for this request");
  return status;
}

absl::Status ParseJsonBody(absl::string_view body, google::protobuf::Message* message) {
  message->Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  // Protobuf 3.21 has its own Status type (not absl's).
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), message, options);
  if (parsed.ok()) return absl::OkStatus();
  message->Clear();
  const auto text = parsed.message();
  return JsonErrorToFieldError(absl::string_view(text.data(), text.size()));
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Fails only for invalid UTF-8 in a string field; the adapters validate what they echo.
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "{}";
  return json;
}

}  // namespace wissel::adapters
