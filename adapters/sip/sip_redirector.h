// SipRedirector: the phone adapter's request handling — a SIP redirect server (RFC 3261 §8.3)
// without sockets. It takes the bytes of one SIP message, asks the router (through the
// adapters' RouterClient, adapters/common/router_client.h) where an INVITE should go, and sends the
// responses through a Replier that the transport provides:
//
//   INVITE   100 Trying, then 302 Moved Temporarily with the Contact for the decision
//            (handler URI, queue waiting URI, or an announcement URI), 404 for a number that
//            is not configured, 503 + Retry-After when the router cannot be reached.
//   CANCEL   200 OK; 487 Request Terminated for a pending INVITE; after a 302 the contact is
//            cancelled in the router (the Call-ID -> contact id map is kept for call_memory).
//   ACK      absorbed (stops retransmission of the final response over UDP).
//   OPTIONS  200 OK with Allow (keep-alive).
//   other    405 Method Not Allowed (known methods) or 501 Not Implemented; malformed
//            requests 400 (or dropped and counted when even the request line is unreadable).
//
// Before any of that, the source address (Replier::peer_address) is checked against the
// configured trusted_peers: a request from anywhere else is answered 403 Forbidden (an ACK or
// anything unparseable is dropped) without touching a transaction, a call or the router. With
// allow_any_peer (development) such requests are served, but P-Asserted-Identity is believed
// only from trusted_peers: from any other source the caller's number comes from From.
//
// The Call-ID is the contact's idempotency key, and a retransmitted INVITE (same Call-ID and
// CSeq) is answered from the transaction table without asking the router again. Routing
// decisions stay in the router: this class only translates.
//
// Thread-safety: Handle(), Reject() and Tick() may be called concurrently from any threads;
// Handle() blocks while the router is asked (bounded by the client's deadline), so transports
// call it from a worker pool. Personal data (the caller's number) is never logged: logs name
// calls by a hash of the Call-ID and by contact id.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "adapters/common/router_client.h"
#include "adapters/sip/dial_plan.h"
#include "adapters/sip/peer_filter.h"
#include "adapters/sip/sip_config.h"
#include "adapters/sip/sip_message.h"

namespace wissel::adapters::sip {

// Where responses to one request go; implemented by the transports. Thread-safe.
class Replier {
 public:
  virtual ~Replier() = default;
  // Sends one complete SIP message to the peer that sent the request. Never blocks for long;
  // failures are the transport's to count.
  virtual void Send(absl::string_view message) = 0;
  // True for a reliable transport (TCP): final responses are not retransmitted.
  virtual bool reliable() const = 0;
  // The source address of the request (the peer's end of the TCP connection, the sender of
  // the UDP datagram); nullopt when the transport cannot tell, which no trusted peer matches.
  virtual std::optional<IpAddress> peer_address() const = 0;
};

struct SipRedirectorOptions {
  // The clock; tests inject a fake one.
  std::function<absl::Time()> now = [] { return absl::Now(); };
  // Larger messages are answered 513 Message Too Large (or dropped if unreadable).
  size_t max_message_bytes = size_t{16} * 1024;
  // RFC 3261 timers for retransmitting a final response over UDP until the ACK (Timer G starts
  // at T1, doubles up to T2; Timer H gives up after 64*T1).
  absl::Duration t1 = absl::Milliseconds(500);
  absl::Duration t2 = absl::Seconds(4);
  // How long a finished INVITE transaction is kept to absorb retransmissions. 64*T1.
  absl::Duration transaction_linger = absl::Seconds(32);
  // Bounds on the tables; the oldest entries go first when full.
  size_t max_transactions = 200000;
  size_t max_calls = 500000;
  // How long a handler's SIP address from GetHandler is reused.
  absl::Duration handler_address_ttl = absl::Seconds(30);
  // Server header on every response.
  std::string server_name = "wissel-sip";
  // Told about every response sent (not its retransmissions): the request's method and the
  // response's status code; for the metrics (sip_metrics.h). Called on the sending thread, so
  // it must be thread-safe and quick. Empty: nobody is told.
  std::function<void(absl::string_view method, int code)> on_response;
};

// Counters since start; a snapshot.
struct SipRedirectorStats {
  uint64_t requests = 0;           // requests handled (any method)
  uint64_t invites = 0;            // new INVITE transactions
  uint64_t redirects = 0;          // 302 sent for a routing decision
  uint64_t retransmissions = 0;    // retransmitted INVITEs absorbed from the transaction table
  uint64_t cancels = 0;            // CANCELs that matched a call
  uint64_t router_errors = 0;      // RouteContact failed (503/500 sent)
  uint64_t bad_requests = 0;       // 400/416/420/505/513 sent
  uint64_t dropped = 0;            // unparseable messages and stray responses, dropped
  uint64_t rejected = 0;           // 503 by Reject() (overload) or while draining
  uint64_t final_retransmits = 0;  // Timer G retransmissions of a final response
  uint64_t forbidden = 0;          // messages from sources outside trusted_peers (403 or dropped)
};

// The idempotency key for a Call-ID: "sip:" + Call-ID when it is printable and short enough,
// else "sip-sha256:" + hex SHA-256 of it. Stable across restarts and replicas.
std::string IdempotencyKeyForCallId(absl::string_view call_id);

// A short hash of a Call-ID for logs (12 hex digits).
std::string CallIdHash(absl::string_view call_id);

class SipRedirector {
 public:
  // `client` must outlive the redirector. `config` must be validated (ParseSipConfig does).
  SipRedirector(SipConfig config, RouterClient* client, SipRedirectorOptions options = {});
  SipRedirector(const SipRedirector&) = delete;
  SipRedirector& operator=(const SipRedirector&) = delete;

  // Handles one SIP message; sends zero or more responses through `replier` (kept for
  // retransmissions of the final response while the transaction lasts). Blocks while the router
  // is asked. Never throws, never crashes on any input.
  void Handle(absl::string_view bytes, const std::shared_ptr<Replier>& replier);

  // Answers a request 503 Service Unavailable with Retry-After without asking the router (the
  // transport is overloaded). ACKs and unparseable messages are dropped.
  void Reject(absl::string_view bytes, Replier& replier);

  // Retransmits final responses that await an ACK (UDP) and forgets expired transactions and
  // calls. Call every ~50 ms.
  void Tick();

  // While draining, new INVITEs are answered 503 with Retry-After; CANCEL, ACK and
  // retransmissions are still served.
  void SetDraining(bool draining) { draining_.store(draining); }
  bool draining() const { return draining_.load(); }

  SipRedirectorStats stats() const;

 private:
  enum class TxnState { kProceeding, kCompleted, kTerminated };
  struct Transaction {
    TxnState state = TxnState::kProceeding;
    std::string to_tag;
    std::string call_id;
    std::string invite;          // raw INVITE while proceeding, to answer a CANCEL with 487
    std::string final_response;  // once completed or terminated
    std::shared_ptr<Replier> replier;
    bool awaiting_ack = false;
    absl::Time next_retransmit;
    absl::Duration interval;
    absl::Time give_up;
    absl::Time expires;
  };
  struct CallRecord {
    std::string contact_id;
    bool cancelled = false;
    absl::Time expires;
  };
  struct CachedAddress {
    std::string uri;
    absl::Time expires;
  };
  // The final response to an INVITE and what the router said.
  struct Final {
    ResponseSpec spec;
    std::string contact_id;
    absl::Status router_status;
    v1::Contact contact;  // as sent to RouteContact
  };

  // True when `replier`'s peer is in trusted_peers.
  bool IsTrustedPeer(const Replier& replier) const;
  // A message from a source that may not send requests: 403 for a request, else dropped.
  void Forbid(absl::string_view bytes, Replier& replier);
  // `trusted_peer`: the request came from trusted_peers (P-Asserted-Identity is believed).
  void HandleRequest(osip_message_t& request, absl::string_view bytes,
                     const std::shared_ptr<Replier>& replier, bool trusted_peer);
  void HandleInvite(osip_message_t& invite, absl::string_view bytes,
                    const std::shared_ptr<Replier>& replier, bool trusted_peer);
  void HandleCancel(osip_message_t& cancel, const std::shared_ptr<Replier>& replier);
  void HandleAck(osip_message_t& ack);
  // RouterClient::RouteContact for `contact`; blocks on the router.
  absl::StatusOr<v1::RouteContactResponse> RouteContact(const v1::Contact& contact);
  // Routes the INVITE; blocks on the router.
  Final Route(const osip_message_t& invite, const std::string& call_id, bool trusted_peer);
  // The SIP URI a handler is reached on.
  std::string HandlerUri(const std::string& handler_id);
  // After a CANCEL raced a pending INVITE: abandon the contact the router made, if any.
  void AbandonAfterCancel(const Final& final, const std::string& call_id);
  void CancelInRouter(const std::string& contact_id, const std::string& call_id);

  // Builds and sends a response; on failure logs and counts.
  void Respond(const osip_message_t& request, Replier& replier, ResponseSpec spec);
  std::string Build(const osip_message_t& request, ResponseSpec spec);
  // Answers what cannot be parsed as a whole: salvage and 400/513, or drop.
  void RespondToBroken(absl::string_view bytes, Replier& replier, int code,
                       absl::string_view fallback_problem);
  ResponseSpec ServiceUnavailable() const;

  void ArmRetransmit(const std::string& key, Transaction& txn, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RememberCall(const std::string& call_id, const std::string& contact_id, bool cancelled,
                    absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ExpireLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewTagLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SipConfig config_;
  const DialPlan dial_plan_;
  RouterClient* const client_;
  const SipRedirectorOptions options_;
  std::atomic<bool> draining_{false};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Transaction> transactions_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<absl::Time, std::string>> transaction_order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> awaiting_ack_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, CallRecord> calls_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<absl::Time, std::string>> call_order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, CachedAddress> handler_addresses_ ABSL_GUARDED_BY(mu_);
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);

  struct Counters {
    std::atomic<uint64_t> requests{0}, invites{0}, redirects{0}, retransmissions{0}, cancels{0},
        router_errors{0}, bad_requests{0}, dropped{0}, rejected{0}, final_retransmits{0},
        forbidden{0};
  };
  Counters counters_;
};

}  // namespace wissel::adapters::sip
