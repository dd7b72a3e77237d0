#include "adapters/chat/session_directory.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace wissel::adapters::chat {
namespace {

// Tenants never contain '/', so the key is unambiguous.
std::string Key(absl::string_view tenant, absl::string_view session_id) {
  return absl::StrCat(tenant, "/", session_id);
}

}  // namespace

SessionDirectory::SessionDirectory(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

void SessionDirectory::Put(absl::string_view tenant, absl::string_view session_id,
                           SessionEntry entry) {
  std::string key = Key(tenant, session_id);
  absl::MutexLock lock(&mu_);
  if (auto it = slots_.find(key); it != slots_.end()) {
    it->second.entry = std::move(entry);
    order_.splice(order_.end(), order_, it->second.order);
    return;
  }
  while (slots_.size() >= capacity_) {
    slots_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  slots_.emplace(std::move(key), Slot{std::move(entry), std::prev(order_.end())});
}

bool SessionDirectory::Insert(absl::string_view tenant, absl::string_view session_id,
                              SessionEntry entry) {
  std::string key = Key(tenant, session_id);
  absl::MutexLock lock(&mu_);
  if (slots_.contains(key)) return false;
  while (slots_.size() >= capacity_) {
    slots_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  slots_.emplace(std::move(key), Slot{std::move(entry), std::prev(order_.end())});
  return true;
}

std::optional<SessionEntry> SessionDirectory::Find(absl::string_view tenant,
                                                   absl::string_view session_id) {
  absl::MutexLock lock(&mu_);
  auto it = slots_.find(Key(tenant, session_id));
  if (it == slots_.end()) return std::nullopt;
  order_.splice(order_.end(), order_, it->second.order);
  return it->second.entry;
}

void SessionDirectory::Erase(absl::string_view tenant, absl::string_view session_id) {
  absl::MutexLock lock(&mu_);
  auto it = slots_.find(Key(tenant, session_id));
  if (it == slots_.end()) return;
  order_.erase(it->second.order);
  slots_.erase(it);
}

size_t SessionDirectory::size() const {
  absl::MutexLock lock(&mu_);
  return slots_.size();
}

}  // namespace wissel::adapters::chat
