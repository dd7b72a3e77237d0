// Tests for core::TenantConfig::Validate, FindTopic and FindQueue. They live next to the loader's
// tests because the loader relies on Validate's "PATH: reason" message shape to locate errors.
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/core/channel.h"
#include "router/core/tenant_config.h"

namespace wissel::core {
namespace {

TenantConfig ValidConfig() {
  TenantConfig config;
  config.id = "gemeente-test";
  config.name = "Gemeente Test";
  config.queues = {{"kcc", "kcc", absl::Minutes(4)}, {"wmo", "wmo", absl::Minutes(12)}};
  config.topics = {{"algemene-vraag", "Algemene vraag", "algemeen", "kcc", 20},
                   {"wmo-hulpmiddelen", "WMO: hulpmiddelen", "sociaal_domein", "wmo", 60}};
  return config;
}

TEST(TenantConfigValidateTest, AcceptsAValidConfig) { EXPECT_TRUE(ValidConfig().Validate().ok()); }

TEST(TenantConfigValidateTest, AcceptsBoundaryValues) {
  TenantConfig config = ValidConfig();
  config.topics[0].default_priority = 0;
  config.topics[1].default_priority = 100;
  config.handler_defaults.capacity = PerChannel<int>(0);
  config.topics.clear();  // a tenant without a catalogue is allowed (not useful, not wrong)
  EXPECT_TRUE(config.Validate().ok()) << config.Validate();
}

struct Case {
  const char* name;
  std::function<void(TenantConfig&)> mutate;
  const char* message;  // the whole message
};

TEST(TenantConfigValidateTest, RejectsEachProblemNamingTheField) {
  const Case cases[] = {
      {"empty id", [](TenantConfig& c) { c.id.clear(); }, "id: must not be empty"},
      {"negative capacity",
       [](TenantConfig& c) { c.handler_defaults.capacity[Channel::kWebForm] = -1; },
       "handler_defaults.capacity.web_form: must be >= 0, got -1"},
      {"zero offer timeout",
       [](TenantConfig& c) { c.handler_defaults.offer_timeout = absl::ZeroDuration(); },
       "handler_defaults.offer_timeout: must be positive, got 0"},
      {"negative wrap-up",
       [](TenantConfig& c) { c.handler_defaults.max_wrap_up = absl::Seconds(-1); },
       "handler_defaults.max_wrap_up: must be positive, got -1s"},
      {"empty queue name", [](TenantConfig& c) { c.queues[1].name.clear(); },
       "queues[1].name: must not be empty"},
      {"duplicate queue", [](TenantConfig& c) { c.queues[1].name = "kcc"; },
       "queues[1].name: duplicate queue 'kcc' (first defined at queues[0])"},
      {"empty skill", [](TenantConfig& c) { c.queues[0].skill.clear(); },
       "queues[0].skill: must not be empty"},
      {"zero handle time",
       [](TenantConfig& c) { c.queues[1].default_handle_time = absl::ZeroDuration(); },
       "queues[1].default_handle_time: must be positive, got 0"},
      {"empty topic code", [](TenantConfig& c) { c.topics[0].code.clear(); },
       "topics[0].code: must not be empty"},
      {"duplicate topic", [](TenantConfig& c) { c.topics[1].code = "algemene-vraag"; },
       "topics[1].code: duplicate topic code 'algemene-vraag' (first defined at topics[0])"},
      {"empty topic queue", [](TenantConfig& c) { c.topics[0].queue.clear(); },
       "topics[0].queue: must not be empty"},
      {"unknown queue", [](TenantConfig& c) { c.topics[1].queue = "wmo2"; },
       "topics[1].queue: unknown queue 'wmo2'"},
      {"priority below range", [](TenantConfig& c) { c.topics[0].default_priority = -1; },
       "topics[0].default_priority: must be between 0 and 100, got -1"},
      {"priority above range", [](TenantConfig& c) { c.topics[1].default_priority = 101; },
       "topics[1].default_priority: must be between 0 and 100, got 101"},
  };
  for (const Case& c : cases) {
    TenantConfig config = ValidConfig();
    c.mutate(config);
    const absl::Status status = config.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(status.message(), c.message) << c.name;
  }
}

TEST(TenantConfigTest, FindTopicAndQueue) {
  const TenantConfig config = ValidConfig();
  ASSERT_NE(config.FindTopic("wmo-hulpmiddelen"), nullptr);
  EXPECT_EQ(config.FindTopic("wmo-hulpmiddelen")->queue, "wmo");
  EXPECT_EQ(config.FindTopic("paspoort"), nullptr);
  ASSERT_NE(config.FindQueue("kcc"), nullptr);
  EXPECT_EQ(config.FindQueue("kcc")->default_handle_time, absl::Minutes(4));
  EXPECT_EQ(config.FindQueue("burgerzaken"), nullptr);
}

}  // namespace
}  // namespace wissel::core
