#include "router/cli/request_builder.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/cli/flag_parser.h"

namespace wissel::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

ParsedFlags Parse(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args) {
  ParsedFlags flags;
  std::vector<std::string> positionals;
  const absl::Status status = ParseFlags(args, specs, &flags, &positionals);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_TRUE(positionals.empty());
  return flags;
}

TEST(ParseEnumTest, ChannelNeedPresenceDigid) {
  EXPECT_EQ(ParseChannel("phone").value(), v1::CHANNEL_PHONE);
  EXPECT_EQ(ParseChannel("web_form").value(), v1::CHANNEL_WEB_FORM);
  EXPECT_EQ(ParseChannel("Web-Form").value(), v1::CHANNEL_WEB_FORM);
  EXPECT_EQ(ParseChannel("balie").value(), v1::CHANNEL_BALIE);
  EXPECT_EQ(ParseNeed("vulnerable_situation").value(), v1::NEED_VULNERABLE_SITUATION);
  EXPECT_EQ(ParsePresence("offline").value(), v1::PRESENCE_OFFLINE);
  EXPECT_EQ(ParseDigidLevel("hoog").value(), v1::DIGID_LEVEL_HOOG);

  const absl::Status unknown = ParseChannel("fax").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message(),
            "unknown channel 'fax'; one of: phone, chat, web_form, balie, email");
  // The placeholder value is not selectable.
  EXPECT_FALSE(ParseChannel("unspecified").ok());
  EXPECT_FALSE(ParseChannel("").ok());
}

TEST(SplitListTest, TrimsAndDropsEmpty) {
  EXPECT_THAT(SplitList({"a,b", " c ,,", ""}), ElementsAre("a", "b", "c"));
}

TEST(ParseDurationFlagTest, Table) {
  EXPECT_EQ(ParseDurationFlag("wrap-up", "2s").value(), absl::Seconds(2));
  EXPECT_EQ(ParseDurationFlag("wrap-up", "500ms").value(), absl::Milliseconds(500));
  EXPECT_EQ(ParseDurationFlag("wrap-up", "1m30s").value(), absl::Seconds(90));
  EXPECT_EQ(ParseDurationFlag("wrap-up", "0").value(), absl::ZeroDuration());
  EXPECT_THAT(ParseDurationFlag("wrap-up", "2").status().message(),
              HasSubstr("--wrap-up must be a duration"));
  EXPECT_THAT(ParseDurationFlag("wrap-up", "-1s").status().message(),
              HasSubstr("must not be negative"));
  EXPECT_FALSE(ParseDurationFlag("wrap-up", "inf").ok());
}

TEST(GenerateIdempotencyKeyTest, RandomHex) {
  const std::string a = GenerateIdempotencyKey();
  EXPECT_THAT(a, MatchesRegex("wisselctl-[0-9a-f]{32}"));
  EXPECT_NE(a, GenerateIdempotencyKey());
}

TEST(BuildContactTest, AllFields) {
  const ParsedFlags flags = Parse(
      RouteFlagSpecs(),
      {"--tenant=gemeente-wisseloord", "--channel=phone", "--topic=wmo-aanvraag", "--bsn=111222333",
       "--digid=midden", "--language=pl", "--need=low_digital_skills,language_barrier", "--need",
       "impairment", "--case=Z-2026-000123", "--priority=60", "--wants-person",
       "--idempotency-key=call-1", "--attr=ivr=2", "--attr", "page=/wmo?x=1"});
  absl::StatusOr<v1::Contact> contact = BuildContact(flags);
  ASSERT_TRUE(contact.ok()) << contact.status();
  EXPECT_EQ(contact->tenant(), "gemeente-wisseloord");
  EXPECT_EQ(contact->channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(contact->topic(), "wmo-aanvraag");
  EXPECT_EQ(contact->party().bsn(), "111222333");
  EXPECT_EQ(contact->party().digid_level(), v1::DIGID_LEVEL_MIDDEN);
  EXPECT_EQ(contact->language(), "pl");
  EXPECT_THAT(contact->needs(), ElementsAre(v1::NEED_LOW_DIGITAL_SKILLS, v1::NEED_LANGUAGE_BARRIER,
                                            v1::NEED_IMPAIRMENT));
  EXPECT_EQ(contact->case_reference(), "Z-2026-000123");
  EXPECT_EQ(contact->priority(), 60);
  EXPECT_TRUE(contact->wants_person());
  EXPECT_EQ(contact->idempotency_key(), "call-1");
  EXPECT_THAT(contact->attributes(),
              UnorderedElementsAre(Pair("ivr", "2"), Pair("page", "/wmo?x=1")));
}

TEST(BuildContactTest, AnonymousWithDefaults) {
  absl::StatusOr<v1::Contact> contact =
      BuildContact(Parse(RouteFlagSpecs(), {"--tenant=t", "--channel=chat", "--topic=afval"}));
  ASSERT_TRUE(contact.ok()) << contact.status();
  EXPECT_EQ(contact->party().identifier_case(), v1::Party::IDENTIFIER_NOT_SET);
  EXPECT_EQ(contact->language(), "");  // the router applies its default
  EXPECT_FALSE(contact->wants_person());
  EXPECT_THAT(contact->idempotency_key(), MatchesRegex("wisselctl-[0-9a-f]{32}"));
}

TEST(BuildContactTest, BusinessWithVestiging) {
  absl::StatusOr<v1::Contact> contact =
      BuildContact(Parse(RouteFlagSpecs(), {"--tenant=t", "--channel=email", "--topic=x",
                                            "--kvk=69599084", "--vestiging=000038509490"}));
  ASSERT_TRUE(contact.ok()) << contact.status();
  EXPECT_EQ(contact->party().kvk_number(), "69599084");
  EXPECT_EQ(contact->party().vestigingsnummer(), "000038509490");
}

TEST(BuildContactTest, IdentifiersArePassedAsGiven) {
  // The router validates: the CLI does not reject an invalid BSN, so that the router's
  // INVALID_ARGUMENT can be seen.
  absl::StatusOr<v1::Contact> contact = BuildContact(Parse(
      RouteFlagSpecs(), {"--tenant=t", "--channel=web_form", "--topic=x", "--phone=06-12345678"}));
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->party().phone_number(), "06-12345678");
}

TEST(BuildContactTest, UsageErrors) {
  struct Row {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<std::string> base = {"--tenant=t", "--channel=phone", "--topic=x"};
  auto with = [&base](std::vector<std::string> extra) {
    extra.insert(extra.begin(), base.begin(), base.end());
    return extra;
  };
  for (const Row& row : {
           Row{{"--channel=phone", "--topic=x"}, "missing --tenant"},
           Row{{"--tenant=t", "--topic=x"}, "missing --channel"},
           Row{{"--tenant=t", "--channel=phone"}, "missing --topic"},
           Row{{"--tenant=t", "--channel=fax", "--topic=x"}, "unknown channel 'fax'"},
           Row{with({"--bsn=111222333", "--email=a@b.nl"}), "at most one of"},
           Row{with({"--vestiging=000038509490"}), "--vestiging needs --kvk"},
           Row{with({"--need=lonely"}), "unknown need 'lonely'"},
           Row{with({"--digid=extreem"}), "unknown DigiD level"},
           Row{with({"--priority=high"}), "--priority must be a whole number"},
           Row{with({"--attr=novalue"}), "--attr must be KEY=VALUE"},
           Row{with({"--attr==v"}), "--attr must be KEY=VALUE"},
       }) {
    absl::StatusOr<v1::Contact> contact = BuildContact(Parse(RouteFlagSpecs(), row.args));
    EXPECT_EQ(contact.status().code(), absl::StatusCode::kInvalidArgument) << row.message;
    EXPECT_THAT(contact.status().message(), HasSubstr(row.message));
  }
}

TEST(BuildSignInRequestTest, AllFields) {
  absl::StatusOr<v1::SignInRequest> request = BuildSignInRequest(
      Parse(SignInFlagSpecs(),
            {"--tenant=t", "--id=h-1042", "--name=Sanne de Vries", "--skills=burgerzaken, wmo",
             "--skills=jeugd", "--teams=kcc-1", "--capacity=phone:1,chat:3",
             "--address=sip:1042@pbx.example", "--presence=busy"}));
  ASSERT_TRUE(request.ok()) << request.status();
  const v1::Handler& h = request->handler();
  EXPECT_EQ(h.tenant(), "t");
  EXPECT_EQ(h.handler_id(), "h-1042");
  EXPECT_EQ(h.display_name(), "Sanne de Vries");
  EXPECT_THAT(h.skills(), ElementsAre("burgerzaken", "wmo", "jeugd"));
  EXPECT_THAT(h.teams(), ElementsAre("kcc-1"));
  ASSERT_EQ(h.capacity_size(), 2);
  EXPECT_EQ(h.capacity(0).channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(h.capacity(0).max_contacts(), 1);
  EXPECT_EQ(h.capacity(1).channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(h.capacity(1).max_contacts(), 3);
  EXPECT_EQ(h.address(), "sip:1042@pbx.example");
  EXPECT_EQ(h.presence(), v1::PRESENCE_BUSY);
}

TEST(BuildSignInRequestTest, DefaultsToAvailable) {
  absl::StatusOr<v1::SignInRequest> request =
      BuildSignInRequest(Parse(SignInFlagSpecs(), {"--tenant=t", "--id=h"}));
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->handler().presence(), v1::PRESENCE_AVAILABLE);
}

TEST(BuildSignInRequestTest, UsageErrors) {
  struct Row {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Row& row : {
           Row{{"--id=h"}, "missing --tenant"},
           Row{{"--tenant=t"}, "missing --id"},
           Row{{"--tenant=t", "--id=h", "--capacity=phone"}, "CHANNEL:N"},
           Row{{"--tenant=t", "--id=h", "--capacity=phone:-1"}, "CHANNEL:N"},
           Row{{"--tenant=t", "--id=h", "--capacity=phone:x"}, "CHANNEL:N"},
           Row{{"--tenant=t", "--id=h", "--capacity=fax:1"}, "unknown channel 'fax'"},
           Row{{"--tenant=t", "--id=h", "--presence=asleep"}, "unknown presence 'asleep'"},
       }) {
    absl::StatusOr<v1::SignInRequest> request =
        BuildSignInRequest(Parse(SignInFlagSpecs(), row.args));
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << row.message;
    EXPECT_THAT(request.status().message(), HasSubstr(row.message));
  }
}

}  // namespace
}  // namespace wissel::cli
