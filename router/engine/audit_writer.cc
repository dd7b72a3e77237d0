#include "router/engine/audit_writer.h"

#include <glog/logging.h>

#include <vector>

namespace wissel::engine {

AuditWriter::AuditWriter(state::StateStore* store, AuditWriterOptions options)
    : store_(store), options_(options) {}

AuditWriter::~AuditWriter() { Stop(); }

void AuditWriter::Start() {
  absl::MutexLock lock(&mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void AuditWriter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    stopping_ = true;
  }
  thread_.join();
  absl::MutexLock lock(&mu_);
  running_ = false;
}

void AuditWriter::Record(const std::string& tenant, state::AuditEntry entry) {
  if (entry.actor.empty() || entry.action.empty()) {
    // The store would refuse it, and the entries appended with it.
    CountFailure(1, absl::InvalidArgumentError("audit entry: actor and action are required"));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (running_ && !stopping_) {
      if (queue_.size() < options_.max_queued) {
        queue_.push_back(Item{tenant, std::move(entry)});
        return;
      }
    } else {
      // Not running: write on this thread (start-up, shutdown, tests).
      std::deque<Item> now;
      now.push_back(Item{tenant, std::move(entry)});
      ++in_flight_;
      mu_.Unlock();
      Write(std::move(now));
      mu_.Lock();
      --in_flight_;
      return;
    }
  }
  CountFailure(1, absl::ResourceExhaustedError("audit queue full"));
}

void AuditWriter::Flush() {
  absl::MutexLock lock(&mu_);
  auto idle = [this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return queue_.empty() && in_flight_ == 0; };
  mu_.Await(absl::Condition(&idle));
}

int64_t AuditWriter::written() const {
  absl::MutexLock lock(&mu_);
  return written_;
}

int64_t AuditWriter::failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

void AuditWriter::Run() {
  while (true) {
    std::deque<Item> items;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, and everything written
      items.swap(queue_);
      in_flight_ += items.size();
    }
    const size_t n = items.size();
    Write(std::move(items));
    absl::MutexLock lock(&mu_);
    in_flight_ -= n;
  }
}

void AuditWriter::Write(std::deque<Item> items) {
  while (!items.empty()) {
    const std::string tenant = items.front().tenant;
    std::vector<state::AuditEntry> run;
    while (!items.empty() && items.front().tenant == tenant) {
      run.push_back(std::move(items.front().entry));
      items.pop_front();
    }
    const absl::Status status = store_->AppendAudit(tenant, run);
    if (!status.ok()) {
      CountFailure(run.size(), status);
      continue;
    }
    absl::MutexLock lock(&mu_);
    written_ += static_cast<int64_t>(run.size());
  }
}

void AuditWriter::CountFailure(size_t n, const absl::Status& status) {
  int64_t before = 0;
  {
    absl::MutexLock lock(&mu_);
    before = failed_;
    failed_ += static_cast<int64_t>(n);
  }
  // The first failures in full, then one in a hundred: an outage must not flood the log.
  if (before < 20 || before / 100 != (before + static_cast<int64_t>(n)) / 100) {
    LOG(WARNING) << "audit: " << n << " entr" << (n == 1 ? "y" : "ies")
                 << " not written: " << status << " (" << before + static_cast<int64_t>(n)
                 << " so far)";
  }
}

}  // namespace wissel::engine
