// libFuzzer harness for the chat adapter's request parsing: arbitrary bytes as the JSON body of
// open and of end. Properties: no crash, no sanitizer report; every refusal is an
// InvalidArgument that names a field; every accepted open yields a request the router's
// validation would not refuse for its shape (channel chat, idempotency key within limits).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/match.h"
#include "adapters/chat/chat_request.h"
#include "adapters/common/problem.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view body(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<wissel::v1::RouteContactRequest> open =
      wissel::adapters::chat::ParseOpenSession(body);
  if (open.ok()) {
    const wissel::v1::Contact& contact = open->contact();
    Check(contact.channel() == wissel::v1::CHANNEL_CHAT);
    Check(absl::StartsWith(contact.idempotency_key(), "chat:"));
    Check(contact.idempotency_key().size() <= 128);
    Check(!contact.tenant().empty() && !contact.topic().empty());
    Check(contact.attributes_size() <= 32);
  } else {
    Check(open.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!wissel::adapters::FieldOf(open.status().message()).empty());
  }

  absl::StatusOr<wissel::adapters::chat::EndSession> end =
      wissel::adapters::chat::ParseEndSession(body);
  if (!end.ok()) {
    Check(end.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!wissel::adapters::FieldOf(end.status().message()).empty());
  }
  return 0;
}
