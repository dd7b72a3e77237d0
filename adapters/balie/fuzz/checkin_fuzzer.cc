// libFuzzer harness for the balie adapter's request parsing: arbitrary bytes as the JSON body
// of a kiosk check-in (and of a desk action). Properties: no crash, no sanitizer report; every
// refusal is an InvalidArgument that names a field; every accepted check-in yields a request
// the router would not refuse for its shape (channel balie, a topic of a ticket group,
// idempotency key "balie:..." within 128 bytes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/match.h"
#include "adapters/balie/balie_api.pb.h"
#include "adapters/balie/balie_config.h"
#include "adapters/balie/checkin_request.h"
#include "adapters/common/json_body.h"
#include "adapters/common/problem.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

const wissel::adapters::balie::BalieConfig& Config() {
  static const auto* config = [] {
    auto parsed = wissel::adapters::balie::ParseBalieConfig(R"yaml(
tenant: gemeente-test
topic_groups:
  - {letter: A, name: Burgerzaken, topics: [paspoort, id-kaart, rijbewijs]}
  - {letter: B, name: Sociaal domein, topics: [wmo-hulpmiddelen]}
appointment_codes:
  - {prefix: PAS-, topic: paspoort}
  - {prefix: RIJ-, topic: rijbewijs}
desks:
  - {id: desk-1, name: Balie 1, skills: [balie], token_env: FUZZ_DESK_1_TOKEN}
kiosk: {token_env: FUZZ_KIOSK_TOKEN}
)yaml",
                                                            "fuzz.yaml");
    Check(parsed.ok());
    return new wissel::adapters::balie::BalieConfig(*std::move(parsed));
  }();
  return *config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view body(reinterpret_cast<const char*>(data), size);
  const auto& config = Config();
  absl::StatusOr<wissel::adapters::balie::Checkin> checkin =
      wissel::adapters::balie::ParseCheckin("gemeente-test", body, config);
  if (checkin.ok()) {
    const wissel::v1::Contact& contact = checkin->request.contact();
    Check(contact.channel() == wissel::v1::CHANNEL_BALIE);
    Check(absl::StartsWith(contact.idempotency_key(), "balie:"));
    Check(contact.idempotency_key().size() <= 128);
    const auto* group = config.GroupOfTopic(contact.topic());
    Check(group != nullptr && group->letter == checkin->letter);
    Check(contact.attributes_size() <= 32);
  } else {
    Check(checkin.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!wissel::adapters::FieldOf(checkin.status().message()).empty());
  }
  wissel::adapters::balie::api::DeskActionRequest action;
  const absl::Status parsed = wissel::adapters::ParseJsonBody(body, &action);
  if (!parsed.ok()) {
    Check(parsed.code() == absl::StatusCode::kInvalidArgument);
    Check(!wissel::adapters::FieldOf(parsed.message()).empty());
  }
  return 0;
}
