#include "tests/integration/history_checker.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace wissel::testing {
namespace {

using google::protobuf::util::TimeUtil;

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

class Problems {
 public:
  explicit Problems(std::vector<std::string>* out) : out_(out) {}
  void Add(std::string line) {
    if (out_->size() < FaultReport::kMaxProblems) out_->push_back(std::move(line));
  }

 private:
  std::vector<std::string>* out_;
};

// A slot of a handler on a channel, held from `start` to `end` (InfiniteFuture: never freed).
struct Hold {
  absl::Time start;
  absl::Time end = absl::InfiniteFuture();
  std::string contact_id;
};

// handler -> channel -> holds.
using HoldMap = std::map<std::string, std::map<int, std::vector<Hold>>>;

// The most holds open at one instant, and a contact that was taken at that instant. A hold that
// ends at the very instant another starts does not overlap it: a freed slot is given out again
// within one router step, and both may carry the same timestamp.
int MaxConcurrent(const std::vector<Hold>& holds, absl::Time* at, std::string* contact) {
  std::vector<std::pair<absl::Time, int>> points;  // (time, +1 start / -1 end); ends sort first
  std::vector<const Hold*> starts;
  for (const Hold& h : holds) {
    points.push_back({h.start, +1});
    if (h.end != absl::InfiniteFuture()) points.push_back({h.end, -1});
  }
  std::sort(points.begin(), points.end());
  int open = 0;
  int most = 0;
  for (const auto& [time, delta] : points) {
    open += delta;
    if (open > most) {
      most = open;
      *at = time;
    }
  }
  for (const Hold& h : holds) {
    if (h.start == *at) *contact = h.contact_id;
  }
  return most;
}

// What one stored contact history says.
struct StoredVerdict {
  int completions = 0;
  std::vector<std::string> double_reasons;
};

// Replays the stored history of one contact as the state machine it must follow, collecting the
// handler slots it held (into `holds`) and whatever shows it assigned twice.
StoredVerdict ReplayStored(const v1::ContactRecord& record, HoldMap* holds) {
  StoredVerdict verdict;
  std::string holder;  // handler holding a slot for the contact (offered, connected, wrap-up)
  size_t open_hold = 0;
  bool has_open_hold = false;
  int connects = 0;
  std::vector<Hold>* handler_holds = nullptr;
  auto close = [&](absl::Time at) {
    if (has_open_hold) (*handler_holds)[open_hold].end = at;
    has_open_hold = false;
    holder.clear();
  };
  for (const v1::ContactEvent& ev : record.history()) {
    const absl::Time at = ToTime(ev.time());
    const std::string& h = ev.handler_id();
    switch (ev.state()) {
      case v1::CONTACT_STATE_OFFERED:
        if (!holder.empty()) {
          verdict.double_reasons.push_back(
              absl::StrCat("offered to ", h, " while ", holder, " held it"));
        }
        if (verdict.completions > 0) {
          verdict.double_reasons.push_back(absl::StrCat("offered to ", h, " after completion"));
        }
        close(at);  // counted above; keep replaying with the newest holder
        holder = h;
        handler_holds = &(*holds)[h][record.channel()];
        handler_holds->push_back(Hold{at, absl::InfiniteFuture(), record.contact_id()});
        open_hold = handler_holds->size() - 1;
        has_open_hold = true;
        break;
      case v1::CONTACT_STATE_CONNECTED:
        ++connects;
        if (holder != h) {
          verdict.double_reasons.push_back(
              absl::StrCat("connected to ", h, " but offered to '", holder, "'"));
        }
        if (connects > 1) verdict.double_reasons.push_back(absl::StrCat("connected again to ", h));
        if (verdict.completions > 0) {
          verdict.double_reasons.push_back(absl::StrCat("connected to ", h, " after completion"));
        }
        break;
      case v1::CONTACT_STATE_COMPLETED:
        if (ev.reason().empty() && !h.empty()) {
          // The conversation ended; the handler keeps the slot for wrap-up.
          ++verdict.completions;
          if (verdict.completions > 1) {
            verdict.double_reasons.push_back(absl::StrCat("completed again by ", h));
          }
        } else if (!h.empty() && h == holder) {
          close(at);  // wrap-up finished or timed out
        }
        break;
      case v1::CONTACT_STATE_QUEUED:
        // With a handler: its offer was withdrawn (timeout, rejected, recovered) or the contact
        // was transferred away from it.
        if (!h.empty() && h == holder) close(at);
        break;
      case v1::CONTACT_STATE_ABANDONED:
        close(at);
        break;
      default:
        break;
    }
  }
  return verdict;
}

// What the clients saw of one contact, for a problem line: "h3 offered 12:00:01.123, ...".
std::string ClientView(const std::vector<const HandlerEvent*>& events) {
  std::string out;
  for (const HandlerEvent* e : events) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", e->handler_id, " ", HandlerEventName(e->kind),
                    " ", absl::FormatTime("%H:%M:%E3S", e->time, absl::UTCTimeZone()),
                    e->detail.empty() ? "" : " (" + e->detail + ")");
  }
  return out.empty() ? "nothing" : out;
}

// The stored history of one contact, for a problem line.
std::string StoredView(const v1::ContactRecord& record) {
  std::string out;
  for (const v1::ContactEvent& ev : record.history()) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", v1::ContactState_Name(ev.state()), " ",
                    ev.handler_id(), ev.reason().empty() ? "" : " " + ev.reason(), " ",
                    absl::FormatTime("%H:%M:%E3S", ToTime(ev.time()), absl::UTCTimeZone()));
  }
  return out;
}

}  // namespace

std::string FaultReport::Summary() const {
  return absl::StrCat("faults: acknowledged=", acknowledged, " completed=", completed,
                      " lost=", lost, " double_assigned=", double_assigned,
                      " over_capacity=", over_capacity, " idempotent_retries=", idempotent_retries,
                      " idempotency_conflicts=", idempotency_conflicts);
}

FaultReport CheckHistory(const HistoryCheckInput& input) {
  FaultReport report;
  Problems problems(&report.problems);

  {
    std::map<std::string, int> routes;
    std::map<std::string, int> handlers;
    for (const RouteAttempt& a : input.log.routes) {
      ++routes[absl::StatusCodeToString(a.status.code())];
    }
    for (const HandlerEvent& e : input.log.handler_events) ++handlers[HandlerEventName(e.kind)];
    auto join = [](const std::map<std::string, int>& m) {
      std::string out;
      for (const auto& [k, n] : m) absl::StrAppend(&out, out.empty() ? "" : " ", k, "=", n);
      return out;
    };
    // Offers the router took back, by reason ("recovered": out when a router process ended).
    std::map<std::string, int> withdrawn;
    for (const auto& [id, record] : input.stored) {
      if (!record.ok()) continue;
      for (const v1::ContactEvent& ev : record->history()) {
        if (ev.state() == v1::CONTACT_STATE_QUEUED && !ev.handler_id().empty()) {
          ++withdrawn[ev.reason()];
        }
      }
    }
    report.activity = absl::StrCat("routes: ", join(routes), "; handlers: ", join(handlers),
                                   "; stored withdrawals: ", join(withdrawn));
  }

  // Idempotency: one contact id per key, whatever number of OK replies.
  struct KeyView {
    std::string contact_id;  // of the first OK reply
    v1::Decision::Outcome outcome = v1::Decision::OUTCOME_UNSPECIFIED;
    bool conflict = false;
    int attempts = 0;  // replies seen before the current one (any status)
  };
  std::map<std::string, KeyView> keys;
  for (const RouteAttempt& a : input.log.routes) {
    KeyView& k = keys[a.idempotency_key];
    const bool resend = k.attempts > 0 || a.attempt > 1 || a.duplicate;
    ++k.attempts;
    if (!a.status.ok()) continue;
    if (resend) ++report.idempotent_retries;
    if (k.contact_id.empty()) {
      k.contact_id = a.contact_id;
      k.outcome = a.outcome;
    } else if (k.contact_id != a.contact_id && !k.conflict) {
      k.conflict = true;
      ++report.idempotency_conflicts;
      problems.Add(absl::StrCat("idempotency: key ", a.idempotency_key, " gave contact ",
                                k.contact_id, " and later ", a.contact_id));
    }
  }

  absl::flat_hash_map<std::string, std::vector<const HandlerEvent*>> seen;  // by contact
  for (const HandlerEvent& e : input.log.handler_events) {
    if (!e.contact_id.empty()) seen[e.contact_id].push_back(&e);
  }

  // Stored histories: assignment state machine and the router's slot holds.
  HoldMap stored_holds;
  absl::flat_hash_map<std::string, int> completions;
  absl::flat_hash_set<std::string> double_assigned;
  for (const auto& [id, record] : input.stored) {
    if (!record.ok()) continue;
    StoredVerdict v = ReplayStored(*record, &stored_holds);
    completions[id] = v.completions;
    if (!v.double_reasons.empty() && double_assigned.insert(id).second) {
      problems.Add(absl::StrCat("double assigned (stored history): contact ", id, ": ",
                                v.double_reasons.front(), "; stored: ", StoredView(*record),
                                "; clients saw: ", ClientView(seen[id])));
    }
  }

  // Client holds: accept returned OK .. release sent.
  HoldMap client_holds;
  absl::flat_hash_map<std::string, std::vector<std::string>> holders;  // contact -> handlers
  struct ClientHold {
    std::string handler;
    int channel;
    Hold hold;
  };
  std::vector<ClientHold> client;
  std::map<std::pair<std::string, std::string>, size_t> open_index;  // (handler, contact)
  for (const HandlerEvent& e : input.log.handler_events) {
    const auto key = std::make_pair(e.handler_id, e.contact_id);
    if (e.kind == HandlerEventKind::kAccepted) {
      holders[e.contact_id].push_back(e.handler_id);
      client.push_back(
          {e.handler_id, e.channel, Hold{e.time, absl::InfiniteFuture(), e.contact_id}});
      open_index[key] = client.size() - 1;
    } else if (e.kind == HandlerEventKind::kReleasing) {
      auto it = open_index.find(key);
      if (it != open_index.end()) {
        client[it->second].hold.end = e.time;
        open_index.erase(it);
      }
    }
  }
  for (ClientHold& c : client) client_holds[c.handler][c.channel].push_back(c.hold);
  for (const auto& [contact, hs] : holders) {
    if (hs.size() > 1 && double_assigned.insert(contact).second) {
      problems.Add(absl::StrCat("double assigned (clients): contact ", contact, " held by ", hs[0],
                                " and ", hs[1], "; clients saw: ", ClientView(seen[contact])));
    }
  }
  report.double_assigned = static_cast<int64_t>(double_assigned.size());

  // Capacity, from both views.
  absl::flat_hash_set<std::string> over;
  auto check_capacity = [&](const HoldMap& map, const char* view) {
    for (const auto& [handler, by_channel] : map) {
      auto cap_it = input.capacity.find(handler);
      if (cap_it == input.capacity.end()) continue;
      for (const auto& [channel, holds] : by_channel) {
        auto c = cap_it->second.find(channel);
        if (c == cap_it->second.end()) continue;
        absl::Time at;
        std::string contact;
        const int most = MaxConcurrent(holds, &at, &contact);
        if (most > c->second && over.insert(absl::StrCat(handler, "/", channel)).second) {
          problems.Add(absl::StrCat("over capacity (", view, "): handler ", handler, " held ", most,
                                    " of capacity ", c->second, " on channel ", channel, " at ",
                                    absl::FormatTime(at), " (taking contact ", contact, ")"));
        }
      }
    }
  };
  check_capacity(stored_holds, "stored histories");
  check_capacity(client_holds, "clients");
  report.over_capacity = static_cast<int64_t>(over.size());

  // Every acknowledged contact: there, and completed exactly once.
  for (const auto& [key, k] : keys) {
    if (k.contact_id.empty()) continue;
    ++report.acknowledged;
    if (k.outcome != v1::Decision::OUTCOME_ASSIGNED && k.outcome != v1::Decision::OUTCOME_QUEUED) {
      ++report.not_for_a_person;
      continue;
    }
    auto it = input.stored.find(k.contact_id);
    if (it == input.stored.end() || !it->second.ok()) {
      ++report.lost;
      problems.Add(absl::StrCat(
          "lost: contact ", k.contact_id, " (key ", key, ") ",
          it == input.stored.end() ? "was not fetched" : it->second.status().ToString()));
      continue;
    }
    const int n = completions[k.contact_id];
    if (n == 0 || it->second->state() != v1::CONTACT_STATE_COMPLETED) {
      ++report.lost;
      problems.Add(absl::StrCat("lost: contact ", k.contact_id, " (key ", key, ") is ",
                                v1::ContactState_Name(it->second->state()), " with ", n,
                                " completion(s); stored: ", StoredView(*it->second),
                                "; clients saw: ", ClientView(seen[k.contact_id])));
      continue;
    }
    if (n == 1) ++report.completed;  // more than one is counted as double assigned above
  }
  return report;
}

}  // namespace wissel::testing
