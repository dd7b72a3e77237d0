// The balie configuration the balie unit tests share.
#pragma once

#include "adapters/balie/balie_config.h"
#include "gtest/gtest.h"

namespace wissel::adapters::balie::testing {

inline constexpr char kTestConfigYaml[] = R"yaml(
tenant: gemeente-test
display_title: Gemeente Test
topic_groups:
  - {letter: A, name: Burgerzaken, topics: [paspoort, id-kaart, rijbewijs]}
  - {letter: B, name: Sociaal domein, topics: [wmo-hulpmiddelen]}
  - {letter: C, name: Overige, topics: [algemene-vraag]}
appointment_codes:
  - {prefix: PAS-, topic: paspoort}
  - {prefix: PAS-WMO-, topic: wmo-hulpmiddelen}
  - {prefix: RIJ-, topic: rijbewijs}
desks:
  - {id: desk-1, name: Balie 1, skills: [balie], token_env: TEST_DESK_1_TOKEN}
  - {id: desk-2, name: Balie 2, teams: [balie], token_file: /run/secrets/desk-2}
kiosk: {token_env: TEST_KIOSK_TOKEN}
)yaml";

// The tokens the unit tests use for kTestConfigYaml's desks and kiosk (test values only).
inline constexpr char kDesk1Token[] = "desk-1-test-token-0123456789";
inline constexpr char kDesk2Token[] = "desk-2-test-token-0123456789";
inline constexpr char kKioskToken[] = "kiosk-test-token-0123456789";

inline BalieConfig TestConfig() {
  absl::StatusOr<BalieConfig> config = ParseBalieConfig(kTestConfigYaml, "test.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : BalieConfig{};
}

}  // namespace wissel::adapters::balie::testing
