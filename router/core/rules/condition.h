// Condition: a rule's `when`, compiled once against a tenant's config and evaluated per contact.
//
// Compiling resolves every name — fields, channels, topic codes, domains, phases, DigiD levels,
// days, needs — to an integer or a pointer, checks that each comparison makes sense for its field
// (a channel is not compared with a duration; `<` does not apply to a topic) and lays the tree
// out as a flat array. Evaluate then only loads, compares and branches: no string parsing, no
// heap allocation. The only string comparisons left at run time are those the field needs:
// `language` and `attributes.NAME` against their literals.
//
// Fields (see docs in config/example/wissel.yaml for operators):
//
//   channel                     phone, chat, web_form, balie, email       == != in
//   topic                       a topic code of the catalogue              == != in
//   topic.domain                a domain used by some topic                == != in
//   topic.phase                 eigen_kracht, preventie, maatwerk, none    == != in
//   topic.confidential          bool
//   topic.has_digital_alternative  bool
//   language                    string ("nl", en, ...)                     == != in
//   needs                       set: `NEED in needs`, `NEED not in needs`; NEED one of
//                               low_digital_skills, language_barrier, impairment,
//                               vulnerable_situation (or vulnerable)
//   needs.any                   bool: at least one need
//   needs.count                 integer                                    all comparisons
//   digid                       none < basis < midden < substantieel < hoog  all comparisons
//   party.known, case.open, contact_person.exists, wants_person, open     bool
//   priority                    integer 0..100                             all comparisons
//   queue.expected_wait         duration (45s, 2m, 1h30m)                  all comparisons
//   time                        local time of day (08:30, 17:00:30)        all comparisons
//   day                         mon tue wed thu fri sat sun (or ma di wo do vr za zo),
//                               ordered Monday first                      all comparisons
//   attributes.NAME             string; a missing attribute is ""          == != in
//                               (NAME not one of TenantConfig::personal_attributes)
//
// A bool field may stand alone (`case.open and not wants_person`) or be compared with
// true/false; `true` and `false` alone are conditions too. Values of enumerated fields may be
// written bare (`channel == phone`) or quoted (`topic == "id-kaart"`).
//
// Thread-safety: a compiled Condition is immutable; Evaluate may run concurrently. It refers to
// the TenantConfig it was compiled against (topics), which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "router/core/rules/expression.h"
#include "router/core/rules/rule_context.h"
#include "router/core/tenant_config.h"

namespace wissel::core::rules {

// The catalogue data a compiled condition needs at evaluation time, shared by all conditions
// compiled by one ConditionCompiler.
struct TopicTable {
  const TopicConfig* topics = nullptr;  // TenantConfig::topics.data()
  size_t topic_count = 0;
  std::vector<int32_t> domain_of;    // per topic index: its domain's id
  std::vector<std::string> domains;  // by id, in order of first use in the catalogue

  // The index of `topic` in the catalogue, or -1 (no topic, or not in this catalogue).
  int64_t TopicIndex(const TopicConfig* topic) const;
};

// Values derived from a RuleContext that several conditions need: computed once per contact
// by RuleSet::Evaluate instead of once per comparison.
struct ContextFacts {
  int64_t topic_index = -1;    // TopicTable::TopicIndex(ctx.topic)
  int64_t domain = -1;         // the topic's domain id, or -1
  int64_t seconds_of_day = 0;  // of ctx.local_time
  int64_t weekday = 0;         // of ctx.local_time, 0 = Monday .. 6 = Sunday

  static ContextFacts Of(const RuleContext& ctx, const TopicTable& topics);
};

class Condition {
 public:
  // A condition that is always true.
  Condition();

  // True when the condition holds for `ctx`. Allocates nothing.
  bool Evaluate(const RuleContext& ctx) const {
    return Eval(root_, ctx, ContextFacts::Of(ctx, *topics_));
  }
  // The same with `facts` already derived from `ctx` (ContextFacts::Of with topics()).
  bool Evaluate(const RuleContext& ctx, const ContextFacts& facts) const {
    return Eval(root_, ctx, facts);
  }

  // The catalogue data the condition was compiled against.
  const TopicTable& topics() const { return *topics_; }

  // The channels (bit 1 << core::Channel) for which the condition can hold, read from its
  // structure: `channel == x`, `channel in [...]` and their negations, combined through and/or.
  // All bits when it does not constrain the channel. A rule set skips a rule for other channels
  // without evaluating it.
  uint32_t PossibleChannels() const { return ChannelsOf(root_); }

  // True when the condition is the literal `true` (used to find rules that can never fire).
  bool AlwaysTrue() const {
    return nodes_[root_].kind == NodeKind::kConst && nodes_[root_].value != 0;
  }

 private:
  friend class ConditionCompiler;

  enum class Field : uint8_t {
    kChannel,
    kTopic,
    kTopicDomain,
    kTopicPhase,
    kTopicConfidential,
    kTopicHasDigitalAlternative,
    kLanguage,
    kNeedsAny,
    kNeedsCount,
    kDigid,
    kPartyKnown,
    kCaseOpen,
    kContactPersonExists,
    kWantsPerson,
    kPriority,
    kQueueExpectedWait,  // in milliseconds
    kTime,               // seconds since local midnight
    kDay,                // 0 = Monday .. 6 = Sunday
    kOpen,
    kAttribute,
  };

  enum class NodeKind : uint8_t {
    kConst,       // value: 0 or 1
    kAnd,         // children [a, a + b) in children_
    kOr,          // children [a, a + b) in children_
    kNot,         // child a
    kIntCompare,  // field op value
    kIntMask,     // field's value in the set of bits `value` (values 0..63)
    kIntList,     // field's value in ints_[a, a + b)
    kStrCompare,  // field op strings_[a] (kEq / kNe); attribute name strings_[name]
    kStrList,     // field's value in strings_[a, a + b); attribute name strings_[name]
    kNeeds,       // (ctx.needs & value) != 0
  };

  struct Node {
    NodeKind kind = NodeKind::kConst;
    Field field = Field::kChannel;
    CompareOp op = CompareOp::kEq;
    bool negate = false;  // kIntMask, kIntList, kStrList, kNeeds: `not in`
    uint32_t a = 0;
    uint32_t b = 0;
    uint32_t name = 0;  // kAttribute: index of the attribute's name in strings_
    int64_t value = 0;
  };

  bool Eval(uint32_t index, const RuleContext& ctx, const ContextFacts& facts) const;
  uint32_t ChannelsOf(uint32_t index) const;
  static int64_t IntValue(Field field, const RuleContext& ctx, const ContextFacts& facts);
  absl::string_view StringValue(const Node& node, const RuleContext& ctx) const;

  std::shared_ptr<const TopicTable> topics_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> children_;
  std::vector<int64_t> ints_;
  std::vector<std::string> strings_;
  uint32_t root_ = 0;
};

// Compiles conditions against one tenant's config. Cheap to keep; build one per rule set.
// Every condition it compiles shares its TopicTable (topics()).
// `config` must outlive the compiler and every Condition it compiles, and must not change.
class ConditionCompiler {
 public:
  explicit ConditionCompiler(const TenantConfig& config);

  // Parses and compiles `text`. Errors: InvalidArgument whose message is the reason alone
  // (e.g. "unknown topic 'paspoot'; did you mean 'paspoort'?"), with *error_offset set to the
  // byte offset in `text` the reason is about.
  absl::StatusOr<Condition> Compile(absl::string_view text, size_t* error_offset) const;

  const std::shared_ptr<const TopicTable>& topics() const { return topics_const_; }

 private:
  class Builder;

  std::shared_ptr<TopicTable> topics_;
  std::shared_ptr<const TopicTable> topics_const_;
  absl::flat_hash_map<std::string, int32_t> domain_ids_;
  // TenantConfig::personal_attributes: a condition naming one is refused (the rules never see
  // personal values; such a condition could only ever compare "").
  std::vector<std::string> personal_attributes_;
};

}  // namespace wissel::core::rules
