#include "router/core/rules/rule_set.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wissel::core::rules {
namespace {

constexpr size_t kMaxReportedErrors = 20;

absl::string_view ActionName(ActionSpec::Kind kind) {
  switch (kind) {
    case ActionSpec::Kind::kRouteTo:
      return "route_to";
    case ActionSpec::Kind::kRequireSkill:
      return "require_skill";
    case ActionSpec::Kind::kSetPriority:
      return "set_priority";
    case ActionSpec::Kind::kRaisePriority:
      return "raise_priority";
    case ActionSpec::Kind::kPreferHandler:
      return "prefer_handler";
    case ActionSpec::Kind::kOfferDigital:
      return "offer_digital";
    case ActionSpec::Kind::kScheduleCallback:
      return "schedule_callback";
    case ActionSpec::Kind::kClose:
      return "close";
  }
  return "action";
}

bool HasLocation(const SourceLocation& location) {
  return !location.file.empty() && location.line > 0;
}

std::string FormatLocation(const SourceLocation& location) {
  if (!HasLocation(location)) return "";
  if (location.column <= 0) return absl::StrCat(location.file, ":", location.line);
  return absl::StrCat(location.file, ":", location.line, ":", location.column);
}

// The position of byte `offset` of a condition whose first character is at `start`.
SourceLocation Advance(const SourceLocation& start, absl::string_view text, size_t offset) {
  SourceLocation location = start;
  offset = std::min(offset, text.size());
  const absl::string_view before = text.substr(0, offset);
  const size_t newlines = static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  if (newlines == 0) {
    if (location.column > 0) location.column += static_cast<int>(offset);
    return location;
  }
  location.line += static_cast<int>(newlines);
  const size_t line_start = before.rfind('\n') + 1;
  location.column = std::max(location.column, 1) + static_cast<int>(offset - line_start);
  return location;
}

// Whether a roster handler can take contacts of `queue`: it has the queue's skill or is in the
// queue's team.
bool HandlerServes(const HandlerProfile& handler, const QueueConfig& queue) {
  return handler.skills.contains(queue.skill) ||
         std::find(handler.teams.begin(), handler.teams.end(), queue.name) != handler.teams.end();
}

}  // namespace

int RuleOutcome::Priority(int base) const {
  const int priority = set_priority.value_or(base) + raise_priority;
  return std::clamp(priority, 0, 100);
}

void RuleOutcome::Clear() {
  queue = nullptr;
  required_skills.clear();
  set_priority.reset();
  raise_priority = 0;
  prefer_handler = nullptr;
  offer_digital = false;
  schedule_callback = false;
  close_message = nullptr;
  fired_rules.clear();
}

// Compiles one TenantConfig's rules into a Program, collecting every error.
class RuleSet::Compiler {
 public:
  explicit Compiler(const TenantConfig& config)
      : config_(config), conditions_(config), program_(std::make_shared<Program>()) {
    program_->config = &config;
    program_->topics = conditions_.topics();
    for (const QueueConfig& queue : config.queues) known_skills_.insert(queue.skill);
    for (const HandlerProfile& handler : config.handlers) {
      for (const auto& [skill, level] : handler.skills) known_skills_.insert(skill);
    }
  }

  absl::StatusOr<std::shared_ptr<const Program>> Run() {
    // Skill requirements first, so that the vector never moves once actions point into it.
    size_t skill_actions = 0;
    for (const RuleSpec& rule : config_.rules) {
      for (const ActionSpec& action : rule.then) {
        if (action.kind == ActionSpec::Kind::kRequireSkill) ++skill_actions;
      }
    }
    program_->skills.reserve(skill_actions);

    absl::flat_hash_map<absl::string_view, size_t> names;
    bool unreachable_reported = false;
    std::string always_matching;  // name of an earlier rule that always matches and stops
    for (size_t i = 0; i < config_.rules.size(); ++i) {
      const RuleSpec& rule = config_.rules[i];
      index_ = i;
      rule_ = &rule;
      if (rule.name.empty()) {
        Error(rule.location, "rule has no name");
      } else if (auto [it, inserted] = names.emplace(rule.name, i); !inserted) {
        const RuleSpec& first = config_.rules[it->second];
        Error(rule.location,
              absl::StrCat("duplicate rule name (first defined ",
                           first.location.line > 0 ? absl::StrCat("at line ", first.location.line)
                                                   : absl::StrCat("as rules[", it->second, "]"),
                           ")"));
      }
      CompiledRule compiled;
      compiled.continue_matching = rule.continue_matching;
      size_t error_offset = 0;
      absl::StatusOr<Condition> condition = conditions_.Compile(rule.when, &error_offset);
      const bool condition_compiled = condition.ok();
      if (condition_compiled) {
        compiled.condition = *std::move(condition);
        compiled.channels = compiled.condition.PossibleChannels();
      } else {
        ConditionError(condition.status().message(), error_offset);
      }
      CompileActions(rule, &compiled);
      if (!always_matching.empty() && !unreachable_reported) {
        Warn(rule.location, absl::StrCat("can never fire: rule '", always_matching,
                                         "' before it always matches and has no continue"));
        unreachable_reported = true;
      }
      if (condition_compiled && compiled.condition.AlwaysTrue() && !rule.continue_matching &&
          always_matching.empty()) {
        always_matching = rule.name;
      }
      program_->rules.push_back(std::move(compiled));
    }
    if (!errors_.empty()) {
      std::vector<std::string> shown(
          errors_.begin(), errors_.begin() + static_cast<std::ptrdiff_t>(
                                                 std::min(errors_.size(), kMaxReportedErrors)));
      std::string message = absl::StrJoin(shown, "\n");
      if (errors_.size() > kMaxReportedErrors) {
        absl::StrAppend(&message, "\n... and ", errors_.size() - kMaxReportedErrors,
                        " more problems");
      }
      return absl::InvalidArgumentError(message);
    }

    size_t continuing = 0;
    for (const RuleSpec& rule : config_.rules) continuing += rule.continue_matching ? 1 : 0;
    program_->max_fired = std::min(config_.rules.size(), continuing + 1);
    absl::flat_hash_set<absl::string_view> distinct;
    for (const SkillRequirement& s : program_->skills) distinct.insert(s.skill);
    program_->max_skills = distinct.size();
    return std::shared_ptr<const Program>(std::move(program_));
  }

 private:
  std::string Prefix(const SourceLocation& location) const {
    const std::string where = FormatLocation(location);
    const std::string rule = absl::StrCat("rule '", rule_->name, "'");
    if (!where.empty()) return absl::StrCat(where, ": ", rule);
    return absl::StrCat("rules[", index_, "] ", rule);
  }

  void Error(const SourceLocation& location, absl::string_view reason) {
    errors_.push_back(
        absl::StrCat(Prefix(HasLocation(location) ? location : rule_->location), ": ", reason));
  }

  void Warn(const SourceLocation& location, absl::string_view message) {
    program_->warnings.push_back(
        absl::StrCat(Prefix(HasLocation(location) ? location : rule_->location), ": ", message));
  }

  void ConditionError(absl::string_view reason, size_t offset) {
    if (HasLocation(rule_->when_location)) {
      errors_.push_back(
          absl::StrCat(Prefix(Advance(rule_->when_location, rule_->when, offset)), ": ", reason));
      return;
    }
    errors_.push_back(absl::StrCat(Prefix(rule_->location), ": ", reason, " (at character ",
                                   offset + 1, " of the condition)"));
  }

  void CompileActions(const RuleSpec& rule, CompiledRule* compiled) {
    if (rule.then.empty()) {
      Error(rule.location, "rule has no actions (then: is empty)");
      return;
    }
    absl::flat_hash_map<ActionSpec::Kind, const ActionSpec*> seen;
    const ActionSpec* close = nullptr;
    for (const ActionSpec& spec : rule.then) {
      const bool single = spec.kind != ActionSpec::Kind::kRequireSkill &&
                          spec.kind != ActionSpec::Kind::kRaisePriority;
      if (auto [it, inserted] = seen.emplace(spec.kind, &spec); !inserted && single) {
        Error(spec.location, absl::StrCat(ActionName(spec.kind), " appears twice in one rule"));
        continue;
      }
      if (spec.kind == ActionSpec::Kind::kClose) close = &spec;
      Action action;
      action.kind = spec.kind;
      if (CompileAction(spec, &action)) compiled->actions.push_back(action);
    }
    if (close != nullptr) {
      for (ActionSpec::Kind kind :
           {ActionSpec::Kind::kRouteTo, ActionSpec::Kind::kRequireSkill,
            ActionSpec::Kind::kPreferHandler, ActionSpec::Kind::kScheduleCallback}) {
        if (seen.contains(kind)) {
          Error(close->location,
                absl::StrCat("close gives the resident a message and no person; ",
                             "it cannot be combined with ", ActionName(kind), " in one rule"));
        }
      }
    }
  }

  // Resolves one action; false (with an error recorded) when it is invalid.
  bool CompileAction(const ActionSpec& spec, Action* action) {
    switch (spec.kind) {
      case ActionSpec::Kind::kRouteTo: {
        action->queue = config_.FindQueue(spec.target);
        if (action->queue == nullptr) {
          std::vector<absl::string_view> names;
          for (const QueueConfig& q : config_.queues) names.push_back(q.name);
          Error(spec.location, absl::StrCat("route_to: unknown queue '", spec.target,
                                            "'; queues: ", absl::StrJoin(names, ", ")));
          return false;
        }
        if (!config_.handlers.empty() &&
            std::none_of(config_.handlers.begin(), config_.handlers.end(),
                         [&](const HandlerProfile& h) {
                           return h.active && HandlerServes(h, *action->queue);
                         })) {
          Warn(spec.location, absl::StrCat("route_to '", spec.target,
                                           "': no active handler in the roster has "
                                           "skill '",
                                           action->queue->skill, "' or is in team '", spec.target,
                                           "'; contacts will wait until someone with it signs in"));
        }
        return true;
      }
      case ActionSpec::Kind::kRequireSkill: {
        if (spec.target.empty()) {
          Error(spec.location, "require_skill: skill must not be empty");
          return false;
        }
        if (!known_skills_.contains(spec.target)) {
          Error(spec.location,
                absl::StrCat("require_skill: unknown skill '", spec.target,
                             "': no queue has it and no handler in the roster has it"));
          return false;
        }
        if (spec.value < 1 || spec.value > 5) {
          Error(spec.location, absl::StrCat("require_skill: min_proficiency must be between 1 "
                                            "and 5, got ",
                                            spec.value));
          return false;
        }
        if (!config_.handlers.empty() &&
            std::none_of(config_.handlers.begin(), config_.handlers.end(),
                         [&](const HandlerProfile& h) {
                           auto it = h.skills.find(spec.target);
                           return h.active && it != h.skills.end() && it->second >= spec.value;
                         })) {
          Warn(spec.location, absl::StrCat("require_skill '", spec.target, "' at ", spec.value,
                                           ": no active handler in the roster has it at that "
                                           "level"));
        }
        program_->skills.push_back(SkillRequirement{spec.target, spec.value});
        action->skill = &program_->skills.back();
        return true;
      }
      case ActionSpec::Kind::kSetPriority:
      case ActionSpec::Kind::kRaisePriority:
        if (spec.value < 0 || spec.value > 100) {
          Error(spec.location, absl::StrCat(ActionName(spec.kind),
                                            ": must be between 0 and 100, "
                                            "got ",
                                            spec.value));
          return false;
        }
        action->value = spec.value;
        return true;
      case ActionSpec::Kind::kPreferHandler:
        action->handler = config_.FindHandler(spec.target);
        if (action->handler == nullptr) {
          Error(spec.location,
                absl::StrCat("prefer_handler: unknown handler '", spec.target, "'",
                             config_.handlers.empty() ? "; the tenant has no handler roster"
                                                      : " (not in the roster)"));
          return false;
        }
        if (!action->handler->active) {
          Warn(spec.location, absl::StrCat("prefer_handler '", spec.target,
                                           "' is inactive in the roster and is never assigned"));
        }
        return true;
      case ActionSpec::Kind::kOfferDigital:
        if (std::none_of(config_.topics.begin(), config_.topics.end(),
                         [](const TopicConfig& t) { return t.digital_alternative.has_value(); })) {
          Warn(spec.location, "offer_digital: no topic has a digital_alternative to offer");
        }
        return true;
      case ActionSpec::Kind::kScheduleCallback:
        return true;
      case ActionSpec::Kind::kClose:
        if (spec.target.empty()) {
          Error(spec.location, "close: the message must not be empty");
          return false;
        }
        action->message = &spec.target;
        return true;
    }
    Error(spec.location, "unknown action");
    return false;
  }

  const TenantConfig& config_;
  ConditionCompiler conditions_;
  std::shared_ptr<Program> program_;
  absl::flat_hash_set<std::string> known_skills_;
  std::vector<std::string> errors_;
  size_t index_ = 0;
  const RuleSpec* rule_ = nullptr;
};

RuleSet::RuleSet() : program_(std::make_shared<Program>()) {}

RuleSet::RuleSet(std::shared_ptr<const Program> program) : program_(std::move(program)) {}

absl::StatusOr<RuleSet> RuleSet::Compile(const TenantConfig& config) {
  absl::StatusOr<std::shared_ptr<const Program>> program = Compiler(config).Run();
  if (!program.ok()) return program.status();
  return RuleSet(*std::move(program));
}

void RuleSet::Evaluate(const RuleContext& ctx, RuleOutcome* outcome) const {
  outcome->Clear();
  const std::vector<CompiledRule>& rules = program_->rules;
  if (rules.empty()) return;
  const ContextFacts facts = ContextFacts::Of(ctx, *program_->topics);
  for (size_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = rules[i];
    if ((rule.channels & (1u << static_cast<unsigned>(ctx.channel))) == 0) continue;
    if (!rule.condition.Evaluate(ctx, facts)) continue;
    outcome->fired_rules.push_back(static_cast<uint32_t>(i));
    for (const Action& action : rule.actions) {
      switch (action.kind) {
        case ActionSpec::Kind::kRouteTo:
          outcome->queue = action.queue;
          break;
        case ActionSpec::Kind::kRequireSkill: {
          auto it = std::find_if(
              outcome->required_skills.begin(), outcome->required_skills.end(),
              [&](const SkillRequirement* s) { return s->skill == action.skill->skill; });
          if (it == outcome->required_skills.end()) {
            outcome->required_skills.push_back(action.skill);
          } else if (action.skill->min_proficiency > (*it)->min_proficiency) {
            *it = action.skill;
          }
          break;
        }
        case ActionSpec::Kind::kSetPriority:
          outcome->set_priority = action.value;
          break;
        case ActionSpec::Kind::kRaisePriority:
          outcome->raise_priority += action.value;
          break;
        case ActionSpec::Kind::kPreferHandler:
          outcome->prefer_handler = action.handler;
          break;
        case ActionSpec::Kind::kOfferDigital:
          outcome->offer_digital = true;
          break;
        case ActionSpec::Kind::kScheduleCallback:
          outcome->schedule_callback = true;
          break;
        case ActionSpec::Kind::kClose:
          outcome->close_message = action.message;
          break;
      }
    }
    if (!rule.continue_matching) break;
  }
}

RuleOutcome RuleSet::Evaluate(const RuleContext& ctx) const {
  RuleOutcome outcome = NewOutcome();
  Evaluate(ctx, &outcome);
  return outcome;
}

RuleOutcome RuleSet::NewOutcome() const {
  RuleOutcome outcome;
  outcome.fired_rules.reserve(program_->max_fired);
  outcome.required_skills.reserve(program_->max_skills);
  return outcome;
}

size_t RuleSet::size() const { return program_->rules.size(); }

const RuleSpec& RuleSet::rule(size_t index) const { return program_->config->rules[index]; }

const std::vector<std::string>& RuleSet::warnings() const { return program_->warnings; }

}  // namespace wissel::core::rules
