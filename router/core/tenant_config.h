// The routing configuration of one tenant (gemeente): its catalogue of topics, its queues and
// the defaults for its handlers.
//
// A plain value type. The YAML loader (router/config) builds it from the operator's file and
// calls Validate() before handing it to a Router; a Router only ever sees a valid config.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/core/channel.h"

namespace wissel::core {

// One entry of the product catalogue (productencatalogus): an onderwerp and where it goes.
struct TopicConfig {
  std::string code;          // e.g. "paspoort"; unique within the tenant
  std::string name;          // human-readable, e.g. "Paspoort aanvragen"
  std::string domain;        // e.g. "burgerzaken", "sociaal_domein"
  std::string queue;         // the queue (team) contacts on this topic go to
  int default_priority = 0;  // 0..100; used when a contact brings none
};

// A team's queue. Handlers having `skill` are offered its contacts.
struct QueueConfig {
  std::string name;   // unique within the tenant, e.g. "burgerzaken"
  std::string skill;  // defaults to the queue name
  // Average handling time assumed until real handle times have been observed; feeds the
  // expected wait. Default 5 minutes.
  absl::Duration default_handle_time = absl::Minutes(5);
};

struct HandlerDefaults {
  // Contacts a handler holds at once per channel, unless it signs in with its own.
  PerChannel<int> capacity;
  // An offer not accepted within this time is withdrawn; the contact goes back to its place
  // and the handler is set away (it did not answer). Default 20 s.
  absl::Duration offer_timeout = absl::Seconds(20);
  // Wrap-up ends by itself after this time if the handler does not finish it. Default 2 min.
  absl::Duration max_wrap_up = absl::Minutes(2);

  HandlerDefaults() {
    capacity[Channel::kPhone] = 1;
    capacity[Channel::kChat] = 3;
    capacity[Channel::kWebForm] = 5;
    capacity[Channel::kBalie] = 1;
    capacity[Channel::kEmail] = 5;
  }
};

struct TenantConfig {
  std::string id;    // e.g. "gemeente-wisseloord"
  std::string name;  // e.g. "Gemeente Wisseloord"
  // The tenant's own register names per channel ("Telefoon", "Live chat", ...).
  PerChannel<std::string> channel_names;
  std::vector<TopicConfig> topics;
  std::vector<QueueConfig> queues;
  HandlerDefaults handler_defaults;

  // OK, or InvalidArgument naming the first problem: empty or duplicate codes, a topic whose
  // queue does not exist, a priority outside 0..100, a non-positive duration or capacity < 0.
  absl::Status Validate() const;
  const TopicConfig* FindTopic(const std::string& code) const;
  const QueueConfig* FindQueue(const std::string& name) const;
};

}  // namespace wissel::core
