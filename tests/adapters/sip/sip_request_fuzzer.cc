// libFuzzer harness for the phone adapter's request handling: arbitrary bytes go to
// SipRedirector::Handle with a fake router, as a datagram would. The first byte also picks the
// router's answer and whether the sender is a trusted peer, so that every response path is
// reached. Built with -DWISSEL_FUZZ=ON and
// clang (see adapters/sip/README.md); in every build, sip_request_fuzzer_test replays the seed
// corpus through the same entry point.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "adapters/sip/sip_redirector.h"
#include "tests/adapters/sip/scripted_router_client.h"
#include "tests/adapters/sip/sip_test_util.h"

namespace {

using wissel::adapters::sip::Replier;
using wissel::adapters::sip::SipRedirector;
using wissel::adapters::sip::testing::ScriptedRouterClient;

class NullReplier : public Replier {
 public:
  explicit NullReplier(const char* peer)
      : peer_(wissel::adapters::sip::IpAddress::Parse(peer).value()) {}
  void Send(absl::string_view message) override { bytes_ += message.size(); }
  bool reliable() const override { return false; }
  std::optional<wissel::adapters::sip::IpAddress> peer_address() const override { return peer_; }

 private:
  size_t bytes_ = 0;
  wissel::adapters::sip::IpAddress peer_;
};

wissel::adapters::sip::SipRedirectorOptions SmallTables() {
  wissel::adapters::sip::SipRedirectorOptions options;
  options.max_transactions = 5000;  // keep memory and Tick() small over millions of inputs
  options.max_calls = 5000;
  return options;
}

struct Harness {
  Harness() : redirector(wissel::adapters::sip::testing::TestConfig(), &client, SmallTables()) {}
  ScriptedRouterClient client;
  SipRedirector redirector;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();
  if (size > 0) {
    switch (data[0] % 7) {
      case 0:
        harness->client.Assign("h-1");
        break;
      case 1:
        harness->client.QueueIn("burgerzaken", 2, 30);
        break;
      case 2:
        harness->client.Outcome(wissel::v1::Decision::OUTCOME_CLOSED);
        break;
      case 3:
        harness->client.Outcome(wissel::v1::Decision::OUTCOME_DIGITAL);
        break;
      case 4:
        harness->client.Outcome(wissel::v1::Decision::OUTCOME_CALLBACK);
        break;
      case 5:
        harness->client.FailWith(absl::UnavailableError("down"));
        break;
      default:
        harness->client.FailWith(absl::OkStatus());
        harness->client.RefuseParty(data[0] & 0x80);
    }
  }
  // A bit of the first byte also picks the sender: the trusted PBX of the test configuration,
  // or a stranger (the 403 path).
  auto replier =
      std::make_shared<NullReplier>(size > 0 && (data[0] & 0x40) != 0 ? "192.0.2.1" : "127.0.0.1");
  harness->redirector.Handle(absl::string_view(reinterpret_cast<const char*>(data), size), replier);
  harness->redirector.Reject(absl::string_view(reinterpret_cast<const char*>(data), size),
                             *replier);
  harness->redirector.Tick();
  return 0;
}
