#include "adapters/sip/sip_redirector.h"

#include <glog/logging.h>
#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "adapters/common/api_names.h"
#include "adapters/common/bad_request.h"
#include "adapters/sip/caller_id.h"

namespace wissel::adapters::sip {
namespace {

constexpr char kAllow[] = "INVITE, ACK, CANCEL, OPTIONS";
constexpr size_t kMaxPlainKeyLength = 124;  // "sip:" + this fits the router's 128 bytes
constexpr size_t kMaxHandlerCache = 10000;

// Methods we know but do not serve: answered 405 with Allow. Anything else is 501.
constexpr absl::string_view kKnownMethods[] = {"REGISTER", "BYE",  "PRACK", "SUBSCRIBE", "NOTIFY",
                                               "PUBLISH",  "INFO", "REFER", "MESSAGE",   "UPDATE"};

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return std::string(64, '0');
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

bool IsPrintable(absl::string_view s) {
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) return false;
  }
  return true;
}

std::string CallIdOf(const osip_message_t& message) {
  if (message.call_id == nullptr || message.call_id->number == nullptr) return {};
  if (message.call_id->host == nullptr) return message.call_id->number;
  return absl::StrCat(message.call_id->number, "@", message.call_id->host);
}

std::string CSeqNumberOf(const osip_message_t& message) {
  if (message.cseq == nullptr || message.cseq->number == nullptr) return {};
  return message.cseq->number;
}

std::string TransactionKey(absl::string_view call_id, absl::string_view cseq_number) {
  return absl::StrCat(call_id, "\n", cseq_number);
}

bool IsKeepAlive(absl::string_view bytes) {
  for (char c : bytes) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') return false;
  }
  return true;
}

// Bytes of body actually present after the header section; nullopt when there is no end of
// headers at all.
std::optional<size_t> BodyBytes(absl::string_view bytes) {
  size_t end = bytes.find("\r\n\r\n");
  if (end != absl::string_view::npos) return bytes.size() - end - 4;
  end = bytes.find("\n\n");
  if (end != absl::string_view::npos) return bytes.size() - end - 2;
  return std::nullopt;
}

struct Problem {
  int code;
  std::string what;
};

std::optional<Problem> CheckRequest(const osip_message_t& m, absl::string_view bytes) {
  if (m.sip_version == nullptr || !absl::EqualsIgnoreCase(m.sip_version, "SIP/2.0")) {
    return Problem{505, "only SIP/2.0 is supported"};
  }
  if (m.sip_method == nullptr || m.req_uri == nullptr || m.req_uri->scheme == nullptr) {
    return Problem{400, "missing Request-URI"};
  }
  const std::string scheme = absl::AsciiStrToLower(m.req_uri->scheme);
  if (scheme != "sip" && scheme != "sips" && scheme != "tel") {
    return Problem{416, "Request-URI scheme must be sip, sips or tel"};
  }
  if (osip_list_size(&m.vias) <= 0) return Problem{400, "missing Via header"};
  if (m.from == nullptr || m.from->url == nullptr) return Problem{400, "missing From header"};
  if (m.to == nullptr || m.to->url == nullptr) return Problem{400, "missing To header"};
  if (m.call_id == nullptr || m.call_id->number == nullptr || m.call_id->number[0] == '\0') {
    return Problem{400, "missing Call-ID header"};
  }
  if (m.cseq == nullptr || m.cseq->number == nullptr || m.cseq->method == nullptr) {
    return Problem{400, "missing CSeq header"};
  }
  const absl::string_view number = m.cseq->number;
  uint32_t value = 0;
  if (number.empty() || number.size() > 10 || !absl::SimpleAtoi(number, &value) ||
      value > 0x7fffffffu || !std::all_of(number.begin(), number.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    return Problem{400, "malformed CSeq number"};
  }
  if (absl::string_view(m.cseq->method) != absl::string_view(m.sip_method)) {
    return Problem{400, "CSeq method does not match the request method"};
  }
  if (m.content_length != nullptr && m.content_length->value != nullptr) {
    size_t declared = 0;
    if (!absl::SimpleAtoi(m.content_length->value, &declared)) {
      return Problem{400, "malformed Content-Length"};
    }
    const std::optional<size_t> present = BodyBytes(bytes);
    if (present.has_value() && declared > *present) {
      return Problem{400, "Content-Length larger than the body"};
    }
  }
  return std::nullopt;
}

std::string EscapeUserPart(absl::string_view user) {
  std::string out;
  for (char c : user) {
    const auto byte = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' ||
        c == '*' || c == '\'' || c == '(' || c == ')') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", byte);
    }
  }
  return out;
}

// Errors after which retrying later may help: answered 503 with Retry-After.
bool IsTransient(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
      return false;
    default:
      return true;
  }
}

// The router may or may not have made the contact before this error.
bool OutcomeUnknown(absl::StatusCode code) {
  return code == absl::StatusCode::kDeadlineExceeded || code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kCancelled || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kInternal;
}

// The router refused the caller's number (a field violation under contact.party), read from
// the structured BadRequest the router client keeps, not from the message.
bool RefusesParty(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(ViolatedField(status), "contact.party");
}

}  // namespace

std::string IdempotencyKeyForCallId(absl::string_view call_id) {
  if (!call_id.empty() && call_id.size() <= kMaxPlainKeyLength && IsPrintable(call_id)) {
    return absl::StrCat("sip:", call_id);
  }
  return absl::StrCat("sip-sha256:", Sha256Hex(call_id));
}

std::string CallIdHash(absl::string_view call_id) { return Sha256Hex(call_id).substr(0, 12); }

SipRedirector::SipRedirector(SipConfig config, RouterClient* client, SipRedirectorOptions options)
    : config_(std::move(config)),
      dial_plan_(config_),
      client_(client),
      options_(std::move(options)) {
  InitOsip();
}

SipRedirectorStats SipRedirector::stats() const {
  SipRedirectorStats s;
  s.requests = counters_.requests.load();
  s.invites = counters_.invites.load();
  s.redirects = counters_.redirects.load();
  s.retransmissions = counters_.retransmissions.load();
  s.cancels = counters_.cancels.load();
  s.router_errors = counters_.router_errors.load();
  s.bad_requests = counters_.bad_requests.load();
  s.dropped = counters_.dropped.load();
  s.rejected = counters_.rejected.load();
  s.final_retransmits = counters_.final_retransmits.load();
  s.forbidden = counters_.forbidden.load();
  return s;
}

ResponseSpec SipRedirector::ServiceUnavailable() const {
  ResponseSpec spec;
  spec.code = 503;
  spec.headers.emplace_back(
      "Retry-After", absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(config_.retry_after))));
  return spec;
}

std::string SipRedirector::Build(const osip_message_t& request, ResponseSpec spec) {
  spec.headers.emplace_back("Server", options_.server_name);
  absl::StatusOr<std::string> bytes = BuildResponse(request, spec);
  if (bytes.ok()) return *std::move(bytes);
  LOG_EVERY_N(ERROR, 100) << "cannot build a " << spec.code << " response: " << bytes.status();
  if (spec.code == 500) return {};
  ResponseSpec fallback;
  fallback.code = 500;
  fallback.to_tag = spec.to_tag;
  return Build(request, std::move(fallback));
}

void SipRedirector::Respond(const osip_message_t& request, Replier& replier, ResponseSpec spec) {
  const int code = spec.code;
  if (code == 400 || code == 416 || code == 420 || code == 505 || code == 513) {
    counters_.bad_requests.fetch_add(1);
  }
  const std::string bytes = Build(request, std::move(spec));
  if (bytes.empty()) return;
  replier.Send(bytes);
  if (options_.on_response) {
    options_.on_response(request.sip_method != nullptr ? request.sip_method : "", code);
  }
}

void SipRedirector::RespondToBroken(absl::string_view bytes, Replier& replier, int code,
                                    absl::string_view fallback_problem) {
  std::string problem;
  absl::StatusOr<OsipMessagePtr> salvaged =
      SalvageRequest(bytes, options_.max_message_bytes, &problem);
  if (!salvaged.ok() || absl::string_view((*salvaged)->sip_method) == "ACK") {
    counters_.dropped.fetch_add(1);
    VLOG(1) << "dropped an unreadable message of " << bytes.size() << " bytes";
    return;
  }
  ResponseSpec spec;
  spec.code = code;
  {
    absl::MutexLock lock(&mu_);
    spec.to_tag = NewTagLocked();
  }
  const std::string what = code == 400 ? problem : std::string(fallback_problem);
  spec.headers.emplace_back("Warning",
                            absl::StrCat("399 ", options_.server_name, " \"",
                                         absl::StrReplaceAll(what, {{"\"", "'"}}), "\""));
  Respond(**salvaged, replier, std::move(spec));
}

bool SipRedirector::IsTrustedPeer(const Replier& replier) const {
  const std::optional<IpAddress> peer = replier.peer_address();
  return peer.has_value() && config_.trusted_peers.Contains(*peer);
}

void SipRedirector::Forbid(absl::string_view bytes, Replier& replier) {
  counters_.forbidden.fetch_add(1);
  const std::optional<IpAddress> peer = replier.peer_address();
  LOG_EVERY_N(WARNING, 100) << "refusing SIP from " << (peer ? peer->ToString() : "unknown")
                            << ": not in trusted_peers";
  if (bytes.size() > options_.max_message_bytes) return;
  absl::StatusOr<OsipMessagePtr> message = ParseSipMessage(bytes);
  if (!message.ok() || !MSG_IS_REQUEST(message->get()) || (*message)->sip_method == nullptr ||
      absl::string_view((*message)->sip_method) == "ACK") {
    return;
  }
  ResponseSpec spec;
  spec.code = 403;
  {
    absl::MutexLock lock(&mu_);
    spec.to_tag = NewTagLocked();
  }
  Respond(**message, replier, std::move(spec));
}

void SipRedirector::Reject(absl::string_view bytes, Replier& replier) {
  if (IsKeepAlive(bytes)) return;
  if (!config_.allow_any_peer && !IsTrustedPeer(replier)) {
    Forbid(bytes, replier);
    return;
  }
  if (bytes.size() > options_.max_message_bytes) return;
  absl::StatusOr<OsipMessagePtr> message = ParseSipMessage(bytes);
  if (!message.ok() || !MSG_IS_REQUEST(message->get()) || (*message)->sip_method == nullptr ||
      absl::string_view((*message)->sip_method) == "ACK") {
    counters_.dropped.fetch_add(1);
    return;
  }
  counters_.rejected.fetch_add(1);
  ResponseSpec spec = ServiceUnavailable();
  {
    absl::MutexLock lock(&mu_);
    spec.to_tag = NewTagLocked();
  }
  Respond(**message, replier, std::move(spec));
}

void SipRedirector::Handle(absl::string_view bytes, const std::shared_ptr<Replier>& replier) {
  if (IsKeepAlive(bytes)) return;  // RFC 5626 CRLF keep-alives
  // First of all: only the PBX may talk to us. Nothing below runs for anyone else.
  const bool trusted_peer = IsTrustedPeer(*replier);
  if (!trusted_peer && !config_.allow_any_peer) {
    Forbid(bytes, *replier);
    return;
  }
  if (bytes.size() > options_.max_message_bytes) {
    RespondToBroken(bytes, *replier, 513, "message larger than the adapter accepts");
    return;
  }
  absl::StatusOr<OsipMessagePtr> message = ParseSipMessage(bytes);
  if (!message.ok()) {
    RespondToBroken(bytes, *replier, 400, "");
    return;
  }
  osip_message_t& request = **message;
  if (!MSG_IS_REQUEST(&request) || request.sip_method == nullptr) {
    counters_.dropped.fetch_add(1);  // a stray response: a redirect server sends no requests
    return;
  }
  HandleRequest(request, bytes, replier, trusted_peer);
}

void SipRedirector::HandleRequest(osip_message_t& request, absl::string_view bytes,
                                  const std::shared_ptr<Replier>& replier, bool trusted_peer) {
  counters_.requests.fetch_add(1);
  const absl::string_view method = request.sip_method;
  if (std::optional<Problem> problem = CheckRequest(request, bytes); problem.has_value()) {
    if (method == "ACK") {
      counters_.dropped.fetch_add(1);
      return;
    }
    ResponseSpec spec;
    spec.code = problem->code;
    {
      absl::MutexLock lock(&mu_);
      spec.to_tag = NewTagLocked();
    }
    spec.headers.emplace_back(
        "Warning", absl::StrCat("399 ", options_.server_name, " \"", problem->what, "\""));
    Respond(request, *replier, std::move(spec));
    return;
  }
  if (method == "ACK") {
    HandleAck(request);
    return;
  }
  if (method == "CANCEL") {
    HandleCancel(request, replier);
    return;
  }
  ResponseSpec spec;
  {
    absl::MutexLock lock(&mu_);
    spec.to_tag = NewTagLocked();
  }
  if (method == "INVITE" || method == "OPTIONS") {
    const absl::string_view require = GenericHeader(request, "Require");
    if (!require.empty()) {
      spec.code = 420;
      spec.headers.emplace_back("Unsupported", std::string(require));
      Respond(request, *replier, std::move(spec));
      return;
    }
  }
  if (method == "INVITE") {
    HandleInvite(request, bytes, replier, trusted_peer);
    return;
  }
  if (method == "OPTIONS") {
    spec.code = 200;
    spec.headers.emplace_back("Allow", kAllow);
    spec.headers.emplace_back("Accept", "application/sdp");
    Respond(request, *replier, std::move(spec));
    return;
  }
  const bool known = std::find(std::begin(kKnownMethods), std::end(kKnownMethods), method) !=
                     std::end(kKnownMethods);
  spec.code = known ? 405 : 501;
  spec.headers.emplace_back("Allow", kAllow);
  Respond(request, *replier, std::move(spec));
}

void SipRedirector::HandleInvite(osip_message_t& invite, absl::string_view bytes,
                                 const std::shared_ptr<Replier>& replier, bool trusted_peer) {
  const std::string call_id = CallIdOf(invite);
  const std::string key = TransactionKey(call_id, CSeqNumberOf(invite));
  const absl::Time now = options_.now();
  std::string to_tag;
  std::string resend;
  bool trying_again = false;
  bool reject = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = transactions_.find(key);
    if (it != transactions_.end()) {
      // A retransmission: the same answer again, without asking the router.
      counters_.retransmissions.fetch_add(1);
      if (it->second.state == TxnState::kProceeding) {
        trying_again = true;
      } else {
        resend = it->second.final_response;
      }
    } else if (draining()) {
      reject = true;
    } else {
      ExpireLocked(now);
      Transaction& txn = transactions_[key];
      txn.to_tag = NewTagLocked();
      txn.call_id = call_id;
      txn.invite = std::string(bytes);
      txn.replier = replier;
      txn.expires = now + options_.transaction_linger + absl::Minutes(1);
      transaction_order_.emplace_back(txn.expires, key);
      to_tag = txn.to_tag;
    }
  }
  if (reject) {
    counters_.rejected.fetch_add(1);
    ResponseSpec spec = ServiceUnavailable();
    {
      absl::MutexLock lock(&mu_);
      spec.to_tag = NewTagLocked();
    }
    Respond(invite, *replier, std::move(spec));
    return;
  }
  if (trying_again) {
    ResponseSpec trying;
    trying.code = 100;
    Respond(invite, *replier, std::move(trying));
    return;
  }
  if (!resend.empty()) {
    replier->Send(resend);
    return;
  }
  if (to_tag.empty()) return;  // retransmission of a cancelled INVITE whose 487 is not built yet

  counters_.invites.fetch_add(1);
  {
    ResponseSpec trying;
    trying.code = 100;
    Respond(invite, *replier, std::move(trying));
  }
  Final final = Route(invite, call_id, trusted_peer);
  final.spec.to_tag = to_tag;
  const std::string response = Build(invite, final.spec);

  bool cancelled = false;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time done = options_.now();
    auto it = transactions_.find(key);
    if (it != transactions_.end()) {
      Transaction& txn = it->second;
      if (txn.state == TxnState::kTerminated) {
        cancelled = true;
      } else {
        txn.state = TxnState::kCompleted;
        txn.final_response = response;
        txn.invite.clear();
        txn.invite.shrink_to_fit();
        txn.expires = done + options_.transaction_linger;
        transaction_order_.emplace_back(txn.expires, key);
        if (!replier->reliable()) ArmRetransmit(key, txn, done);
      }
    }
    if (!final.contact_id.empty()) RememberCall(call_id, final.contact_id, cancelled, done);
  }
  if (cancelled) {
    AbandonAfterCancel(final, call_id);
    return;
  }
  if (!response.empty()) replier->Send(response);
}

SipRedirector::Final SipRedirector::Route(const osip_message_t& invite, const std::string& call_id,
                                          bool trusted_peer) {
  Final final;
  absl::StatusOr<DialResult> dial =
      dial_plan_.Resolve(UriUser(invite.req_uri), GenericHeader(invite, config_.ivr_header));
  if (!dial.ok()) {
    final.spec.code = 404;
    final.spec.headers.emplace_back(
        "Warning", absl::StrCat("399 ", options_.server_name, " \"number not configured\""));
    return final;
  }
  v1::Contact& contact = final.contact;
  contact.set_tenant(config_.tenant);
  contact.set_channel(v1::CHANNEL_PHONE);
  contact.set_topic(dial->topic);
  contact.set_idempotency_key(IdempotencyKeyForCallId(call_id));
  (*contact.mutable_attributes())["sip.dialled_number"] = dial->number;
  if (!dial->ivr_choice.empty()) {
    (*contact.mutable_attributes())["sip.ivr_choice"] = dial->ivr_choice;
  }
  // P-Asserted-Identity is a claim anyone can write; only the PBX's is believed (with
  // allow_any_peer, requests from other sources get here too).
  if (std::optional<std::string> number =
          CallerNumber(invite, config_.trust_asserted_identity && trusted_peer);
      number.has_value()) {
    contact.mutable_party()->set_phone_number(*number);
  }

  absl::StatusOr<v1::RouteContactResponse> routed = RouteContact(contact);
  if (!routed.ok() && contact.has_party() && RefusesParty(routed.status())) {
    // The router refused the number: route the call as anonymous rather than not at all.
    contact.clear_party();
    routed = RouteContact(contact);
  }
  const std::string hash = CallIdHash(call_id);
  if (!routed.ok()) {
    counters_.router_errors.fetch_add(1);
    final.router_status = routed.status();
    LOG_EVERY_N(WARNING, 50) << "call " << hash << ": router: " << routed.status()
                             << " (every 50th shown)";
    if (IsTransient(routed.status().code())) {
      ResponseSpec spec = ServiceUnavailable();
      final.spec = std::move(spec);
    } else {
      final.spec.code = 500;
      final.spec.headers.emplace_back(
          "Warning", absl::StrCat("399 ", options_.server_name, " \"router refused the call\""));
    }
    return final;
  }
  final.contact_id = routed->contact_id();
  const v1::Decision& decision = routed->decision();
  std::string uri;
  switch (decision.outcome()) {
    case v1::Decision::OUTCOME_ASSIGNED:
      uri = HandlerUri(decision.handler_id());
      break;
    case v1::Decision::OUTCOME_QUEUED: {
      auto it = config_.queue_waiting_uris.find(decision.queue());
      uri = it != config_.queue_waiting_uris.end() ? it->second : config_.default_waiting_uri;
      break;
    }
    case v1::Decision::OUTCOME_DIGITAL:
      uri = config_.digital_uri;
      break;
    case v1::Decision::OUTCOME_CALLBACK:
      uri = config_.callback_uri;
      break;
    case v1::Decision::OUTCOME_CLOSED:
      uri = config_.closed_uri;
      break;
    default:
      break;
  }
  if (uri.empty()) {
    LOG_EVERY_N(ERROR, 50) << "call " << hash << " contact " << final.contact_id
                           << ": decision without a usable outcome";
    final.spec.code = 500;
    return final;
  }
  ResponseSpec& spec = final.spec;
  spec.code = 302;
  spec.contact = uri;
  spec.headers.emplace_back("X-Wissel-Contact-Id", final.contact_id);
  spec.headers.emplace_back("X-Wissel-Outcome", adapters::OutcomeName(decision.outcome()));
  if (!decision.queue().empty() && IsPrintable(decision.queue())) {
    spec.headers.emplace_back("X-Wissel-Queue", decision.queue());
  }
  if (decision.outcome() == v1::Decision::OUTCOME_QUEUED) {
    spec.headers.emplace_back("X-Wissel-Queue-Position", absl::StrCat(decision.position()));
    const int64_t nanos =
        decision.expected_wait().seconds() * 1000000000 + decision.expected_wait().nanos();
    const int64_t seconds = nanos <= 0 ? 0 : (nanos + 999999999) / 1000000000;
    spec.headers.emplace_back("X-Wissel-Expected-Wait", absl::StrCat(seconds));
  }
  if (decision.outcome() == v1::Decision::OUTCOME_DIGITAL &&
      !decision.digital_offer().url().empty() && IsPrintable(decision.digital_offer().url())) {
    spec.headers.emplace_back("X-Wissel-Digital-Url", decision.digital_offer().url());
  }
  counters_.redirects.fetch_add(1);
  VLOG(1) << "call " << hash << " -> contact " << final.contact_id << " "
          << adapters::OutcomeName(decision.outcome()) << (routed->replayed() ? " (replayed)" : "");
  return final;
}

std::string SipRedirector::HandlerUri(const std::string& handler_id) {
  std::string from_template = absl::StrReplaceAll(config_.handler_uri_template,
                                                  {{"{handler}", EscapeUserPart(handler_id)}});
  if (!config_.use_handler_address) return from_template;
  const absl::Time now = options_.now();
  {
    absl::MutexLock lock(&mu_);
    auto it = handler_addresses_.find(handler_id);
    if (it != handler_addresses_.end() && it->second.expires > now) return it->second.uri;
  }
  v1::GetHandlerRequest request;
  request.set_tenant(config_.tenant);
  request.set_handler_id(handler_id);
  absl::StatusOr<v1::Handler> handler = client_->GetHandler(request);
  if (!handler.ok()) {
    LOG_EVERY_N(WARNING, 50) << "GetHandler " << handler_id << ": " << handler.status();
    return from_template;  // not cached: ask again next time
  }
  std::string uri = from_template;
  if (!handler->address().empty()) {
    if (ValidateSipUri(handler->address()).ok()) {
      uri = handler->address();
    } else {
      LOG_EVERY_N(WARNING, 50) << "handler " << handler_id
                               << " has an address that is not a SIP URI; using the template";
    }
  }
  absl::MutexLock lock(&mu_);
  if (handler_addresses_.size() >= kMaxHandlerCache) handler_addresses_.clear();
  handler_addresses_[handler_id] = CachedAddress{uri, now + options_.handler_address_ttl};
  return uri;
}

void SipRedirector::HandleCancel(osip_message_t& cancel, const std::shared_ptr<Replier>& replier) {
  const std::string call_id = CallIdOf(cancel);
  const std::string key = TransactionKey(call_id, CSeqNumberOf(cancel));
  std::string to_tag;
  std::string pending_invite;
  std::string contact_to_cancel;
  bool found = false;
  {
    absl::MutexLock lock(&mu_);
    auto txn = transactions_.find(key);
    if (txn != transactions_.end()) {
      found = true;
      to_tag = txn->second.to_tag;
      if (txn->second.state == TxnState::kProceeding) {
        txn->second.state = TxnState::kTerminated;
        pending_invite = std::move(txn->second.invite);
        txn->second.invite.clear();
      }
    }
    auto call = calls_.find(call_id);
    if (pending_invite.empty() && call != calls_.end()) {
      found = true;
      if (!call->second.cancelled) {
        call->second.cancelled = true;
        contact_to_cancel = call->second.contact_id;
      }
    }
    if (to_tag.empty()) to_tag = NewTagLocked();
  }
  ResponseSpec spec;
  spec.to_tag = to_tag;
  if (!found) {
    spec.code = 481;
    Respond(cancel, *replier, std::move(spec));
    return;
  }
  counters_.cancels.fetch_add(1);
  spec.code = 200;
  Respond(cancel, *replier, std::move(spec));

  if (!pending_invite.empty()) {
    // RFC 3261 §9.2: the pending INVITE is answered 487 Request Terminated.
    absl::StatusOr<OsipMessagePtr> invite = ParseSipMessage(pending_invite);
    std::string terminated;
    if (invite.ok()) {
      ResponseSpec spec487;
      spec487.code = 487;
      spec487.to_tag = to_tag;
      terminated = Build(**invite, std::move(spec487));
    }
    {
      absl::MutexLock lock(&mu_);
      const absl::Time now = options_.now();
      auto txn = transactions_.find(key);
      if (txn != transactions_.end()) {
        txn->second.final_response = terminated;
        txn->second.expires = now + options_.transaction_linger + absl::Minutes(1);
        transaction_order_.emplace_back(txn->second.expires, key);
        if (!txn->second.replier->reliable()) ArmRetransmit(key, txn->second, now);
      }
    }
    if (!terminated.empty()) replier->Send(terminated);
    VLOG(1) << "call " << CallIdHash(call_id) << " cancelled while routing";
  }
  if (!contact_to_cancel.empty()) CancelInRouter(contact_to_cancel, call_id);
}

void SipRedirector::AbandonAfterCancel(const Final& final, const std::string& call_id) {
  if (!final.contact_id.empty()) {
    CancelInRouter(final.contact_id, call_id);
    return;
  }
  if (final.router_status.ok() || !OutcomeUnknown(final.router_status.code())) return;
  // The router may have made the contact although the call failed on our side; ask again with
  // the same idempotency key (no second contact) and abandon what comes back.
  absl::StatusOr<v1::RouteContactResponse> again = RouteContact(final.contact);
  if (!again.ok()) {
    LOG_EVERY_N(WARNING, 20) << "call " << CallIdHash(call_id)
                             << ": cancelled during a router outage; contact unknown: "
                             << again.status();
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    RememberCall(call_id, again->contact_id(), true, options_.now());
  }
  CancelInRouter(again->contact_id(), call_id);
}

absl::StatusOr<v1::RouteContactResponse> SipRedirector::RouteContact(const v1::Contact& contact) {
  v1::RouteContactRequest request;
  *request.mutable_contact() = contact;
  return client_->RouteContact(request);
}

void SipRedirector::CancelInRouter(const std::string& contact_id, const std::string& call_id) {
  v1::CancelContactRequest request;
  request.set_tenant(config_.tenant);
  request.set_contact_id(contact_id);
  request.set_reason("caller_cancelled");
  absl::StatusOr<v1::ContactRecord> record = client_->CancelContact(request);
  if (!record.ok()) {
    // FailedPrecondition: already connected, completed or abandoned — nothing to undo.
    LOG_EVERY_N(WARNING, 20) << "call " << CallIdHash(call_id) << " contact " << contact_id
                             << ": CancelContact: " << record.status();
    return;
  }
  VLOG(1) << "call " << CallIdHash(call_id) << " contact " << contact_id << " abandoned";
}

void SipRedirector::HandleAck(osip_message_t& ack) {
  const std::string key = TransactionKey(CallIdOf(ack), CSeqNumberOf(ack));
  absl::MutexLock lock(&mu_);
  auto it = transactions_.find(key);
  if (it == transactions_.end()) return;  // an ACK for something long gone: absorbed
  it->second.awaiting_ack = false;
  awaiting_ack_.erase(key);
}

void SipRedirector::ArmRetransmit(const std::string& key, Transaction& txn, absl::Time now) {
  txn.awaiting_ack = true;
  txn.interval = options_.t1;
  txn.next_retransmit = now + options_.t1;
  txn.give_up = now + 64 * options_.t1;
  awaiting_ack_.insert(key);
}

void SipRedirector::RememberCall(const std::string& call_id, const std::string& contact_id,
                                 bool cancelled, absl::Time now) {
  CallRecord& call = calls_[call_id];
  call.contact_id = contact_id;
  call.cancelled = call.cancelled || cancelled;
  call.expires = now + config_.call_memory;
  call_order_.emplace_back(call.expires, call_id);
}

std::string SipRedirector::NewTagLocked() {
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(bitgen_));
}

void SipRedirector::ExpireLocked(absl::Time now) {
  while (!transaction_order_.empty() && (transaction_order_.front().first <= now ||
                                         transactions_.size() > options_.max_transactions)) {
    const std::string key = std::move(transaction_order_.front().second);
    transaction_order_.pop_front();
    auto it = transactions_.find(key);
    if (it == transactions_.end()) continue;
    if (it->second.expires > now && transactions_.size() <= options_.max_transactions) continue;
    awaiting_ack_.erase(key);
    transactions_.erase(it);
  }
  while (!call_order_.empty() &&
         (call_order_.front().first <= now || calls_.size() > options_.max_calls)) {
    const std::string call_id = std::move(call_order_.front().second);
    call_order_.pop_front();
    auto it = calls_.find(call_id);
    if (it == calls_.end()) continue;
    if (it->second.expires > now && calls_.size() <= options_.max_calls) continue;
    calls_.erase(it);
  }
}

void SipRedirector::Tick() {
  const absl::Time now = options_.now();
  std::vector<std::pair<std::shared_ptr<Replier>, std::string>> resend;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = awaiting_ack_.begin(); it != awaiting_ack_.end();) {
      auto txn = transactions_.find(*it);
      if (txn == transactions_.end() || !txn->second.awaiting_ack || now >= txn->second.give_up) {
        if (txn != transactions_.end()) txn->second.awaiting_ack = false;
        awaiting_ack_.erase(it++);
        continue;
      }
      Transaction& t = txn->second;
      if (now >= t.next_retransmit) {
        if (!t.final_response.empty()) resend.emplace_back(t.replier, t.final_response);
        t.interval = std::min(2 * t.interval, options_.t2);
        t.next_retransmit = now + t.interval;
      }
      ++it;
    }
    ExpireLocked(now);
  }
  for (auto& [replier, bytes] : resend) {
    counters_.final_retransmits.fetch_add(1);
    replier->Send(bytes);
  }
}

}  // namespace wissel::adapters::sip
