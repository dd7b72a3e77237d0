#include "dashboard/dashboard_model.h"

#include <algorithm>
#include <utility>

#include "absl/time/civil_time.h"

namespace wissel::dashboard {
namespace {

absl::Time TimeOf(const v1::Event& event) {
  return absl::FromUnixSeconds(event.time().seconds()) + absl::Nanoseconds(event.time().nanos());
}

absl::Time FromProtoDuration(const google::protobuf::Duration& d, absl::Time base) {
  return base + absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// Whole `width`s in `d` (absl::IDivDuration needs a place for the remainder).
int64_t Whole(absl::Duration d, absl::Duration width) {
  absl::Duration rest;
  return absl::IDivDuration(d, width, &rest);
}

absl::Duration Mean(absl::Duration total, int64_t n) {
  return n == 0 ? absl::ZeroDuration() : total / n;
}

void AddTo(DigitalFirstRow* into, const cli::ReportRow& row) {
  into->routed += row.routed;
  into->steered += row.steered;
  into->exempt_need += row.exempt_need;
  into->exempt_wants_person += row.exempt_wants_person;
  into->offered_and_routed += row.offered_and_routed;
}

}  // namespace

const char* HandlerStateName(HandlerState state) {
  switch (state) {
    case HandlerState::kInConversation:
      return "in_conversation";
    case HandlerState::kWrapUp:
      return "wrap_up";
    case HandlerState::kOffered:
      return "offered";
    case HandlerState::kAvailable:
      return "available";
    case HandlerState::kBusy:
      return "busy";
    case HandlerState::kAway:
      return "away";
    case HandlerState::kOffline:
      return "offline";
  }
  return "offline";
}

DashboardModel::DashboardModel(DashboardModelOptions options, absl::Time now)
    : options_(std::move(options)) {
  StartDay(now);
}

void DashboardModel::StartDay(absl::Time now) {
  const absl::CivilDay day = absl::ToCivilDay(now, options_.time_zone);
  day_start_ = absl::FromCivil(day, options_.time_zone);
  day_end_ = absl::FromCivil(day + 1, options_.time_zone);
  cli::ReportOptions report;
  report.from = day_start_;
  report.to = day_end_;
  report.time_zone = options_.time_zone;
  report.targets = options_.config.targets;
  report.by = cli::ReportGrouping::kQueue;
  by_queue_ = std::make_unique<cli::ReportBuilder>(report);
  report.by = cli::ReportGrouping::kTopic;
  by_topic_ = std::make_unique<cli::ReportBuilder>(report);
  report.by = cli::ReportGrouping::kTotal;
  total_ = std::make_unique<cli::ReportBuilder>(std::move(report));
  accepted_today_.clear();
  // 288 buckets; 276 or 300 on the days the clocks change.
  const int64_t n =
      Whole(day_end_ - day_start_ + kBucketWidth - absl::Nanoseconds(1), kBucketWidth);
  buckets_.assign(static_cast<size_t>(n), BucketCounts{});
  level_at_day_start_ = waiting_level_;
  for (auto& [id, handler] : handlers_) handler.seen_today = false;
}

void DashboardModel::AdvanceTo(absl::Time now) {
  if (now >= day_end_) StartDay(now);
}

void DashboardModel::AddEvent(const v1::Event& event) {
  const absl::Time time = TimeOf(event);
  if (time >= day_end_) StartDay(time);
  // The builders count only the contacts routed within the day and ignore the rest.
  by_queue_->Add(event);
  by_topic_->Add(event);
  total_->Add(event);
  if (time >= day_start_) CountInBuckets(event, time);
  ApplyLive(event, time);
  feed_.last_offset = event.offset();
}

DashboardModel::BucketCounts* DashboardModel::BucketAt(absl::Time time) {
  if (time < day_start_ || time >= day_end_) return nullptr;
  const int64_t i = Whole(time - day_start_, kBucketWidth);
  if (i < 0 || static_cast<size_t>(i) >= buckets_.size()) return nullptr;
  return &buckets_[static_cast<size_t>(i)];
}

void DashboardModel::CountInBuckets(const v1::Event& event, absl::Time time) {
  BucketCounts* bucket = BucketAt(time);
  if (bucket == nullptr) return;
  switch (event.type()) {
    case v1::EVENT_TYPE_ROUTED:
      ++bucket->routed;
      if (event.state() == v1::CONTACT_STATE_QUEUED) accepted_today_[event.contact_id()] = false;
      break;
    case v1::EVENT_TYPE_ACCEPTED: {
      auto it = accepted_today_.find(event.contact_id());
      if (it != accepted_today_.end() && !it->second) {
        it->second = true;
        ++bucket->handled;
      }
      break;
    }
    case v1::EVENT_TYPE_ABANDONED: {
      auto it = accepted_today_.find(event.contact_id());
      if (it != accepted_today_.end() && !it->second) {
        ++bucket->abandoned;
        accepted_today_.erase(it);
      }
      break;
    }
    default:
      break;
  }
}

void DashboardModel::NoteWaitingLevel(absl::Time time) {
  if (time < day_start_) {
    level_at_day_start_ = waiting_level_;
    return;
  }
  BucketCounts* bucket = BucketAt(time);
  if (bucket == nullptr) return;
  bucket->level_changed = true;
  bucket->max_level = std::max(bucket->max_level, waiting_level_);
  bucket->last_level = waiting_level_;
}

void DashboardModel::TouchQueue(const std::string& queue, absl::Time time) {
  absl::Time& changed = queue_changed_[queue];
  changed = std::max(changed, time);
}

void DashboardModel::EnterWaiting(LiveContact* contact, const std::string& queue, absl::Time time) {
  contact->queue = queue;
  contact->phase = ContactPhase::kWaiting;
  contact->handler.clear();
  ++waiting_level_;
  TouchQueue(queue, time);
  NoteWaitingLevel(time);
}

void DashboardModel::LeaveWaiting(LiveContact* contact, ContactPhase next, absl::Time time) {
  if (contact->phase == ContactPhase::kWaiting) {
    waiting_level_ = std::max(0, waiting_level_ - 1);
    NoteWaitingLevel(time);
  }
  TouchQueue(contact->queue, time);
  contact->phase = next;
}

DashboardModel::LiveHandler& DashboardModel::Handler(const std::string& id) {
  return handlers_[id];
}

void DashboardModel::ApplyLive(const v1::Event& event, absl::Time time) {
  const std::string& id = event.contact_id();
  auto found = contacts_.find(id);
  const bool was_known = found != contacts_.end();
  LiveContact* contact = was_known ? &found->second : nullptr;
  // A contact this model has not seen routed (routed before the oldest retained event): what
  // the event says about it now.
  auto known = [&]() -> LiveContact* {
    if (contact == nullptr) {
      contact = &contacts_[id];
      contact->queue = event.queue();
      contact->phase = ContactPhase::kConnected;  // neither waiting nor offered until told
      contact->waiting_since = time;
    }
    return contact;
  };
  switch (event.type()) {
    case v1::EVENT_TYPE_ROUTED:
      if (contact != nullptr) {
        LeaveWaiting(contact, ContactPhase::kConnected, time);
        contacts_.erase(id);
        contact = nullptr;
      }
      if (event.state() == v1::CONTACT_STATE_QUEUED) {
        LiveContact* c = known();
        c->waiting_since = time;
        EnterWaiting(c, event.queue(), time);
      }
      break;
    case v1::EVENT_TYPE_REQUEUED: {
      LiveContact* c = known();
      if (!was_known) {
        EnterWaiting(c, event.queue(), time);  // first seen now, waiting
      } else if (c->phase == ContactPhase::kWaiting) {
        TouchQueue(c->queue, time);
        c->queue = event.queue();
        TouchQueue(c->queue, time);
      } else {
        c->queue = event.queue();
        TouchQueue(c->queue, time);
      }
      break;
    }
    case v1::EVENT_TYPE_OFFERED: {
      LiveContact* c = known();
      LeaveWaiting(c, ContactPhase::kOffered, time);
      c->handler = event.handler_id();
      Handler(event.handler_id()).offered.insert(id);
      break;
    }
    case v1::EVENT_TYPE_REJECTED:
    case v1::EVENT_TYPE_OFFER_TIMED_OUT:
    case v1::EVENT_TYPE_OFFER_WITHDRAWN: {
      Handler(event.handler_id()).offered.erase(id);
      // Back to waiting, unless it ended (an ABANDONED event follows or came first).
      LiveContact* c = known();
      if (c->phase != ContactPhase::kWaiting) {
        c->waiting_since = std::min(c->waiting_since, time);
        EnterWaiting(c, event.queue().empty() ? c->queue : event.queue(), time);
      }
      break;
    }
    case v1::EVENT_TYPE_ACCEPTED: {
      LiveHandler& h = Handler(event.handler_id());
      h.offered.erase(id);
      h.connected.insert(id);
      LiveContact* c = known();
      LeaveWaiting(c, ContactPhase::kConnected, time);
      c->handler = event.handler_id();
      break;
    }
    case v1::EVENT_TYPE_TRANSFERRED: {
      Handler(event.handler_id()).connected.erase(id);
      LiveContact* c = known();
      if (c->phase == ContactPhase::kWaiting) LeaveWaiting(c, ContactPhase::kConnected, time);
      c->waiting_since = time;
      EnterWaiting(c, event.to_queue(), time);
      break;
    }
    case v1::EVENT_TYPE_COMPLETED: {
      LiveHandler& h = Handler(event.handler_id());
      h.offered.erase(id);
      h.connected.erase(id);
      h.wrap_up.insert(id);
      RemoveContact(id, time);
      break;
    }
    case v1::EVENT_TYPE_WRAP_UP_FINISHED:
      Handler(event.handler_id()).wrap_up.erase(id);
      break;
    case v1::EVENT_TYPE_ABANDONED:
      if (!event.handler_id().empty()) {
        LiveHandler& h = Handler(event.handler_id());
        h.offered.erase(id);
        h.connected.erase(id);
      }
      RemoveContact(id, time);
      break;
    case v1::EVENT_TYPE_HANDLER_PRESENCE: {
      LiveHandler& h = Handler(event.handler_id());
      if (h.presence != event.presence()) h.presence_since = time;
      h.presence = event.presence();
      if (time >= day_start_) h.seen_today = true;
      if (event.presence() == v1::PRESENCE_OFFLINE) {
        // Signing out withdraws the offers (events follow) and needs an empty hand; what is
        // still listed was missed.
        h.offered.clear();
        h.connected.clear();
        h.wrap_up.clear();
      }
      break;
    }
    default:
      break;
  }
}

void DashboardModel::RemoveContact(const std::string& contact_id, absl::Time time) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return;
  LeaveWaiting(&it->second, ContactPhase::kConnected, time);
  contacts_.erase(it);
}

void DashboardModel::SetQueueStats(const v1::GetQueueStatsResponse& stats, absl::Time at) {
  stats_.clear();
  for (const v1::QueueStats& q : stats.queues()) stats_[q.queue()] = QueueStatsAt{q, at};
  feed_.stats_time = at;
  feed_.stats_error.clear();
}

void DashboardModel::SetStatsError(std::string error) { feed_.stats_error = std::move(error); }

void DashboardModel::SetFeedStatus(bool connected, bool caught_up, std::string error) {
  feed_.connected = connected;
  feed_.caught_up = caught_up;
  feed_.error = std::move(error);
}

DashboardSnapshot DashboardModel::Snapshot(absl::Time now) const {
  DashboardSnapshot out;
  out.tenant = options_.tenant;
  out.tenant_name = options_.config.name.empty() ? options_.tenant : options_.config.name;
  out.now = now;
  out.time_zone = options_.time_zone;
  out.day_start = day_start_;
  out.feed = feed_;
  const std::vector<cli::ReportRow> total = total_->Rows();
  if (!total.empty()) {
    const cli::ReportRow& r = total.front();
    out.totals.routed = r.routed;
    out.totals.offered = r.offered;
    out.totals.handled = r.handled;
    out.totals.abandoned = r.abandoned;
    out.totals.closed = r.closed;
    out.totals.steered = r.steered;
    out.totals.sla_base = r.sla_base;
    out.totals.within_sla = r.within_sla;
    out.totals.mean_wait = Mean(r.total_wait, r.handled);
  }
  FillQueues(now, &out);
  FillHandlers(&out);
  FillDigitalFirst(&out);
  FillBuckets(now, &out);
  return out;
}

void DashboardModel::FillQueues(absl::Time now, DashboardSnapshot* out) const {
  // Configured queues in the file's order, then any other the router or the events name.
  std::vector<std::string> names = options_.config.queues;
  std::set<std::string> listed(names.begin(), names.end());
  std::set<std::string> others;
  for (const auto& [name, s] : stats_) others.insert(name);
  for (const auto& [id, c] : contacts_) others.insert(c.queue);
  const std::vector<cli::ReportRow> rows = by_queue_->Rows();
  for (const cli::ReportRow& r : rows) others.insert(r.group);
  for (const std::string& name : others) {
    if (!name.empty() && listed.insert(name).second) names.push_back(name);
  }
  for (const std::string& name : names) {
    QueueFigures q;
    q.queue = name;
    // From the events.
    absl::Time oldest = absl::InfiniteFuture();
    for (const auto& [id, c] : contacts_) {
      if (c.queue != name) continue;
      if (c.phase == ContactPhase::kWaiting) {
        ++q.waiting;
        oldest = std::min(oldest, c.waiting_since);
      } else if (c.phase == ContactPhase::kOffered) {
        ++q.offered;
      }
    }
    if (q.waiting > 0) q.longest_wait = std::max(absl::ZeroDuration(), now - oldest);
    // From the router, when its answer is fresh and no event changed the queue since.
    auto s = stats_.find(name);
    if (s != stats_.end() && now - s->second.at <= options_.stats_max_age) {
      const v1::QueueStats& stats = s->second.stats;
      q.handlers_available = stats.handlers_available();
      q.handlers_signed_in = stats.handlers_signed_in();
      auto changed = queue_changed_.find(name);
      if (changed == queue_changed_.end() || changed->second <= s->second.at) {
        q.live_from_router = true;
        q.waiting = stats.waiting();
        q.offered = stats.offered();
        q.longest_wait = stats.waiting() > 0
                             ? FromProtoDuration(stats.longest_wait(), now) - s->second.at
                             : absl::ZeroDuration();
      }
    }
    auto target = options_.config.targets.sla_target.find(name);
    q.sla_target = target != options_.config.targets.sla_target.end()
                       ? target->second
                       : options_.config.targets.default_sla_target;
    for (const cli::ReportRow& r : rows) {
      if (r.group != name) continue;
      q.routed = r.routed;
      q.handled = r.handled;
      q.abandoned = r.abandoned;
      q.sla_base = r.sla_base;
      q.within_sla = r.within_sla;
      q.mean_wait = Mean(r.total_wait, r.handled);
    }
    out->queues.push_back(std::move(q));
  }
}

void DashboardModel::FillHandlers(DashboardSnapshot* out) const {
  HandlerCounts& counts = out->handler_counts;
  for (const auto& [id, h] : handlers_) {
    HandlerFigures f;
    f.id = id;
    f.in_conversation = static_cast<int32_t>(h.connected.size());
    f.wrap_up = static_cast<int32_t>(h.wrap_up.size());
    f.offered = static_cast<int32_t>(h.offered.size());
    f.presence_since = h.presence_since;
    const bool holds = f.in_conversation + f.wrap_up + f.offered > 0;
    if (f.in_conversation > 0) {
      f.state = HandlerState::kInConversation;
    } else if (f.wrap_up > 0) {
      f.state = HandlerState::kWrapUp;
    } else if (f.offered > 0) {
      f.state = HandlerState::kOffered;
    } else if (h.presence == v1::PRESENCE_AVAILABLE) {
      f.state = HandlerState::kAvailable;
    } else if (h.presence == v1::PRESENCE_BUSY) {
      f.state = HandlerState::kBusy;
    } else if (h.presence == v1::PRESENCE_AWAY) {
      f.state = HandlerState::kAway;
    } else {
      f.state = HandlerState::kOffline;
    }
    if (f.state == HandlerState::kOffline) {
      // Signed out (or never seen signing in, holding nothing): counted when it was today.
      if (h.seen_today && !holds) ++counts.offline;
      continue;
    }
    switch (f.state) {
      case HandlerState::kInConversation:
        ++counts.in_conversation;
        break;
      case HandlerState::kWrapUp:
        ++counts.wrap_up;
        break;
      case HandlerState::kOffered:
        ++counts.offered;
        break;
      case HandlerState::kAvailable:
        ++counts.available;
        break;
      case HandlerState::kBusy:
        ++counts.busy;
        break;
      case HandlerState::kAway:
        ++counts.away;
        break;
      case HandlerState::kOffline:
        break;
    }
    out->handlers.push_back(std::move(f));
  }
}

void DashboardModel::FillDigitalFirst(DashboardSnapshot* out) const {
  out->digital_first_by_topic = !options_.has_catalogue;
  std::map<std::pair<std::string, std::string>, DigitalFirstRow> rows;
  for (const cli::ReportRow& r : by_topic_->Rows()) {
    std::pair<std::string, std::string> key = {r.group, ""};
    if (options_.has_catalogue) {
      auto topic = options_.config.topics.find(r.group);
      // A topic no longer in the catalogue is shown on its own.
      if (topic != options_.config.topics.end()) key = {topic->second.domain, topic->second.phase};
    }
    DigitalFirstRow& row = rows[key];
    row.domain = key.first;
    row.phase = key.second;
    AddTo(&row, r);
    AddTo(&out->digital_first_total, r);
  }
  for (auto& [key, row] : rows) out->digital_first.push_back(std::move(row));
}

void DashboardModel::FillBuckets(absl::Time now, DashboardSnapshot* out) const {
  out->bucket_width = kBucketWidth;
  if (now < day_start_) return;
  const int64_t current = std::min<int64_t>(Whole(now - day_start_, kBucketWidth),
                                            static_cast<int64_t>(buckets_.size()) - 1);
  const absl::Time window_start = now - options_.chart_window;
  int32_t level = level_at_day_start_;
  for (int64_t i = 0; i <= current; ++i) {
    const BucketCounts& b = buckets_[static_cast<size_t>(i)];
    const absl::Time start = day_start_ + kBucketWidth * i;
    Bucket out_bucket;
    out_bucket.start = start;
    out_bucket.routed = b.routed;
    out_bucket.handled = b.handled;
    out_bucket.abandoned = b.abandoned;
    // Those waiting when the bucket began, and any higher level within it.
    out_bucket.waiting = b.level_changed ? std::max(level, b.max_level) : level;
    if (b.level_changed) level = b.last_level;
    if (start + kBucketWidth > window_start) out->buckets.push_back(out_bucket);
  }
}

}  // namespace wissel::dashboard
