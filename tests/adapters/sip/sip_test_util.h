// Helpers for the phone adapter's tests: a test dial plan, SIP request builders, a Replier that
// records what it is sent, and response accessors (parsed with libosip2).
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "adapters/sip/peer_filter.h"
#include "adapters/sip/sip_config.h"
#include "adapters/sip/sip_message.h"
#include "adapters/sip/sip_redirector.h"

namespace wissel::adapters::sip::testing {

inline constexpr char kTestConfigYaml[] = R"yaml(
tenant: gemeente-test
numbers:
  - number: "14 0123"
    topic: algemene-vraag
    ivr: {"1": paspoort, "2": verhuizing}
  - number: "0123-456789"
    topic: wmo-hulpmiddelen
handler_uri_template: "sip:{handler}@pbx.test"
use_handler_address: true
waiting:
  default: "sip:wacht@pbx.test"
  queues: {burgerzaken: "sip:wacht-burgerzaken@pbx.test"}
announcements:
  closed: "sip:gesloten@pbx.test"
  digital: "sip:digitaal@pbx.test"
  callback: "sip:terugbellen@pbx.test"
trusted_peers: [127.0.0.1, "2001:db8::/32"]
retry_after: 5s
call_memory: 10m
)yaml";

// A source address of the trusted PBX of kTestConfigYaml, and one outside trusted_peers.
inline constexpr char kTrustedPeer[] = "127.0.0.1";
inline constexpr char kStranger[] = "192.0.2.1";

inline SipConfig TestConfig() {
  absl::StatusOr<SipConfig> config = ParseSipConfig(kTestConfigYaml, "test.yaml");
  if (!config.ok()) return SipConfig{};
  return *config;
}

struct RequestParts {
  std::string method = "INVITE";
  std::string call_id = "call-1@test";
  std::string ruri_user = "140123";
  std::string from_user = "0612345678";
  int cseq = 1;
  std::string branch = "z9hG4bK-1";
  std::vector<std::string> extra_headers;
};

inline std::string Request(const RequestParts& p) {
  std::string out = absl::StrCat(
      p.method, " sip:", p.ruri_user, "@pbx.test SIP/2.0\r\n",
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=", p.branch, "\r\n", "Max-Forwards: 70\r\n",
      "From: \"Inwoner\" <sip:", p.from_user, "@pbx.test>;tag=from-1\r\n", "To: <sip:", p.ruri_user,
      "@pbx.test>\r\n", "Call-ID: ", p.call_id, "\r\n", "CSeq: ", p.cseq, " ", p.method, "\r\n");
  for (const std::string& h : p.extra_headers) absl::StrAppend(&out, h, "\r\n");
  absl::StrAppend(&out, "Content-Length: 0\r\n\r\n");
  return out;
}

inline std::string Invite(const std::string& call_id = "call-1@test",
                          const std::string& ruri_user = "140123") {
  RequestParts p;
  p.call_id = call_id;
  p.ruri_user = ruri_user;
  return Request(p);
}

inline std::string WithMethod(const std::string& method, const std::string& call_id = "call-1@test",
                              int cseq = 1) {
  RequestParts p;
  p.method = method;
  p.call_id = call_id;
  p.cseq = cseq;
  return Request(p);
}

class RecordingReplier : public Replier {
 public:
  // `peer`: the request's source address (a trusted one by default).
  explicit RecordingReplier(bool reliable = false, const char* peer = kTrustedPeer)
      : reliable_(reliable), peer_(IpAddress::Parse(peer).value()) {}
  void Send(absl::string_view message) override {
    absl::MutexLock lock(&mu_);
    sent_.emplace_back(message);
  }
  bool reliable() const override { return reliable_; }
  std::optional<IpAddress> peer_address() const override { return peer_; }
  std::vector<std::string> sent() const {
    absl::MutexLock lock(&mu_);
    return sent_;
  }
  void Clear() {
    absl::MutexLock lock(&mu_);
    sent_.clear();
  }

 private:
  const bool reliable_;
  const IpAddress peer_;
  mutable absl::Mutex mu_;
  std::vector<std::string> sent_;
};

// A response parsed by libosip2; status() is 0 when it does not parse.
class Response {
 public:
  explicit Response(absl::string_view bytes) {
    absl::StatusOr<OsipMessagePtr> parsed = ParseSipMessage(bytes);
    if (parsed.ok()) message_ = *std::move(parsed);
  }
  int status() const { return message_ ? message_->status_code : 0; }
  std::string header(absl::string_view name) const {
    return message_ ? std::string(GenericHeader(*message_, name)) : "";
  }
  std::string contact() const {
    if (!message_) return "";
    osip_contact_t* contact = nullptr;
    if (osip_message_get_contact(message_.get(), 0, &contact) < 0 || contact == nullptr) return "";
    char* text = nullptr;
    if (osip_uri_to_str(contact->url, &text) != 0) return "";
    std::string out(text);
    osip_free(text);
    return out;
  }
  std::string to_tag() const {
    if (!message_ || message_->to == nullptr) return "";
    osip_generic_param_t* tag = nullptr;
    char tag_name[] = "tag";  // libosip2 takes a non-const name
    if (osip_generic_param_get_byname(&message_->to->gen_params, tag_name, &tag) != 0 ||
        tag == nullptr || tag->gvalue == nullptr) {
      return "";
    }
    return tag->gvalue;
  }
  std::string cseq_method() const {
    return message_ && message_->cseq && message_->cseq->method ? message_->cseq->method : "";
  }
  std::string call_id() const {
    if (!message_ || message_->call_id == nullptr || message_->call_id->number == nullptr) {
      return "";
    }
    return message_->call_id->host == nullptr
               ? std::string(message_->call_id->number)
               : absl::StrCat(message_->call_id->number, "@", message_->call_id->host);
  }
  int via_count() const { return message_ ? osip_list_size(&message_->vias) : 0; }
  const osip_message_t* get() const { return message_.get(); }

 private:
  OsipMessagePtr message_;
};

inline std::vector<int> Codes(const std::vector<std::string>& sent) {
  std::vector<int> codes;
  for (const std::string& s : sent) codes.push_back(Response(s).status());
  return codes;
}

}  // namespace wissel::adapters::sip::testing
