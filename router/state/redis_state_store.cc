#include "router/state/redis_state_store.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/container/btree_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "glog/logging.h"
#include "router/core/channel.h"
#include "router/state/audit.h"
#include "router/state/contact_codec.h"
#include "router/state/contact_person_codec.h"
#include "router/state/event_codec.h"
#include "router/state/handler_codec.h"
#include "router/state/redis_keys.h"
#include "router/state/replica_ack.h"
#include "router/state/scripts.h"
#include "router/state/stored_names.h"

namespace wissel::state {
namespace {

using core::ContactState;

// Commands per pipelined round trip when loading a tenant: bounds the memory of one read.
constexpr size_t kLoadChunk = 1024;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
template <class T>
inline constexpr bool kAlwaysFalse = false;

// The script of each core::Effect alternative; a new alternative without a script does not
// compile.
template <class E>
const char* ScriptOf() {
  if constexpr (std::is_same_v<E, core::ContactCreated>) {
    return scripts::kContactCreated;
  } else if constexpr (std::is_same_v<E, core::ContactOffered>) {
    return scripts::kContactOffered;
  } else if constexpr (std::is_same_v<E, core::OfferWithdrawn>) {
    return scripts::kOfferWithdrawn;
  } else if constexpr (std::is_same_v<E, core::OfferAccepted>) {
    return scripts::kOfferAccepted;
  } else if constexpr (std::is_same_v<E, core::ContactCompleted>) {
    return scripts::kContactCompleted;
  } else if constexpr (std::is_same_v<E, core::WrapUpFinished>) {
    return scripts::kWrapUpFinished;
  } else if constexpr (std::is_same_v<E, core::ContactAbandoned>) {
    return scripts::kContactAbandoned;
  } else if constexpr (std::is_same_v<E, core::ContactTransferred>) {
    return scripts::kContactTransferred;
  } else if constexpr (std::is_same_v<E, core::HandlerChanged>) {
    return scripts::kHandlerChanged;
  } else if constexpr (std::is_same_v<E, core::ContactUpdated>) {
    return scripts::kContactUpdated;
  } else if constexpr (std::is_same_v<E, core::ContactPersonSet>) {
    return scripts::kContactPersonSet;
  } else if constexpr (std::is_same_v<E, core::ResidentErased>) {
    return scripts::kResidentErased;
  } else {
    static_assert(kAlwaysFalse<E>, "no script for this core::Effect alternative");
    return nullptr;
  }
}

// The scripts in the order of core::Effect's alternatives: Apply() indexes by Effect::index().
template <size_t... I>
std::vector<const char*> ScriptsByIndex(std::index_sequence<I...>) {
  return {ScriptOf<std::variant_alternative_t<I, core::Effect>>()...};
}

std::string Name(ContactState state) { return std::string(core::ContactStateName(state)); }
std::string Name(core::HoldState state) { return std::string(HoldStateName(state)); }

std::string History(absl::Time time, ContactState state, absl::string_view handler_id,
                    absl::string_view reason) {
  HistoryEntry entry;
  entry.time = time;
  entry.state = state;
  entry.handler_id = std::string(handler_id);
  entry.reason = std::string(reason);
  return EncodeHistoryEntry(entry);
}

std::string ChannelIndex(core::Channel channel) {
  for (size_t i = 0; i < core::kAllChannels.size(); ++i) {
    if (core::kAllChannels[i] == channel) return absl::StrCat(i + 1);
  }
  return "0";
}

// An error reply from Redis: transient conditions are Unavailable, the rest Internal.
absl::Status ErrorReplyStatus(absl::string_view what, const RedisReply& reply) {
  static constexpr absl::string_view kTransient[] = {
      "LOADING", "BUSY", "READONLY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "OOM"};
  for (absl::string_view prefix : kTransient) {
    if (absl::StartsWith(reply.str, prefix)) {
      return absl::UnavailableError(absl::StrCat(what, ": ", reply.str));
    }
  }
  return absl::InternalError(absl::StrCat(what, ": ", reply.str));
}

absl::Status UnexpectedReply(absl::string_view what, const RedisReply& reply) {
  if (reply.is_error()) return ErrorReplyStatus(what, reply);
  return absl::InternalError(
      absl::StrCat(what, ": unexpected reply type ", static_cast<int>(reply.type)));
}

// Interprets a script's {"ok"|"precondition"|"exists"|"fenced", detail} reply ("exists" has
// the existing contact's state as a third element).
EffectResult Interpret(const RedisReply& reply) {
  EffectResult result;
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() < 2 ||
      reply.elements.size() > 3 || reply.elements[0].type != RedisReply::Type::kString ||
      reply.elements[1].type != RedisReply::Type::kString ||
      (reply.elements.size() == 3 && reply.elements[2].type != RedisReply::Type::kString)) {
    result.status = UnexpectedReply("state script", reply);
    return result;
  }
  const std::string& code = reply.elements[0].str;
  const std::string& detail = reply.elements[1].str;
  if (code == "ok") {
    result.status = absl::OkStatus();
  } else if (code == "precondition") {
    result.status = absl::FailedPreconditionError(detail);
  } else if (code == "fenced") {
    result.status = absl::PermissionDeniedError(
        absl::StrCat("fenced: the tenant's lease is now '", detail, "'"));
  } else if (code == "exists") {
    result.status = absl::AlreadyExistsError(
        absl::StrCat("contact '", detail, "' exists for this idempotency key"));
    result.existing_contact_id = detail;
    if (reply.elements.size() == 3) {
      std::optional<ContactState> state = ParseContactState(reply.elements[2].str);
      result.existing_live = state.has_value() && IsLive(*state);
    }
  } else {
    result.status = absl::InternalError(absl::StrCat("state script: unknown result '", code, "'"));
  }
  return result;
}

// HGETALL reply -> fields. Nullopt when the reply is not a flat array of strings.
std::optional<FieldMap> ToFieldMap(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() % 2 != 0) {
    return std::nullopt;
  }
  FieldMap fields;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const RedisReply& k = reply.elements[i];
    const RedisReply& v = reply.elements[i + 1];
    if (k.type != RedisReply::Type::kString || v.type != RedisReply::Type::kString) {
      return std::nullopt;
    }
    fields[k.str] = v.str;
  }
  return fields;
}

// SMEMBERS / ZRANGE reply -> strings.
absl::StatusOr<std::vector<std::string>> ToStrings(absl::string_view what,
                                                   const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kArray) return UnexpectedReply(what, reply);
  std::vector<std::string> out;
  out.reserve(reply.elements.size());
  for (const RedisReply& e : reply.elements) {
    if (e.type != RedisReply::Type::kString) return UnexpectedReply(what, e);
    out.push_back(e.str);
  }
  return out;
}

void AppendFields(const FieldList& fields, std::vector<std::string>* args) {
  for (const auto& [name, value] : fields) {
    args->push_back(name);
    args->push_back(value);
  }
}

// The "<contacts>|<mappings>" of an applied ResidentErased's reply; a reply it cannot read
// leaves the counts 0 (the erasure itself was applied).
void ParseErasureCounts(const RedisReply& reply, EffectResult* result) {
  const std::vector<absl::string_view> parts = absl::StrSplit(reply.elements[1].str, '|');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &result->erased_contacts) ||
      !absl::SimpleAtoi(parts[1], &result->erased_mappings)) {
    LOG(WARNING) << "state: erasure applied, but its counts are unreadable";
  }
}

// XRANGE / XREVRANGE reply -> entries.
absl::StatusOr<std::vector<AuditEntry>> ToAuditEntries(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kArray) return UnexpectedReply("XRANGE audit", reply);
  std::vector<AuditEntry> entries;
  for (const RedisReply& item : reply.elements) {
    if (item.type != RedisReply::Type::kArray || item.elements.size() != 2 ||
        item.elements[0].type != RedisReply::Type::kString) {
      return UnexpectedReply("XRANGE audit entry", item);
    }
    WISSEL_ASSIGN_OR_RETURN(std::vector<std::string> fields,
                            ToStrings("XRANGE audit fields", item.elements[1]));
    entries.push_back(DecodeAuditEntry(item.elements[0].str, fields));
  }
  return entries;
}

}  // namespace

RedisStateStore::RedisStateStore(RedisStateStoreOptions options)
    : options_(std::move(options)), connection_(options_.endpoint) {
  absl::MutexLock lock(&mu_);
  for (const char* source :
       ScriptsByIndex(std::make_index_sequence<std::variant_size_v<core::Effect>>())) {
    script_handles_.push_back(connection_.RegisterScript(scripts::WithPrelude(source)));
  }
  lease_script_ = connection_.RegisterScript(scripts::kClaimLease);
  audit_script_ = connection_.RegisterScript(scripts::WithPrelude(scripts::kAuditAppend));
}

RedisStateStore::~RedisStateStore() = default;

std::string RedisStateStore::ContactTtl(const std::string& tenant) const {
  absl::Duration retention = options_.contact_retention;
  if (auto it = options_.tenant_retention.find(tenant); it != options_.tenant_retention.end()) {
    retention = it->second;
  }
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(retention)));
}

std::string RedisStateStore::AuditRetentionMs(const std::string& tenant) const {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(AuditRetention(tenant))));
}

std::string RedisStateStore::AuditTtl(const std::string& tenant) const {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(AuditRetention(tenant))));
}

std::string RedisStateStore::EventRetentionMs(const std::string& tenant) const {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(EventRetention(tenant))));
}

std::string RedisStateStore::EventTtl(const std::string& tenant) const {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(EventRetention(tenant))));
}

absl::Duration RedisStateStore::EventRetention(const std::string& tenant) const {
  if (auto it = options_.tenant_event_retention.find(tenant);
      it != options_.tenant_event_retention.end()) {
    return it->second;
  }
  return options_.event_retention;
}

absl::Duration RedisStateStore::AuditRetention(const std::string& tenant) const {
  if (auto it = options_.tenant_audit_retention.find(tenant);
      it != options_.tenant_audit_retention.end()) {
    return it->second;
  }
  return options_.audit_retention;
}

std::string RedisStateStore::HandlerTtl() const {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(options_.handler_retention)));
}

absl::Time RedisStateStore::Now() const {
  return options_.clock != nullptr ? options_.clock->Now() : absl::Now();
}

absl::StatusOr<ScriptCall> RedisStateStore::Prepare(const TenantEffect& te) const {
  const std::string& t = te.tenant;
  WISSEL_RETURN_IF_ERROR(CheckTenant(t));
  ScriptCall call;
  call.script = script_handles_[te.effect.index()];
  const std::string no_deadline = EncodeTime(absl::InfiniteFuture());

  // Keys and common arguments of the contact scripts (scripts.h).
  auto contact_call = [&](const std::string& contact_id,
                          const std::string& handler_id) -> absl::Status {
    WISSEL_RETURN_IF_ERROR(CheckId("contact_id", contact_id));
    call.keys = {keys::Contact(t, contact_id), keys::History(t, contact_id), keys::Live(t)};
    if (!handler_id.empty()) {
      WISSEL_RETURN_IF_ERROR(CheckId("handler_id", handler_id));
      call.keys.push_back(keys::Handler(t, handler_id));
      call.keys.push_back(keys::Held(t, handler_id));
      call.keys.push_back(keys::Handlers(t));
    }
    call.args = {ContactTtl(t), HandlerTtl(), contact_id, handler_id};
    return absl::OkStatus();
  };
  auto require_handler = [](const std::string& handler_id) {
    return handler_id.empty() ? absl::InvalidArgumentError("handler_id: empty") : absl::OkStatus();
  };

  absl::Status status = std::visit(
      Overloaded{
          [&](const core::ContactCreated& e) -> absl::Status {
            const core::Contact& c = e.contact;
            WISSEL_RETURN_IF_ERROR(CheckContactNames(c));
            if (c.state == ContactState::kOffered || c.state == ContactState::kConnected) {
              return absl::InvalidArgumentError(
                  absl::StrCat("state: a contact cannot be created ", Name(c.state)));
            }
            call.keys = {keys::Contact(t, c.id), keys::History(t, c.id), keys::Live(t)};
            const HistoryEntry entry{c.created_at, c.state, c.handler_id,
                                     e.reason.empty() ? std::string(kCreatedReason) : e.reason};
            std::string first = EncodeFirstHistoryEntry(c, entry);
            const bool in_hash = first.size() <= kHistoryInHashMax;
            // The resident index of its pseudonyms (a value that is not one is not indexed:
            // it could be anything, and must not name a key).
            std::vector<std::string> pseudonyms;
            for (const std::string* p : {&c.party_pseudonym, &c.case_reference}) {
              if (keys::ValidPseudonym(*p) &&
                  std::find(pseudonyms.begin(), pseudonyms.end(), *p) == pseudonyms.end()) {
                pseudonyms.push_back(*p);
              }
            }
            for (const std::string& p : pseudonyms) {
              call.keys.push_back(keys::ResidentIndex(t, p));
            }
            call.args = {ContactTtl(t),
                         c.id,
                         EncodeTime(c.enqueued_at),
                         IsLive(c.state) ? "1" : "0",
                         in_hash ? std::string() : EncodeHistoryEntry(entry),
                         absl::StrCat(pseudonyms.size())};
            AppendFields(EncodeContact(c), &call.args);
            if (in_hash) {
              call.args.push_back(std::string(kFirstHistoryField));
              call.args.push_back(std::move(first));
            }
            if (!c.idempotency_key.empty()) {
              // Read only: a retry of a contact created before ids were derived from keys
              // finds it under the key's old names (redis_keys.h).
              keys::IdempotencyNames names = keys::IdempotencyKeys(t, c.idempotency_key.str());
              call.keys.push_back(std::move(names.key));
              call.keys.push_back(std::move(names.legacy_key));
            }
            return absl::OkStatus();
          },
          [&](const core::ContactUpdated& e) -> absl::Status {
            const core::Contact& c = e.contact;
            WISSEL_RETURN_IF_ERROR(CheckContactNames(c));
            WISSEL_RETURN_IF_ERROR(contact_call(c.id, ""));
            call.args.insert(call.args.end(),
                             {Name(ContactState::kQueued), EncodeTime(c.enqueued_at),
                              History(e.time, ContactState::kQueued, "",
                                      e.reason.empty() ? "updated" : e.reason)});
            AppendFields(EncodeRoutingFields(c), &call.args);
            return absl::OkStatus();
          },
          [&](const core::ContactPersonSet& e) -> absl::Status {
            const core::ContactPersonMapping& m = e.mapping;
            if (!keys::ValidPseudonym(m.party_pseudonym)) {
              // Not echoed: it might be a clear identifier.
              return absl::InvalidArgumentError("party_pseudonym: not 64 lower-case hex digits");
            }
            if (!e.replaces_pseudonym.empty() && !keys::ValidPseudonym(e.replaces_pseudonym)) {
              return absl::InvalidArgumentError("replaces_pseudonym: not 64 lower-case hex digits");
            }
            WISSEL_RETURN_IF_ERROR(CheckId("domain", m.domain));
            WISSEL_RETURN_IF_ERROR(CheckId("handler_id", m.handler_id));
            if (e.time == absl::InfiniteFuture() || e.time == absl::InfinitePast() ||
                m.expires_at == absl::InfiniteFuture() || m.expires_at == absl::InfinitePast()) {
              return absl::InvalidArgumentError(
                  "contact person: time and expires_at must be finite");
            }
            // Rounded up, so that the key does not expire before expires_at.
            const int64_t ttl =
                m.expires_at > e.time
                    ? std::max<int64_t>(1, absl::ToInt64Seconds(
                                               absl::Ceil(m.expires_at - e.time, absl::Seconds(1))))
                    : 0;
            call.keys = {keys::ContactPerson(t, m.party_pseudonym, m.domain),
                         keys::ContactPersons(t)};
            call.args = {absl::StrCat(ttl),
                         HandlerTtl(),
                         ContactPersonMember(m.party_pseudonym, m.domain),
                         EncodeContactPerson(m),
                         EncodeTime(m.expires_at),
                         EncodeTime(e.time)};
            if (!e.replaces_pseudonym.empty()) {
              call.keys.push_back(keys::ContactPerson(t, e.replaces_pseudonym, m.domain));
              call.args.push_back(ContactPersonMember(e.replaces_pseudonym, m.domain));
            }
            return absl::OkStatus();
          },
          [&](const core::ResidentErased& e) -> absl::Status {
            if (e.pseudonyms.empty()) return absl::InvalidArgumentError("pseudonyms: none given");
            for (const std::string& p : e.pseudonyms) {
              if (!keys::ValidPseudonym(p)) {
                // Not echoed: it might be a clear identifier.
                return absl::InvalidArgumentError("pseudonyms: not 64 lower-case hex digits");
              }
            }
            AuditEntry entry;
            entry.actor = e.requested_by.empty() ? std::string(kAuditRouterActor) : e.requested_by;
            entry.action = std::string(kAuditEraseResident);
            std::vector<std::string> subjects;
            for (const std::string& p : e.pseudonyms) subjects.push_back(AuditSubject(p));
            entry.subject = absl::StrJoin(subjects, ",");
            call.keys = {keys::Live(t), keys::ContactPersons(t), keys::Audit(t)};
            for (const std::string& p : e.pseudonyms) {
              call.keys.push_back(keys::ResidentIndex(t, p));
            }
            call.args = {AuditRetentionMs(t),
                         AuditTtl(t),
                         Name(ContactState::kQueued),
                         Name(ContactState::kOffered),
                         Name(ContactState::kConnected),
                         absl::StrCat(e.pseudonyms.size())};
            call.args.insert(call.args.end(), e.pseudonyms.begin(), e.pseudonyms.end());
            for (std::string& f : AuditFields(entry)) call.args.push_back(std::move(f));
            return absl::OkStatus();
          },
          [&](const core::ContactOffered& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(require_handler(e.handler_id));
            WISSEL_RETURN_IF_ERROR(contact_call(e.contact_id, e.handler_id));
            call.args.insert(
                call.args.end(),
                {Name(ContactState::kQueued), Name(ContactState::kOffered),
                 std::string(core::PresenceName(core::Presence::kAvailable)),
                 std::string(core::ChannelName(e.channel)), ChannelIndex(e.channel),
                 EncodeTime(e.deadline), Name(core::HoldState::kOffered), no_deadline,
                 EncodeTime(e.time), History(e.time, ContactState::kOffered, e.handler_id, "")});
            return absl::OkStatus();
          },
          [&](const core::OfferWithdrawn& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(require_handler(e.handler_id));
            WISSEL_RETURN_IF_ERROR(contact_call(e.contact_id, e.handler_id));
            const bool declined = e.reason == "rejected" || e.reason == "offer_timeout";
            call.args.insert(call.args.end(),
                             {Name(ContactState::kOffered), Name(ContactState::kQueued),
                              no_deadline, declined ? "1" : "0",
                              History(e.time, ContactState::kQueued, e.handler_id, e.reason)});
            return absl::OkStatus();
          },
          [&](const core::OfferAccepted& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(require_handler(e.handler_id));
            WISSEL_RETURN_IF_ERROR(contact_call(e.contact_id, e.handler_id));
            call.args.insert(call.args.end(),
                             {Name(ContactState::kOffered), Name(ContactState::kConnected),
                              no_deadline, Name(core::HoldState::kConnected), no_deadline,
                              History(e.time, ContactState::kConnected, e.handler_id, "")});
            return absl::OkStatus();
          },
          [&](const core::ContactCompleted& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(require_handler(e.handler_id));
            WISSEL_RETURN_IF_ERROR(contact_call(e.contact_id, e.handler_id));
            call.args.insert(
                call.args.end(),
                {Name(ContactState::kConnected), Name(ContactState::kCompleted),
                 Name(core::HoldState::kWrapUp), EncodeTime(e.wrap_up_deadline),
                 History(e.time, ContactState::kCompleted, e.handler_id, ""),
                 absl::StrCat(std::max<int64_t>(
                     0, absl::ToInt64Seconds(absl::Ceil(e.survey_quiet_period, absl::Seconds(1))))),
                 EncodeTime(e.time)});
            return absl::OkStatus();
          },
          [&](const core::WrapUpFinished& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(require_handler(e.handler_id));
            WISSEL_RETURN_IF_ERROR(contact_call(e.contact_id, e.handler_id));
            call.args.insert(call.args.end(),
                             {Name(core::HoldState::kWrapUp),
                              History(e.time, ContactState::kCompleted, e.handler_id, e.reason)});
            return absl::OkStatus();
          },
          [&](const core::ContactAbandoned& e) -> absl::Status {
            if (!IsLive(e.previous)) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "previous: '", core::ContactStateName(e.previous), "' is not a live state"));
            }
            WISSEL_RETURN_IF_ERROR(contact_call(e.contact_id, e.handler_id));
            call.args.insert(call.args.end(),
                             {Name(e.previous), Name(ContactState::kAbandoned), no_deadline,
                              History(e.time, ContactState::kAbandoned, e.handler_id, e.reason)});
            return absl::OkStatus();
          },
          [&](const core::ContactTransferred& e) -> absl::Status {
            WISSEL_RETURN_IF_ERROR(require_handler(e.from_handler_id));
            WISSEL_RETURN_IF_ERROR(contact_call(e.contact_id, e.from_handler_id));
            call.args.insert(call.args.end(),
                             {Name(ContactState::kConnected), Name(ContactState::kQueued),
                              no_deadline, e.to_queue, EncodeTime(e.enqueued_at),
                              History(e.time, ContactState::kQueued, e.from_handler_id,
                                      absl::StrCat("transferred to ", e.to_queue))});
            return absl::OkStatus();
          },
          [&](const core::HandlerChanged& e) -> absl::Status {
            const core::Handler& h = e.handler;
            WISSEL_RETURN_IF_ERROR(CheckId("handler_id", h.id));
            for (const std::string& s : h.skills) {
              if (s.empty() || absl::StrContains(s, ',')) {
                return absl::InvalidArgumentError(absl::StrCat("skills: '", s, "'"));
              }
            }
            for (const std::string& s : h.teams) {
              if (s.empty() || absl::StrContains(s, ',')) {
                return absl::InvalidArgumentError(absl::StrCat("teams: '", s, "'"));
              }
            }
            call.keys = {keys::Handler(t, h.id), keys::Held(t, h.id), keys::Handlers(t)};
            call.args = {HandlerTtl(), h.id, h.presence == core::Presence::kOffline ? "1" : "0"};
            AppendFields(EncodeHandler(h), &call.args);
            return absl::OkStatus();
          },
          // Chosen only for an alternative without its own case above (an exact match beats
          // this template), so a new core::Effect alternative does not compile until handled.
          [](const auto& e) -> absl::Status {
            static_assert(kAlwaysFalse<decltype(e)>, "Prepare: unhandled core::Effect");
            return absl::InternalError("unhandled effect");
          },
      },
      te.effect);
  if (!status.ok()) return status;
  // The event (event_codec.h) and the fence (scripts.h): the prelude takes these off again.
  EventFields event = EventOf(te.effect);
  call.keys.push_back(keys::Events(t));
  call.args.push_back(EventRetentionMs(t));
  call.args.push_back(EventTtl(t));
  call.args.push_back(event.with_contact_fields ? "1" : "0");
  const size_t n = event.fields.size();
  for (std::string& f : event.fields) call.args.push_back(std::move(f));
  call.args.push_back(absl::StrCat(n));
  call.keys.push_back(keys::Owner(t));
  call.args.push_back(FenceOf(t));
  return call;
}

std::string RedisStateStore::FenceOf(const std::string& tenant) const {
  absl::MutexLock lock(&fence_mu_);
  auto it = fences_.find(tenant);
  return it == fences_.end() ? std::string() : it->second;
}

void RedisStateStore::SetFence(const std::string& tenant, std::string lease) {
  absl::MutexLock lock(&fence_mu_);
  fences_[tenant] = std::move(lease);
}

absl::StatusOr<std::vector<RedisReply>> RedisStateStore::CallLeaseScript(
    absl::Span<const std::string> tenants, const LeaseClaim& claim, absl::string_view mode) {
  // The epoch counter only numbers the leases; it outlives any lease by far.
  constexpr int64_t kEpochTtlSeconds = int64_t{30} * 24 * 3600;
  std::vector<ScriptCall> calls;
  calls.reserve(tenants.size());
  for (const std::string& t : tenants) {
    WISSEL_RETURN_IF_ERROR(CheckTenant(t));
    calls.push_back(
        ScriptCall{lease_script_,
                   {keys::Owner(t), keys::OwnerEpoch(t)},
                   {claim.address, claim.nonce,
                    absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(claim.ttl))),
                    std::string(mode), absl::StrCat(kEpochTtlSeconds)}});
  }
  absl::MutexLock lock(&mu_);
  return connection_.EvalPipeline(calls);
}

absl::StatusOr<std::vector<TenantLease>> RedisStateStore::ClaimLeases(
    absl::Span<const std::string> tenants, const LeaseClaim& claim) {
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                          CallLeaseScript(tenants, claim, "claim"));
  std::vector<TenantLease> leases(tenants.size());
  for (size_t i = 0; i < tenants.size(); ++i) {
    const RedisReply& r = replies[i];
    if (r.type != RedisReply::Type::kArray || r.elements.size() != 2 ||
        r.elements[0].type != RedisReply::Type::kString ||
        r.elements[1].type != RedisReply::Type::kString) {
      return UnexpectedReply("lease script", r);
    }
    TenantLease& lease = leases[i];
    lease.tenant = tenants[i];
    lease.lease = r.elements[1].str;
    lease.held = r.elements[0].str == "acquired" || r.elements[0].str == "held";
    lease.acquired = r.elements[0].str == "acquired";
    // "<epoch>|<nonce>|<address>": the address is everything after the second separator.
    const std::vector<absl::string_view> parts =
        absl::StrSplit(lease.lease, absl::MaxSplits('|', 2));
    if (parts.size() == 3) lease.holder_address = std::string(parts[2]);
  }
  return leases;
}

absl::Status RedisStateStore::ReleaseLeases(absl::Span<const std::string> tenants,
                                            const LeaseClaim& claim) {
  return CallLeaseScript(tenants, claim, "release").status();
}

absl::StatusOr<std::vector<EffectResult>> RedisStateStore::Apply(
    absl::Span<const TenantEffect> effects) {
  std::vector<EffectResult> results(effects.size());
  std::vector<ScriptCall> calls;
  std::vector<size_t> sent;  // calls[j] is the effect effects[sent[j]]
  calls.reserve(effects.size());
  sent.reserve(effects.size());
  for (size_t i = 0; i < effects.size(); ++i) {
    absl::StatusOr<ScriptCall> call = Prepare(effects[i]);
    if (!call.ok()) {
      results[i].status = call.status();
      continue;
    }
    calls.push_back(*std::move(call));
    sent.push_back(i);
  }
  if (calls.empty()) return results;

  // Stricter mode: WAIT for replicas in the same round trip (replica_ack.h).
  std::vector<RedisCommand> then;
  if (options_.min_replica_acks > 0) {
    then.push_back(ReplicaAckCommand(options_.min_replica_acks, options_.replica_ack_timeout));
  }
  absl::StatusOr<std::vector<RedisReply>> replies;
  {
    absl::MutexLock lock(&mu_);
    replies = connection_.EvalPipeline(calls, then);
  }
  if (!replies.ok()) return replies.status();
  if (!then.empty()) {
    WISSEL_RETURN_IF_ERROR(CheckReplicaAcks(replies->back(), options_.min_replica_acks));
  }
  for (size_t j = 0; j < sent.size(); ++j) {
    results[sent[j]] = Interpret((*replies)[j]);
    if (results[sent[j]].status.ok() &&
        std::holds_alternative<core::ResidentErased>(effects[sent[j]].effect)) {
      ParseErasureCounts((*replies)[j], &results[sent[j]]);
    }
    if (results[sent[j]].status.code() == absl::StatusCode::kInternal) {
      LOG(WARNING) << "state: effect " << sent[j] << " of tenant '" << effects[sent[j]].tenant
                   << "': " << results[sent[j]].status;
    }
  }
  return results;
}

absl::StatusOr<TenantSnapshot> RedisStateStore::LoadTenant(const std::string& tenant) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  absl::MutexLock lock(&mu_);

  const absl::Time now = Now();
  const std::vector<RedisCommand> index = {
      {"SMEMBERS", keys::Handlers(tenant)},
      {"ZRANGE", keys::Live(tenant), "0", "-1"},
      {"ZRANGEBYSCORE", keys::ContactPersons(tenant), absl::StrCat("(", EncodeTime(now)), "+inf"},
  };
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> index_replies, connection_.Pipeline(index));
  WISSEL_ASSIGN_OR_RETURN(std::vector<std::string> handler_ids,
                          ToStrings("SMEMBERS handlers", index_replies[0]));
  WISSEL_ASSIGN_OR_RETURN(std::vector<std::string> contact_ids,
                          ToStrings("ZRANGE live", index_replies[1]));
  WISSEL_ASSIGN_OR_RETURN(std::vector<std::string> person_members,
                          ToStrings("ZRANGEBYSCORE contact persons", index_replies[2]));
  auto valid = [&](absl::string_view kind, const std::string& id) {
    if (keys::ValidId(id)) return true;
    LOG(WARNING) << "state: tenant '" << tenant << "': skipping " << kind << " with bad id '" << id
                 << "'";
    return false;
  };
  handler_ids.erase(std::remove_if(handler_ids.begin(), handler_ids.end(),
                                   [&](const std::string& id) { return !valid("handler", id); }),
                    handler_ids.end());
  contact_ids.erase(std::remove_if(contact_ids.begin(), contact_ids.end(),
                                   [&](const std::string& id) { return !valid("contact", id); }),
                    contact_ids.end());
  std::sort(handler_ids.begin(), handler_ids.end());
  // A member is "<pseudonym>:<domain>"; the key is built from its parts only when both are
  // valid, so a foreign member cannot name an arbitrary key.
  std::vector<std::string> person_keys;
  {
    std::vector<std::string> valid_members;
    for (std::string& member : person_members) {
      const std::vector<absl::string_view> parts = absl::StrSplit(member, ':');
      if (parts.size() != 2 || !keys::ValidPseudonym(parts[0]) || !keys::ValidId(parts[1])) {
        LOG(WARNING) << "state: tenant '" << tenant
                     << "': skipping a malformed contact-person index member";
        continue;
      }
      person_keys.push_back(keys::ContactPerson(tenant, parts[0], parts[1]));
      valid_members.push_back(std::move(member));
    }
    person_members = std::move(valid_members);
  }

  // Per handler two commands (hash, held), per contact one (hash), per kLoadChunk contact
  // persons one MGET.
  std::vector<RedisCommand> reads;
  reads.reserve(2 * handler_ids.size() + contact_ids.size() + person_keys.size() / kLoadChunk + 1);
  for (const std::string& id : handler_ids) {
    reads.push_back({"HGETALL", keys::Handler(tenant, id)});
    reads.push_back({"HGETALL", keys::Held(tenant, id)});
  }
  for (const std::string& id : contact_ids) reads.push_back({"HGETALL", keys::Contact(tenant, id)});
  const size_t first_mget = reads.size();
  for (size_t start = 0; start < person_keys.size(); start += kLoadChunk) {
    RedisCommand mget = {"MGET"};
    const size_t end = std::min(person_keys.size(), start + kLoadChunk);
    mget.insert(mget.end(), person_keys.begin() + static_cast<std::ptrdiff_t>(start),
                person_keys.begin() + static_cast<std::ptrdiff_t>(end));
    reads.push_back(std::move(mget));
  }
  std::vector<RedisReply> replies;
  replies.reserve(reads.size());
  for (size_t start = 0; start < reads.size(); start += kLoadChunk) {
    const size_t n = std::min(kLoadChunk, reads.size() - start);
    WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> chunk,
                            connection_.Pipeline(absl::MakeConstSpan(reads).subspan(start, n)));
    for (RedisReply& r : chunk) replies.push_back(std::move(r));
  }

  TenantSnapshot snapshot;
  size_t next = 0;
  for (const std::string& id : handler_ids) {
    const RedisReply& hash_reply = replies[next++];
    const RedisReply& held_reply = replies[next++];
    std::optional<FieldMap> fields = ToFieldMap(hash_reply);
    if (!fields || fields->empty()) {
      LOG(WARNING) << "state: tenant '" << tenant << "': handler '" << id
                   << (fields ? "' is gone (expired?)" : "' is unreadable") << "; skipped";
      continue;
    }
    absl::StatusOr<core::Handler> handler = DecodeHandler(*fields);
    if (!handler.ok()) {
      LOG(WARNING) << "state: tenant '" << tenant << "': handler '" << id
                   << "' skipped: " << handler.status();
      continue;
    }
    handler->id = id;
    std::optional<FieldMap> held = ToFieldMap(held_reply);
    if (!held) {
      LOG(WARNING) << "state: tenant '" << tenant << "': held contacts of handler '" << id
                   << "' are unreadable; none restored";
      held.emplace();
    }
    for (const auto& [contact_id, value] : *held) {
      absl::StatusOr<core::HeldContact> hc = DecodeHeld(contact_id, value);
      if (!hc.ok()) {
        LOG(WARNING) << "state: tenant '" << tenant << "': handler '" << id
                     << "': skipping held entry: " << hc.status();
        continue;
      }
      handler->held.push_back(*std::move(hc));
    }
    std::sort(handler->held.begin(), handler->held.end(),
              [](const core::HeldContact& a, const core::HeldContact& b) {
                return a.contact_id < b.contact_id;
              });
    snapshot.handlers.push_back(*std::move(handler));
  }
  for (const std::string& id : contact_ids) {
    std::optional<FieldMap> fields = ToFieldMap(replies[next++]);
    if (!fields || fields->empty()) {
      LOG(WARNING) << "state: tenant '" << tenant << "': live contact '" << id
                   << (fields ? "' is gone (expired?)" : "' is unreadable") << "; skipped";
      continue;
    }
    absl::StatusOr<core::Contact> contact = DecodeContact(id, *fields);
    if (!contact.ok()) {
      LOG(WARNING) << "state: tenant '" << tenant << "': live contact '" << id
                   << "' skipped: " << contact.status();
      continue;
    }
    if (!IsLive(contact->state)) {
      LOG(WARNING) << "state: tenant '" << tenant << "': live contact '" << id
                   << "' skipped: stored in state " << core::ContactStateName(contact->state);
      continue;
    }
    snapshot.live_contacts.push_back(*std::move(contact));
  }
  DCHECK_EQ(next, first_mget);
  size_t member = 0;
  for (; next < replies.size(); ++next) {
    const RedisReply& reply = replies[next];
    const size_t expected = std::min(kLoadChunk, person_members.size() - member);
    if (reply.type != RedisReply::Type::kArray || reply.elements.size() != expected) {
      LOG(WARNING) << "state: tenant '" << tenant << "': " << expected
                   << " contact persons unreadable: "
                   << UnexpectedReply("MGET contact persons", reply);
      member += expected;
      continue;
    }
    for (const RedisReply& value : reply.elements) {
      const std::string& m = person_members[member++];
      if (value.type == RedisReply::Type::kNil) continue;  // expired meanwhile
      absl::StatusOr<core::ContactPersonMapping> mapping =
          value.type == RedisReply::Type::kString
              ? DecodeContactPerson(m, value.str)
              : absl::StatusOr<core::ContactPersonMapping>(
                    UnexpectedReply("MGET contact person", value));
      if (!mapping.ok()) {
        LOG(WARNING) << "state: tenant '" << tenant
                     << "': contact person skipped: " << mapping.status();
        continue;
      }
      if (mapping->expires_at <= now) continue;
      snapshot.contact_persons.push_back(*std::move(mapping));
    }
  }
  return snapshot;
}

absl::StatusOr<StoredContact> RedisStateStore::LoadContact(const std::string& tenant,
                                                           const std::string& contact_id) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  WISSEL_RETURN_IF_ERROR(CheckId("contact_id", contact_id));
  const std::vector<RedisCommand> reads = {
      {"HGETALL", keys::Contact(tenant, contact_id)},
      {"LRANGE", keys::History(tenant, contact_id), "0", "-1"},
  };
  std::vector<RedisReply> replies;
  {
    absl::MutexLock lock(&mu_);
    WISSEL_ASSIGN_OR_RETURN(replies, connection_.Pipeline(reads));
  }
  return DecodeStored(tenant, contact_id, replies[0], replies[1]);
}

absl::StatusOr<StoredContact> RedisStateStore::DecodeStored(const std::string& tenant,
                                                            const std::string& contact_id,
                                                            const RedisReply& hash,
                                                            const RedisReply& list) {
  std::optional<FieldMap> fields = ToFieldMap(hash);
  if (!fields) return UnexpectedReply("HGETALL contact", hash);
  if (fields->empty()) {
    return absl::NotFoundError(absl::StrCat("contact_id: '", contact_id, "' not found"));
  }
  StoredContact stored;
  WISSEL_ASSIGN_OR_RETURN(stored.contact, DecodeContact(contact_id, *fields));
  WISSEL_ASSIGN_OR_RETURN(std::vector<std::string> history, ToStrings("LRANGE history", list));
  // The first entry is in the hash, unless the contact was written before h0 existed or its
  // first entry was too long for it: then the list holds it.
  const auto first = fields->find(kFirstHistoryField);
  if (first != fields->end()) history.insert(history.begin(), first->second);
  for (size_t i = 0; i < history.size(); ++i) {
    const std::string& text = history[i];
    absl::StatusOr<HistoryEntry> entry = i == 0 && first != fields->end()
                                             ? DecodeFirstHistoryEntry(stored.contact, text)
                                             : DecodeHistoryEntry(text);
    if (!entry.ok()) {
      LOG(WARNING) << "state: tenant '" << tenant << "': contact '" << contact_id
                   << "': skipping history entry: " << entry.status();
      continue;
    }
    stored.history.push_back(*std::move(entry));
  }
  return stored;
}

absl::StatusOr<ResidentData> RedisStateStore::LoadResident(
    const std::string& tenant, const std::vector<std::string>& pseudonyms) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  for (const std::string& p : pseudonyms) {
    if (!keys::ValidPseudonym(p)) {
      // Not echoed: it might be a clear identifier.
      return absl::InvalidArgumentError("pseudonyms: not 64 lower-case hex digits");
    }
  }
  ResidentData data;
  if (pseudonyms.empty()) return data;
  const absl::Time now = Now();
  absl::MutexLock lock(&mu_);

  // The index, then each contact's hash and history.
  std::vector<RedisCommand> index;
  for (const std::string& p : pseudonyms) {
    index.push_back({"SMEMBERS", keys::ResidentIndex(tenant, p)});
  }
  WISSEL_ASSIGN_OR_RETURN(std::vector<RedisReply> index_replies, connection_.Pipeline(index));
  absl::btree_set<std::string> ids;
  for (const RedisReply& reply : index_replies) {
    WISSEL_ASSIGN_OR_RETURN(std::vector<std::string> members, ToStrings("SMEMBERS index", reply));
    for (std::string& id : members) {
      if (keys::ValidId(id)) ids.insert(std::move(id));
    }
  }
  std::vector<RedisCommand> reads;
  for (const std::string& id : ids) {
    reads.push_back({"HGETALL", keys::Contact(tenant, id)});
    reads.push_back({"LRANGE", keys::History(tenant, id), "0", "-1"});
  }
  std::vector<RedisReply> replies;
  if (!reads.empty()) {
    WISSEL_ASSIGN_OR_RETURN(replies, connection_.Pipeline(reads));
  }
  auto mine = [&](const std::string& value) {
    return !value.empty() &&
           std::find(pseudonyms.begin(), pseudonyms.end(), value) != pseudonyms.end();
  };
  size_t next = 0;
  for (const std::string& id : ids) {
    absl::StatusOr<StoredContact> stored =
        DecodeStored(tenant, id, replies[next], replies[next + 1]);
    next += 2;
    if (stored.status().code() == absl::StatusCode::kNotFound) continue;  // expired
    if (!stored.ok()) return stored.status();
    // An id may have been used again for someone else's contact.
    if (!mine(stored->contact.party_pseudonym) && !mine(stored->contact.case_reference)) continue;
    data.contacts.push_back(*std::move(stored));
  }
  std::sort(data.contacts.begin(), data.contacts.end(),
            [](const StoredContact& a, const StoredContact& b) {
              return std::tie(a.contact.created_at, a.contact.id) <
                     std::tie(b.contact.created_at, b.contact.id);
            });

  // The contact persons: index members "<pseudonym>:<domain>" (the pseudonym is hex, so the
  // pattern is literal), then their keys.
  std::vector<std::string> members;
  for (const std::string& p : pseudonyms) {
    std::string cursor = "0";
    do {
      WISSEL_ASSIGN_OR_RETURN(
          RedisReply reply, connection_.Command({"ZSCAN", keys::ContactPersons(tenant), cursor,
                                                 "MATCH", absl::StrCat(p, ":*"), "COUNT", "1000"}));
      if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 2 ||
          reply.elements[0].type != RedisReply::Type::kString) {
        return UnexpectedReply("ZSCAN contact persons", reply);
      }
      cursor = reply.elements[0].str;
      WISSEL_ASSIGN_OR_RETURN(std::vector<std::string> found,
                              ToStrings("ZSCAN contact persons", reply.elements[1]));
      for (size_t i = 0; i < found.size(); i += 2) members.push_back(std::move(found[i]));
    } while (cursor != "0");
  }
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  for (const std::string& member : members) {
    const std::vector<absl::string_view> parts = absl::StrSplit(member, ':');
    if (parts.size() != 2 || !keys::ValidPseudonym(parts[0]) || !keys::ValidId(parts[1])) continue;
    WISSEL_ASSIGN_OR_RETURN(
        RedisReply value,
        connection_.Command({"GET", keys::ContactPerson(tenant, parts[0], parts[1])}));
    if (value.type == RedisReply::Type::kNil) continue;  // expired
    if (value.type != RedisReply::Type::kString) {
      return UnexpectedReply("GET contact person", value);
    }
    WISSEL_ASSIGN_OR_RETURN(core::ContactPersonMapping mapping,
                            DecodeContactPerson(member, value.str));
    if (mapping.expires_at <= now) continue;
    data.contact_persons.push_back(std::move(mapping));
  }
  return data;
}

absl::Status RedisStateStore::AppendAudit(const std::string& tenant,
                                          const std::vector<AuditEntry>& entries) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  std::vector<ScriptCall> calls;
  calls.reserve(entries.size());
  for (const AuditEntry& e : entries) {
    if (e.actor.empty() || e.action.empty()) {
      return absl::InvalidArgumentError("audit entry: actor and action are required");
    }
    ScriptCall call{audit_script_,
                    {keys::Audit(tenant), keys::Events(tenant), keys::Owner(tenant)},
                    {AuditRetentionMs(tenant), AuditTtl(tenant)}};
    for (std::string& f : AuditFields(e)) call.args.push_back(std::move(f));
    // No event (the prelude's retention, TTL, copy flag and count), and no fence: any router of
    // the tenant may record.
    call.args.insert(call.args.end(), {"1", "1", "0", "0", ""});
    calls.push_back(std::move(call));
  }
  if (calls.empty()) return absl::OkStatus();
  std::vector<RedisReply> replies;
  {
    absl::MutexLock lock(&mu_);
    WISSEL_ASSIGN_OR_RETURN(replies, connection_.EvalPipeline(calls));
  }
  for (const RedisReply& reply : replies) {
    WISSEL_RETURN_IF_ERROR(Interpret(reply).status);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AuditEntry>> RedisStateStore::ReadAudit(const std::string& tenant,
                                                                   absl::Time since, size_t limit) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  if (limit == 0) return absl::InvalidArgumentError("limit: must be at least 1");
  const int64_t since_ms = since == absl::InfinitePast() ? 0 : absl::ToUnixMillis(since);
  const std::string start = since_ms <= 0 ? std::string("-") : absl::StrCat(since_ms);
  absl::StatusOr<RedisReply> reply;
  {
    absl::MutexLock lock(&mu_);
    reply = connection_.Command(
        {"XREVRANGE", keys::Audit(tenant), "+", start, "COUNT", absl::StrCat(limit)});
  }
  if (!reply.ok()) return reply.status();
  WISSEL_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, ToAuditEntries(*reply));
  std::reverse(entries.begin(), entries.end());
  return entries;
}

absl::StatusOr<std::string> RedisStateStore::FindByIdempotencyKey(
    const std::string& tenant, const std::string& idempotency_key) {
  WISSEL_RETURN_IF_ERROR(CheckTenant(tenant));
  if (idempotency_key.empty()) return absl::InvalidArgumentError("idempotency_key: empty");
  absl::StatusOr<RedisReply> reply;
  {
    absl::MutexLock lock(&mu_);
    keys::IdempotencyNames names = keys::IdempotencyKeys(tenant, idempotency_key);
    reply = connection_.Command({"MGET", std::move(names.key), std::move(names.legacy_key)});
  }
  if (!reply.ok()) return reply.status();
  if (reply->type != RedisReply::Type::kArray || reply->elements.size() != 2) {
    return UnexpectedReply("MGET idempotency", *reply);
  }
  for (const RedisReply& name : reply->elements) {
    if (name.type == RedisReply::Type::kString) return name.str;
    if (name.type != RedisReply::Type::kNil) return UnexpectedReply("MGET idempotency", name);
  }
  return absl::NotFoundError("idempotency_key: unused or expired");
}

absl::Status RedisStateStore::Ping() {
  absl::StatusOr<RedisReply> reply;
  {
    absl::MutexLock lock(&mu_);
    reply = connection_.Command({"PING"});
  }
  if (!reply.ok()) return reply.status();
  if (reply->type == RedisReply::Type::kStatus && reply->str == "PONG") return absl::OkStatus();
  absl::Status status = UnexpectedReply("PING", *reply);
  if (IsNoPerm(*reply)) return absl::PermissionDeniedError(status.message());
  return reply->is_error() ? absl::UnavailableError(status.message()) : status;
}

}  // namespace wissel::state
