// AVG art. 15 and 17 and the audit log, end to end: a real redis-server and the whole router
// in-process (router_harness.h). One resident's contacts over several channels, with
// contact-person mappings and live contacts, are exported, then erased; afterwards every Redis
// key and value is scanned for the resident's identifiers and pseudonyms.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/privacy/pseudonymizer.h"
#include "router/state/audit.h"
#include "tests/integration/router_harness.h"

namespace wissel::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

// Test identifiers (CONTRIBUTING.md): both pass the 11-proef.
constexpr char kBsnA[] = "111222333";
constexpr char kBsnB[] = "123456782";
constexpr char kCaseA[] = "Z-2026-042";
constexpr char kHandler[] = "mw-1";

std::string Pseudonym(absl::string_view kind, absl::string_view value) {
  absl::StatusOr<privacy::Pseudonymizer> p = privacy::Pseudonymizer::Create(kTestSecret);
  return p->Pseudonym(kind, value);
}

class ResidentRightsTest : public ::testing::Test {
 protected:
  // Offers do not time out during the test, so Redis changes only when the test acts.
  void SetUp() override { harness_.SetUp("10m"); }
  void TearDown() override { harness_.TearDown(); }

  // Routes a contact of the resident with `bsn`; returns its id.
  std::string Route(const std::string& key, const std::string& bsn,
                    v1::Channel channel = v1::CHANNEL_PHONE, const std::string& topic = "paspoort",
                    const std::string& case_reference = "") {
    v1::RouteContactRequest req;
    v1::Contact& c = *req.mutable_contact();
    c.set_tenant(kTenant);
    c.set_channel(channel);
    c.set_topic(topic);
    c.set_idempotency_key(key);
    c.mutable_party()->set_bsn(bsn);
    c.set_case_reference(case_reference);
    v1::RouteContactResponse resp;
    const grpc::Status s = harness_.routing().RouteContact(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.contact_id();
  }

  grpc::Status Offer(bool accept, const std::string& contact_id) {
    v1::OfferResponseRequest req;
    req.set_tenant(kTenant);
    req.set_handler_id(kHandler);
    req.set_contact_id(contact_id);
    v1::ContactRecord record;
    return accept ? harness_.handlers().AcceptOffer(Ctx().get(), req, &record)
                  : harness_.handlers().RejectOffer(Ctx().get(), req, &record);
  }

  void SetContactPerson(const std::string& bsn, const std::string& domain) {
    v1::SetContactPersonRequest req;
    req.set_tenant(kTenant);
    req.mutable_party()->set_bsn(bsn);
    req.set_domain(domain);
    req.set_handler_id(kHandler);
    v1::SetContactPersonResponse resp;
    const grpc::Status s = harness_.routing().SetContactPerson(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Export(const std::string& bsn, const std::string& case_reference,
                      v1::ExportResidentResponse* resp) {
    v1::ExportResidentRequest req;
    req.set_tenant(kTenant);
    if (!bsn.empty()) req.mutable_party()->set_bsn(bsn);
    req.set_case_reference(case_reference);
    return harness_.operators().ExportResident(Ctx().get(), req, resp);
  }

  grpc::Status Erase(const v1::EraseResidentRequest& req, v1::EraseResidentResponse* resp) {
    return harness_.operators().EraseResident(Ctx().get(), req, resp);
  }

  std::vector<v1::AuditEntry> AuditLog() {
    harness_.server().FlushAudit();
    v1::ReadAuditRequest req;
    req.set_tenant(kTenant);
    req.set_limit(1000);
    v1::ReadAuditResponse resp;
    const grpc::Status s = harness_.operators().ReadAudit(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.entries().begin(), resp.entries().end()};
  }

  RouterHarness harness_;
};

TEST_F(ResidentRightsTest, ExportThenEraseLeavesNothingOfTheResidentAndIsAudited) {
  v1::SignInRequest sign_in;
  sign_in.mutable_handler()->set_tenant(kTenant);
  sign_in.mutable_handler()->set_handler_id(kHandler);
  sign_in.mutable_handler()->add_skills("burgerzaken");
  v1::Handler handler;
  ASSERT_TRUE(harness_.handlers().SignIn(Ctx().get(), sign_in, &handler).ok());
  v1::StreamOffersRequest stream_req;
  stream_req.set_tenant(kTenant);
  stream_req.set_handler_id(kHandler);
  auto stream_ctx = Ctx(absl::Seconds(30));
  auto stream = harness_.handlers().StreamOffers(stream_ctx.get(), stream_req);

  // Resident A: a call about a case, handled, after which mw-1 stays their contact person
  // (and the case's owner); a second call offered to mw-1; a third waiting behind it; a chat.
  const std::string a_call1 = Route("a-call-1", kBsnA, v1::CHANNEL_PHONE, "paspoort", kCaseA);
  ASSERT_TRUE(Offer(true, a_call1).ok());
  {
    v1::CompleteContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(a_call1);
    req.set_keep_as_contact_person(true);
    v1::ContactRecord record;
    ASSERT_TRUE(harness_.routing().CompleteContact(Ctx().get(), req, &record).ok());
    v1::FinishWrapUpRequest done;
    done.set_tenant(kTenant);
    done.set_handler_id(kHandler);
    done.set_contact_id(a_call1);
    ASSERT_TRUE(harness_.handlers().FinishWrapUp(Ctx().get(), done, &handler).ok());
  }
  const std::string a_call2 = Route("a-call-2", kBsnA);
  const std::string a_call3 = Route("a-call-3", kBsnA);
  const std::string a_chat = Route("a-chat", kBsnA, v1::CHANNEL_CHAT, "rijbewijs");
  SetContactPerson(kBsnA, "sociaal_domein");
  // Resident B, who must not be touched.
  const std::string b_call = Route("b-call", kBsnB);
  SetContactPerson(kBsnB, "burgerzaken");
  // A supervisor reads A's first contact (the development caller holds every role).
  {
    v1::GetContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(a_call1);
    v1::ContactRecord record;
    ASSERT_TRUE(harness_.routing().GetContact(Ctx().get(), req, &record).ok());
  }
  {
    v1::GetContactRequest req;
    req.set_tenant(kTenant);
    req.set_contact_id(a_call2);
    v1::ContactRecord record;
    ASSERT_TRUE(harness_.routing().GetContact(Ctx().get(), req, &record).ok());
    ASSERT_EQ(record.state(), v1::CONTACT_STATE_OFFERED);
    ASSERT_EQ(record.handler_id(), kHandler);
  }

  const std::string pseudonym_a = Pseudonym(privacy::kKindBsn, kBsnA);
  const std::string pseudonym_case = Pseudonym("case", kCaseA);
  const std::string pseudonym_b = Pseudonym(privacy::kKindBsn, kBsnB);
  // Before: Redis holds them (so the scan below would find them).
  ASSERT_THAT(harness_.DumpRedis(), HasSubstr(pseudonym_a));
  ASSERT_THAT(harness_.DumpRedis(), HasSubstr(kCaseA));

  // Art. 15: everything held about A, found by BSN; and about the case.
  v1::ExportResidentResponse exported;
  ASSERT_TRUE(Export(kBsnA, "", &exported).ok());
  std::vector<std::string> ids;
  for (const v1::ContactRecord& r : exported.contacts()) {
    ids.push_back(r.contact_id());
    EXPECT_EQ(r.party_pseudonym(), pseudonym_a);
    EXPECT_THAT(r.history(), Not(IsEmpty()));
  }
  EXPECT_THAT(ids, UnorderedElementsAre(a_call1, a_call2, a_call3, a_chat));
  std::vector<std::string> domains;
  for (const v1::ContactPersonRecord& m : exported.contact_persons()) {
    EXPECT_EQ(m.handler_id(), kHandler);
    domains.push_back(m.domain());
  }
  EXPECT_THAT(domains, UnorderedElementsAre("burgerzaken", "sociaal_domein"));
  v1::ExportResidentResponse by_case;
  ASSERT_TRUE(Export("", kCaseA, &by_case).ok());
  ASSERT_THAT(by_case.contacts(), SizeIs(1));
  EXPECT_EQ(by_case.contacts(0).contact_id(), a_call1);
  ASSERT_THAT(by_case.contact_persons(), SizeIs(1));
  EXPECT_EQ(by_case.contact_persons(0).domain(), "*");

  // Art. 17: by BSN and case reference together.
  v1::EraseResidentRequest erase;
  erase.set_tenant(kTenant);
  erase.mutable_party()->set_bsn(kBsnA);
  erase.set_case_reference(kCaseA);
  v1::EraseResidentResponse erased;
  const grpc::Status status = Erase(erase, &erased);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(erased.live_contacts_ended(), 3);  // call 2 (offered), call 3 and the chat
  EXPECT_EQ(erased.contacts_erased(), 4);
  EXPECT_EQ(erased.contact_persons_erased(), 3);  // burgerzaken, sociaal_domein, the case

  // mw-1 was told: its offer of call 2 is withdrawn, and it holds nothing of A.
  bool withdrawn = false;
  v1::Offer offer;
  while (!withdrawn && stream->Read(&offer)) {
    withdrawn = offer.kind() == v1::Offer::KIND_WITHDRAWN && offer.contact_id() == a_call2;
  }
  EXPECT_TRUE(withdrawn);
  v1::GetHandlerRequest get_handler;
  get_handler.set_tenant(kTenant);
  get_handler.set_handler_id(kHandler);
  ASSERT_TRUE(harness_.handlers().GetHandler(Ctx().get(), get_handler, &handler).ok());
  for (const std::string& id : {a_call1, a_call2, a_call3, a_chat}) {
    EXPECT_THAT(handler.contact_ids(), Not(Contains(id)));
  }
  stream_ctx->TryCancel();

  // Every key and value in Redis: nothing of A left, B intact.
  harness_.server().FlushAudit();
  const std::string dump = harness_.DumpRedis();
  EXPECT_THAT(dump, Not(HasSubstr("<a ")));  // every type was read
  for (const std::string& secret :
       {pseudonym_a, pseudonym_case, std::string(kBsnA), std::string(kCaseA)}) {
    EXPECT_THAT(dump, Not(HasSubstr(secret))) << "found " << secret;
  }
  for (const std::string& id : {a_call1, a_call2, a_call3, a_chat}) {
    EXPECT_THAT(dump, Not(HasSubstr(absl::StrCat(":c:", id)))) << id;
  }
  EXPECT_THAT(dump, HasSubstr(pseudonym_b));
  EXPECT_THAT(dump, HasSubstr(absl::StrCat(":c:", b_call)));
  v1::ExportResidentResponse b;
  ASSERT_TRUE(Export(kBsnB, "", &b).ok());
  EXPECT_THAT(b.contacts(), SizeIs(1));
  EXPECT_THAT(b.contact_persons(), SizeIs(1));
  v1::ExportResidentResponse after;
  ASSERT_TRUE(Export(kBsnA, kCaseA, &after).ok());
  EXPECT_THAT(after.contacts(), IsEmpty());
  EXPECT_THAT(after.contact_persons(), IsEmpty());

  // The audit log: the erasure (by whom, of which subjects, how much), the exports, the
  // operator's and the router's contact-person changes, the supervisor's read — and no
  // identifier or pseudonym of anyone.
  const std::vector<v1::AuditEntry> log = AuditLog();
  auto count = [&](absl::string_view action) {
    return std::count_if(log.begin(), log.end(),
                         [&](const v1::AuditEntry& e) { return e.action() == action; });
  };
  EXPECT_EQ(count(state::kAuditEraseResident), 1);
  EXPECT_EQ(count(state::kAuditExportResident), 4);
  EXPECT_EQ(count(state::kAuditSetContactPerson), 2);
  EXPECT_EQ(count(state::kAuditContactPersonSet), 4);  // 2 on completion, 2 by the operator
  EXPECT_EQ(count(state::kAuditReadContact), 2);
  for (const v1::AuditEntry& e : log) {
    EXPECT_FALSE(e.actor().empty());
    EXPECT_GT(e.time().seconds(), 0);
    if (e.action() == state::kAuditEraseResident) {
      EXPECT_EQ(e.subject(), absl::StrCat(state::AuditSubject(pseudonym_a), ",",
                                          state::AuditSubject(pseudonym_case)));
      EXPECT_EQ(e.detail(), "contacts=4 mappings=3");
    }
    if (e.action() == state::kAuditReadContact) {
      EXPECT_EQ(e.subject(), state::AuditSubject(pseudonym_a));
    }
  }
  EXPECT_EQ(harness_.server().audit_failed(), 0);

  // Idempotent.
  ASSERT_TRUE(Erase(erase, &erased).ok());
  EXPECT_EQ(erased.live_contacts_ended(), 0);
  EXPECT_EQ(erased.contacts_erased(), 0);
  EXPECT_EQ(erased.contact_persons_erased(), 0);
}

TEST_F(ResidentRightsTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  Route("a-call", kBsnA);
  harness_.server().FlushAudit();
  const std::string before = harness_.DumpRedis();

  struct Case {
    std::string bsn;
    std::string case_reference;
    std::string field;
  };
  for (const Case& c :
       {Case{"", "", "party"}, Case{"111222334", "", "party.bsn"}, Case{"12345", "", "party.bsn"},
        Case{"", std::string(65, 'z'), "case_reference"}}) {
    SCOPED_TRACE(c.field + " " + c.bsn);
    v1::EraseResidentRequest erase;
    erase.set_tenant(kTenant);
    if (!c.bsn.empty()) erase.mutable_party()->set_bsn(c.bsn);
    erase.set_case_reference(c.case_reference);
    v1::EraseResidentResponse erased;
    grpc::Status s = Erase(erase, &erased);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), StartsWith(c.field + ":"));
    if (!c.bsn.empty()) {
      EXPECT_THAT(s.error_message(), Not(HasSubstr(c.bsn)));
    }
    v1::ExportResidentResponse exported;
    s = Export(c.bsn, c.case_reference, &exported);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), StartsWith(c.field + ":"));
  }
  {
    v1::ReadAuditRequest req;
    req.set_tenant(kTenant);
    req.set_limit(-1);
    v1::ReadAuditResponse resp;
    grpc::Status s = harness_.operators().ReadAudit(Ctx().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), StartsWith("limit:"));
    req.set_limit(0);
    req.set_tenant("gemeente-onbekend");
    s = harness_.operators().ReadAudit(Ctx().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), StartsWith("tenant:"));
  }
  harness_.server().FlushAudit();
  EXPECT_EQ(harness_.DumpRedis(), before);
}

TEST_F(ResidentRightsTest, AConfigurationReloadIsAuditedWithTheFilesDigest) {
  auto config = config::ParseRouterConfig(TestConfigYaml(harness_.redis().port()), "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  config->source_sha256 = std::string(64, 'a');
  ASSERT_TRUE(harness_.server().Reload(*std::move(config)).ok());
  const std::vector<v1::AuditEntry> log = AuditLog();
  ASSERT_THAT(log, SizeIs(1));
  EXPECT_EQ(log[0].action(), state::kAuditConfigReload);
  EXPECT_EQ(log[0].actor(), state::kAuditRouterActor);
  EXPECT_EQ(log[0].detail(), absl::StrCat("sha256=", std::string(64, 'a')));
}

}  // namespace
}  // namespace wissel::testing
