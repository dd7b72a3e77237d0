// A rotation of a tenant's pseudonym secret, end to end: a real redis-server and the whole
// router in-process (router_harness.h), restarted three times — with the old secret, in the
// rotation window (new secret, old one as previous_pseudonym_secret), and with the new secret
// alone. Contact-person mappings made before the rotation are found in the window and re-keyed,
// so they are still found once the old secret is dropped.
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/privacy/pseudonymizer.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kNewSecret[] = "new-secret-new-secret-new-secret-4567";
// Test identifiers (CONTRIBUTING.md): both pass the 11-proef.
constexpr char kBsnA[] = "111222333";
constexpr char kBsnB[] = "123456782";
constexpr char kCase[] = "Z-2026-077";

std::string Pseudonym(absl::string_view secret, absl::string_view kind, absl::string_view value) {
  return privacy::Pseudonymizer::Create(std::string(secret))->Pseudonym(kind, value);
}

// Whether the decision's trace has the "één contactpersoon" policy naming `handler`.
::testing::AssertionResult ByContactPerson(const v1::RouteContactResponse& response,
                                           const std::string& handler) {
  for (const v1::TraceStep& step : response.decision().trace()) {
    if (step.name() == "een_contactpersoon" &&
        absl::StrContains(step.detail(), absl::StrCat("'", handler, "'"))) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no contact-person step for " << handler << " in "
                                       << response.decision().ShortDebugString();
}

std::string InWindow(std::string yaml) {
  return absl::StrReplaceAll(
      yaml, {{absl::StrCat("pseudonym_secret: \"", kTestSecret, "\""),
              absl::StrCat("pseudonym_secret: \"", kNewSecret,
                           "\"\n    previous_pseudonym_secret: \"", kTestSecret, "\"")}});
}

std::string AfterWindow(std::string yaml) {
  return absl::StrReplaceAll(yaml, {{kTestSecret, kNewSecret}});
}

class PseudonymRotationTest : public ::testing::Test {
 protected:
  // Offers do not time out during the test.
  void SetUp() override { harness_.SetUp("10m"); }
  void TearDown() override { harness_.TearDown(); }

  void Restart(std::string (*edit)(std::string)) {
    harness_.StopRouter();
    harness_.StartRouter("10m", edit);
  }

  void SignIn(const std::string& id) {
    v1::SignInRequest req;
    req.mutable_handler()->set_tenant(kTenant);
    req.mutable_handler()->set_handler_id(id);
    req.mutable_handler()->add_skills("burgerzaken");
    v1::Handler handler;
    const grpc::Status s = harness_.handlers().SignIn(Ctx().get(), req, &handler);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void SetContactPerson(const std::string& bsn, const std::string& case_reference,
                        const std::string& handler) {
    v1::SetContactPersonRequest req;
    req.set_tenant(kTenant);
    if (!bsn.empty()) {
      req.mutable_party()->set_bsn(bsn);
      req.set_domain("burgerzaken");
    }
    req.set_case_reference(case_reference);
    req.set_handler_id(handler);
    v1::SetContactPersonResponse resp;
    const grpc::Status s = harness_.routing().SetContactPerson(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::RouteContactResponse Route(const std::string& key, const std::string& bsn,
                                 const std::string& case_reference = "") {
    v1::RouteContactRequest req;
    v1::Contact& c = *req.mutable_contact();
    c.set_tenant(kTenant);
    c.set_channel(v1::CHANNEL_PHONE);
    c.set_topic("paspoort");
    c.set_idempotency_key(key);
    if (!bsn.empty()) c.mutable_party()->set_bsn(bsn);
    c.set_case_reference(case_reference);
    v1::RouteContactResponse resp;
    const grpc::Status s = harness_.routing().RouteContact(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // Ends a contact so that it holds nobody's slot.
  void Cancel(const std::string& contact_id) {
    v1::CancelContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(contact_id);
    req.set_reason("test");
    v1::ContactRecord record;
    const grpc::Status s = harness_.routing().CancelContact(Ctx().get(), req, &record);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::ExportResidentResponse Export(const std::string& bsn) {
    v1::ExportResidentRequest req;
    req.set_tenant(kTenant);
    req.mutable_party()->set_bsn(bsn);
    v1::ExportResidentResponse resp;
    const grpc::Status s = harness_.operators().ExportResident(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  RouterHarness harness_;
};

// mw-1 signs in first, so without the policy a contact goes to mw-1; the contact person mw-2
// gets it only through its mapping.
TEST_F(PseudonymRotationTest, ContactPersonsSurviveTheRotation) {
  SignIn("mw-1");
  SignIn("mw-2");
  SetContactPerson(kBsnA, "", "mw-2");
  SetContactPerson("", kCase, "mw-2");
  const v1::RouteContactResponse before = Route("before", kBsnA);
  ASSERT_EQ(before.decision().handler_id(), "mw-2");
  ASSERT_TRUE(ByContactPerson(before, "mw-2"));
  Cancel(before.contact_id());
  const v1::RouteContactResponse stranger = Route("stranger", kBsnB);
  ASSERT_EQ(stranger.decision().handler_id(), "mw-1") << "the test needs mw-1 to be preferred";
  Cancel(stranger.contact_id());

  const std::string old_a = Pseudonym(kTestSecret, privacy::kKindBsn, kBsnA);
  const std::string new_a = Pseudonym(kNewSecret, privacy::kKindBsn, kBsnA);
  const std::string old_case = Pseudonym(kTestSecret, "case", kCase);
  const std::string new_case = Pseudonym(kNewSecret, "case", kCase);
  ASSERT_THAT(harness_.DumpRedis(), HasSubstr(old_a));
  ASSERT_THAT(harness_.DumpRedis(), Not(HasSubstr(new_a)));

  // The window: both secrets match.
  Restart(&InWindow);
  SignIn("mw-1");
  SignIn("mw-2");
  // A retry of a contact made before the rotation names the same contact.
  const v1::RouteContactResponse retry = Route("before", kBsnA);
  EXPECT_TRUE(retry.replayed());
  EXPECT_EQ(retry.contact_id(), before.contact_id());
  // An export in the window finds what was stored under either secret.
  {
    const v1::ExportResidentResponse exported = Export(kBsnA);
    std::vector<std::string> ids;
    for (const v1::ContactRecord& r : exported.contacts()) ids.push_back(r.contact_id());
    EXPECT_THAT(ids, Contains(before.contact_id()));
    ASSERT_EQ(exported.contact_persons_size(), 1);
    EXPECT_EQ(exported.contact_persons(0).handler_id(), "mw-2");
  }
  const v1::RouteContactResponse in_window = Route("in-window", kBsnA, kCase);
  EXPECT_EQ(in_window.decision().handler_id(), "mw-2");
  EXPECT_TRUE(ByContactPerson(in_window, "mw-2"));
  Cancel(in_window.contact_id());
  // Re-keyed in Redis: the mappings are under the new pseudonyms only.
  harness_.server().FlushAudit();
  {
    const std::string dump = harness_.DumpRedis();
    EXPECT_THAT(dump, HasSubstr(absl::StrCat(new_a, ":burgerzaken")));
    EXPECT_THAT(dump, Not(HasSubstr(absl::StrCat(old_a, ":burgerzaken"))));
    EXPECT_THAT(dump, HasSubstr(absl::StrCat(new_case, ":*")));
    EXPECT_THAT(dump, Not(HasSubstr(absl::StrCat(old_case, ":*"))));
  }

  // The old secret dropped: the mappings are still found.
  Restart(&AfterWindow);
  SignIn("mw-1");
  SignIn("mw-2");
  const v1::RouteContactResponse after = Route("after", kBsnA);
  EXPECT_EQ(after.decision().handler_id(), "mw-2");
  EXPECT_TRUE(ByContactPerson(after, "mw-2"));
  Cancel(after.contact_id());
  const v1::RouteContactResponse by_case = Route("after-case", "", kCase);
  EXPECT_EQ(by_case.decision().handler_id(), "mw-2");
  EXPECT_TRUE(ByContactPerson(by_case, "mw-2"));
}

// A mapping set again in the window (from the case system) replaces the old one instead of
// leaving two.
TEST_F(PseudonymRotationTest, SettingAMappingInTheWindowDropsTheOldOne) {
  SignIn("mw-1");
  SignIn("mw-2");
  SetContactPerson(kBsnA, "", "mw-1");
  const std::string old_a = Pseudonym(kTestSecret, privacy::kKindBsn, kBsnA);
  const std::string new_a = Pseudonym(kNewSecret, privacy::kKindBsn, kBsnA);
  Restart(&InWindow);
  SignIn("mw-1");
  SignIn("mw-2");
  SetContactPerson(kBsnA, "", "mw-2");
  const std::string dump = harness_.DumpRedis();
  EXPECT_THAT(dump, HasSubstr(absl::StrCat(new_a, ":burgerzaken")));
  EXPECT_THAT(dump, Not(HasSubstr(absl::StrCat(old_a, ":burgerzaken"))));
  const v1::ExportResidentResponse exported = Export(kBsnA);
  ASSERT_EQ(exported.contact_persons_size(), 1);
  EXPECT_EQ(exported.contact_persons(0).handler_id(), "mw-2");
}

// An erasure in the window covers what is stored under either secret.
TEST_F(PseudonymRotationTest, ErasureInTheWindowCoversBothSecrets) {
  SignIn("mw-1");
  SetContactPerson(kBsnA, "", "mw-1");
  const v1::RouteContactResponse before = Route("before", kBsnA);
  Cancel(before.contact_id());
  Restart(&InWindow);
  SignIn("mw-1");
  const v1::RouteContactResponse in_window = Route("in-window", kBsnB);
  Cancel(in_window.contact_id());
  const v1::RouteContactResponse a_again = Route("a-again", kBsnA);
  Cancel(a_again.contact_id());

  v1::EraseResidentRequest erase;
  erase.set_tenant(kTenant);
  erase.mutable_party()->set_bsn(kBsnA);
  v1::EraseResidentResponse erased;
  const grpc::Status s = harness_.operators().EraseResident(Ctx().get(), erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  harness_.server().FlushAudit();
  const std::string dump = harness_.DumpRedis();
  EXPECT_THAT(dump, Not(HasSubstr(Pseudonym(kTestSecret, privacy::kKindBsn, kBsnA))));
  EXPECT_THAT(dump, Not(HasSubstr(Pseudonym(kNewSecret, privacy::kKindBsn, kBsnA))));
  EXPECT_THAT(dump, Not(HasSubstr(before.contact_id())));
  EXPECT_THAT(dump, Not(HasSubstr(a_again.contact_id())));
  EXPECT_THAT(dump, HasSubstr(in_window.contact_id()));
}

// A reload cannot change the secrets: a rotation starts and ends with a restart.
TEST_F(PseudonymRotationTest, AReloadDoesNotChangeTheSecrets) {
  auto config = config::ParseRouterConfig(InWindow(TestConfigYaml(harness_.redis().port(), "10m")),
                                          "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const absl::Status reloaded = harness_.server().Reload(*std::move(config));
  EXPECT_EQ(reloaded.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(reloaded.message(), HasSubstr("restart"));
}

}  // namespace
}  // namespace wissel::testing
