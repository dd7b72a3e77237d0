#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "router/cli/format.h"

namespace wissel::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

google::protobuf::Duration Seconds(int64_t s) {
  google::protobuf::Duration d;
  d.set_seconds(s);
  return d;
}

// 2026-05-04 09:30:12 UTC.
google::protobuf::Timestamp At(int64_t offset_seconds = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(1777887012 + offset_seconds);
  return t;
}

TEST(LabelTest, EnumsAsTyped) {
  EXPECT_EQ(ChannelLabel(v1::CHANNEL_WEB_FORM), "web_form");
  EXPECT_EQ(ChannelLabel(v1::CHANNEL_BALIE), "balie");
  EXPECT_EQ(ContactStateLabel(v1::CONTACT_STATE_CONNECTED), "connected");
  EXPECT_EQ(PresenceLabel(v1::PRESENCE_AWAY), "away");
  EXPECT_EQ(NeedLabel(v1::NEED_LOW_DIGITAL_SKILLS), "low_digital_skills");
  EXPECT_EQ(DigidLevelLabel(v1::DIGID_LEVEL_SUBSTANTIEEL), "substantieel");
  EXPECT_EQ(ChannelLabel(static_cast<v1::Channel>(42)), "unknown(42)");
}

TEST(FormatWaitTest, Table) {
  struct Row {
    int64_t seconds;
    int32_t nanos;
    std::string text;
  };
  for (const Row& row :
       {Row{0, 0, "<1s"}, Row{0, 999999999, "<1s"}, Row{1, 0, "1s"}, Row{45, 500000000, "45s"},
        Row{150, 0, "2m30s"}, Row{3600, 0, "1h"}, Row{3725, 0, "1h2m5s"}}) {
    google::protobuf::Duration d;
    d.set_seconds(row.seconds);
    d.set_nanos(row.nanos);
    EXPECT_EQ(FormatWait(d), row.text) << row.seconds << "s " << row.nanos << "ns";
  }
}

TEST(FormatTimestampTest, UsesTheGivenZone) {
  EXPECT_EQ(FormatTimestamp(At(), absl::UTCTimeZone()), "2026-05-04 09:30:12");
  EXPECT_EQ(FormatTimestamp(At(), absl::FixedTimeZone(2 * 3600)), "2026-05-04 11:30:12");
}

TEST(FormatDecisionTest, Assigned) {
  v1::RouteContactResponse response;
  response.set_contact_id("c-1");
  v1::Decision* decision = response.mutable_decision();
  decision->set_outcome(v1::Decision::OUTCOME_ASSIGNED);
  decision->set_queue("burgerzaken");
  decision->set_handler_id("h-1042");
  decision->add_reasons("topic paspoort routes to queue burgerzaken");
  decision->add_reasons("handler h-1042 has the skill and is free");
  EXPECT_EQ(FormatDecision(response),
            "contact c-1: assigned to handler h-1042 (queue burgerzaken)\n"
            "why:\n"
            "  1. topic paspoort routes to queue burgerzaken\n"
            "  2. handler h-1042 has the skill and is free\n");
}

TEST(FormatDecisionTest, QueuedWithExpectedWaitAndReplayed) {
  v1::RouteContactResponse response;
  response.set_contact_id("c-2");
  response.set_replayed(true);
  v1::Decision* decision = response.mutable_decision();
  decision->set_outcome(v1::Decision::OUTCOME_QUEUED);
  decision->set_queue("wmo");
  decision->set_position(3);
  *decision->mutable_expected_wait() = Seconds(150);
  EXPECT_EQ(FormatDecision(response),
            "contact c-2: queued in wmo at position 3, expected wait 2m30s\n"
            "(replayed: a call with this idempotency key already routed it)\n");
}

TEST(FormatDecisionTest, QueuedWithoutEstimateAndUnknownOutcome) {
  v1::RouteContactResponse response;
  response.set_contact_id("c-3");
  response.mutable_decision()->set_outcome(v1::Decision::OUTCOME_QUEUED);
  response.mutable_decision()->set_queue("wmo");
  response.mutable_decision()->set_position(1);
  EXPECT_EQ(FormatDecision(response), "contact c-3: queued in wmo at position 1\n");
  response.mutable_decision()->set_outcome(v1::Decision::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(FormatDecision(response), "contact c-3: outcome unspecified\n");
}

TEST(FormatQueueStatsTest, Table) {
  v1::GetQueueStatsResponse response;
  v1::QueueStats* a = response.add_queues();
  a->set_queue("burgerzaken");
  a->set_waiting(12);
  a->set_offered(1);
  *a->mutable_longest_wait() = Seconds(125);
  a->set_handlers_available(2);
  a->set_handlers_signed_in(5);
  v1::QueueStats* b = response.add_queues();
  b->set_queue("wmo");
  b->set_handlers_signed_in(1);
  *b->mutable_longest_wait() = Seconds(0);  // what the router sends for an empty queue
  EXPECT_EQ(FormatQueueStats(response),
            "QUEUE        WAITING  OFFERED  LONGEST WAIT  AVAILABLE  SIGNED IN\n"
            "burgerzaken       12        1          2m5s          2          5\n"
            "wmo                0        0             -          0          1\n");
}

TEST(FormatQueueStatsTest, Empty) {
  EXPECT_EQ(FormatQueueStats(v1::GetQueueStatsResponse()), "no queues\n");
}

TEST(FormatContactRecordTest, FullRecordWithHistory) {
  v1::ContactRecord record;
  record.set_contact_id("c-7");
  record.set_tenant("gemeente-wisseloord");
  record.set_channel(v1::CHANNEL_PHONE);
  record.set_topic("wmo-aanvraag");
  record.set_party_kind("bsn");
  record.set_party_pseudonym("4c34e094e63fd1d9");
  record.set_digid_level(v1::DIGID_LEVEL_MIDDEN);
  record.set_language("nl");
  record.add_needs(v1::NEED_LOW_DIGITAL_SKILLS);
  record.add_needs(v1::NEED_LANGUAGE_BARRIER);
  record.set_case_reference("Z-2026-000123");
  record.set_priority(50);
  (*record.mutable_attributes())["ivr"] = "2";
  (*record.mutable_attributes())["entry"] = "14070";
  record.set_state(v1::CONTACT_STATE_CONNECTED);
  record.set_queue("wmo");
  record.set_handler_id("h-1042");
  *record.mutable_created_at() = At();
  record.set_wants_person(true);
  record.mutable_decision()->set_outcome(v1::Decision::OUTCOME_QUEUED);
  record.mutable_decision()->set_queue("wmo");
  record.mutable_decision()->set_position(1);
  record.mutable_decision()->add_reasons("one contact person: h-1042");
  v1::ContactEvent* queued = record.add_history();
  *queued->mutable_time() = At();
  queued->set_state(v1::CONTACT_STATE_QUEUED);
  v1::ContactEvent* offered = record.add_history();
  *offered->mutable_time() = At(30);
  offered->set_state(v1::CONTACT_STATE_OFFERED);
  offered->set_handler_id("h-1042");
  v1::ContactEvent* connected = record.add_history();
  *connected->mutable_time() = At(34);
  connected->set_state(v1::CONTACT_STATE_CONNECTED);
  connected->set_handler_id("h-1042");
  connected->set_reason("accepted");

  EXPECT_EQ(FormatContactRecord(record, absl::UTCTimeZone()),
            "contact       c-7\n"
            "tenant        gemeente-wisseloord\n"
            "state         connected\n"
            "channel       phone\n"
            "topic         wmo-aanvraag\n"
            "queue         wmo\n"
            "handler       h-1042\n"
            "party         bsn pseudonym 4c34e094e63fd1d9\n"
            "digid         midden\n"
            "language      nl\n"
            "needs         low_digital_skills, language_barrier\n"
            "case          Z-2026-000123\n"
            "priority      50\n"
            "wants person  yes\n"
            "created       2026-05-04 09:30:12\n"
            "attributes    entry=14070, ivr=2\n"
            "decision      queued in wmo at position 1\n"
            "why:\n"
            "  1. one contact person: h-1042\n"
            "history:\n"
            "  2026-05-04 09:30:12  queued\n"
            "  2026-05-04 09:30:42  offered    handler h-1042\n"
            "  2026-05-04 09:30:46  connected  handler h-1042  (accepted)\n");
}

TEST(FormatContactRecordTest, AnonymousMinimal) {
  v1::ContactRecord record;
  record.set_contact_id("c-8");
  record.set_state(v1::CONTACT_STATE_ABANDONED);
  record.set_channel(v1::CHANNEL_CHAT);
  EXPECT_EQ(FormatContactRecord(record, absl::UTCTimeZone()),
            "contact  c-8\n"
            "state    abandoned\n"
            "channel  chat\n"
            "party    anonymous\n");
}

TEST(FormatContactSummaryTest, OneLine) {
  v1::ContactRecord record;
  record.set_contact_id("c-9");
  record.set_state(v1::CONTACT_STATE_COMPLETED);
  record.set_handler_id("h-7");
  EXPECT_EQ(FormatContactSummary(record), "contact c-9: completed (handler h-7)\n");
  record.clear_handler_id();
  record.set_state(v1::CONTACT_STATE_ABANDONED);
  EXPECT_EQ(FormatContactSummary(record), "contact c-9: abandoned\n");
}

TEST(FormatHandlerTest, Details) {
  v1::Handler handler;
  handler.set_tenant("gemeente-wisseloord");
  handler.set_handler_id("h-1042");
  handler.set_display_name("Sanne de Vries");
  handler.add_skills("burgerzaken");
  handler.add_skills("wmo");
  handler.add_teams("kcc-1");
  v1::ChannelCapacity* phone = handler.add_capacity();
  phone->set_channel(v1::CHANNEL_PHONE);
  phone->set_max_contacts(1);
  v1::ChannelCapacity* chat = handler.add_capacity();
  chat->set_channel(v1::CHANNEL_CHAT);
  chat->set_max_contacts(3);
  handler.set_presence(v1::PRESENCE_AVAILABLE);
  handler.add_contact_ids("c-1");
  EXPECT_EQ(FormatHandler(handler),
            "handler h-1042 (Sanne de Vries): available\n"
            "  tenant    gemeente-wisseloord\n"
            "  skills    burgerzaken, wmo\n"
            "  teams     kcc-1\n"
            "  capacity  phone 1, chat 3\n"
            "  contacts  c-1\n");
}

TEST(FormatOfferTest, OfferAndWithdrawal) {
  v1::Offer offer;
  offer.set_kind(v1::Offer::KIND_OFFER);
  offer.set_contact_id("c-1");
  offer.mutable_contact()->set_channel(v1::CHANNEL_PHONE);
  offer.mutable_contact()->set_topic("paspoort");
  offer.mutable_contact()->set_queue("burgerzaken");
  *offer.mutable_expires_at() = At(15);
  EXPECT_EQ(FormatOffer(offer, absl::UTCTimeZone()),
            "offer: contact c-1 (phone, topic paspoort, queue burgerzaken), "
            "expires 2026-05-04 09:30:27\n");
  offer.set_kind(v1::Offer::KIND_WITHDRAWN);
  EXPECT_EQ(FormatOffer(offer, absl::UTCTimeZone()), "offer withdrawn: contact c-1\n");
}

TEST(StatusCodeNameTest, Names) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAVAILABLE), "UNAVAILABLE");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(99)), "CODE_99");
}

TEST(FormatRpcErrorTest, PlainStatus) {
  EXPECT_EQ(FormatRpcError(grpc::Status(grpc::StatusCode::NOT_FOUND, "no contact c-404")),
            "error: NOT_FOUND: no contact c-404\n");
}

TEST(FormatRpcErrorTest, BadRequestAndPreconditionDetails) {
  google::rpc::Status details;
  details.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  details.set_message("contact.party.bsn: BSN fails the 11-proef (check digit)");
  google::rpc::BadRequest bad_request;
  auto* v1 = bad_request.add_field_violations();
  v1->set_field("contact.party.bsn");
  v1->set_description("BSN fails the 11-proef (check digit)");
  auto* v2 = bad_request.add_field_violations();
  v2->set_field("contact.topic");
  v2->set_description("unknown topic");
  details.add_details()->PackFrom(bad_request);
  google::rpc::PreconditionFailure failure;
  auto* p = failure.add_violations();
  p->set_type("STATE");
  p->set_subject("contact c-1");
  p->set_description("contact is completed");
  details.add_details()->PackFrom(failure);
  google::rpc::Status unknown_detail;  // any other message type
  details.add_details()->PackFrom(unknown_detail);

  const grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT, details.message(),
                            details.SerializeAsString());
  EXPECT_EQ(FormatRpcError(status),
            "error: INVALID_ARGUMENT: contact.party.bsn: BSN fails the 11-proef (check digit)\n"
            "  contact.party.bsn: BSN fails the 11-proef (check digit)\n"
            "  contact.topic: unknown topic\n"
            "  STATE contact c-1: contact is completed\n"
            "  (detail of type type.googleapis.com/google.rpc.Status)\n");
}

TEST(FormatRpcErrorTest, UndecodableDetails) {
  const grpc::Status status(grpc::StatusCode::INTERNAL, "boom", std::string("\xff\xff\xff", 3));
  EXPECT_EQ(FormatRpcError(status),
            "error: INTERNAL: boom\n  (error details could not be decoded)\n");
}

TEST(FormatJsonTest, CanonicalNamesAndDefaults) {
  v1::RouteContactResponse response;
  response.set_contact_id("c-1");
  response.mutable_decision()->set_outcome(v1::Decision::OUTCOME_QUEUED);
  *response.mutable_decision()->mutable_expected_wait() = Seconds(90);
  const std::string line = FormatJson(response, /*multiline=*/false);
  EXPECT_THAT(line, HasSubstr("\"contactId\":\"c-1\""));
  EXPECT_THAT(line, HasSubstr("\"outcome\":\"OUTCOME_QUEUED\""));
  EXPECT_THAT(line, HasSubstr("\"expectedWait\":\"90s\""));
  EXPECT_THAT(line, HasSubstr("\"replayed\":false"));  // defaults are printed
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  EXPECT_THAT(FormatJson(response, /*multiline=*/true), HasSubstr("\n \"contactId\": \"c-1\""));
  EXPECT_THAT(line, Not(HasSubstr("contact_id")));
}

}  // namespace
}  // namespace wissel::cli
