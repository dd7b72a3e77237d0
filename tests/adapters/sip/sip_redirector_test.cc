// SipRedirector with a fake router: every method and outcome, retransmissions, CANCEL before
// and after the redirect, timers, draining, and a table of malformed inputs.
#include "adapters/sip/sip_redirector.h"

#include <memory>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/sip/scripted_router_client.h"
#include "tests/adapters/sip/sip_test_util.h"

namespace wissel::adapters::sip::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class SipRedirectorTest : public ::testing::Test {
 protected:
  SipRedirectorTest() { Rebuild(); }

  void Rebuild(SipConfig config = TestConfig()) {
    SipRedirectorOptions options;
    options.now = [this] { return now_; };
    redirector_ = std::make_unique<SipRedirector>(std::move(config), &client_, options);
  }

  // Handles `bytes` and returns what was sent back.
  std::vector<std::string> Send(const std::string& bytes, bool reliable = false) {
    auto replier = std::make_shared<RecordingReplier>(reliable);
    redirector_->Handle(bytes, replier);
    return replier->sent();
  }

  // The same, from the source address `peer`.
  std::vector<std::string> SendFrom(const char* peer, const std::string& bytes) {
    auto replier = std::make_shared<RecordingReplier>(/*reliable=*/false, peer);
    redirector_->Handle(bytes, replier);
    return replier->sent();
  }

  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  ScriptedRouterClient client_;
  std::unique_ptr<SipRedirector> redirector_;
};

TEST_F(SipRedirectorTest, AssignedCallIsRedirectedToTheHandler) {
  client_.Assign("h-1042");
  const std::vector<std::string> sent = Send(Invite("a@test"));
  ASSERT_THAT(Codes(sent), ElementsAre(100, 302));
  const Response trying(sent[0]);
  EXPECT_EQ(trying.to_tag(), "");  // no tag on 100 Trying
  const Response redirect(sent[1]);
  EXPECT_EQ(redirect.contact(), "sip:h-1042@pbx.test");
  EXPECT_EQ(redirect.header("X-Wissel-Outcome"), "assigned");
  EXPECT_EQ(redirect.header("X-Wissel-Contact-Id"), "c-1");
  EXPECT_EQ(redirect.header("X-Wissel-Queue-Position"), "");
  // RFC 3261 §8.2.6: Via, From, To (+tag), Call-ID and CSeq are copied.
  EXPECT_EQ(redirect.call_id(), "a@test");
  EXPECT_EQ(redirect.cseq_method(), "INVITE");
  EXPECT_EQ(redirect.via_count(), 1);
  EXPECT_FALSE(redirect.to_tag().empty());
  EXPECT_THAT(sent[1], HasSubstr("branch=z9hG4bK-1"));
  EXPECT_THAT(sent[1], HasSubstr("tag=from-1"));
  EXPECT_THAT(sent[1], HasSubstr("SIP/2.0 302 Moved Temporarily\r\n"));
}

TEST_F(SipRedirectorTest, HandlerAddressFromTheRouterWinsAndIsCached) {
  client_.Assign("h-7");
  client_.SetHandlerAddress("h-7", "sip:1042@pbx.test");
  EXPECT_EQ(Response(Send(Invite("a@test"))[1]).contact(), "sip:1042@pbx.test");
  EXPECT_EQ(Response(Send(Invite("b@test"))[1]).contact(), "sip:1042@pbx.test");
  EXPECT_EQ(client_.get_handler_calls(), 1);
}

TEST_F(SipRedirectorTest, HandlerIdIsEscapedInTheTemplate) {
  SipConfig config = TestConfig();
  config.use_handler_address = false;
  Rebuild(config);
  client_.Assign("jan@kcc");
  EXPECT_EQ(Response(Send(Invite())[1]).contact(), "sip:jan%40kcc@pbx.test");
  EXPECT_EQ(client_.get_handler_calls(), 0);
}

TEST_F(SipRedirectorTest, QueuedCallGoesToTheQueueWaitingUriWithPositionAndWait) {
  client_.QueueIn("burgerzaken", 4, 125);
  const std::vector<std::string> sent = Send(Invite());
  ASSERT_THAT(Codes(sent), ElementsAre(100, 302));
  const Response redirect(sent[1]);
  EXPECT_EQ(redirect.contact(), "sip:wacht-burgerzaken@pbx.test");
  EXPECT_EQ(redirect.header("X-Wissel-Outcome"), "queued");
  EXPECT_EQ(redirect.header("X-Wissel-Queue-Position"), "4");
  EXPECT_EQ(redirect.header("X-Wissel-Expected-Wait"), "125");
  EXPECT_EQ(redirect.header("X-Wissel-Queue"), "burgerzaken");
}

TEST_F(SipRedirectorTest, QueueWithoutOwnUriUsesTheDefaultWaitingUri) {
  client_.QueueIn("wmo", 1, 0);
  EXPECT_EQ(Response(Send(Invite())[1]).contact(), "sip:wacht@pbx.test");
}

TEST_F(SipRedirectorTest, ClosedDigitalAndCallbackGoToTheirAnnouncements) {
  struct Case {
    v1::Decision::Outcome outcome;
    std::string uri;
    std::string name;
  };
  const Case cases[] = {
      {v1::Decision::OUTCOME_CLOSED, "sip:gesloten@pbx.test", "closed"},
      {v1::Decision::OUTCOME_DIGITAL, "sip:digitaal@pbx.test", "digital"},
      {v1::Decision::OUTCOME_CALLBACK, "sip:terugbellen@pbx.test", "callback"},
  };
  int n = 0;
  for (const Case& c : cases) {
    client_.Outcome(c.outcome);
    const std::vector<std::string> sent = Send(Invite(absl::StrCat("call-", ++n, "@test")));
    ASSERT_THAT(Codes(sent), ElementsAre(100, 302)) << c.name;
    const Response redirect(sent[1]);
    EXPECT_EQ(redirect.contact(), c.uri) << c.name;
    EXPECT_EQ(redirect.header("X-Wissel-Outcome"), c.name);
  }
  EXPECT_EQ(Response(Send(Invite("call-2@test"))[0]).status(), 302)  // a retransmission
      << "retransmission of the digital call";
}

TEST_F(SipRedirectorTest, DigitalOutcomeCarriesTheDigitalUrl) {
  client_.Outcome(v1::Decision::OUTCOME_DIGITAL);
  EXPECT_EQ(Response(Send(Invite())[1]).header("X-Wissel-Digital-Url"),
            "https://wisseloord.example/paspoort");
}

TEST_F(SipRedirectorTest, UnspecifiedOutcomeIs500) {
  client_.Outcome(v1::Decision::OUTCOME_UNSPECIFIED);
  EXPECT_THAT(Codes(Send(Invite())), ElementsAre(100, 500));
}

TEST_F(SipRedirectorTest, ContactCarriesTenantTopicCallerAndCallIdAsKey) {
  Send(Invite("abc-123@10.0.0.1"));
  ASSERT_THAT(client_.routed(), SizeIs(1));
  const v1::Contact contact = client_.routed()[0];
  EXPECT_EQ(contact.tenant(), "gemeente-test");
  EXPECT_EQ(contact.channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(contact.topic(), "algemene-vraag");
  EXPECT_EQ(contact.idempotency_key(), "sip:abc-123@10.0.0.1");
  EXPECT_EQ(contact.party().phone_number(), "0612345678");
  EXPECT_EQ(contact.attributes().at("sip.dialled_number"), "140123");
  EXPECT_EQ(contact.attributes().count("sip.ivr_choice"), 0u);
}

TEST_F(SipRedirectorTest, IvrChoiceFromTheUriSuffixOrTheHeaderPicksTheTopic) {
  Send(Invite("a@test", "140123*1"));
  RequestParts p;
  p.call_id = "b@test";
  p.extra_headers = {"X-IVR-Choice: 2"};
  Send(Request(p));
  p.call_id = "c@test";
  p.extra_headers = {"X-IVR-Choice: 9"};  // unknown choice: the number's topic
  Send(Request(p));
  Send(Invite("d@test", "0123456789"));
  const std::vector<v1::Contact> routed = client_.routed();
  ASSERT_THAT(routed, SizeIs(4));
  EXPECT_EQ(routed[0].topic(), "paspoort");
  EXPECT_EQ(routed[0].attributes().at("sip.ivr_choice"), "1");
  EXPECT_EQ(routed[1].topic(), "verhuizing");
  EXPECT_EQ(routed[2].topic(), "algemene-vraag");
  EXPECT_EQ(routed[2].attributes().at("sip.ivr_choice"), "9");
  EXPECT_EQ(routed[3].topic(), "wmo-hulpmiddelen");
}

TEST_F(SipRedirectorTest, UnknownNumberIs404WithoutAskingTheRouter) {
  const std::vector<std::string> sent = Send(Invite("a@test", "0800123"));
  EXPECT_THAT(Codes(sent), ElementsAre(100, 404));
  EXPECT_THAT(client_.routed(), IsEmpty());
}

TEST_F(SipRedirectorTest, CallerNumberComesFromAssertedIdentityOrIsAnonymous) {
  RequestParts p;
  p.call_id = "a@test";
  p.extra_headers = {"P-Asserted-Identity: <tel:+31612345678>"};
  Send(Request(p));
  p.call_id = "b@test";
  p.extra_headers = {};
  p.from_user = "anonymous";
  Send(Request(p));
  p.call_id = "c@test";
  p.from_user = "0031201234567";
  Send(Request(p));
  const std::vector<v1::Contact> routed = client_.routed();
  ASSERT_THAT(routed, SizeIs(3));
  EXPECT_EQ(routed[0].party().phone_number(), "+31612345678");
  EXPECT_FALSE(routed[1].has_party());
  EXPECT_EQ(routed[2].party().phone_number(), "+31201234567");
}

TEST_F(SipRedirectorTest, RequestsFromOutsideTrustedPeersAre403WithoutTheRouter) {
  client_.Assign("h-1");
  RequestParts invite;
  invite.extra_headers = {"P-Asserted-Identity: <tel:+31612345678>"};
  const std::vector<std::string> sent = SendFrom(kStranger, Request(invite));
  ASSERT_THAT(Codes(sent), ElementsAre(403));
  EXPECT_EQ(Response(sent[0]).call_id(), "call-1@test");
  EXPECT_FALSE(Response(sent[0]).to_tag().empty());
  EXPECT_THAT(Codes(SendFrom(kStranger, WithMethod("OPTIONS"))), ElementsAre(403));
  EXPECT_THAT(Codes(SendFrom(kStranger, WithMethod("CANCEL"))), ElementsAre(403));
  EXPECT_THAT(Codes(SendFrom(kStranger, WithMethod("REGISTER"))), ElementsAre(403));
  EXPECT_THAT(SendFrom(kStranger, WithMethod("ACK")), IsEmpty());
  EXPECT_THAT(SendFrom(kStranger, "not sip at all\r\n\r\n"), IsEmpty());
  // IPv6 strangers too, and a peer the transport cannot name.
  EXPECT_THAT(Codes(SendFrom("2001:db9::1", Invite("v6@test"))), ElementsAre(403));
  EXPECT_THAT(Codes(SendFrom("::1", Invite("v6@test"))), ElementsAre(403));
  // Nothing reached the router and no call or transaction was made: the same INVITE from the
  // PBX is routed as new.
  EXPECT_THAT(client_.routed(), IsEmpty());
  EXPECT_EQ(redirector_->stats().forbidden, 8u);
  EXPECT_EQ(redirector_->stats().invites, 0u);
  EXPECT_THAT(Codes(Send(Request(invite))), ElementsAre(100, 302));
  ASSERT_THAT(client_.routed(), SizeIs(1));
  // Trusted peers by CIDR block (2001:db8::/32 in the test configuration).
  EXPECT_THAT(Codes(SendFrom("2001:db8::5060", Invite("v6-pbx@test"))), ElementsAre(100, 302));
}

TEST_F(SipRedirectorTest, RejectAnswersStrangers403Too) {
  RecordingReplier stranger(/*reliable=*/false, kStranger);
  redirector_->Reject(Invite(), stranger);
  EXPECT_THAT(Codes(stranger.sent()), ElementsAre(403));
  EXPECT_THAT(client_.routed(), IsEmpty());
}

TEST_F(SipRedirectorTest, AssertedIdentityFromAnUntrustedSourceIsIgnored) {
  // Development: any source is served, but only the listed PBX may assert an identity.
  SipConfig config = TestConfig();
  config.allow_any_peer = true;
  Rebuild(config);
  RequestParts p;
  p.call_id = "spoofed@test";
  p.from_user = "0201234567";
  p.extra_headers = {"P-Asserted-Identity: <tel:+31612345678>"};
  EXPECT_THAT(Codes(SendFrom(kStranger, Request(p))), ElementsAre(100, 302));
  p.call_id = "anonymous@test";
  p.from_user = "anonymous";
  EXPECT_THAT(Codes(SendFrom(kStranger, Request(p))), ElementsAre(100, 302));
  p.call_id = "pbx@test";
  EXPECT_THAT(Codes(SendFrom(kTrustedPeer, Request(p))), ElementsAre(100, 302));
  const std::vector<v1::Contact> routed = client_.routed();
  ASSERT_THAT(routed, SizeIs(3));
  EXPECT_EQ(routed[0].party().phone_number(), "0201234567");  // From, not the asserted number
  EXPECT_FALSE(routed[1].has_party());
  EXPECT_EQ(routed[2].party().phone_number(), "+31612345678");  // the PBX's assertion
  EXPECT_EQ(redirector_->stats().forbidden, 0u);
}

TEST_F(SipRedirectorTest, NumberTheRouterRefusesIsRoutedAnonymously) {
  client_.RefuseParty(true);
  EXPECT_THAT(Codes(Send(Invite())), ElementsAre(100, 302));
  const std::vector<v1::Contact> routed = client_.routed();
  ASSERT_THAT(routed, SizeIs(2));
  EXPECT_TRUE(routed[0].has_party());
  EXPECT_FALSE(routed[1].has_party());
}

// The decision reads the field the router's BadRequest names, not the message: a refusal whose
// text mentions "party" but whose field is another is not retried anonymously, and neither is
// one without structured details.
TEST_F(SipRedirectorTest, OnlyARefusedPartyFieldIsRoutedAnonymously) {
  client_.FailWith(FieldViolationError("contact.topic", "no party takes this topic"));
  EXPECT_THAT(Codes(Send(Invite("topic@test"))), ElementsAre(100, 500));
  EXPECT_THAT(client_.routed(), SizeIs(1));
  client_.FailWith(absl::InvalidArgumentError("contact.party.phone_number: not a phone number"));
  EXPECT_THAT(Codes(Send(Invite("text@test"))), ElementsAre(100, 500));
  EXPECT_THAT(client_.routed(), SizeIs(2));
}

TEST_F(SipRedirectorTest, RetransmittedInviteGetsTheSameAnswerWithoutRouting) {
  const std::vector<std::string> first = Send(Invite());
  const std::vector<std::string> again = Send(Invite());
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0], first[1]);  // byte for byte, same To tag
  EXPECT_THAT(client_.routed(), SizeIs(1));
  EXPECT_EQ(redirector_->stats().retransmissions, 1u);
  // A new transaction (higher CSeq) on the same Call-ID is routed, idempotently.
  RequestParts p;
  p.cseq = 2;
  const std::vector<std::string> reinvite = Send(Request(p));
  EXPECT_EQ(Response(reinvite[1]).header("X-Wissel-Contact-Id"), "c-1");
}

TEST_F(SipRedirectorTest, RetransmissionWhileRoutingGetsAnother100) {
  absl::Notification entered, release;
  client_.BlockNextRoute(&entered, &release);
  auto replier = std::make_shared<RecordingReplier>();
  std::thread first([&] { redirector_->Handle(Invite(), replier); });
  entered.WaitForNotification();
  EXPECT_THAT(Codes(Send(Invite())), ElementsAre(100));
  release.Notify();
  first.join();
  EXPECT_THAT(Codes(replier->sent()), ElementsAre(100, 302));
  EXPECT_THAT(client_.routed(), SizeIs(1));
}

TEST_F(SipRedirectorTest, RouterUnreachableIs503WithRetryAfter) {
  for (absl::Status error :
       {absl::UnavailableError("connection refused"), absl::DeadlineExceededError("deadline"),
        absl::ResourceExhaustedError("busy")}) {
    client_.FailWith(error);
    const std::vector<std::string> sent = Send(Invite(absl::StrCat(error.code(), "@test")));
    ASSERT_THAT(Codes(sent), ElementsAre(100, 503)) << error;
    EXPECT_EQ(Response(sent[1]).header("Retry-After"), "5");
  }
  EXPECT_EQ(redirector_->stats().router_errors, 3u);
}

TEST_F(SipRedirectorTest, RouterRefusingTheContactIs500) {
  client_.FailWith(absl::InvalidArgumentError("contact.topic: unknown topic"));
  EXPECT_THAT(Codes(Send(Invite())), ElementsAre(100, 500));
}

TEST_F(SipRedirectorTest, CancelWhileRoutingAnswers200And487AndAbandonsTheContact) {
  absl::Notification entered, release;
  client_.BlockNextRoute(&entered, &release);
  auto invite_replier = std::make_shared<RecordingReplier>();
  std::thread invite([&] { redirector_->Handle(Invite(), invite_replier); });
  entered.WaitForNotification();

  const std::vector<std::string> sent = Send(WithMethod("CANCEL"));
  ASSERT_THAT(Codes(sent), ElementsAre(200, 487));
  EXPECT_EQ(Response(sent[0]).cseq_method(), "CANCEL");
  EXPECT_EQ(Response(sent[1]).cseq_method(), "INVITE");
  EXPECT_EQ(Response(sent[0]).to_tag(), Response(sent[1]).to_tag());

  release.Notify();
  invite.join();
  EXPECT_THAT(Codes(invite_replier->sent()), ElementsAre(100));  // no 302 after the 487
  EXPECT_THAT(client_.cancelled(), ElementsAre("c-1"));
  EXPECT_EQ(client_.last_cancel_reason(), "caller_cancelled");
  // A retransmitted INVITE now gets the 487 again; the ACK is absorbed.
  EXPECT_THAT(Codes(Send(Invite())), ElementsAre(487));
  EXPECT_THAT(Send(WithMethod("ACK")), IsEmpty());
}

TEST_F(SipRedirectorTest, CancelDuringARouterTimeoutStillAbandonsTheContact) {
  absl::Notification entered, release;
  client_.BlockNextRoute(&entered, &release);
  client_.FailWith(absl::DeadlineExceededError("deadline"));
  auto invite_replier = std::make_shared<RecordingReplier>();
  std::thread invite([&] { redirector_->Handle(Invite(), invite_replier); });
  entered.WaitForNotification();
  EXPECT_THAT(Codes(Send(WithMethod("CANCEL"))), ElementsAre(200, 487));
  client_.FailWith(absl::OkStatus());  // the router is back: the contact it made is found
  release.Notify();
  invite.join();
  EXPECT_THAT(client_.routed(), SizeIs(2));  // the same idempotency key twice
  EXPECT_EQ(client_.routed()[0].idempotency_key(), client_.routed()[1].idempotency_key());
  EXPECT_THAT(client_.cancelled(), ElementsAre("c-1"));
}

TEST_F(SipRedirectorTest, CancelAfterTheRedirectAbandonsTheContactOnce) {
  ASSERT_THAT(Codes(Send(Invite())), ElementsAre(100, 302));
  EXPECT_THAT(Send(WithMethod("ACK")), IsEmpty());
  const std::vector<std::string> sent = Send(WithMethod("CANCEL"));
  ASSERT_THAT(Codes(sent), ElementsAre(200));
  EXPECT_THAT(client_.cancelled(), ElementsAre("c-1"));
  EXPECT_THAT(Codes(Send(WithMethod("CANCEL"))), ElementsAre(200));
  EXPECT_THAT(client_.cancelled(), SizeIs(1));
}

TEST_F(SipRedirectorTest, CancelForAnUnknownCallIs481) {
  EXPECT_THAT(Codes(Send(WithMethod("CANCEL", "nobody@test"))), ElementsAre(481));
  EXPECT_THAT(client_.cancelled(), IsEmpty());
}

TEST_F(SipRedirectorTest, CallsAreForgottenAfterCallMemory) {
  Send(Invite());
  now_ += absl::Minutes(11);
  redirector_->Tick();
  EXPECT_THAT(Codes(Send(WithMethod("CANCEL"))), ElementsAre(481));
}

TEST_F(SipRedirectorTest, FinalResponseIsRetransmittedOverUdpUntilTheAck) {
  auto replier = std::make_shared<RecordingReplier>(/*reliable=*/false);
  redirector_->Handle(Invite(), replier);
  ASSERT_THAT(Codes(replier->sent()), ElementsAre(100, 302));
  replier->Clear();
  now_ += absl::Milliseconds(499);
  redirector_->Tick();
  EXPECT_THAT(replier->sent(), IsEmpty());
  now_ += absl::Milliseconds(1);  // T1
  redirector_->Tick();
  EXPECT_THAT(Codes(replier->sent()), ElementsAre(302));
  now_ += absl::Milliseconds(1000);  // 2*T1
  redirector_->Tick();
  EXPECT_THAT(replier->sent(), SizeIs(2));
  Send(WithMethod("ACK"));
  now_ += absl::Seconds(10);
  redirector_->Tick();
  EXPECT_THAT(replier->sent(), SizeIs(2));
  EXPECT_EQ(redirector_->stats().final_retransmits, 2u);
}

TEST_F(SipRedirectorTest, RetransmissionGivesUpAfterTimerH) {
  auto replier = std::make_shared<RecordingReplier>(/*reliable=*/false);
  redirector_->Handle(Invite(), replier);
  for (int i = 0; i < 200; ++i) {
    now_ += absl::Milliseconds(250);
    redirector_->Tick();
  }
  const size_t count = replier->sent().size();
  EXPECT_GT(count, 5u);
  EXPECT_LT(count, 16u);
  now_ += absl::Seconds(5);
  redirector_->Tick();
  EXPECT_EQ(replier->sent().size(), count);
}

TEST_F(SipRedirectorTest, NoRetransmissionOverTcp) {
  auto replier = std::make_shared<RecordingReplier>(/*reliable=*/true);
  redirector_->Handle(Invite(), replier);
  now_ += absl::Seconds(2);
  redirector_->Tick();
  EXPECT_THAT(Codes(replier->sent()), ElementsAre(100, 302));
}

TEST_F(SipRedirectorTest, OptionsIsAKeepAlive) {
  const std::vector<std::string> sent = Send(WithMethod("OPTIONS"));
  ASSERT_THAT(Codes(sent), ElementsAre(200));
  EXPECT_THAT(sent[0], HasSubstr("\r\nAllow: INVITE, ACK, CANCEL, OPTIONS\r\n"));
  EXPECT_THAT(client_.routed(), IsEmpty());
}

TEST_F(SipRedirectorTest, UnsupportedMethodsAre405Or501) {
  for (const char* method : {"REGISTER", "BYE", "SUBSCRIBE", "NOTIFY", "INFO", "MESSAGE"}) {
    const std::vector<std::string> sent = Send(WithMethod(method));
    ASSERT_THAT(Codes(sent), ElementsAre(405)) << method;
    EXPECT_THAT(sent[0], HasSubstr("\r\nAllow: INVITE, ACK, CANCEL, OPTIONS\r\n"));
  }
  EXPECT_THAT(Codes(Send(WithMethod("FROBNICATE"))), ElementsAre(501));
  EXPECT_THAT(client_.routed(), IsEmpty());
}

TEST_F(SipRedirectorTest, RequiredExtensionIs420) {
  RequestParts p;
  p.extra_headers = {"Require: 100rel"};
  const std::vector<std::string> sent = Send(Request(p));
  ASSERT_THAT(Codes(sent), ElementsAre(420));
  EXPECT_EQ(Response(sent[0]).header("Unsupported"), "100rel");
}

TEST_F(SipRedirectorTest, DrainingAnswersNewInvitesWith503) {
  redirector_->SetDraining(true);
  const std::vector<std::string> sent = Send(Invite());
  ASSERT_THAT(Codes(sent), ElementsAre(503));
  EXPECT_EQ(Response(sent[0]).header("Retry-After"), "5");
  EXPECT_THAT(Codes(Send(WithMethod("OPTIONS"))), ElementsAre(200));
}

TEST_F(SipRedirectorTest, RejectAnswers503WithoutTheRouter) {
  RecordingReplier replier;
  redirector_->Reject(Invite(), replier);
  EXPECT_THAT(Codes(replier.sent()), ElementsAre(503));
  redirector_->Reject(WithMethod("ACK"), replier);
  EXPECT_THAT(replier.sent(), SizeIs(1));
  EXPECT_THAT(client_.routed(), IsEmpty());
}

TEST_F(SipRedirectorTest, IdempotencyKeyForLongOrBinaryCallIdsIsAHash) {
  EXPECT_EQ(IdempotencyKeyForCallId("abc@host"), "sip:abc@host");
  const std::string key = IdempotencyKeyForCallId(std::string(200, 'x'));
  EXPECT_THAT(key, ::testing::StartsWith("sip-sha256:"));
  EXPECT_EQ(key.size(), 11u + 64u);
  EXPECT_THAT(IdempotencyKeyForCallId(std::string("a\x01@b")),
              ::testing::StartsWith("sip-sha256:"));
  EXPECT_EQ(CallIdHash("abc").size(), 12u);
}

struct Malformed {
  std::string name;
  std::string bytes;
  int expected;  // 0: dropped, no response
};

std::string Replace(const std::string& s, const std::string& from, const std::string& to) {
  return absl::StrReplaceAll(s, {{from, to}});
}

std::vector<Malformed> MalformedCases() {
  const std::string invite = Invite();
  std::string huge = invite;
  huge.insert(huge.find("Content-Length"),
              absl::StrCat("X-Pad: ", std::string(20000, 'a'), "\r\n"));
  return {
      {"empty", "", 0},
      {"garbage", "\x01\x02\x03 hello \xff\xfe", 0},
      {"only crlf keepalive", "\r\n\r\n", 0},
      {"request line only, no headers", "INVITE sip:140123@pbx.test SIP/2.0\r\n\r\n", 400},
      {"http request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
      {"no Call-ID", Replace(invite, "Call-ID: call-1@test\r\n", ""), 400},
      {"no Via", Replace(invite, "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n", ""), 400},
      {"no From", Replace(invite, "From: \"Inwoner\" <sip:0612345678@pbx.test>;tag=from-1\r\n", ""),
       400},
      {"no To", Replace(invite, "To: <sip:140123@pbx.test>\r\n", ""), 400},
      {"no CSeq", Replace(invite, "CSeq: 1 INVITE\r\n", ""), 400},
      {"CSeq not a number", Replace(invite, "CSeq: 1 INVITE", "CSeq: x INVITE"), 400},
      {"CSeq too big", Replace(invite, "CSeq: 1 INVITE", "CSeq: 99999999999 INVITE"), 400},
      {"CSeq method mismatch", Replace(invite, "CSeq: 1 INVITE", "CSeq: 1 BYE"), 400},
      {"broken Via", Replace(invite, "Via: SIP/2.0/UDP", "Via: garbage"), 400},
      {"broken From", Replace(invite, "From: \"Inwoner\" <sip:", "From: <<<"), 400},
      {"SIP/3.0", Replace(invite, "SIP/2.0\r\n", "SIP/3.0\r\n"), 505},
      {"mailto Request-URI", Replace(invite, "INVITE sip:140123@pbx.test", "INVITE mailto:a@b"),
       416},
      {"Content-Length beyond the body",
       Replace(invite, "Content-Length: 0", "Content-Length: 500"), 400},
      {"huge", huge, 513},
      {"a response", "SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n", 0},
      {"malformed ACK", Replace(WithMethod("ACK"), "CSeq: 1 ACK", "CSeq: 1 BYE"), 0},
      {"NUL in the middle", Replace(invite, "Max-Forwards", std::string("Max\0Forwards", 12)), 400},
      {"truncated", invite.substr(0, 60), 400},
      {"no line breaks", std::string(3000, 'A'), 0},
  };
}

TEST_F(SipRedirectorTest, MalformedInputIsAnswered4xxOrDroppedNeverACrash) {
  for (const Malformed& c : MalformedCases()) {
    const std::vector<std::string> sent = Send(c.bytes);
    if (c.expected == 0) {
      EXPECT_THAT(sent, IsEmpty()) << c.name;
    } else {
      ASSERT_THAT(Codes(sent), ElementsAre(c.expected)) << c.name;
    }
  }
  EXPECT_THAT(client_.routed(), IsEmpty());
}

TEST_F(SipRedirectorTest, BadRequestSaysWhatWasWrongWithoutEchoingContent) {
  const std::vector<std::string> sent =
      Send(Replace(Invite(), "CSeq: 1 INVITE", "CSeq: notanumber"));
  ASSERT_THAT(Codes(sent), ElementsAre(400));
  EXPECT_THAT(Response(sent[0]).header("Warning"), HasSubstr("CSeq"));
  EXPECT_THAT(sent[0], ::testing::Not(HasSubstr("notanumber")));
  EXPECT_EQ(Response(sent[0]).call_id(), "call-1@test");  // enough to match the transaction
}

TEST_F(SipRedirectorTest, RandomMutationsNeverCrash) {
  std::mt19937 random(42);
  const std::string base = Request(RequestParts{
      .extra_headers = {"X-IVR-Choice: 1", "P-Asserted-Identity: <tel:+31612345678>"}});
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = base;
    const int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t at = random() % bytes.size();
      switch (random() % 3) {
        case 0:
          bytes[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          bytes.erase(at, 1 + random() % 10);
          break;
        default:
          bytes.insert(at, 1 + random() % 5, static_cast<char>(random() % 256));
      }
      if (bytes.empty()) bytes = "x";
    }
    Send(bytes);
  }
  SUCCEED();
}

}  // namespace
}  // namespace wissel::adapters::sip::testing
