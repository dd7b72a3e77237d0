// What `wisselctl report --config` and the dashboard read from the router's configuration:
// config/example/wissel.yaml's tenant, read without its secrets.
#include "router/cli/report_config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wissel::cli {
namespace {

using ::testing::HasSubstr;

const std::string kExample = std::string(WISSEL_SOURCE_DIR) + "/config/example/wissel.yaml";

TEST(ReportConfigTest, TargetsCatalogueQueuesAndZoneOfTheExample) {
  absl::StatusOr<TenantReportConfig> config =
      LoadTenantReportConfig(kExample, "gemeente-wisseloord");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->name, "Gemeente Wisseloord");
  EXPECT_EQ(config->time_zone.name(), "Europe/Amsterdam");
  ASSERT_FALSE(config->queues.empty());
  EXPECT_EQ(config->queues.front(), "kcc-algemeen");
  EXPECT_EQ(config->queues.size(), config->targets.sla_target.size());
  EXPECT_EQ(config->targets.sla_target.at("kcc-algemeen"), absl::Seconds(30));
  EXPECT_EQ(config->targets.sla_target.at("balie-burgerzaken"), absl::Minutes(5));
  // Without sla_target: the default.
  EXPECT_EQ(config->targets.sla_target.at("openbare-ruimte"), absl::Seconds(60));
  const CatalogueTopic& wmo = config->topics.at("wmo-hulpmiddelen");
  EXPECT_EQ(wmo.domain, "sociaal_domein");
  EXPECT_EQ(wmo.phase, "maatwerk");
  EXPECT_EQ(config->topics.at("mantelzorg").phase, "preventie");
  EXPECT_EQ(config->topics.at("paspoort").domain, "burgerzaken");
  EXPECT_EQ(config->topics.at("paspoort").phase, "");
  EXPECT_EQ(config->targets.answer_within.at({"wmo-hulpmiddelen", v1::CHANNEL_PHONE}),
            absl::Seconds(30));
  EXPECT_FALSE(config->targets.answer_within.contains({"wmo-hulpmiddelen", v1::CHANNEL_WEB_FORM}));
}

TEST(ReportConfigTest, UnknownTenantOrFile) {
  absl::StatusOr<TenantReportConfig> config = LoadTenantReportConfig(kExample, "gemeente-elders");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("has no tenant 'gemeente-elders'"));
  config = LoadTenantReportConfig("/nonexistent/wissel.yaml", "gemeente-wisseloord");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace wissel::cli
