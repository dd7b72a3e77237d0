// RuleSet: a tenant's routing rules, compiled once at load and evaluated per contact.
//
// Semantics: rules are tried in order. The first rule whose condition holds applies its actions
// and stops evaluation, unless it says `continue`: then its actions apply and later rules are
// tried as well. Across rules that fire, a later route_to, set_priority, prefer_handler or close
// overrides an earlier one; require_skill accumulates (per skill the highest proficiency wins);
// raise_priority adds up; offer_digital and schedule_callback stay set once set. The final
// priority is set_priority (or the contact's own) plus the raises, capped to 0..100
// (RuleOutcome::Priority).
//
// Compile refuses the whole rule set on any problem, so a broken file never half-applies:
// unknown queue, handler (TenantConfig::handlers), skill (neither a queue's skill nor in any
// roster handler's skills), topic, domain or channel; a condition that does not parse or does
// not type-check; duplicate or empty rule names; a rule without actions, with two actions of a
// single-valued kind, or with close next to routing actions; proficiency outside 1..5;
// priorities outside 0..100. Problems that do not make routing wrong but probably are mistakes
// are reported by warnings() instead (see there).
//
// Lifetime: Compile keeps pointers into `config` (its topics, queues, handlers and rule specs)
// and RuleOutcome hands them out. `config` must outlive the RuleSet and every RuleOutcome it
// filled, and must not be modified; a RuleSet belongs to exactly the TenantConfig object it was
// compiled from (compile again for a copy). Copying or moving a RuleSet is cheap and keeps every
// pointer valid (the compiled program is shared and immutable).
//
// Thread-safety: immutable after Compile; Evaluate may run concurrently on distinct outcomes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "router/core/rule_spec.h"
#include "router/core/rules/condition.h"
#include "router/core/rules/rule_context.h"
#include "router/core/tenant_config.h"

namespace wissel::core::rules {

// What the rules decided for one contact. Every pointer points into the TenantConfig the rule
// set was compiled from (or into the rule set's compiled data): nothing is copied per contact.
//
// Allocation: Evaluate(ctx, &outcome) clears the vectors without releasing their capacity, and
// RuleSet::NewOutcome() reserves the most any evaluation can need (computed at compile time),
// so re-using one outcome per routing thread makes evaluation allocation-free from the first
// call on.
struct RuleOutcome {
  // route_to; nullptr: the topic's own queue.
  const QueueConfig* queue = nullptr;
  // require_skill, accumulated over the rules that fired; one entry per skill (the highest
  // min_proficiency asked). Only what rules add: the queue's and topic's skills come on top.
  std::vector<const SkillRequirement*> required_skills;
  // set_priority of the last rule that set one.
  std::optional<int> set_priority;
  // Sum of raise_priority.
  int raise_priority = 0;
  // prefer_handler (a roster entry); nullptr: none.
  const HandlerProfile* prefer_handler = nullptr;
  bool offer_digital = false;      // offer the topic's digital alternative
  bool schedule_callback = false;  // create a callback request instead of waiting
  // close: the message; nullptr: not closed. A closed contact gets no person and no queue.
  const std::string* close_message = nullptr;
  // Indices (into RuleSet::rule(i) / TenantConfig::rules) of the rules that fired, in order.
  std::vector<uint32_t> fired_rules;

  // True when at least one rule fired.
  bool matched() const { return !fired_rules.empty(); }
  // The contact's priority after the rules: set_priority (else `base`) plus raise_priority,
  // capped to 0..100.
  int Priority(int base) const;
  // Back to "no rule fired", keeping the vectors' capacity.
  void Clear();
};

class RuleSet {
 public:
  // An empty rule set: nothing ever fires.
  RuleSet();

  // Compiles config.rules against `config` (see the file comment for what is refused and for
  // lifetimes). `config` should have passed Validate(). Errors: InvalidArgument listing every
  // problem found, one per line (at most 20), each
  //   "FILE:LINE:COL: rule 'NAME': reason"
  // with the position from RuleSpec::when_location plus the offset inside the condition (line
  // and column advance over newlines in the condition, which is exact for single-line and
  // literal block (`|`) scalars), or from ActionSpec::location / RuleSpec::location. Without a
  // known file the prefix is "rules[I]" and condition errors end in "(at character N of the
  // condition)".
  static absl::StatusOr<RuleSet> Compile(const TenantConfig& config);

  // Evaluates the rules for `ctx` into `outcome`, which is cleared first. Allocates nothing
  // once `outcome` has the capacity NewOutcome() gives it; never fails.
  void Evaluate(const RuleContext& ctx, RuleOutcome* outcome) const;
  // Convenience for tests and tools: allocates a fresh outcome.
  RuleOutcome Evaluate(const RuleContext& ctx) const;

  // An empty outcome with the capacity the worst case of this rule set needs.
  RuleOutcome NewOutcome() const;

  // Number of rules.
  size_t size() const;
  // The rule at `index` as configured (name, condition text, locations); index < size().
  const RuleSpec& rule(size_t index) const;
  // Non-fatal findings of Compile, each "FILE:LINE:COL: rule 'NAME': message": a route_to queue
  // no active roster handler can take (none has its skill or is in its team), a require_skill
  // level no active roster handler reaches, prefer_handler naming an inactive handler,
  // offer_digital while no topic has a digital alternative, and rules that can never fire
  // because an earlier rule without `continue` always matches. Roster checks are skipped when
  // the tenant has no roster (handlers only sign in).
  const std::vector<std::string>& warnings() const;

 private:
  struct Action {
    ActionSpec::Kind kind = ActionSpec::Kind::kRouteTo;
    const QueueConfig* queue = nullptr;       // kRouteTo
    const HandlerProfile* handler = nullptr;  // kPreferHandler
    const std::string* message = nullptr;     // kClose
    const SkillRequirement* skill = nullptr;  // kRequireSkill
    int value = 0;                            // kSetPriority, kRaisePriority
  };
  struct CompiledRule {
    Condition condition;
    uint32_t channels = ~0u;  // Condition::PossibleChannels()
    std::vector<Action> actions;
    bool continue_matching = false;
  };
  struct Program {
    const TenantConfig* config = nullptr;
    std::shared_ptr<const TopicTable> topics;  // shared by every rule's condition
    std::vector<CompiledRule> rules;
    // require_skill targets; never resized after compilation (Actions point into it).
    std::vector<SkillRequirement> skills;
    std::vector<std::string> warnings;
    size_t max_fired = 0;   // most rules that can fire for one contact
    size_t max_skills = 0;  // most distinct skills rules can require for one contact
  };
  class Compiler;

  explicit RuleSet(std::shared_ptr<const Program> program);

  std::shared_ptr<const Program> program_;
};

}  // namespace wissel::core::rules
