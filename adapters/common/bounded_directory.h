// BoundedDirectory<Entry>: what this adapter instance handed out, by tenant and id — the chat
// sessions it opened (adapters/chat/session_directory.h), the status tokens of the web form
// submissions it accepted (adapters/webform) — remembered up to a capacity, past which the
// least recently put or found entry is forgotten. It is a cache of this process, not shared
// state: it is empty after a restart and not shared between instances; each user says what
// forgetting means for it. Keep only what may be lost and leaked safely in it (ids, SHA-256
// digests of tokens), never a token or personal data.
//
// Header-only because it is a template; Entry must be copyable. Thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <list>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace wissel::adapters {

template <typename Entry>
class BoundedDirectory {
 public:
  // Remembers at most `capacity` entries (at least 1).
  explicit BoundedDirectory(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

  // Remembers (or replaces) the entry of `id` as the most recent.
  void Put(absl::string_view tenant, absl::string_view id, Entry entry) {
    std::string key = Key(tenant, id);
    absl::MutexLock lock(&mu_);
    if (auto it = slots_.find(key); it != slots_.end()) {
      it->second.entry = std::move(entry);
      order_.splice(order_.end(), order_, it->second.order);
      return;
    }
    AddLocked(std::move(key), std::move(entry));
  }

  // Remembers the entry as the most recent unless `id` is already known (then nothing changes:
  // false). Of two racing inserts of one new id, exactly one returns true.
  bool Insert(absl::string_view tenant, absl::string_view id, Entry entry) {
    std::string key = Key(tenant, id);
    absl::MutexLock lock(&mu_);
    if (slots_.contains(key)) return false;
    AddLocked(std::move(key), std::move(entry));
    return true;
  }

  // The entry, marked as most recently used; nullopt when unknown or forgotten.
  std::optional<Entry> Find(absl::string_view tenant, absl::string_view id) {
    absl::MutexLock lock(&mu_);
    auto it = slots_.find(Key(tenant, id));
    if (it == slots_.end()) return std::nullopt;
    order_.splice(order_.end(), order_, it->second.order);
    return it->second.entry;
  }

  void Erase(absl::string_view tenant, absl::string_view id) {
    absl::MutexLock lock(&mu_);
    auto it = slots_.find(Key(tenant, id));
    if (it == slots_.end()) return;
    order_.erase(it->second.order);
    slots_.erase(it);
  }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return slots_.size();
  }

 private:
  struct Slot {
    Entry entry;
    std::list<std::string>::iterator order;
  };

  // Tenants never contain '/', so the key is unambiguous.
  static std::string Key(absl::string_view tenant, absl::string_view id) {
    return absl::StrCat(tenant, "/", id);
  }

  void AddLocked(std::string key, Entry entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (slots_.size() >= capacity_) {
      slots_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    slots_.emplace(std::move(key), Slot{std::move(entry), std::prev(order_.end())});
  }

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);  // keys, least recent first
  absl::flat_hash_map<std::string, Slot> slots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wissel::adapters
