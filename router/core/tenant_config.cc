#include "router/core/tenant_config.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace wissel::core {
namespace {

// Every message has the shape "PATH: reason", where PATH is the field's path relative to the
// tenant in the YAML schema ("topics[3].queue"). The config loader relies on this shape to
// point the operator at the offending line; keep it when adding checks.
absl::Status Invalid(absl::string_view path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

absl::Status CheckPositive(absl::string_view path, absl::Duration d) {
  if (d <= absl::ZeroDuration()) {
    return Invalid(path, absl::StrCat("must be positive, got ", absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TenantConfig::Validate() const {
  if (id.empty()) return Invalid("id", "must not be empty");

  for (Channel c : kAllChannels) {
    const int capacity = handler_defaults.capacity[c];
    if (capacity < 0) {
      return Invalid(absl::StrCat("handler_defaults.capacity.", ChannelName(c)),
                     absl::StrCat("must be >= 0, got ", capacity));
    }
  }
  if (absl::Status s =
          CheckPositive("handler_defaults.offer_timeout", handler_defaults.offer_timeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckPositive("handler_defaults.max_wrap_up", handler_defaults.max_wrap_up);
      !s.ok()) {
    return s;
  }

  absl::flat_hash_map<absl::string_view, size_t> queue_index;
  for (size_t i = 0; i < queues.size(); ++i) {
    const QueueConfig& q = queues[i];
    const std::string path = absl::StrCat("queues[", i, "]");
    if (q.name.empty()) return Invalid(absl::StrCat(path, ".name"), "must not be empty");
    if (auto [it, inserted] = queue_index.emplace(q.name, i); !inserted) {
      return Invalid(absl::StrCat(path, ".name"),
                     absl::StrCat("duplicate queue '", q.name, "' (first defined at queues[",
                                  it->second, "])"));
    }
    if (q.skill.empty()) return Invalid(absl::StrCat(path, ".skill"), "must not be empty");
    if (absl::Status s =
            CheckPositive(absl::StrCat(path, ".default_handle_time"), q.default_handle_time);
        !s.ok()) {
      return s;
    }
  }

  absl::flat_hash_map<absl::string_view, size_t> topic_index;
  for (size_t i = 0; i < topics.size(); ++i) {
    const TopicConfig& t = topics[i];
    const std::string path = absl::StrCat("topics[", i, "]");
    if (t.code.empty()) return Invalid(absl::StrCat(path, ".code"), "must not be empty");
    if (auto [it, inserted] = topic_index.emplace(t.code, i); !inserted) {
      return Invalid(absl::StrCat(path, ".code"),
                     absl::StrCat("duplicate topic code '", t.code, "' (first defined at topics[",
                                  it->second, "])"));
    }
    if (t.queue.empty()) return Invalid(absl::StrCat(path, ".queue"), "must not be empty");
    if (!queue_index.contains(t.queue)) {
      return Invalid(absl::StrCat(path, ".queue"), absl::StrCat("unknown queue '", t.queue, "'"));
    }
    if (t.default_priority < 0 || t.default_priority > 100) {
      return Invalid(absl::StrCat(path, ".default_priority"),
                     absl::StrCat("must be between 0 and 100, got ", t.default_priority));
    }
  }
  return absl::OkStatus();
}

const TopicConfig* TenantConfig::FindTopic(const std::string& code) const {
  for (const TopicConfig& t : topics) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

const QueueConfig* TenantConfig::FindQueue(const std::string& name) const {
  for (const QueueConfig& q : queues) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

}  // namespace wissel::core

namespace wissel::core {

const HandlerProfile* TenantConfig::FindHandler(const std::string& id) const {
  for (const HandlerProfile& h : handlers) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

}  // namespace wissel::core
