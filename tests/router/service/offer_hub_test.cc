#include "router/service/offer_hub.h"

#include <vector>

#include "gtest/gtest.h"

namespace wissel::service {
namespace {

class RecordingSink : public OfferSink {
 public:
  void Send(const v1::Offer& offer) override { sent.push_back(offer.contact_id()); }
  void Close(const grpc::Status& status) override {
    closed = true;
    close_code = status.error_code();
  }
  std::vector<std::string> sent;
  bool closed = false;
  grpc::StatusCode close_code = grpc::StatusCode::OK;
};

v1::Offer MakeOffer(const std::string& id, v1::Offer::Kind kind = v1::Offer::KIND_OFFER) {
  v1::Offer o;
  o.set_kind(kind);
  o.set_contact_id(id);
  return o;
}

TEST(OfferHubTest, OffersWaitForTheStreamAndWithdrawalsCancelThem) {
  OfferHub hub;
  hub.Deliver("t", "h1", MakeOffer("c1"));
  hub.Deliver("t", "h1", MakeOffer("c2"));
  hub.Deliver("t", "h1", MakeOffer("c1", v1::Offer::KIND_WITHDRAWN));
  RecordingSink sink;
  hub.Attach("t", "h1", &sink);
  EXPECT_EQ(sink.sent, std::vector<std::string>{"c2"});
  hub.Deliver("t", "h1", MakeOffer("c3"));
  EXPECT_EQ(sink.sent, (std::vector<std::string>{"c2", "c3"}));
  EXPECT_EQ(hub.attached(), 1u);
  hub.Detach("t", "h1", &sink);
  EXPECT_EQ(hub.attached(), 0u);
}

TEST(OfferHubTest, ANewerStreamReplacesTheOlder) {
  OfferHub hub;
  RecordingSink first, second;
  hub.Attach("t", "h1", &first);
  hub.Attach("t", "h1", &second);
  EXPECT_TRUE(first.closed);
  EXPECT_EQ(first.close_code, grpc::StatusCode::ABORTED);
  hub.Detach("t", "h1", &first);  // the old stream going away does not detach the new one
  hub.Deliver("t", "h1", MakeOffer("c1"));
  EXPECT_EQ(second.sent, std::vector<std::string>{"c1"});
}

TEST(OfferHubTest, PendingOffersAreBounded) {
  OfferHub hub;
  for (size_t i = 0; i < OfferHub::kMaxPendingOffers + 10; ++i) {
    hub.Deliver("t", "h1", MakeOffer(std::to_string(i)));
  }
  RecordingSink sink;
  hub.Attach("t", "h1", &sink);
  ASSERT_EQ(sink.sent.size(), OfferHub::kMaxPendingOffers);
  EXPECT_EQ(sink.sent.front(), "10");  // the oldest were dropped
}

TEST(OfferHubTest, CloseAllEndsStreamsAndRefusesNewOnes) {
  OfferHub hub;
  RecordingSink a, b;
  hub.Attach("t", "h1", &a);
  hub.CloseAll(grpc::Status::OK);
  EXPECT_TRUE(a.closed);
  hub.Attach("t", "h2", &b);
  EXPECT_TRUE(b.closed);
}

}  // namespace
}  // namespace wissel::service
